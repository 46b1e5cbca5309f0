import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { FakeClock, RunContext, runAction } from '@ecs-actions/action-kit';
import { stepHarness } from '@ecs-actions/action-kit/testing';
import { describeServicesFollower } from '../src/follower.js';
import { run } from '../src/main.js';
import {
  CLUSTER,
  ECS_ENDPOINT,
  IMAGE,
  REGION,
  SERVICE,
  awsError,
  expectDescribeServices,
  expectEcs,
  expectListStoppedTasks,
  expectDescribeTasks,
  service,
  stoppedTask,
  taskDefinitionArn,
  type DeploymentFixture,
  type ServiceFixture,
} from './ecs.js';

// A cancel arrives (context.cancel, as runAction does on SIGINT) while ECS answers a call; nock answers through the
// real SDK. The bundle under real signals is tested in test/e2e.
const step = stepHarness('deploy-ecs-cancel', { region: REGION });
const { outputs, errorLines } = step;
let context: RunContext;

const stable41: DeploymentFixture = { id: 'ecs-svc/1', revision: 41 };
const draining41: DeploymentFixture = { id: 'ecs-svc/1', revision: 41, status: 'ACTIVE' };
const starting42: DeploymentFixture = {
  id: 'ecs-svc/2',
  revision: 42,
  running: 0,
  pending: 2,
  rolloutState: 'IN_PROGRESS',
};
const rollback41: DeploymentFixture = {
  id: 'ecs-svc/3',
  revision: 41,
  running: 0,
  pending: 2,
  rolloutState: 'IN_PROGRESS',
};
const FOLLOW = `https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/services/${SERVICE}/deployments?region=${REGION}`;

beforeEach(() => {
  // An existing revision: nothing to register, so every call here is about the rollout.
  process.env.INPUT_CLUSTER = CLUSTER;
  process.env.INPUT_SERVICE = SERVICE;
  process.env['INPUT_TASK-DEFINITION'] = 'web:42';
  context = new RunContext();
});
afterEach(() => {
  context.dispose();
  expect(nock.pendingMocks()).toEqual([]);
});

async function deploy(clock = new FakeClock()): Promise<void> {
  await runAction(() => run({ clock, context, follower: describeServicesFollower }));
}

/** DescribeServices answered with this description, the run being cancelled as the answer goes out. */
function cancelDuringDescribeServices(fixture: ServiceFixture): void {
  nock(`https://ecs.${REGION}.amazonaws.com`)
    .post('/', { cluster: CLUSTER, services: [SERVICE] })
    .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.DescribeServices')
    .reply(200, () => {
      context.cancel('SIGINT');
      return { services: [service(fixture)], failures: [] };
    });
}

function expectPreflightAndRevision(circuitBreaker?: ServiceFixture['circuitBreaker']): void {
  expectDescribeServices({ deployments: [stable41], circuitBreaker });
  expectEcs(
    'DescribeTaskDefinition',
    { taskDefinition: 'web:42' },
    {
      taskDefinition: {
        taskDefinitionArn: taskDefinitionArn(42),
        status: 'ACTIVE',
        containerDefinitions: [{ name: 'web', image: IMAGE }],
      },
    },
  );
  expectEcs(
    'UpdateService',
    { cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinitionArn(42), forceNewDeployment: false },
    { service: service({ deployments: [starting42, draining41], circuitBreaker }) },
  );
}

const rollbackTo41 = { cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinitionArn(41) };

function expectCancelRollbackTo41(): void {
  expectEcs('UpdateService', rollbackTo41, {
    service: service({ deployments: [rollback41, { ...starting42, status: 'ACTIVE' }] }),
  });
}

