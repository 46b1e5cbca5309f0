import { beforeEach, describe, expect, it } from '@jest/globals';
import { ECSClient } from '@aws-sdk/client-ecs';
import { FakeClock } from '@ecs-actions/action-kit';
import { createAwsClient, isAwsAuthError } from '@ecs-actions/aws';
import { defaultInterval, waitForDeployment, type WaitOptions } from '../src/waiter.js';
import {
  CLUSTER,
  REGION,
  SERVICE,
  allowEcs,
  awsError,
  ecsClient,
  expectDescribeServices,
  expectDescribeTasks,
  expectEcs,
  expectListStoppedTasks,
  stoppedTask,
  taskArn,
  useAwsEnvironment,
} from './ecs.js';

let lines: string[];
let clock: FakeClock;

beforeEach(() => {
  lines = [];
  clock = new FakeClock();
});

function options(overrides: Partial<WaitOptions> = {}): WaitOptions {
  return {
    ecs: ecsClient(),
    clock,
    log: { info: (line) => lines.push(line), warning: (line) => lines.push(`warning: ${line}`) },
    region: REGION,
    cluster: CLUSTER,
    service: SERVICE,
    deploymentId: 'ecs-svc/2',
    timeoutMs: 30 * 60_000,
    maxFailedTasks: 3,
    seenEventIds: new Set(['e0']),
    // The back-off's jitter at its middle: each back-off is exactly its step.
    random: () => 0.5,
    ...overrides,
  };
}

/** Stopped tasks ListTasks and DescribeTasks would report, if asked. */
function allowStoppedTasks(ids: string[]): void {
  allowEcs(
    'ListTasks',
    { cluster: CLUSTER, startedBy: 'ecs-svc/2', desiredStatus: 'STOPPED' },
    {
      taskArns: ids.map(taskArn),
    },
  );
  allowEcs(
    'DescribeTasks',
    { cluster: CLUSTER, tasks: ids.map(taskArn) },
    {
      tasks: ids.map((id) => stoppedTask(id, 1)),
      failures: [],
    },
  );
}

const old = { id: 'ecs-svc/1', revision: 41, status: 'ACTIVE' as const };

