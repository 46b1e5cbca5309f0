import { beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DeadlineError, FakeClock, isDeadline } from '@ecs-actions/action-kit';
import { createAwsClient } from '@ecs-actions/aws';
import { followRollback, rollBack, type RollbackOptions } from '../src/rollback.js';
import {
  CLUSTER,
  ECS_ENDPOINT,
  REGION,
  SERVICE,
  awsError,
  ecsClient,
  expectDescribeServices,
  expectEcs,
  service,
  taskDefinitionArn,
  useAwsEnvironment,
} from './ecs.js';

let lines: string[];
let clock: FakeClock;

beforeEach(() => {
  lines = [];
  clock = new FakeClock();
});

function options(): RollbackOptions {
  return {
    ecs: ecsClient(),
    clock,
    log: { info: (line) => lines.push(line), warning: (line) => lines.push(`warning: ${line}`) },
    region: REGION,
    cluster: CLUSTER,
    service: SERVICE,
    taskDefinitionArn: taskDefinitionArn(41),
    timeoutMs: 60_000,
    maxFailedTasks: 3,
    seenEventIds: new Set(),
  };
}

const update = { cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinitionArn(41) };

describe('rollBack', () => {
  // Inside the describe block: its afterEach checks pending mocks before the global one clears them.
  useAwsEnvironment();

  it('moves the service back to the previous revision, registering nothing, and waits until it is stable', async () => {
    expectEcs('UpdateService', update, { service: service({ deployments: [{ id: 'ecs-svc/3', revision: 41 }] }) });
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/3', revision: 41 }] });

    const result = await rollBack(options());

    expect(result).toMatchObject({
      status: 'rolled-back',
      deploymentId: 'ecs-svc/3',
      message: 'the service is stable on web:41 again (deployment ecs-svc/3)',
    });
  });

  it('keeps trying to start the rollback while ECS fails with 5xx', async () => {
    expectEcs('UpdateService', update, awsError('ServerException', 'internal'), 500);
    expectEcs('UpdateService', update, { service: service({ deployments: [{ id: 'ecs-svc/3', revision: 41 }] }) });
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/3', revision: 41 }] });

    const result = await rollBack(options());

    expect(result.status).toBe('rolled-back');
    expect(lines).toContain(
      'warning: UpdateService for the rollback failed (internal); sending it again with back-off',
    );
    // The first back-off is 1 to 2 s (half the 2 s step, plus jitter).
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(2000);
  });

  it('gives up starting the rollback when ECS keeps failing with 5xx, saying so', async () => {
    expectEcs('UpdateService', update, awsError('ServerException', 'internal'), 500, 7);

    const error = await rollBack(options()).catch((caught: unknown) => caught);

    expect((error as Error).message).toBe('Could not start the rollback to web:41: ECS kept failing (internal)');
    // Sent seven times in all: six more than the first, with back-off between them.
    expect(clock.sleeps).toHaveLength(6);
  });

  it('waits out a throttled UpdateService with jittered back-off on the one-attempt client and rolls back', async () => {
    expectEcs('UpdateService', update, awsError('ThrottlingException', 'Rate exceeded'), 400, 3);
    expectEcs('UpdateService', update, { service: service({ deployments: [{ id: 'ecs-svc/3', revision: 41 }] }) });
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/3', revision: 41 }] });

    // `ecs` retries by itself (the SDK's quick retries); UpdateService must go through `pollEcs` instead.
    const result = await rollBack({
      ...options(),
      ecs: createAwsClient(ECSClient, { region: REGION, action: 'deploy-ecs' }),
      pollEcs: ecsClient(),
    });

    expect(result).toMatchObject({ status: 'rolled-back', deploymentId: 'ecs-svc/3', method: 'UpdateService' });
    // Each back-off is half its step plus jitter, the step doubling from 2 s: 1-2 s, 2-4 s, 4-8 s.
    expect(clock.sleeps).toHaveLength(3);
    clock.sleeps.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual(1000 * 2 ** attempt);
      expect(ms).toBeLessThanOrEqual(2000 * 2 ** attempt);
    });
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([
      'warning: UpdateService for the rollback was throttled (Rate exceeded); sending it again with back-off',
    ]);
  });

  it("ends with a DeadlineError naming UpdateService when the rollback's deadline passes while it is throttled", async () => {
    // The rollback's deadline passes (as withDeadline's timer aborts it) while ECS answers the third throttle.
    const deadline = new AbortController();
    const what = "the rollback's timeout-minutes (1 minute)";
    let sent = 0;
    nock(ECS_ENDPOINT)
      .post('/', update)
      .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.UpdateService')
      .times(3)
      .reply(
        400,
        () => {
          if (++sent === 3) deadline.abort(new DeadlineError(`The deadline passed: ${what}`, what));
          return awsError('ThrottlingException', 'Rate exceeded');
        },
        { 'content-type': 'application/x-amz-json-1.1' },
      );

    const error = await rollBack({ ...options(), signal: deadline.signal }).catch((caught: unknown) => caught);

    expect(isDeadline(error)).toBe(true);
    expect((error as Error).message).toBe(
      `UpdateService for the rollback was still throttled after 3 attempts when the deadline passed (${what}): ` +
        'Rate exceeded',
    );
    expect(clock.sleeps).toHaveLength(2);
  });
});

describe('followRollback', () => {
  // Inside the describe block: its afterEach checks pending mocks before the global one clears them.
  useAwsEnvironment();

  it('is failed, not rolled-back, when the service settles on another revision than the previous one', async () => {
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/4', revision: 43 }] });

    const result = await followRollback({ ...options(), deploymentId: 'ecs-svc/4' });

    expect(result).toMatchObject({
      status: 'failed',
      message: 'the rollback to web:41 did not complete: deployment ecs-svc/4 settled on web:43, not web:41',
    });
  });

  it("follows ECS's own rollback when it replaces the action's rollback with a deployment of the same revision", async () => {
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/4', revision: 41, running: 1, rolloutState: 'IN_PROGRESS' },
        { id: 'ecs-svc/3', revision: 41, status: 'ACTIVE', running: 1, rolloutState: 'IN_PROGRESS' },
      ],
    });
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/4', revision: 41 }] });

    const result = await followRollback({ ...options(), deploymentId: 'ecs-svc/3' });

    expect(result).toMatchObject({
      status: 'rolled-back',
      deploymentId: 'ecs-svc/4',
      message: 'the service is stable on web:41 again (deployment ecs-svc/4)',
    });
    expect(lines).toContain('Deployment ecs-svc/4 of web:41 replaced ecs-svc/3: following it');
  });

  it('is failed when another revision replaces the rollback', async () => {
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/5', revision: 43, running: 0, rolloutState: 'IN_PROGRESS' },
        { id: 'ecs-svc/3', revision: 41, status: 'ACTIVE' },
      ],
    });

    const result = await followRollback({ ...options(), deploymentId: 'ecs-svc/3' });

    expect(result.status).toBe('failed');
    expect(result.message).toContain('deployment ecs-svc/5 (web:43) replaced it');
  });
});
