// run-task against the loopback AWS through the real SDK: the seeded sample service's network, its one-off tasks
// ending as the loopback's fate says (exit 0, exit 1, never started, running until stopped).
import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepHarness } from '@ecs-actions/action-kit/testing';
import { FakeClock, RunContext, runAction } from '@ecs-actions/action-kit';
import {
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type OneOffFate,
} from '@ecs-actions/loopback-aws';
import { run } from '../src/main.js';

const step = stepHarness('run-task-loopback');
const { outputs, errorLines, setInputs } = step;
const MIGRATE = ['node', 'sample-service/dist/migrate.js'];
let aws: LoopbackAws | undefined;

afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/** The loopback, its one-off tasks ending as `fate` says, and run-task's inputs for sample-service in demo-dev. */
async function start(fate: OneOffFate): Promise<void> {
  aws = await startLoopbackAws({ stepMs: 10 });
  aws.setOneOffFate(fate);
  process.env.AWS_ENDPOINT_URL = aws.url;
  const file = join(step.dir, 'task-definition.json');
  writeFileSync(
    file,
    JSON.stringify(sampleTaskDefinition(aws.state, 'dev', sampleImageUri(aws.accountId, aws.region))),
  );
  setInputs({
    cluster: 'demo-dev',
    service: 'sample-service',
    'task-definition': file,
    'command-overrides': `web=${JSON.stringify(MIGRATE)}`,
  });
}

async function runTask(options: { clock?: FakeClock; context?: RunContext; everyMs?: number } = {}): Promise<void> {
  const { everyMs = 20, ...rest } = options;
  await runAction(() => run({ interval: () => everyMs, ...rest }));
}

const oneOff = () => aws!.state.oneOffTasks.at(-1)!;
const calls = (operation: string) => aws!.requests.filter((request) => request.operation === operation);

describe('run-task against the loopback AWS', () => {
  it("runs the migration command in the service's network and succeeds when it exits 0", async () => {
    await start('exits-0');
    await runTask();
    expect(errorLines()).toEqual([]);
    expect(outputs()).toMatchObject({ status: 'succeeded', 'exit-codes': '{"web":0}', 'task-arn': oneOff().arn });
    expect(oneOff().containers[0]).toMatchObject({ name: 'web', command: MIGRATE, exitCode: 0 });
    expect(oneOff().networkConfiguration.awsvpcConfiguration?.subnets).toEqual(
      aws!.state.services.get('demo-dev/sample-service')!.subnets,
    );
  });

  it('fails with the exit code when the migration exits 1', async () => {
    await start('exits-1');
    await runTask();
    expect(outputs()).toMatchObject({ status: 'failed', 'exit-codes': '{"web":1}' });
    expect(errorLines()[0]).toMatch(
      /^::error::One-off task \w+ of sample-service-dev:\d+ failed: Essential container web exited 1\./,
    );
  });

  it('fails when the essential container never ran (no exit code)', async () => {
    await start('never-starts');
    await runTask();
    expect(outputs()).toMatchObject({ status: 'failed', 'exit-codes': '{"web":null}' });
    expect(errorLines()[0]).toContain('CannotPullContainerError');
  });

  it('stops the task with StopTask when timeout-minutes passes', async () => {
    await start('runs-until-stopped');
    setInputs({ 'timeout-minutes': '1' });
    // 2 s polls over a minute of fake time: about 30 DescribeTasks of a task that keeps running.
    await runTask({ clock: new FakeClock(), everyMs: 2000 });
    expect(outputs()).toMatchObject({ status: 'timed-out' });
    expect(calls('StopTask')).toHaveLength(1);
    aws!.advance();
    expect(oneOff().stoppedReason).toContain('timeout-minutes (1) passed');
  });

  it('stops the task with StopTask when the run is cancelled', async () => {
    await start('runs-until-stopped');
    const context = new RunContext();
    const timer = setInterval(() => {
      if (oneOff()?.lastStatus === 'RUNNING') {
        clearInterval(timer);
        context.cancel('SIGINT');
      }
    }, 5);
    await runTask({ context });
    clearInterval(timer);
    context.dispose();
    expect(outputs()).toMatchObject({ status: 'cancelled' });
    expect(calls('StopTask')).toHaveLength(1);
    expect(errorLines()[0]).toContain('the run was cancelled');
  });

  it('refuses an override for a container the revision lacks without starting anything', async () => {
    await start('exits-0');
    setInputs({ 'task-definition': 'sample-service-dev:1', 'command-overrides': `migrate=${JSON.stringify(MIGRATE)}` });
    await runTask();
    expect(outputs().status).toBe('failed');
    expect(errorLines()[0]).toContain("Input 'command-overrides'");
    expect(calls('RunTask')).toEqual([]);
    expect(aws!.state.oneOffTasks).toEqual([]);
  });
});
