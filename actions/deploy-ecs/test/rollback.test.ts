import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '@ecs-actions/action-kit';
import { followRollback, rollBack, type RollbackOptions } from '../src/rollback.js';
import {
  CLUSTER,
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
    expect(lines).toContain('warning: UpdateService for the rollback failed (internal); trying again');
    expect(clock.sleeps[0]).toBe(2000);
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
