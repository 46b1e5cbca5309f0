// verify-targets reading the tasks' own log lines, against the loopback AWS through the real SDK: the last lines
// of the tasks behind failing targets, and the after-deploy log check with log-check warn and fail.
import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { FakeClock, runAction } from '@ecs-actions/action-kit';
import { outputsWritten, runnerCommands } from '@ecs-actions/action-kit/testing';
import {
  appendContainerLogLines,
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type TaskRecord,
} from '@ecs-actions/loopback-aws';
import { run } from '../src/main.js';

const saved = { ...process.env };
let aws: LoopbackAws | undefined;
let dir: string;
let stdout: string;
let summaryFile: string;

beforeAll(() => {
  summaryFile = join(mkdtempSync(join(tmpdir(), 'verify-targets-logs-')), 'summary.md');
});

beforeEach(async () => {
  for (const key of Object.keys(process.env))
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_') || key.startsWith('AWS_')) delete process.env[key];
  dir = mkdtempSync(join(tmpdir(), 'verify-targets-'));
  writeFileSync(join(dir, 'output'), '');
  writeFileSync(summaryFile, '');
  process.env.GITHUB_OUTPUT = join(dir, 'output');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  stdout = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  process.exitCode = undefined;
  aws = await startLoopbackAws({ stepMs: 20 });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
});

afterEach(async () => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  process.env = { ...saved };
  await aws?.close();
  aws = undefined;
});

function runningTasks(): TaskRecord[] {
  return aws!.state.services.get('demo-dev/sample-service')!.tasks.filter((task) => task.lastStatus === 'RUNNING');
}

/** What the task's web container prints, as the awslogs driver ships it. */
function print(task: TaskRecord, lines: string[]): void {
  appendContainerLogLines(aws!.state, task, 'web', lines);
}

