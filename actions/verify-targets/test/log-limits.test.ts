// The bounds of what verify-targets reads of the tasks' logs: how many failing tasks, how many checked tasks, which
// tasks count, and a task definition read once. The containers log to Splunk, so no CloudWatch Logs call is made and
// each container is named as read elsewhere.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { createAwsClient } from '@ecs-actions/aws';
import type { TargetReport } from '../src/evaluate.js';
import {
  MAX_CHECKED_TASKS,
  MAX_FAILING_TASKS,
  checkTaskLogs,
  readFailingTargetsLogs,
  type TaskLogContext,
} from '../src/logs.js';
import {
  CURRENT,
  PREVIOUS,
  WEB_TG,
  ecs,
  numberedTaskId,
  taskArn,
  taskFacts,
  useTestAwsEnvironment,
} from './fixtures.js';

let restoreEnvironment: () => void;
let lines: string[];

beforeEach(() => {
  restoreEnvironment = useTestAwsEnvironment();
  lines = [];
});
afterEach(() => {
  restoreEnvironment();
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

function context(signal?: AbortSignal): TaskLogContext {
  const options = { action: 'verify-targets', maxAttempts: 1 };
  return {
    ecs: createAwsClient(ECSClient, options),
    logs: createAwsClient(CloudWatchLogsClient, options),
    log: (line) => lines.push(line),
    signal,
  };
}

/** DescribeTaskDefinition of `revision`, answered once: web logs to Splunk. */
function splunkRevision(revision = CURRENT): nock.Scope {
  return ecs(
    'DescribeTaskDefinition',
    { taskDefinition: revision },
    {
      taskDefinition: {
        taskDefinitionArn: revision,
        containerDefinitions: [{ name: 'web', essential: true, logConfiguration: { logDriver: 'splunk' } }],
      },
    },
  );
}

function failingTarget(n: number, taskDefinition = CURRENT): TargetReport {
  return {
    targetGroup: WEB_TG,
    id: `10.0.1.${n}`,
    port: 8080,
    state: 'unhealthy',
    reason: 'Target.FailedHealthChecks',
    description: null,
    task: taskArn(numberedTaskId(n)),
    taskDefinition,
    digest: null,
    taskProblem: null,
    problem: 'unhealthy',
  };
}

describe('readFailingTargetsLogs', () => {
  it(`reads the first ${MAX_FAILING_TASKS} failing tasks of the expected revision, once each, and counts the rest`, async () => {
    // One DescribeTaskDefinition for all: a second call would find no answer.
    splunkRevision();
    const targets = [
      ...Array.from({ length: 7 }, (_, n) => failingTarget(n + 1)),
      // The same task behind a second port: read once.
      { ...failingTarget(1), port: 9090 },
      // Not what failed: an old revision's target, a healthy target, a target whose task is unknown.
      failingTarget(20, PREVIOUS),
      { ...failingTarget(21), problem: null, state: 'healthy' },
      { ...failingTarget(22), task: null },
    ];

    const read = await readFailingTargetsLogs(context(), targets, CURRENT, 20);

    expect(read.map((task) => task.taskId)).toEqual([1, 2, 3, 4, 5].map(numberedTaskId));
    expect(read[0]!.reads).toEqual([expect.objectContaining({ status: 'elsewhere' })]);
    expect(lines.at(-1)).toBe('… and 2 more tasks behind failing targets, not read');
  });

  it('reads nothing when no failing target runs the expected revision', async () => {
    const read = await readFailingTargetsLogs(context(), [failingTarget(1, PREVIOUS)], CURRENT, 20);

    expect(read).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('names a task whose task definition could not be read, and goes on', async () => {
    ecs(
      'DescribeTaskDefinition',
      { taskDefinition: CURRENT },
      { __type: 'ServerException', message: 'Service unavailable' },
      500,
    );

    const read = await readFailingTargetsLogs(context(), [failingTarget(1), failingTarget(2)], CURRENT, 20);

    expect(read).toEqual([]);
    expect(lines).toEqual([
      `Task ${numberedTaskId(1)}: log lines not read: DescribeTaskDefinition web:42 failed (Service unavailable)`,
      `Task ${numberedTaskId(2)}: log lines not read: DescribeTaskDefinition web:42 failed (Service unavailable)`,
    ]);
  });

  it('stops at a cancel instead of naming the task definition as unread', async () => {
    const cancel = new AbortController();
    cancel.abort(new Error('cancelled'));

    await expect(readFailingTargetsLogs(context(cancel.signal), [failingTarget(1)], CURRENT, 20)).rejects.toThrow();
    expect(lines).toEqual([]);
  });
});

describe('checkTaskLogs', () => {
  it(`checks the expected revision's RUNNING tasks, at most ${MAX_CHECKED_TASKS}, and counts the rest`, async () => {
    splunkRevision();
    const tasks = [
      taskFacts(100, { lastStatus: 'DEACTIVATING' }),
      taskFacts(101, { taskDefinitionArn: PREVIOUS }),
      ...Array.from({ length: MAX_CHECKED_TASKS + 2 }, (_, n) => taskFacts(n + 1)),
    ];

    const check = await checkTaskLogs(context(), { tasks, taskDefinitionArn: CURRENT, mode: 'warn' });

    expect(check).toMatchObject({ notChecked: 2, linesRead: 0, truncated: false, errorLines: [] });
    expect(check.tasks.map((task) => task.taskId)).toEqual(
      Array.from({ length: MAX_CHECKED_TASKS }, (_, n) => numberedTaskId(n + 1)),
    );
    expect(check.unchecked).toHaveLength(MAX_CHECKED_TASKS);
    expect(check.unchecked[0]).toMatch(new RegExp(`^web \\(task ${numberedTaskId(1)}\\): its logs go to `));
  });

  it('names a task whose task definition could not be read as not checked', async () => {
    ecs('DescribeTaskDefinition', { taskDefinition: CURRENT }, { __type: 'ServerException', message: 'down' }, 500);

    const check = await checkTaskLogs(context(), { tasks: [taskFacts(1)], taskDefinitionArn: CURRENT, mode: 'fail' });

    expect(check.tasks).toEqual([]);
    expect(check.unchecked).toEqual([`task ${numberedTaskId(1)}: DescribeTaskDefinition web:42 failed (down)`]);
  });
});
