/**
 * One-off tasks (RunTask, StopTask) as real containers on the local Docker engine, through the real SDK: the sample
 * service's image with a command override, its exit code as the container's, its lines in its awslogs stream.
 * In CI (CI=true) a missing engine fails; elsewhere the suite skips with one line (describeWithDocker).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buildSampleImage, describeWithDocker } from '@ecs-actions/docker-test';
import { execFileSync } from 'node:child_process';
import nock from 'nock';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { containerTasks, CONTAINER_LABEL, startLoopbackAws, type LoopbackAws } from '../src/index.js';
import { clientsFor } from './clients.js';
import {
  createTestDatabase,
  TEST_DATABASE_URL,
  type TestDatabase,
} from '../../../sample-service/test/support/postgres.js';

const CLUSTER = 'c-dev';
const FAMILY = 'sample-migrate';

describeWithDocker('loopback AWS one-off tasks in containers', () => {
  let aws: LoopbackAws;
  let database: TestDatabase | undefined;
  let taskDefinitionArn = '';
  const label = `test-one-off-${process.pid}`;

  beforeAll(async () => {
    nock.enableNetConnect(/^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/);
    if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set: source /work/tools/dev-env.sh');
    const image = await buildSampleImage();
    database = await createTestDatabase(TEST_DATABASE_URL, 'one_off_containers');
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:sample/dev/database-url-Ab12Cd';
    aws = await startLoopbackAws({
      seed: false,
      stepMs: 50,
      tasks: containerTasks({ label }),
      secrets: [{ name: 'sample/dev/database-url', value: database.url, arn: secretArn }],
    });
    aws.seedCluster(CLUSTER);
    taskDefinitionArn = aws.seedTaskDefinition({
      family: FAMILY,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: image.reference,
          essential: true,
          portMappings: [{ containerPort: 3000 }],
          secrets: [{ name: 'DATABASE_URL', valueFrom: secretArn }],
          stopTimeout: 5,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': `/ecs/${FAMILY}`,
              'awslogs-region': 'eu-west-1',
              'awslogs-stream-prefix': 'web',
            },
          },
        },
      ],
    }).arn;
  }, 900_000);

  afterAll(async () => {
    await aws?.close();
    await database?.drop();
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=${CONTAINER_LABEL}=${label}`], {
      encoding: 'utf8',
    });
    expect(left.trim()).toBe('');
  }, 150_000);

  async function runTask(command: string[]): Promise<string> {
    const { ecs } = clientsFor(aws);
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: taskDefinitionArn,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'] } },
        overrides: { containerOverrides: [{ name: 'web', command }] },
      }),
    );
    return tasks![0]!.taskArn!;
  }

  async function waitForTask(taskArn: string, done: (task: Task) => boolean, timeoutMs = 120_000): Promise<Task> {
    const { ecs } = clientsFor(aws);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
      const task = tasks![0]!;
      if (done(task) || Date.now() > deadline) return task;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function streamMessages(taskArn: string): Promise<string[]> {
    const logs = new CloudWatchLogsClient({
      endpoint: aws.url,
      region: aws.region,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    try {
      const { events } = await logs.send(
        new GetLogEventsCommand({
          logGroupName: `/ecs/${FAMILY}`,
          logStreamName: `web/web/${taskArn.split('/').pop()}`,
          startFromHead: true,
        }),
      );
      return (events ?? []).map((event) => event.message ?? '');
    } catch (error) {
      // A running container that has printed nothing yet has no stream yet, as on AWS.
      if ((error as Error).name === 'ResourceNotFoundException') return [];
      throw error;
    }
  }

  it('runs the real migration against PostgreSQL and stops with exit code 0 and its lines in its stream', async () => {
    const taskArn = await runTask(['node', 'sample-service/dist/migrate.js']);
    const task = await waitForTask(taskArn, (entry) => entry.lastStatus === 'STOPPED');
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [expect.objectContaining({ name: 'web', exitCode: 0, lastStatus: 'STOPPED' })],
    });
    const messages = await streamMessages(taskArn);
    expect(messages.join('\n')).toMatch(/migrations complete: [1-9]\d* applied, schema at version \d+/);
  }, 180_000);

  it("reports a command's non-zero exit as the container's exit code, with what it printed", async () => {
    const taskArn = await runTask(['node', '-e', "console.error('migration 0003 failed'); process.exit(3)"]);
    const task = await waitForTask(taskArn, (entry) => entry.lastStatus === 'STOPPED');
    expect(task.stoppedReason).toBe('Essential container in task exited');
    expect(task.containers?.[0]?.exitCode).toBe(3);
    expect(await streamMessages(taskArn)).toEqual(['migration 0003 failed']);
  }, 180_000);

  it('stops the container on StopTask and reports its exit code and the reason given', async () => {
    const taskArn = await runTask([
      'node',
      '-e',
      "console.log('waiting for the lock'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0))",
    ]);
    const running = await waitForTask(taskArn, (entry) => entry.lastStatus === 'RUNNING');
    expect(running.lastStatus).toBe('RUNNING');
    // The container has printed its line: it is past its start, and its SIGTERM handler is in place.
    const deadline = Date.now() + 60_000;
    while (!(await streamMessages(taskArn)).includes('waiting for the lock') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { ecs } = clientsFor(aws);
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: 'run-task timed out' }));
    const task = await waitForTask(taskArn, (entry) => entry.lastStatus === 'STOPPED');
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'run-task timed out',
      containers: [expect.objectContaining({ exitCode: 0 })],
    });
    const ids = execFileSync(
      'docker',
      ['ps', '-q', '--filter', `label=ecs-actions.task-id=${taskArn.split('/').pop()}`],
      {
        encoding: 'utf8',
      },
    );
    expect(ids.trim()).toBe('');
  }, 180_000);
});
