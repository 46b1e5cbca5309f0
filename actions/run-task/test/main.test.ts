import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { runnerCommands, stepHarness } from '@ecs-actions/action-kit/testing';
import { FakeClock, RunContext, runAction } from '@ecs-actions/action-kit';
import { run } from '../src/main.js';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'prod';
const SERVICE = 'web';
const ECS_ENDPOINT = `https://ecs.${REGION}.amazonaws.com`;
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.1' };
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web@sha256:${'a'.repeat(64)}`;
const TASK_ID = '0123456789abcdef0123456789abcdef';
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${TASK_ID}`;
const MIGRATE = ['node', 'sample-service/dist/migrate.js'];
const SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'];
const SECURITY_GROUPS = ['sg-0ccccccccccccccc3'];

const revisionArn = (revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:${revision}`;

/** The file render-taskdef writes. */
const TASK_DEFINITION = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-execution`,
  containerDefinitions: [{ name: 'web', image: IMAGE, essential: true, portMappings: [{ containerPort: 3000 }] }],
};

const step = stepHarness('run-task', { region: REGION });
const { outputs, errorLines, setInputs } = step;
let clock: FakeClock;

beforeEach(() => {
  writeFileSync(join(step.dir, 'task-definition.json'), JSON.stringify(TASK_DEFINITION, null, 2));
  setInputs({ cluster: CLUSTER, 'task-definition': join(step.dir, 'task-definition.json'), service: SERVICE });
  clock = new FakeClock();
});

async function runTask(context = new RunContext()): Promise<void> {
  await runAction(() => run({ clock, context, interval: () => 2000 }));
}

/** Expects one ECS call with exactly this JSON body and the operation's x-amz-target header. */
function expectEcs(operation: string, body: object, reply: object | (() => object), status = 200): nock.Scope {
  // RunTask carries the SDK's idempotency token, a fresh UUID per call (kept across the SDK's retries).
  const matches = (sent: Record<string, unknown>) => {
    const { clientToken, ...rest } = sent;
    if (operation === 'RunTask' && !/^[0-9a-f-]{36}$/.test(String(clientToken))) return false;
    return JSON.stringify(sortKeys(rest)) === JSON.stringify(sortKeys(body));
  };
  return nock(ECS_ENDPOINT)
    .post('/', matches)
    .matchHeader('x-amz-target', `AmazonEC2ContainerServiceV20141113.${operation}`)
    .reply(status, typeof reply === 'function' ? reply : () => reply, JSON_HEADERS);
}

