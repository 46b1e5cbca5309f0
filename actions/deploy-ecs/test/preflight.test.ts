import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '@ecs-actions/action-kit';
import { preflight } from '../src/preflight.js';
import { describeExisting, registerIfChanged } from '../src/register.js';
import {
  ACCOUNT,
  CLUSTER,
  IMAGE,
  REGION,
  SERVICE,
  awsError,
  ecsClient,
  expectDescribeServices,
  expectEcs,
  taskDefinitionArn,
  useAwsEnvironment,
} from './ecs.js';

let lines: string[];
const log = { info: (line: string) => lines.push(line), warning: (line: string) => lines.push(`warning: ${line}`) };
const ref = { cluster: CLUSTER, service: SERVICE };

beforeEach(() => {
  lines = [];
});

describe('preflight', () => {
  // Inside the describe block: its afterEach checks pending mocks before the global one clears them.
  useAwsEnvironment();

  it('records the PRIMARY task definition as the rollback target when its rollout completed', async () => {
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 41, desired: 4 }],
      events: [{ id: 'e1', message: 'started' }],
      desiredCount: 4,
      circuitBreaker: { enable: true, rollback: true },
    });

    const before = await preflight(ecsClient(), ref, REGION, log);

    expect(before).toEqual({
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`,
      serviceName: SERVICE,
      desiredCount: 4,
      previousTaskDefinitionArn: taskDefinitionArn(41),
      previousDeploymentId: 'ecs-svc/2',
      primary: {
        id: 'ecs-svc/2',
        taskDefinitionArn: taskDefinitionArn(41),
        rolloutState: 'COMPLETED',
        rolloutStateReason: undefined,
        createdAt: new Date('2026-01-01T00:00:00Z'),
      },
      settled: true,
      circuitBreaker: { enable: true, rollback: true },
      eventIds: new Set(['e1']),
      plan: expect.objectContaining({ strategy: 'ROLLING', addedMinutes: 0, pauseStages: [] }),
    });
    expect(lines).toEqual([
      'Service web: 4/4 tasks running; circuit breaker on with rollback',
      'Strategy ROLLING (rolling update)',
      '  ecs-svc/2 PRIMARY web:41: 4/4 running, 0 pending, rollout COMPLETED',
    ]);
  });

  it('takes the rollback target from the last completed deployment when the PRIMARY rollout failed', async () => {
    expectDescribeServices({
      deployments: [
        {
          id: 'ecs-svc/2',
          revision: 42,
          running: 0,
          rolloutState: 'FAILED',
          rolloutStateReason: 'tasks failed to start.',
          createdAt: 60,
        },
        { id: 'ecs-svc/1', revision: 41, status: 'ACTIVE' },
      ],
      circuitBreaker: { enable: true, rollback: false },
    });

    const before = await preflight(ecsClient(), ref, REGION, log);

    expect(before).toMatchObject({
      previousTaskDefinitionArn: taskDefinitionArn(41),
      previousDeploymentId: 'ecs-svc/1',
      primary: { id: 'ecs-svc/2', taskDefinitionArn: taskDefinitionArn(42), rolloutState: 'FAILED' },
      settled: false,
    });
    // Honest about what runs: the PRIMARY deployment's tasks are not running.
    expect(lines).toEqual([
      'Service web: 2/2 tasks running; circuit breaker on without rollback',
      'Strategy ROLLING (rolling update)',
      '  ecs-svc/2 PRIMARY web:42: 0/2 running, 0 pending, rollout FAILED (tasks failed to start)',
      '  ecs-svc/1 ACTIVE web:41: 2/2 running, 0 pending, rollout COMPLETED',
      "warning: Service 'web' is still rolling out ecs-svc/2 (1 older deployment(s) draining).",
      'warning: The PRIMARY deployment ecs-svc/2 (web:42) has not completed (rollout FAILED): the rollback target ' +
        'is web:41, of the last completed deployment ecs-svc/1.',
    ]);
  });

  it('takes the newest completed deployment when several are still listed', async () => {
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/3', revision: 42, running: 0, rolloutState: 'IN_PROGRESS', createdAt: 120 },
        { id: 'ecs-svc/1', revision: 40, status: 'ACTIVE', createdAt: 0 },
        { id: 'ecs-svc/2', revision: 41, status: 'ACTIVE', createdAt: 60 },
      ],
    });

    const before = await preflight(ecsClient(), ref, REGION, log);

    expect(before.previousTaskDefinitionArn).toBe(taskDefinitionArn(41));
  });

  it('takes the deployment with all its tasks running as the rollback target where ECS reports no rolloutState', async () => {
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: null },
        { id: 'ecs-svc/1', revision: 41, status: 'ACTIVE', rolloutState: null },
      ],
    });

    const before = await preflight(ecsClient(), ref, REGION, log);

    expect(before).toMatchObject({ previousTaskDefinitionArn: taskDefinitionArn(41), settled: false });
  });

  it('warns and falls back to the PRIMARY revision when no deployment has completed', async () => {
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: 'FAILED' }],
    });

    const before = await preflight(ecsClient(), ref, REGION, log);

    expect(before).toMatchObject({ previousTaskDefinitionArn: taskDefinitionArn(42), settled: false });
    expect(lines).toContain(
      "warning: No deployment of service 'web' has completed: the rollback target is the PRIMARY deployment's " +
        'web:42, which may not be a working revision.',
    );
  });

  it('fails clearly when the service does not exist', async () => {
    expectEcs(
      'DescribeServices',
      { cluster: CLUSTER, services: [SERVICE] },
      { services: [], failures: [{ arn: `arn:aws:ecs:${REGION}:123456789012:service/prod/web`, reason: 'MISSING' }] },
    );
    await expect(preflight(ecsClient(), ref, REGION, log)).rejects.toThrow(
      "Service 'web' was not found in cluster 'prod' (eu-west-1): MISSING. Check the service and cluster inputs; " +
        'deploy-ecs updates an existing service, it does not create one.',
    );
  });

  it('fails clearly when the cluster does not exist', async () => {
    expectEcs(
      'DescribeServices',
      { cluster: CLUSTER, services: [SERVICE] },
      awsError('ClusterNotFoundException', 'Cluster not found.'),
      400,
    );
    await expect(preflight(ecsClient(), ref, REGION, log)).rejects.toThrow(
      "Cluster 'prod' was not found in eu-west-1; check the cluster input and the region.",
    );
  });

  it('refuses a service that is not ACTIVE', async () => {
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/1', revision: 41 }], status: 'DRAINING' });
    await expect(preflight(ecsClient(), ref, REGION, log)).rejects.toThrow(
      "Service 'web' in cluster 'prod' is DRAINING, not ACTIVE",
    );
  });

  it('refuses the EXTERNAL deployment controller, naming the two it deploys', async () => {
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/1', revision: 41 }], controller: 'EXTERNAL' });
    await expect(preflight(ecsClient(), ref, REGION, log)).rejects.toThrow(
      "Service 'web' uses the EXTERNAL deployment controller, which deploy-ecs does not deploy; it deploys services " +
        'with the ECS controller (rolling, blue/green, linear, canary) or CODE_DEPLOY.',
    );
  });
});

const FILE = {
  family: 'web',
  containerDefinitions: [{ name: 'web', image: IMAGE, essential: true }],
};

describe('registerIfChanged', () => {
  // Inside the describe block: its afterEach checks pending mocks before the global one clears them.
  useAwsEnvironment();

  it('registers the first revision of a new family', async () => {
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web', include: ['TAGS'] },
      awsError('ClientException', 'Unable to describe task definition.'),
      400,
    );
    expectEcs('RegisterTaskDefinition', FILE, { taskDefinition: { taskDefinitionArn: taskDefinitionArn(1) } });

    const target = await registerIfChanged(ecsClient(), FILE, log);

    expect(target).toEqual({
      taskDefinitionArn: taskDefinitionArn(1),
      origin: 'registered',
      images: [{ container: 'web', image: IMAGE, digest: `sha256:${'a'.repeat(64)}` }],
      containerDefinitions: FILE.containerDefinitions,
      networkMode: undefined,
    });
  });

  it('registers after two throttled RegisterTaskDefinition calls, backing off on the one-attempt client', async () => {
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web', include: ['TAGS'] },
      awsError('ClientException', 'Unable to describe task definition.'),
      400,
    );
    expectEcs('RegisterTaskDefinition', FILE, awsError('ThrottlingException', 'Rate exceeded'), 400, 2);
    expectEcs('RegisterTaskDefinition', FILE, { taskDefinition: { taskDefinitionArn: taskDefinitionArn(1) } });
    const clock = new FakeClock();
    const warnings: string[] = [];

    const target = await registerIfChanged(ecsClient(), FILE, log, undefined, {
      ecs: ecsClient(),
      clock,
      warn: (message) => warnings.push(message),
    });

    expect(target.taskDefinitionArn).toBe(taskDefinitionArn(1));
    expect(clock.sleeps).toHaveLength(2);
    expect(warnings).toEqual(['RegisterTaskDefinition was throttled (Rate exceeded); sending it again with back-off']);
  });

  it('registers a new revision when the tags differ', async () => {
    const tagged = { ...FILE, tags: [{ key: 'team', value: 'payments' }] };
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web', include: ['TAGS'] },
      { taskDefinition: { ...FILE, taskDefinitionArn: taskDefinitionArn(7), revision: 7, status: 'ACTIVE' }, tags: [] },
    );
    expectEcs('RegisterTaskDefinition', tagged, { taskDefinition: { taskDefinitionArn: taskDefinitionArn(8) } });

    const target = await registerIfChanged(ecsClient(), tagged, log);

    expect(target.origin).toBe('registered');
    expect(lines).toEqual(['Registered web:8 (the newest revision was web:7)']);
  });
});

describe('describeExisting', () => {
  // Inside the describe block: its afterEach checks pending mocks before the global one clears them.
  useAwsEnvironment();

  it('refuses a deregistered revision', async () => {
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web:3' },
      { taskDefinition: { ...FILE, taskDefinitionArn: taskDefinitionArn(3), revision: 3, status: 'INACTIVE' } },
    );
    await expect(describeExisting(ecsClient(), 'web:3', log)).rejects.toThrow(
      "Input 'task-definition': web:3 is INACTIVE; ECS does not move a service to a deregistered revision.",
    );
  });

  it('names the missing revision', async () => {
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web:99' },
      awsError('ClientException', 'Unable to describe task definition.'),
      400,
    );
    await expect(describeExisting(ecsClient(), 'web:99', log)).rejects.toThrow(
      "Input 'task-definition': ECS has no task definition web:99 (Unable to describe task definition.)",
    );
  });
});