describe('deploy-ecs cancelled', () => {
  it('starts the rollback to the previous revision, does not wait for it, and reports cancelled', async () => {
    expectPreflightAndRevision();
    cancelDuringDescribeServices({ deployments: [starting42, draining41] });
    // The final phase looks once more, then puts web:41 back.
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectCancelRollbackTo41();

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({
      status: 'cancelled',
      'deployment-id': 'ecs-svc/2',
      'previous-task-definition-arn': taskDefinitionArn(41),
      'task-definition-arn': taskDefinitionArn(42),
      'cancel-result': 'rollback-started',
      'cancel-detail':
        'deployment ecs-svc/2 of web:42 was PRIMARY (0/2 running, 2 pending, rollout IN_PROGRESS); rollback to ' +
        'web:41 started as deployment ecs-svc/3 (not waited for)',
    });
    expect(errorLines()).toEqual([
      '::error::Cancelled (SIGINT) while waiting for the deployment: deployment ecs-svc/2 of web:42 was PRIMARY ' +
        '(0/2 running, 2 pending, rollout IN_PROGRESS); rollback to web:41 started as deployment ecs-svc/3 (not ' +
        `waited for). Follow it at ${FOLLOW}`,
    ]);
    const summary = step.summary();
    expect(summary).toContain('deploy-ecs web: ⏹️ cancelled');
    expect(summary).toContain('<b>What this run did:</b> rollback to web:41 started as deployment ecs-svc/3');
  });

  it('waits out a throttled UpdateService in the final phase with back-off and still starts the rollback', async () => {
    // A final phase long enough for three back-offs (1-2 s, 2-4 s, 4-8 s on the fake clock).
    context = new RunContext({ finalPhaseMs: 30_000 });
    const clock = new FakeClock();
    expectPreflightAndRevision();
    cancelDuringDescribeServices({ deployments: [starting42, draining41] });
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectEcs('UpdateService', rollbackTo41, awsError('ThrottlingException', 'Rate exceeded'), 400, 3);
    expectCancelRollbackTo41();

    await deploy(clock);

    expect(outputs()).toMatchObject({
      status: 'cancelled',
      'cancel-result': 'rollback-started',
      'cancel-detail':
        'deployment ecs-svc/2 of web:42 was PRIMARY (0/2 running, 2 pending, rollout IN_PROGRESS); rollback to ' +
        'web:41 started as deployment ecs-svc/3 (not waited for)',
    });
    // Backed off on the injected clock (the one-attempt client added no retries): the last three sleeps.
    const backoffs = clock.sleeps.slice(-3);
    backoffs.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual(1000 * 2 ** attempt);
      expect(ms).toBeLessThanOrEqual(2000 * 2 ** attempt);
    });
    expect(step.stdout).toContain(
      '::warning::UpdateService for the rollback was throttled (Rate exceeded); sending it again with back-off',
    );
  });

  it('ends the throttled UpdateService with a DeadlineError naming it when the final phase runs out', async () => {
    const clock = new FakeClock();
    expectPreflightAndRevision();
    cancelDuringDescribeServices({ deployments: [starting42, draining41] });
    expectDescribeServices({ deployments: [starting42, draining41] });
    // The final phase's 5 s pass on the injected clock while ECS answers the second throttle.
    let sent = 0;
    nock(ECS_ENDPOINT)
      .post('/', rollbackTo41)
      .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.UpdateService')
      .times(2)
      .reply(
        400,
        () => {
          if (++sent === 2) clock.advance(5000);
          return awsError('ThrottlingException', 'Rate exceeded');
        },
        { 'content-type': 'application/x-amz-json-1.1' },
      );

    await deploy(clock);

    expect(outputs()).toMatchObject({ status: 'cancelled', 'cancel-result': 'needs-attention' });
    expect(errorLines()).toEqual([
      '::error::Cancelled (SIGINT) while waiting for the deployment: deployment ecs-svc/2 of web:42 was PRIMARY ' +
        '(0/2 running, 2 pending, rollout IN_PROGRESS); the rollback to web:41 could not be started (UpdateService ' +
        'for the rollback was still throttled after 2 attempts when the deadline passed (the final phase after the ' +
        `cancel): Rate exceeded); the service needs attention. Follow it at ${FOLLOW}`,
    ]);
  });

  it('leaves the rollout in progress with on-cancel: leave', async () => {
    process.env['INPUT_ON-CANCEL'] = 'leave';
    expectPreflightAndRevision();
    cancelDuringDescribeServices({ deployments: [starting42, draining41] });
    expectDescribeServices({ deployments: [starting42, draining41] });

    await deploy();

    expect(outputs()).toMatchObject({
      status: 'cancelled',
      'deployment-id': 'ecs-svc/2',
      'cancel-result': 'left-in-progress',
    });
    expect(errorLines()[0]).toContain('left in progress (on-cancel: leave); ECS goes on with it.');
  });

  it('lets the circuit breaker’s rollback go on and says so', async () => {
    const circuitBreaker = { enable: true, rollback: true };
    expectPreflightAndRevision(circuitBreaker);
    // ECS's circuit breaker replaced the deployment with a rollback to web:41; the cancel comes while following it.
    const rollingBack = {
      deployments: [rollback41, { ...starting42, status: 'ACTIVE' as const, rolloutState: 'FAILED' as const }],
      circuitBreaker,
    };
    expectDescribeServices(rollingBack);
    expectListStoppedTasks('ecs-svc/2', []);
    cancelDuringDescribeServices(rollingBack);
    expectDescribeServices(rollingBack);

    await deploy();

    expect(outputs()).toMatchObject({
      status: 'cancelled',
      'deployment-id': 'ecs-svc/2',
      'cancel-result': 'rollback-continues',
    });
    expect(errorLines()[0]).toContain(
      '::error::Cancelled (SIGINT) during the rollback: deployment ecs-svc/2 of web:42 was ACTIVE (0/2 running, 2 pending, rollout FAILED); ECS’s rollback deployment ecs-svc/3 to web:41 was 0/2 running, 2 pending, rollout IN_PROGRESS; the rollback goes on (not waited for).',
    );
  });

  it('lets its own rollback go on when cancelled during it', async () => {
    process.env['INPUT_MAX-FAILED-TASKS'] = '1';
    expectPreflightAndRevision();
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 1)]);
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 1)]);
    expectCancelRollbackTo41();
    const rollingBack = { deployments: [rollback41, { ...starting42, status: 'ACTIVE' as const }] };
    cancelDuringDescribeServices(rollingBack);
    expectDescribeServices(rollingBack);

    await deploy();

    expect(outputs()).toMatchObject({
      status: 'cancelled',
      'deployment-id': 'ecs-svc/2',
      'cancel-result': 'rollback-continues',
    });
    expect(errorLines()[0]).toContain('this run’s rollback deployment ecs-svc/3 to web:41 was 0/2 running');
    expect(errorLines()[0]).toContain('the rollback goes on (not waited for)');
  });

  it('changes nothing when cancelled before UpdateService', async () => {
    cancelDuringDescribeServices({ deployments: [stable41] });

    await deploy();

    expect(outputs()).toMatchObject({ status: 'cancelled', 'deployment-id': '', 'cancel-result': 'nothing-changed' });
    expect(errorLines()).toEqual([
      `::error::Cancelled (SIGINT) during pre-flight: nothing was changed; the service was not touched. Follow it at ${FOLLOW}`,
    ]);
  });

  it('starts a new deployment on a re-run after a cancel rolled back, never reporting unchanged', async () => {
    // The cancelled run's rollback to web:41 is still rolling out; web:42 is draining.
    expectDescribeServices({ deployments: [rollback41, { ...starting42, status: 'ACTIVE' }, draining41] });
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'web:42' },
      { taskDefinition: { taskDefinitionArn: taskDefinitionArn(42), status: 'ACTIVE', containerDefinitions: [] } },
    );
    expectEcs(
      'UpdateService',
      { cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinitionArn(42), forceNewDeployment: false },
      {
        service: service({
          deployments: [
            { ...starting42, id: 'ecs-svc/4' },
            { ...rollback41, status: 'ACTIVE' },
          ],
        }),
      },
    );
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/4', revision: 42 }] });

    await deploy();

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toMatchObject({
      status: 'succeeded',
      'deployment-id': 'ecs-svc/4',
      'previous-task-definition-arn': taskDefinitionArn(41),
    });
  });
});