describe('waitForDeployment', () => {
  // Inside the describe block: its afterEach checks pending mocks before the global one clears them.
  useAwsEnvironment();

  it('completes once the new deployment is the only one left and its rollout COMPLETED', async () => {
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 0, pending: 2, rolloutState: 'IN_PROGRESS' }, old],
      events: [
        { id: 'e1', message: '(service web) has started 2 tasks: (task a) (task b).', at: 1 },
        { id: 'e0', message: 'an event from before the deploy' },
      ],
    });
    expectListStoppedTasks('ecs-svc/2', []);
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 2, rolloutState: 'COMPLETED' }, old],
      events: [{ id: 'e1', message: '(service web) has started 2 tasks: (task a) (task b).', at: 1 }],
    });
    expectListStoppedTasks('ecs-svc/2', []);
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 2, rolloutState: 'COMPLETED' }],
      events: [
        { id: 'e2', message: '(service web) has reached a steady state.', at: 9 },
        { id: 'e1', message: '(service web) has started 2 tasks: (task a) (task b).', at: 1 },
      ],
    });

    const result = await waitForDeployment(options());

    expect(result.outcome).toMatchObject({ result: 'completed', deployment: { id: 'ecs-svc/2' } });
    expect(lines).toEqual([
      '00:00:01Z (service web) has started 2 tasks: (task a) (task b).',
      '[0s] ecs-svc/2 (web:42): 0/2 running, 2 pending, rollout IN_PROGRESS',
      '[1s] ecs-svc/2 (web:42): 2/2 running, 0 pending, rollout COMPLETED',
      '00:00:09Z (service web) has reached a steady state.',
    ]);
    expect(clock.sleeps).toEqual([1000, 1000]);
    expect(result.elapsedMs).toBe(2000);
  });

  it('completes without a rolloutState when it is the only deployment and all its tasks run', async () => {
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42, running: 1, rolloutState: null }] });
    expectListStoppedTasks('ecs-svc/2', []);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42, running: 2, rolloutState: null }] });

    const result = await waitForDeployment(options());

    expect(result.outcome.result).toBe('completed');
  });

  it('waits for a deployment DescribeServices does not list yet instead of calling it gone', async () => {
    expectDescribeServices({ deployments: [{ ...old, status: 'PRIMARY' }] });
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    const result = await waitForDeployment(options());

    expect(result.outcome.result).toBe('completed');
  });

  it('calls a deployment gone when DescribeServices never lists it', async () => {
    expectDescribeServices({ deployments: [{ ...old, status: 'PRIMARY' }] }, 16);

    const result = await waitForDeployment(options());

    expect(result.outcome).toMatchObject({
      result: 'replaced',
      reason: 'the deployment is gone; deployment ecs-svc/1 (web:41) replaced it',
    });
    expect(result.elapsedMs).toBe(15_000);
  });

  it('reports a circuit-breaker rollback as replaced, naming the deployment that replaced it', async () => {
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 0, pending: 2, rolloutState: 'IN_PROGRESS' }, old],
    });
    expectListStoppedTasks('ecs-svc/2', []);
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/1', revision: 41, rolloutState: 'IN_PROGRESS' },
        {
          id: 'ecs-svc/2',
          revision: 42,
          status: 'ACTIVE',
          running: 0,
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        },
      ],
    });

    const result = await waitForDeployment(options());

    expect(result.outcome).toMatchObject({
      result: 'replaced',
      replacedBy: { id: 'ecs-svc/1' },
      reason:
        'the deployment is no longer PRIMARY (ACTIVE): ECS deployment circuit breaker: tasks failed to start; ' +
        'deployment ecs-svc/1 (web:41) replaced it',
    });
  });

  it('reports rolloutState FAILED at once when ECS will not roll back by itself', async () => {
    expectDescribeServices({
      deployments: [
        {
          id: 'ecs-svc/2',
          revision: 42,
          running: 0,
          rolloutState: 'FAILED',
          rolloutStateReason: 'tasks failed to start',
        },
        old,
      ],
      circuitBreaker: { enable: true, rollback: false },
    });

    const result = await waitForDeployment(options());

    expect(result.outcome).toEqual({
      result: 'failed',
      reason: 'ECS marked the rollout FAILED: tasks failed to start',
    });
  });

  it('keeps following a FAILED rollout while the circuit breaker starts its rollback', async () => {
    const failed = { id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: 'FAILED' as const };
    expectDescribeServices({ deployments: [failed, old], circuitBreaker: { enable: true, rollback: true } });
    expectDescribeServices({
      deployments: [
        { ...old, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
        { ...failed, status: 'ACTIVE' },
      ],
      circuitBreaker: { enable: true, rollback: true },
    });

    const result = await waitForDeployment(options());

    expect(result.outcome).toMatchObject({ result: 'replaced', replacedBy: { id: 'ecs-svc/1' } });
  });

  it('fails when max-failed-tasks tasks of the deployment have stopped, with or without a circuit breaker', async () => {
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 0, pending: 2, rolloutState: 'IN_PROGRESS' }, old],
    });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 1)]);
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 0, pending: 1, rolloutState: 'IN_PROGRESS' }, old],
    });
    expectListStoppedTasks('ecs-svc/2', ['t1', 't2', 't3']);
    // Each stopped task is described once.
    expectDescribeTasks(['t2', 't3'], [stoppedTask('t2', 2), stoppedTask('t3', 3)]);

    const result = await waitForDeployment(options());

    expect(result.outcome).toEqual({
      result: 'tasks-stopped',
      reason: '3 tasks of deployment ecs-svc/2 stopped (max-failed-tasks is 3)',
    });
    expect(result.stoppedTaskArns).toHaveLength(3);
  });

  it('does not count its own stopped-task verdict while the circuit breaker is about to roll back a FAILED rollout', async () => {
    const failed = { id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: 'FAILED' as const };
    const circuitBreaker = { enable: true, rollback: true };
    expectDescribeServices({ deployments: [failed, old], circuitBreaker, events: [{ id: 'e1', message: 'failed' }] });
    // Enough stopped tasks for max-failed-tasks: counting them now would race ECS's rollback with the action's own.
    allowStoppedTasks(['t1', 't2', 't3']);
    expectDescribeServices({
      deployments: [
        { ...old, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
        { ...failed, status: 'ACTIVE' },
      ],
      circuitBreaker,
    });

    const result = await waitForDeployment(options());

    expect(result.outcome).toMatchObject({ result: 'replaced', replacedBy: { id: 'ecs-svc/1' } });
  });

  it('treats a deployment alarm with rollback on as ECS rolling back a FAILED rollout', async () => {
    const failed = { id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: 'FAILED' as const };
    const alarms = { alarmNames: ['web-5xx'], enable: true, rollback: true };
    expectDescribeServices({ deployments: [failed, old], alarms, events: [{ id: 'e1', message: 'alarm' }] });
    allowStoppedTasks(['t1', 't2', 't3']);
    expectDescribeServices({
      deployments: [
        { ...old, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
        { ...failed, status: 'ACTIVE' },
      ],
      alarms,
    });

    const result = await waitForDeployment(options());

    expect(result.outcome).toMatchObject({ result: 'replaced', replacedBy: { id: 'ecs-svc/1' } });
  });

  it('counts only failed tasks toward max-failed-tasks, not scale-in, Spot or user stops', async () => {
    const inProgress = {
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 1, rolloutState: 'IN_PROGRESS' as const }, old],
    };
    const stopped = (id: string, stopCode: string, stoppedReason: string) => ({
      ...stoppedTask(id, 1),
      stopCode,
      stoppedReason,
    });
    expectDescribeServices(inProgress, 11);
    expectListStoppedTasks('ecs-svc/2', ['s1', 's2', 's3', 'f1']);
    expectDescribeTasks(
      ['s1', 's2', 's3', 'f1'],
      [
        stopped('s1', 'ServiceSchedulerInitiated', 'Scaling activity initiated by (deployment ecs-svc/2)'),
        stopped('s2', 'SpotInterruption', 'Your Spot Task was interrupted.'),
        stopped('s3', 'UserInitiated', 'Task stopped by user'),
        stopped('f1', 'TaskFailedToStart', 'CannotPullContainerError: pull image manifest has been retried'),
      ],
    );
    expectListStoppedTasks('ecs-svc/2', ['s1', 's2', 's3', 'f1', 'f2', 'f3']);
    expectDescribeTasks(
      ['f2', 'f3'],
      [
        stopped('f2', 'ServiceSchedulerInitiated', 'Task failed ELB health checks in (target-group arn:tg/web)'),
        stopped('f3', 'ServiceSchedulerInitiated', 'Task failed container health checks'),
      ],
    );

    const result = await waitForDeployment(options());

    expect(result.outcome).toEqual({
      result: 'tasks-stopped',
      reason: '3 tasks of deployment ecs-svc/2 stopped (max-failed-tasks is 3)',
    });
    expect(result.failedTaskArns.map((arn) => arn.split('/').pop())).toEqual(['f1', 'f2', 'f3']);
    expect(result.elapsedMs).toBe(10_000);
  });

  it('does not count tasks of the same deployment that stopped before the deploy started', async () => {
    const inProgress = {
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 1, rolloutState: 'IN_PROGRESS' as const }, old],
    };
    expectDescribeServices(inProgress, 4);
    expectListStoppedTasks('ecs-svc/2', ['t1', 't2', 't3']);
    // A desired-count update keeps the deployment id: these stopped a minute before it.
    expectDescribeTasks(
      ['t1', 't2', 't3'],
      ['t1', 't2', 't3'].map((id) => stoppedTask(id, -60)),
    );

    const result = await waitForDeployment(options({ timeoutMs: 3000 }));

    expect(result.outcome.result).toBe('timeout');
    expect(result.failedTaskArns).toEqual([]);
  });

  it('counts stopped tasks at least every 10 seconds while nothing changes', async () => {
    const inProgress = {
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 1, rolloutState: 'IN_PROGRESS' as const }, old],
    };
    expectDescribeServices(inProgress, 11);
    expectListStoppedTasks('ecs-svc/2', []);
    expectListStoppedTasks('ecs-svc/2', ['t1', 't2', 't3']);
    expectDescribeTasks(['t1', 't2', 't3'], [stoppedTask('t1', 2), stoppedTask('t2', 5), stoppedTask('t3', 9)]);

    const result = await waitForDeployment(options());

    expect(result.outcome.result).toBe('tasks-stopped');
    expect(result.elapsedMs).toBe(10_000);
  });

  it('times out when the deployment does not complete in time', async () => {
    const inProgress = {
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 1, rolloutState: 'IN_PROGRESS' as const }, old],
    };
    expectDescribeServices(inProgress, 4);
    expectListStoppedTasks('ecs-svc/2', []);

    const result = await waitForDeployment(options({ timeoutMs: 3000 }));

    expect(result.outcome).toEqual({ result: 'timeout', reason: 'the deployment did not complete within 3 s' });
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
  });

  it('rides out throttling and 5xx with back-off and still sees the deployment complete', async () => {
    const request = { cluster: CLUSTER, services: [SERVICE] };
    expectEcs('DescribeServices', request, awsError('ServerException', 'internal'), 500);
    expectEcs('DescribeServices', request, awsError('ThrottlingException', 'Rate exceeded'), 400);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    const result = await waitForDeployment(options());

    expect(result.outcome.result).toBe('completed');
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([
      'warning: DescribeServices failed (internal); still waiting, with back-off',
    ]);
    expect(clock.sleeps).toEqual([2000, 4000]);
  });

  it('polls DescribeServices on the one-attempt client, spacing throttled polls by its own back-off', async () => {
    const request = { cluster: CLUSTER, services: [SERVICE] };
    expectEcs('DescribeServices', request, awsError('ThrottlingException', 'Rate exceeded'), 400, 2);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    // `ecs` retries by itself (the SDK's quick retries, on the real clock); the polls must go through `pollEcs`.
    const result = await waitForDeployment(
      options({ ecs: createAwsClient(ECSClient, { region: REGION, action: 'deploy-ecs' }), pollEcs: ecsClient() }),
    );

    expect(result.outcome.result).toBe('completed');
    expect(clock.sleeps).toEqual([2000, 4000]);
  });

  it('jitters the back-off of throttled polls by ±50%', async () => {
    const request = { cluster: CLUSTER, services: [SERVICE] };
    expectEcs('DescribeServices', request, awsError('ThrottlingException', 'Rate exceeded'), 400, 2);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    await waitForDeployment(options({ random: () => 0 }));

    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it('ends the wait at once on expired credentials', async () => {
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 0, pending: 2, rolloutState: 'IN_PROGRESS' }, old],
    });
    expectListStoppedTasks('ecs-svc/2', []);
    expectEcs(
      'DescribeServices',
      { cluster: CLUSTER, services: [SERVICE] },
      awsError('ExpiredTokenException', 'The security token included in the request is expired'),
      400,
    );

    const error = await waitForDeployment(options()).catch((caught: unknown) => caught);

    expect(isAwsAuthError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^AWS credentials expired while calling ECS DescribeServices/);
    expect(clock.sleeps).toEqual([1000]);
  });

  it('polls every second for the first minute, then every two seconds', () => {
    expect(defaultInterval(0)).toBe(1000);
    expect(defaultInterval(59_999)).toBe(1000);
    expect(defaultInterval(60_000)).toBe(2000);
  });
});
