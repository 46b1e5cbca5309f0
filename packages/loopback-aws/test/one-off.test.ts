import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { sampleImageUri, startLoopbackAws, type LoopbackAws } from '../src/index.js';
import { clientsFor } from './clients.js';

let aws: LoopbackAws;
let ecs: ECSClient;
let taskDefinitionArn: string;
const cluster = 'demo-dev';
const network = { awsvpcConfiguration: { subnets: ['subnet-0aaaaaaaaaaaaaaa1'], assignPublicIp: 'DISABLED' as const } };
const MIGRATE = ['node', 'sample-service/dist/migrate.js'];

beforeAll(async () => {
  aws = await startLoopbackAws({ stepMs: 50 });
  ecs = clientsFor(aws).ecs;
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'migrate-test',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'web', image: sampleImageUri(), essential: true },
        { name: 'log-router', image: sampleImageUri(), essential: false },
      ],
    }),
  );
  taskDefinitionArn = registered.taskDefinition!.taskDefinitionArn!;
});
afterEach(() => aws.setOneOffFate(undefined));
afterAll(() => aws.close());

const runTask = async () => {
  const { tasks } = await ecs.send(
    new RunTaskCommand({
      cluster,
      taskDefinition: taskDefinitionArn,
      networkConfiguration: network,
      startedBy: 'ecs-actions/run-task',
      overrides: { containerOverrides: [{ name: 'web', command: MIGRATE }] },
    }),
  );
  return tasks![0];
};

async function waitUntilStopped(taskArn: string, timeoutMs = 5000): Promise<Task> {
  const started = Date.now();
  for (;;) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    if (tasks?.[0]?.lastStatus === 'STOPPED') return tasks[0];
    if (Date.now() - started > timeoutMs) throw new Error(`task still ${tasks?.[0]?.lastStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('one-off tasks (RunTask, StopTask)', () => {
  it('runs the task with the command override and stops it with every container exited 0', async () => {
    const task = await runTask();
    expect(task).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', group: 'family:migrate-test' });
    expect(task.overrides?.containerOverrides).toContainEqual({ name: 'web', command: MIGRATE });

    const stopped = await waitUntilStopped(task.taskArn!);
    expect(stopped).toMatchObject({ stopCode: 'EssentialContainerExited', desiredStatus: 'STOPPED' });
    expect(stopped.containers?.map(({ name, exitCode }) => ({ name, exitCode }))).toEqual([
      { name: 'web', exitCode: 0 },
      { name: 'log-router', exitCode: 0 },
    ]);
  });

  it('ends with exit code 1 in the migration-fails scenario', async () => {
    aws.setScenario('migration-fails');
    try {
      const stopped = await waitUntilStopped((await runTask()).taskArn!);
      expect(stopped.containers?.find((container) => container.name === 'web')?.exitCode).toBe(1);
    } finally {
      aws.setScenario('completes');
    }
  });

  it('reports no exit code and the pull error for a task that never starts', async () => {
    aws.setOneOffFate('never-starts');
    const stopped = await waitUntilStopped((await runTask()).taskArn!);
    expect(stopped.stopCode).toBe('TaskFailedToStart');
    expect(stopped.containers?.[0]?.reason).toMatch(/^CannotPullContainerError/);
    expect(stopped.containers?.[0]).not.toHaveProperty('exitCode');
  });

  it('stops a task that runs until StopTask, with the reason given and exit code 143', async () => {
    aws.setOneOffFate('runs-until-stopped');
    const task = await runTask();
    // Well past the steps after which an exiting task would have stopped.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [task.taskArn!] }));
    expect(tasks?.[0]?.lastStatus).toBe('RUNNING');
    // ListTasks lists tasks that are to run (desiredStatus RUNNING): this one, unlike a task that already exited.
    const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy: 'ecs-actions/run-task' }));
    expect(listed.taskArns).toContain(task.taskArn);

    const answer = await ecs.send(new StopTaskCommand({ cluster, task: task.taskArn, reason: 'timeout passed' }));
    expect(answer.task).toMatchObject({ desiredStatus: 'STOPPED', stoppedReason: 'timeout passed' });
    const stopped = await waitUntilStopped(task.taskArn!);
    expect(stopped).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'timeout passed' });
    expect(stopped.containers?.[0]?.exitCode).toBe(143);
  });

  it('refuses what ECS refuses: no network for awsvpc, an override for an unknown container, an unknown revision', async () => {
    await expect(ecs.send(new RunTaskCommand({ cluster, taskDefinition: taskDefinitionArn }))).rejects.toThrow(
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
    await expect(
      ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: taskDefinitionArn,
          networkConfiguration: network,
          overrides: { containerOverrides: [{ name: 'migrate', command: MIGRATE }] },
        }),
      ),
    ).rejects.toThrow('Override for container named migrate is not a container in the TaskDefinition.');
    await expect(
      ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'migrate-test:99', networkConfiguration: network })),
    ).rejects.toThrow('TaskDefinition not found.');
    await expect(ecs.send(new StopTaskCommand({ cluster, task: 'f'.repeat(32) }))).rejects.toThrow(
      'The referenced task was not found.',
    );
  });
});