function expectService(): void {
  expectEcs(
    'DescribeServices',
    { cluster: CLUSTER, services: [SERVICE] },
    {
      services: [
        {
          serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`,
          serviceName: SERVICE,
          status: 'ACTIVE',
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          networkConfiguration: {
            awsvpcConfiguration: { subnets: SUBNETS, securityGroups: SECURITY_GROUPS, assignPublicIp: 'DISABLED' },
          },
        },
      ],
      failures: [],
    },
  );
}

/** The family has no revision yet: the file is registered as web:7. */
function expectRegister(): void {
  expectEcs(
    'DescribeTaskDefinition',
    { taskDefinition: 'web', include: ['TAGS'] },
    { __type: 'ClientException', message: 'Unable to describe task definition.' },
    400,
  );
  expectEcs('RegisterTaskDefinition', TASK_DEFINITION, { taskDefinition: { taskDefinitionArn: revisionArn(7) } });
}

const PLACEMENT = {
  networkConfiguration: {
    awsvpcConfiguration: { subnets: SUBNETS, securityGroups: SECURITY_GROUPS, assignPublicIp: 'DISABLED' },
  },
  launchType: 'FARGATE',
  platformVersion: '1.4.0',
};

function expectRunTask(revision = 7, overrides: object | undefined = undefined): void {
  expectEcs(
    'RunTask',
    {
      cluster: CLUSTER,
      taskDefinition: revisionArn(revision),
      count: 1,
      startedBy: 'ecs-actions/run-task',
      ...PLACEMENT,
      ...(overrides ? { overrides } : {}),
    },
    { tasks: [task('PROVISIONING', [{ name: 'web', lastStatus: 'PENDING' }])], failures: [] },
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, entry]) => [key, sortKeys(entry)]),
  );
}

interface ContainerFixture {
  name: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
}

function task(lastStatus: string, containers: ContainerFixture[], stop: object = {}): object {
  return { taskArn: TASK_ARN, lastStatus, desiredStatus: 'RUNNING', containers, ...stop };
}

function expectDescribeTask(reply: object | (() => object), times = 1): void {
  for (let i = 0; i < times; i++)
    expectEcs('DescribeTasks', { cluster: CLUSTER, tasks: [TASK_ARN] }, () => ({
      tasks: [typeof reply === 'function' ? reply() : reply],
      failures: [],
    }));
}

const ESSENTIAL_EXITED = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' };

describe('run-task', () => {
  afterEach(() => expect(nock.pendingMocks()).toEqual([]));

  it('runs the rendered file with the migration command in the service network and succeeds on exit 0', async () => {
    setInputs({ 'command-overrides': `web=${JSON.stringify(MIGRATE)}` });
    expectService();
    expectRegister();
    expectRunTask(7, { containerOverrides: [{ name: 'web', command: MIGRATE }] });
    expectDescribeTask(task('RUNNING', [{ name: 'web', lastStatus: 'RUNNING' }]));
    expectDescribeTask(task('STOPPED', [{ name: 'web', lastStatus: 'STOPPED', exitCode: 0 }], ESSENTIAL_EXITED));
    await runTask();

    expect(errorLines()).toEqual([]);
    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toEqual({
      'task-arn': TASK_ARN,
      'task-definition-arn': revisionArn(7),
      'exit-codes': '{"web":0}',
      status: 'succeeded',
    });
    expect(step.stdout).toContain('subnets: subnet-0aaaaaaaaaaaaaaa1, subnet-0bbbbbbbbbbbbbbb2 (service web)');
    expect(step.stdout).toContain(`Task ${TASK_ID}: RUNNING -> STOPPED`);
    expect(step.stdout).toContain('  web: exit 0');
    expect(step.summary()).toContain('One-off task: succeeded');
  });

  it('fails naming the container and its exit code when the migration exits non-zero', async () => {
    setInputs({ 'task-definition': 'web:7', 'command-overrides': `web=${JSON.stringify(MIGRATE)}` });
    expectService();
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web:7' },
      { taskDefinition: { ...TASK_DEFINITION, taskDefinitionArn: revisionArn(7), status: 'ACTIVE' } },
    );
    expectRunTask(7, { containerOverrides: [{ name: 'web', command: MIGRATE }] });
    expectDescribeTask(task('STOPPED', [{ name: 'web', lastStatus: 'STOPPED', exitCode: 3 }], ESSENTIAL_EXITED));
    await runTask();

    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      `::error::One-off task ${TASK_ID} of web:7 failed: Essential container web exited 3.`,
    ]);
    expect(outputs()).toMatchObject({ 'exit-codes': '{"web":3}', status: 'failed', 'task-arn': TASK_ARN });
    expect(step.stdout).toContain('  web: exit 3');
  });

  /** A migration task of web:7 that exits 1, its container logging to /ecs/web; these are its log events. */
  function expectFailedRunWithLogs(
    events: Array<{ timestamp: number; message: string }>,
    answer: { status: number; body: object } = { status: 200, body: { events, nextBackwardToken: 'b/1' } },
  ): void {
    const logged = {
      ...TASK_DEFINITION,
      containerDefinitions: [
        {
          ...TASK_DEFINITION.containerDefinitions[0],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/web', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'web' },
          },
        },
      ],
    };
    setInputs({ 'task-definition': 'web:7', 'command-overrides': `web=${JSON.stringify(MIGRATE)}` });
    expectService();
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web:7' },
      { taskDefinition: { ...logged, taskDefinitionArn: revisionArn(7), status: 'ACTIVE' } },
    );
    expectRunTask(7, { containerOverrides: [{ name: 'web', command: MIGRATE }] });
    expectDescribeTask(task('STOPPED', [{ name: 'web', lastStatus: 'STOPPED', exitCode: 1 }], ESSENTIAL_EXITED));
    nock(`https://logs.${REGION}.amazonaws.com`)
      .post(
        '/',
        (body: Record<string, unknown>) =>
          body.logGroupName === '/ecs/web' && body.logStreamName === `web/web/${TASK_ID}`,
      )
      .matchHeader('x-amz-target', 'Logs_20140328.GetLogEvents')
      .reply(answer.status, answer.body, JSON_HEADERS);
  }

  it("prints the container's last log lines and puts its last error line in the failure", async () => {
    const fatal =
      '{"level":"fatal","msg":"migration 0002 failed and was rolled back: column \\"url\\" already exists"}';
    expectFailedRunWithLogs([
      { timestamp: 1767225600000, message: '{"level":"info","msg":"applied migration 0001"}' },
      { timestamp: 1767225600100, message: fatal },
    ]);
    await runTask();

    expect(step.stdout).toContain(`web (task ${TASK_ID}): last 2 lines of /ecs/web web/web/${TASK_ID}`);
    expect(step.stdout).toContain('{"level":"info","msg":"applied migration 0001"}');
    expect(errorLines()).toEqual([
      `::error::One-off task ${TASK_ID} of web:7 failed: Essential container web exited 1. Last error line of web: ${fatal}`,
    ]);
    expect(step.summary()).toContain(`Log lines of task ${TASK_ID}`);
  });

  it('prints hostile container lines as data, in the log and in the failure line: no command, no control character, cut', async () => {
    expectFailedRunWithLogs([
      { timestamp: 1767225600000, message: '::add-mask::hunter2' },
      { timestamp: 1767225600001, message: '  ::stop-commands::x\r::error::forged' },
      { timestamp: 1767225600002, message: '\u001b[31m##[error]red\u001b[0m\u0000' },
      { timestamp: 1767225600003, message: `{"level":60,"msg":"::warning::\u2028::add-mask::y ${'z'.repeat(5000)}"}` },
    ]);
    await runTask();

    const commands = runnerCommands(step.stdout);
    expect(commands.filter((command) => !['group', 'endgroup', 'error'].includes(command.name))).toEqual([]);
    expect(commands.filter((command) => /forged|red|hunter2/.test(command.line))).toEqual([]);
    expect(step.stdout).toContain('\\::add-mask::hunter2');
    // eslint-disable-next-line no-control-regex -- the point
    expect(step.stdout).not.toMatch(/[\u0000\u001b\u2028]/);
    expect(errorLines()).toEqual([
      expect.stringMatching(
        /Last error line of web: \{"level":60,"msg":"::warning::\\x2028::add-mask::y z+… \(\d+ more characters\)$/,
      ),
    ]);
  });

  it('says once that logs:GetLogEvents is missing, and the failure stays the exit code', async () => {
    expectFailedRunWithLogs([], {
      status: 400,
      body: {
        __type: 'AccessDeniedException',
        message: 'User: deploy is not authorized to perform: logs:GetLogEvents',
      },
    });
    await runTask();

    const notices = step.stdout.split('\n').filter((line) => line.startsWith('::notice::'));
    expect(notices).toEqual([expect.stringMatching(/may not call logs:GetLogEvents on \/ecs\/web\. Grant/)]);
    expect(errorLines()).toEqual([
      `::error::One-off task ${TASK_ID} of web:7 failed: Essential container web exited 1.`,
    ]);
  });

  it('fails when an essential container never ran, and does not count a non-essential one', async () => {
    const twoContainers = {
      ...TASK_DEFINITION,
      containerDefinitions: [
        ...TASK_DEFINITION.containerDefinitions,
        { name: 'log-router', image: IMAGE, essential: false },
      ],
    };
    writeFileSync(join(step.dir, 'task-definition.json'), JSON.stringify(twoContainers));
    expectService();
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web', include: ['TAGS'] },
      { __type: 'ClientException', message: 'Unable to describe task definition.' },
      400,
    );
    expectEcs('RegisterTaskDefinition', twoContainers, { taskDefinition: { taskDefinitionArn: revisionArn(8) } });
    expectRunTask(8);
    expectDescribeTask(
      task(
        'STOPPED',
        [
          {
            name: 'web',
            lastStatus: 'STOPPED',
            reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
          },
          { name: 'log-router', lastStatus: 'STOPPED', exitCode: 137 },
        ],
        {
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried',
        },
      ),
    );
    await runTask();

    expect(errorLines()).toEqual([
      `::error::One-off task ${TASK_ID} of web:8 failed: Essential container web has no exit code ` +
        '(CannotPullContainerError: pull image manifest has been retried 5 time(s)).',
    ]);
    expect(outputs()).toMatchObject({ 'exit-codes': '{"web":null,"log-router":137}', status: 'failed' });
    expect(step.stdout).toContain('  log-router: exit 137, not essential');
  });

  it('fails when an essential container is missing from the stopped task', async () => {
    setInputs({ 'task-definition': 'web:7' });
    expectService();
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web:7' },
      { taskDefinition: { ...TASK_DEFINITION, taskDefinitionArn: revisionArn(7), status: 'ACTIVE' } },
    );
    expectRunTask(7);
    expectDescribeTask(
      task('STOPPED', [], { stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError' }),
    );
    await runTask();
    expect(errorLines()[0]).toContain('Essential container web has no exit code (not in the task)');
    expect(outputs()).toMatchObject({ 'exit-codes': '{"web":null}', status: 'failed' });
  });

  it('stops the task with StopTask and says so when timeout-minutes passes', async () => {
    setInputs({ 'timeout-minutes': '1' });
    expectService();
    expectRegister();
    expectRunTask();
    // 2 s polls over one minute of fake time: 31 looks at a task that keeps running.
    expectDescribeTask(task('RUNNING', [{ name: 'web', lastStatus: 'RUNNING' }]), 31);
    expectEcs(
      'StopTask',
      {
        cluster: CLUSTER,
        task: TASK_ARN,
        reason: 'ecs-actions run-task: timeout-minutes (1) passed before the task stopped',
      },
      { task: task('STOPPED', []) },
    );
    await runTask();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'timed-out', 'task-arn': TASK_ARN, 'exit-codes': '{"web":null}' });
    expect(errorLines()[0]).toContain('did not finish: timeout-minutes (1) passed before the task stopped.');
    expect(errorLines()[0]).toContain(`Stopped it: StopTask sent for task ${TASK_ID}`);
  });

  it('stops the task and reports cancelled when the run is cancelled while it runs', async () => {
    const context = new RunContext();
    expectService();
    expectRegister();
    expectRunTask();
    expectDescribeTask(task('RUNNING', [{ name: 'web', lastStatus: 'RUNNING' }]));
    expectDescribeTask(() => {
      context.cancel('SIGINT');
      return task('RUNNING', [{ name: 'web', lastStatus: 'RUNNING' }]);
    });
    expectEcs(
      'StopTask',
      { cluster: CLUSTER, task: TASK_ARN, reason: 'ecs-actions run-task: the run was cancelled' },
      { task: task('STOPPED', []) },
    );
    await runTask(context);

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'cancelled', 'task-arn': TASK_ARN });
    expect(errorLines()[0]).toContain('did not finish: the run was cancelled.');
  });

  it('ends at once on expired credentials after the task started, saying the task was not followed', async () => {
    expectService();
    expectRegister();
    expectRunTask();
    expectEcs(
      'DescribeTasks',
      { cluster: CLUSTER, tasks: [TASK_ARN] },
      { __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' },
      400,
    );
    await runTask();

    expect(errorLines()).toHaveLength(1);
    expect(errorLines()[0]).toMatch(/^::error::AWS credentials expired while calling ECS DescribeTasks/);
    expect(errorLines()[0]).toContain(`Task ${TASK_ID} had been started and was not followed to its end`);
    expect(outputs()).toMatchObject({ status: 'failed', 'task-arn': TASK_ARN });
  });

  it('reports the reason ECS gives when it cannot place the task, having started nothing', async () => {
    expectService();
    expectRegister();
    expectEcs(
      'RunTask',
      { cluster: CLUSTER, taskDefinition: revisionArn(7), count: 1, startedBy: 'ecs-actions/run-task', ...PLACEMENT },
      { tasks: [], failures: [{ arn: revisionArn(7), reason: 'RESOURCE:ENI', detail: 'no free address in subnet' }] },
    );
    await runTask();
    expect(errorLines()).toEqual([
      '::error::ECS could not start the task: RESOURCE:ENI (no free address in subnet); nothing was started',
    ]);
    expect(outputs()).toMatchObject({ status: 'failed', 'task-arn': '' });
  });

  describe('bad input changes nothing', () => {
    // No interceptor is registered: any AWS call would fail the test with a refused connection.
    const refuses = async (inputs: Record<string, string>, message: string) => {
      setInputs(inputs);
      await runTask();
      expect(process.exitCode).toBe(1);
      expect(errorLines()).toEqual([`::error::${message}`]);
      expect(outputs()).toMatchObject({ status: 'failed', 'task-arn': '', 'task-definition-arn': '' });
    };

    it('refuses a command override for a container the file does not have', () =>
      refuses(
        { 'command-overrides': 'migrate=["node","migrate.js"]' },
        "Input 'command-overrides': the task definition has no container migrate; its containers are web",
      ));

    it('refuses a command that is not a JSON list of strings', () =>
      refuses(
        { 'command-overrides': 'web=node migrate.js' },
        "Input 'command-overrides': the command of web is not JSON: node migrate.js; expected " +
          'container=["executable","arg",...], e.g. web=["node","dist/migrate.js"]',
      ));

    it('refuses launch-type together with capacity-provider-strategy', () =>
      refuses(
        { 'launch-type': 'FARGATE', 'capacity-provider-strategy': 'FARGATE_SPOT=1' },
        "Input 'launch-type': is set together with capacity-provider-strategy; ECS accepts one or the other: set only one",
      ));

    it('refuses an awsvpc task with neither a service nor subnets', () =>
      refuses(
        { service: '' },
        "Input 'subnets': the task definition uses networkMode awsvpc (as Fargate requires), so the task needs " +
          'subnets: set service to copy them from a service, or set subnets and security-groups',
      ));

    it('refuses a subnet that is not a subnet id', () =>
      refuses(
        { subnets: 'subnet-1, default' },
        `Input 'subnets': "subnet-1" is not an id of that kind; expected ids such as subnet-0123456789abcdef0`,
      ));

    it('refuses an override for an unknown container of an existing revision without starting anything', async () => {
      setInputs({ 'task-definition': 'web:7', 'command-overrides': 'migrate=["node","migrate.js"]' });
      expectService();
      expectEcs(
        'DescribeTaskDefinition',
        { taskDefinition: 'web:7' },
        { taskDefinition: { ...TASK_DEFINITION, taskDefinitionArn: revisionArn(7), status: 'ACTIVE' } },
      );
      await runTask();
      expect(errorLines()).toEqual([
        "::error::Input 'command-overrides': the task definition has no container migrate; its containers are web",
      ]);
      expect(outputs()).toMatchObject({ status: 'failed', 'task-arn': '' });
    });
  });
});