async function verify(inputs: Record<string, string> = {}): Promise<void> {
  const all = { cluster: 'demo-dev', service: 'sample-service', 'timeout-seconds': '10', ...inputs };
  for (const [name, value] of Object.entries(all)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  // Polls on a fake clock: targets that stay unhealthy fail timeout-seconds at once, not in real seconds.
  await runAction(() => run({ clock: new FakeClock() }));
}

const outputs = () => outputsWritten(readFileSync(join(dir, 'output'), 'utf8'));

const summary = () => readFileSync(summaryFile, 'utf8');
const commandLines = (name: string) =>
  runnerCommands(stdout)
    .filter((command) => command.name === name)
    .map((command) => command.data);

/** The commands verify-targets means to print; anything else came from a log line. */
const OWN_COMMANDS = new Set(['group', 'endgroup', 'warning', 'error', 'notice', 'debug']);

const FATAL = '{"level":50,"msg":"GET /projects 500: relation \\"projects\\" does not exist"}';

describe('the log check after the deploy', () => {
  it('warns with the count and the first error line, and passes, with log-check: warn (the default)', async () => {
    const [first] = runningTasks();
    print(first!, ['{"level":30,"msg":"GET /health 200"}', FATAL]);

    await verify();

    expect(process.exitCode).toBeUndefined();
    expect(outputs()['log-error-count']).toBe('1');
    const [warning, ...more] = commandLines('warning');
    expect(more).toEqual([]);
    expect(warning).toMatch(
      /^Log check: 1 error-level line in 2 tasks of sample-service-dev:1 since they started \(\d+ lines read\); first: web \(task [0-9a-f]{32}\) \d\d:\d\d:\d\d\.\d{3}Z \{"level":50/,
    );
    expect(summary()).toContain('First error-level log lines (1)');
    expect(summary()).toMatch(
      /⚠️ 1 error-level line in 2 tasks of <code>|⚠️ 1 error-level line in 2 tasks of sample-service-dev:1/,
    );
    expect(commandLines('group')).toContain('Log check: error-level lines since the tasks started');
    expect(commandLines('notice')).toEqual([]);
  });

  it('prints the first five error lines in the log and how many more there are', async () => {
    const [first] = runningTasks();
    print(
      first!,
      [1, 2, 3, 4, 5, 6, 7].map((n) => `{"level":50,"msg":"failure number ${n}"}`),
    );

    await verify();

    expect(outputs()['log-error-count']).toBe('7');
    const printed = stdout.split('\n').filter((line) => line.startsWith('  web (task '));
    expect(printed.map((line) => /failure number (\d)/.exec(line)?.[1])).toEqual(['1', '2', '3', '4', '5']);
    expect(stdout).toContain('\n  … and 2 more\n');
  });

  it('fails the step naming the count, with log-check: fail', async () => {
    const [first, second] = runningTasks();
    print(first!, [FATAL]);
    print(second!, ['{"level":"fatal","msg":"out of memory"}']);

    await verify({ 'log-check': 'fail' });

    expect(process.exitCode).toBe(1);
    expect(commandLines('error')).toEqual([
      expect.stringMatching(
        /^Log check: 2 error-level lines in 2 tasks of sample-service-dev:1 since they started \(\d+ lines read\); log-check is fail$/,
      ),
    ]);
    // The outputs and summary are written before the step fails.
    expect(outputs()).toMatchObject({ 'log-error-count': '2', 'healthy-count': '2' });
    expect(summary()).toContain('❌ 2 error-level lines');
  });

  it('passes with log-check: fail when the tasks wrote no error line', async () => {
    await verify({ 'log-check': 'fail' });

    expect(process.exitCode).toBeUndefined();
    expect(outputs()['log-error-count']).toBe('0');
    expect(stdout).toMatch(/Log check: no error-level lines in 2 tasks of sample-service-dev:1 since they started/);
  });

  it("counts the lines the user's log-error-pattern matches in plain-text logs", async () => {
    const [first] = runningTasks();
    print(first!, ['INFO ready', 'ERROR could not reach the payment API', 'WARN slow']);

    await verify({ 'log-check': 'fail', 'log-error-pattern': '^ERROR\\b' });

    expect(process.exitCode).toBe(1);
    expect(commandLines('error')[0]).toMatch(/^Log check: 1 error-level or log-error-pattern line in 2 tasks/);
  });

  it('reads nothing with log-check: off', async () => {
    print(runningTasks()[0]!, [FATAL]);

    await verify({ 'log-check': 'off' });

    expect(process.exitCode).toBeUndefined();
    expect(outputs()['log-error-count']).toBeUndefined();
    expect(aws!.requests.filter((request) => request.operation === 'GetLogEvents')).toEqual([]);
  });

  it('gives one notice naming logs:GetLogEvents when the role may not read the logs, and passes with warn', async () => {
    aws!.failNext('GetLogEvents', {
      code: 'AccessDeniedException',
      message: 'User is not authorized to perform: logs:GetLogEvents',
      times: 2,
    });

    await verify();

    expect(process.exitCode).toBeUndefined();
    expect(commandLines('notice')).toEqual([
      expect.stringMatching(
        /^Container log lines were not shown: the role may not call logs:GetLogEvents on \/ecs\/sample-service-dev\. .*set log-lines: 0 and log-check: off to stop reading them; with log-check: warn the result does not depend on them\.$/,
      ),
    ]);
  });

  it('fails with log-check: fail when the logs cannot be read: a check that cannot look does not pass', async () => {
    aws!.failNext('GetLogEvents', { code: 'AccessDeniedException', message: 'not authorized', times: 2 });

    await verify({ 'log-check': 'fail' });

    expect(process.exitCode).toBe(1);
    expect(commandLines('error')[0]).toMatch(
      /^Log check could not read web \(task [0-9a-f]{32}\): the role may not call logs:GetLogEvents on \/ecs\/sample-service-dev; .*log-check is fail/,
    );
    // The error names the permission: no notice besides it.
    expect(commandLines('notice')).toEqual([]);
    expect(stdout).toMatch(/^Not checked: web \(task [0-9a-f]{32}\): the role may not call logs:GetLogEvents/m);
  });

  it('prints hostile log lines as data in the log, the warning and the summary: no command, no control character, cut', async () => {
    const [first] = runningTasks();
    print(first!, HOSTILE);

    // Every hostile line counts, so that each reaches the log, the warning (the first) and the summary.
    await verify({ 'log-error-pattern': '::|##\\[' });

    expect(outputs()['log-error-count']).toBe(String(HOSTILE.length));
    expectNoForeignCommand();
    expect(stdout).toContain('\\::add-mask::hunter2');
    expect(commandLines('warning')).toEqual([
      expect.stringMatching(/; first: web \(task \w+\) [\d:.]+Z \\::add-mask::hunter2$/),
    ]);
    expect(summary()).toContain('##\\[warning]legacy');
    expect(summary()).not.toContain('<script>');
  });
});

/** Lines a container may print that a runner would read as commands, with control characters and a huge line. */
const HOSTILE = [
  '::add-mask::hunter2',
  '  ::stop-commands::pause',
  'line one\rline two\n::set-output name=x::y',
  'text ##[warning]legacy \u001b[31mred\u001b[0m bell\u0007 nul\u0000 <script>',
  `::warning::${'x'.repeat(100_000)}`,
];

function expectNoForeignCommand(): void {
  expect(runnerCommands(stdout).filter((command) => !OWN_COMMANDS.has(command.name))).toEqual([]);
  expect(stdout).not.toContain('x'.repeat(490));
  expect(stdout).toContain(`\\::warning::${'x'.repeat(489)}… (99511 more characters)`);
  // eslint-disable-next-line no-control-regex -- the point
  expect(stdout).not.toMatch(/[\u0000\u0007\u001b]/);
}

/** The tasks of a new revision once ECS started them (the loopback moves rollouts on as time passes). */
async function newTasks(revision: string): Promise<TaskRecord[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    aws!.advance();
    const started = aws!.state.services
      .get('demo-dev/sample-service')!
      .tasks.filter((task) => task.taskDefinitionArn === revision && task.lastStatus === 'RUNNING');
    if (started.length > 0 || Date.now() > deadline) return started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rolls out a new revision whose targets stay unhealthy; returns it and its tasks once they run. */
async function deployUnhealthyRevision(): Promise<{ revision: string; started: TaskRecord[] }> {
  const ecs = new ECSClient({});
  const input = sampleTaskDefinition(aws!.state, 'dev', sampleImageUri(aws!.accountId, aws!.region));
  aws!.setScenario('targets-unhealthy');
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(input as never));
  const revision = taskDefinition!.taskDefinitionArn!;
  await ecs.send(
    new UpdateServiceCommand({ cluster: 'demo-dev', service: 'sample-service', taskDefinition: revision }),
  );
  return { revision, started: await newTasks(revision) };
}

describe('the log lines of the tasks behind failing targets', () => {
  it("prints each failing task's last lines once, with the scripted reason its targets are unhealthy", async () => {
    const { revision, started } = await deployUnhealthyRevision();
    print(started[0]!, HOSTILE);

    await verify({ 'timeout-seconds': '3', 'task-definition-arn': revision });

    expect(process.exitCode).toBe(1);
    expectNoForeignCommand();
    const headings =
      stdout.match(/^web \(task [0-9a-f]{32}\): last \d+ lines? of \/ecs\/sample-service-dev .*$/gm) ?? [];
    expect(headings.length).toBeGreaterThanOrEqual(1);
    expect(new Set(headings).size).toBe(headings.length);
    expect(stdout).toContain('GET /health 503: the database did not answer within 2000 ms');
    expect(summary()).toMatch(/Log lines of task [0-9a-f]{32}/);
    expect(commandLines('group')).toContain('Log lines of the tasks behind failing targets');
    expect(commandLines('notice')).toEqual([]);
  });

  it('says once that logs:GetLogEvents is missing, and the failure stays the targets', async () => {
    const { revision } = await deployUnhealthyRevision();
    aws!.failNext('GetLogEvents', { code: 'AccessDeniedException', message: 'not authorized', times: 10 });

    await verify({ 'timeout-seconds': '3', 'task-definition-arn': revision });

    expect(process.exitCode).toBe(1);
    expect(commandLines('notice')).toEqual([
      expect.stringMatching(
        /^Container log lines were not shown: the role may not call logs:GetLogEvents on \/ecs\/sample-service-dev\. .*set log-lines: 0 and log-check: off to stop reading them; the result does not depend on them\.$/,
      ),
    ]);
    expect(commandLines('error')).toEqual([expect.stringMatching(/^Targets not verified after 3s/)]);
  });

  it('reads nothing with log-lines: 0', async () => {
    const { revision } = await deployUnhealthyRevision();

    await verify({ 'timeout-seconds': '3', 'task-definition-arn': revision, 'log-lines': '0' });

    expect(process.exitCode).toBe(1);
    expect(aws!.requests.filter((request) => request.operation === 'GetLogEvents')).toEqual([]);
  });
});
