import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { FakeClock, RunContext, runAction } from '@ecs-actions/action-kit';
import { run } from '../src/main.js';
import {
  CURRENT,
  NEW_DIGEST,
  OLD_DIGEST,
  WEB_TG,
  pollAnswers,
  taskArn,
  useTestAwsEnvironment,
  webContainer,
} from './fixtures.js';

const TASK_A = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

let restoreEnvironment: () => void;
let stdout: string[];
// @actions/core remembers the summary file's path after its first write, so one folder serves every test.
const workDir = mkdtempSync(join(tmpdir(), 'verify-targets-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

beforeEach(() => {
  restoreEnvironment = useTestAwsEnvironment();
  process.env.GITHUB_OUTPUT = join(workDir, 'output');
  process.env.GITHUB_STEP_SUMMARY = join(workDir, 'summary');
  writeFileSync(process.env.GITHUB_OUTPUT, '');
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, '');
  process.env.INPUT_CLUSTER = 'prod';
  process.env.INPUT_SERVICE = 'web';
  process.env['INPUT_EXPECTED-DIGESTS'] = NEW_DIGEST;
  process.env['INPUT_TIMEOUT-SECONDS'] = '4';
  // The tasks' log lines are read from the loopback CloudWatch Logs in logs.test.ts.
  process.env['INPUT_LOG-LINES'] = '0';
  process.env['INPUT_LOG-CHECK'] = 'off';
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  restoreEnvironment();
  expect(nock.pendingMocks()).toEqual([]);
});

/**
 * One target that stays `initial`, and the runner's signal arriving while the action waits between polls: the
 * context to pass to run and the clock that cancels it.
 */
function cancelledWhileWaiting(signalName: NodeJS.Signals): { context: RunContext; clock: FakeClock } {
  pollAnswers({
    service: { desiredCount: 1 },
    tasks: [{ id: TASK_A, ip: '10.0.1.5' }],
    targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'initial' }] },
  });
  const context = new RunContext();
  const clock = new (class extends FakeClock {
    override sleep(ms: number, signal?: AbortSignal): Promise<void> {
      context.cancel(signalName);
      return super.sleep(ms, signal);
    }
  })();
  return { context, clock };
}

/** The outputs written to GITHUB_OUTPUT (`name<<delimiter` blocks). */
function outputs(): Record<string, string> {
  const text = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8');
  const result: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) result[match[1]!] = match[3]!;
  return result;
}

describe('verify-targets action', () => {
  it('sets the outputs and writes a table of targets to the job summary', async () => {
    pollAnswers({
      service: { desiredCount: 1 },
      tasks: [{ id: TASK_A, ip: '10.0.1.5' }],
      targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }] },
    });

    await run({ clock: new FakeClock() });

    expect(outputs()['healthy-count']).toBe('1');
    expect(outputs()['digest-verified']).toBe('true');
    expect(JSON.parse(outputs().targets!)).toEqual([
      {
        targetGroup: WEB_TG,
        id: '10.0.1.5',
        port: 8080,
        state: 'healthy',
        reason: null,
        description: null,
        task: taskArn(TASK_A),
        taskDefinition: CURRENT,
        digest: NEW_DIGEST,
        problem: null,
      },
    ]);
    const summary = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('Load balancer targets: verified');
    expect(summary).toContain('<th>Target group</th><th>Target</th><th>State</th>');
    expect(summary).toContain(
      `<td>web-tg</td><td><code>10.0.1.5:8080</code></td><td>healthy</td><td><code>${TASK_A}</code></td>`,
    );
  });

  it('fails with one error line but still sets the outputs and the summary', async () => {
    for (let poll = 0; poll < 3; poll++) {
      pollAnswers({
        service: { desiredCount: 1 },
        tasks: [{ id: TASK_A, ip: '10.0.1.5', containers: [webContainer(OLD_DIGEST)] }],
        targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }] },
      });
    }

    await runAction(() => run({ clock: new FakeClock() }));

    expect(process.exitCode).toBe(1);
    const errors = stdout
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('::error::'));
    expect(errors).toEqual([
      '::error::Targets not verified after 4s. web-tg: 0 of 1 required tasks healthy and verified; ' +
        '1 unverified target still receives traffic; ' +
        `10.0.1.5:8080 healthy, task ${TASK_A} (web:42): container web runs ${OLD_DIGEST}, expected ${NEW_DIGEST}`,
    ]);
    expect(outputs()['digest-verified']).toBe('false');
    expect(outputs()['healthy-count']).toBe('1');
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('Not verified after 4s');
  });

  it('stops at a cancel, writing what the last poll saw, and ends with one cancelled line', async () => {
    const { context, clock } = cancelledWhileWaiting('SIGINT');

    await runAction(() => run({ clock, context }));

    expect(process.exitCode).toBe(1);
    const errors = stdout
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('::error::'));
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::The run was cancelled \(SIGINT\): targets not verified after 0s\. web-tg: 0 of 1 required/,
      ),
    ]);
    expect(outputs()['healthy-count']).toBe('0');
    expect(JSON.parse(outputs().targets!)).toEqual([expect.objectContaining({ id: '10.0.1.5', state: 'initial' })]);
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain(
      '⏹️ Stopped after 0s (The run was cancelled (SIGINT)); not verified',
    );
    context.dispose();
  });

  it('ends a cancelled verification with a CancelledError, not a plain failure, so the run reads as cancelled', async () => {
    const { context, clock } = cancelledWhileWaiting('SIGTERM');

    await expect(run({ clock, context })).rejects.toMatchObject({
      name: 'CancelledError',
      by: 'SIGTERM',
      message: expect.stringMatching(/^The run was cancelled \(SIGTERM\): targets not verified/),
    });
    context.dispose();
  });

  it('rejects a bad input before any AWS call', async () => {
    process.env['INPUT_EXPECTED-DIGESTS'] = 'latest';

    await runAction(() => run({ clock: new FakeClock() }));

    expect(process.exitCode).toBe(1);
    expect(stdout.join('')).toContain(`::error::Input 'expected-digests': "latest" is not an image digest`);
  });
});
