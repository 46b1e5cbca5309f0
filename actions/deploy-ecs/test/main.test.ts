import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { FakeClock, runAction } from '@ecs-actions/action-kit';
import { runnerCommands, stepHarness } from '@ecs-actions/action-kit/testing';
import { describeServicesFollower } from '../src/follower.js';
import { run } from '../src/main.js';
import {
  CLUSTER,
  IMAGE,
  REGION,
  SERVICE,
  allowEcs,
  awsError,
  expectCallerIdentity,
  expectDescribeServices,
  expectDescribeTasks,
  expectEcs,
  expectListStoppedTasks,
  requestCounter,
  service,
  stoppedTask,
  taskArn,
  taskDefinitionArn,
  type DeploymentFixture,
} from './ecs.js';

const step = stepHarness('deploy-ecs', { region: REGION });
const { outputs, summary, errorLines, setInputs } = step;
let clock: FakeClock;

/** The file a workflow passes, as render-taskdef writes it. */
const TASK_DEFINITION = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
  containerDefinitions: [{ name: 'web', image: IMAGE, essential: true, portMappings: [{ containerPort: 3000 }] }],
};

/** What DescribeTaskDefinition returns for a revision of that file, with the defaults ECS fills in. */
function registered(revision: number, image = IMAGE): object {
  return {
    taskDefinition: {
      ...TASK_DEFINITION,
      taskDefinitionArn: taskDefinitionArn(revision),
      revision,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      registeredAt: 1767225000,
      containerDefinitions: [
        {
          name: 'web',
          image,
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }],
          environment: [],
          mountPoints: [],
          volumesFrom: [],
        },
      ],
      volumes: [],
      placementConstraints: [],
    },
    tags: [],
  };
}

const OLD_IMAGE = IMAGE.replace('a'.repeat(64), 'b'.repeat(64));
const stable41: DeploymentFixture = { id: 'ecs-svc/1', revision: 41 };
const draining41: DeploymentFixture = { id: 'ecs-svc/1', revision: 41, status: 'ACTIVE' };
const starting42: DeploymentFixture = {
  id: 'ecs-svc/2',
  revision: 42,
  running: 0,
  pending: 2,
  rolloutState: 'IN_PROGRESS',
};
const request = { cluster: CLUSTER, services: [SERVICE] };

beforeEach(() => {
  writeFileSync(join(step.dir, 'task-definition.json'), JSON.stringify(TASK_DEFINITION, null, 2));
  setInputs({ cluster: CLUSTER, service: SERVICE, 'task-definition': join(step.dir, 'task-definition.json') });
  clock = new FakeClock();
});

async function deploy(): Promise<void> {
  await runAction(() => run({ clock, follower: describeServicesFollower }));
}

/** Pre-flight sees web:41 running; the newest revision of the family has another image. */
function expectPreflightAndRegister(): void {
  expectDescribeServices({ deployments: [stable41], events: [{ id: 'e0', message: 'steady' }] });
  expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(41, OLD_IMAGE));
  expectEcs('RegisterTaskDefinition', TASK_DEFINITION, {
    taskDefinition: { taskDefinitionArn: taskDefinitionArn(42) },
  });
}

function expectUpdateService(revision: number, deployments: DeploymentFixture[], extra: object = {}): void {
  expectEcs(
    'UpdateService',
    {
      cluster: CLUSTER,
      service: SERVICE,
      taskDefinition: taskDefinitionArn(revision),
      forceNewDeployment: false,
      ...extra,
    },
    { service: service({ deployments }) },
  );
}

/** After a failure the stopped tasks are listed and described afresh for the report. */
function expectStoppedTasksDiagnosis(ids: string[], deploymentId = 'ecs-svc/2'): void {
  expectListStoppedTasks(deploymentId, ids);
  if (ids.length > 0)
    expectDescribeTasks(
      ids,
      ids.map((id, index) => stoppedTask(id, index + 1)),
    );
}

/** The action's own rollback: UpdateService back to web:41, then a rollout that completes. */
function expectRollbackTo41(): void {
  expectEcs(
    'UpdateService',
    { cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinitionArn(41) },
    {
      service: service({
        deployments: [
          { id: 'ecs-svc/3', revision: 41, rolloutState: 'IN_PROGRESS', running: 0 },
          { ...starting42, status: 'ACTIVE' },
        ],
      }),
    },
  );
  expectDescribeServices({
    deployments: [
      { id: 'ecs-svc/3', revision: 41, rolloutState: 'IN_PROGRESS', running: 1 },
      { ...starting42, status: 'ACTIVE' },
    ],
  });
  expectListStoppedTasks('ecs-svc/3', []);
  expectDescribeServices({ deployments: [{ id: 'ecs-svc/3', revision: 41 }] });
}

describe('deploy-ecs', () => {
  // Inside the describe block: it runs before test/setup's afterEach clears the mocks.
  afterEach(() => expect(nock.pendingMocks()).toEqual([]));

  it('registers the file, rolls it out and reports success', async () => {
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({
      deployments: [starting42, draining41],
      events: [
        { id: 'e1', message: '(service web) has started 2 tasks: (task t4) (task t5).', at: 2 },
        { id: 'e0', message: 'steady' },
      ],
    });
    expectListStoppedTasks('ecs-svc/2', []);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    await deploy();

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toEqual({
      'task-definition-arn': taskDefinitionArn(42),
      'previous-task-definition-arn': taskDefinitionArn(41),
      'deployment-id': 'ecs-svc/2',
      status: 'succeeded',
      'duration-seconds': '1',
      'service-deployment-arn': '',
      'hook-id': '',
      'followed-with': 'DescribeServices',
      'rollback-method': '',
      'cancel-result': '',
      'cancel-detail': '',
    });
    expect(step.stdout).toContain('00:00:02Z (service web) has started 2 tasks: (task t4) (task t5).\n');
    expect(step.stdout).not.toContain('steady');
    const text = summary();
    expect(text).toContain('deploy-ecs web: ✅ succeeded');
    expect(text).toContain('<code>web:41</code> → <code>web:42</code> (registered by this run)');
    expect(text).toContain(`<code>sha256:${'a'.repeat(64)}</code>`);
    expect(text).toContain(
      'href="https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments?region=eu-west-1"',
    );
  });

  it('finishes as unchanged without UpdateService when the service already runs the same revision', async () => {
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42));

    await deploy();

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toEqual({
      'task-definition-arn': taskDefinitionArn(42),
      'previous-task-definition-arn': taskDefinitionArn(42),
      'deployment-id': 'ecs-svc/2',
      status: 'unchanged',
      'duration-seconds': '0',
      'service-deployment-arn': '',
      'hook-id': '',
      'followed-with': '',
      'rollback-method': '',
      'cancel-result': '',
      'cancel-detail': '',
    });
    expect(summary()).toContain('➖ unchanged');
  });

  it('starts a new deployment, not unchanged, when a re-run finds the same revision PRIMARY but FAILED', async () => {
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed.' },
        draining41,
      ],
      circuitBreaker: { enable: true, rollback: false },
    });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42));
    expectUpdateService(42, [{ id: 'ecs-svc/3', revision: 42, running: 0, rolloutState: 'IN_PROGRESS' }, draining41], {
      forceNewDeployment: true,
    });
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/3', revision: 42 }] });

    await deploy();

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toMatchObject({
      status: 'succeeded',
      'deployment-id': 'ecs-svc/3',
      'previous-task-definition-arn': taskDefinitionArn(41),
    });
    expect(step.stdout).toContain(
      'The rollout of web:42 in deployment ecs-svc/2 FAILED: tasks failed; starting a new deployment of it',
    );
  });

  it('follows the unfinished deployment of the same revision instead of reporting unchanged', async () => {
    const unfinished = { id: 'ecs-svc/2', revision: 42, running: 1, rolloutState: 'IN_PROGRESS' as const };
    expectDescribeServices({ deployments: [unfinished, draining41] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42));
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    await deploy();

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toMatchObject({ status: 'succeeded', 'deployment-id': 'ecs-svc/2' });
    expect(step.stdout).toContain(
      'Deployment ecs-svc/2 of web:42 has not completed yet: following it instead of starting another',
    );
    expect(step.stdout).toContain('  ecs-svc/2 PRIMARY web:42: 1/2 running, 0 pending, rollout IN_PROGRESS');
  });

  it('rolls back to the last completed revision, not to a PRIMARY revision whose rollout failed', async () => {
    expectDescribeServices({
      deployments: [{ id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: 'FAILED' }, draining41],
    });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42, OLD_IMAGE));
    expectEcs('RegisterTaskDefinition', TASK_DEFINITION, {
      taskDefinition: { taskDefinitionArn: taskDefinitionArn(43) },
    });
    const starting43 = { id: 'ecs-svc/4', revision: 43, running: 0, rolloutState: 'IN_PROGRESS' as const };
    expectUpdateService(43, [starting43, draining41]);
    expectDescribeServices({
      deployments: [{ ...starting43, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' }, draining41],
    });
    expectStoppedTasksDiagnosis([], 'ecs-svc/4');
    expectRollbackTo41();

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'previous-task-definition-arn': taskDefinitionArn(41) });
    expect(step.stdout).toContain(
      '::warning::The PRIMARY deployment ecs-svc/2 (web:42) has not completed (rollout FAILED): the rollback target ' +
        'is web:41, of the last completed deployment ecs-svc/1.',
    );
  });

  it('reuses the newest revision instead of registering an identical one', async () => {
    expectDescribeServices({ deployments: [stable41] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42));
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    await deploy();

    expect(outputs()).toMatchObject({ status: 'succeeded', 'task-definition-arn': taskDefinitionArn(42) });
    expect(step.stdout).toContain('web:42 already has this content: reusing it, nothing registered');
    expect(summary()).toContain('(identical revision reused)');
  });

  it('deploys an existing revision named by ARN without registering anything', async () => {
    setInputs({ 'task-definition': taskDefinitionArn(40) });
    expectCallerIdentity('123456789012');
    expectDescribeServices({ deployments: [stable41] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: taskDefinitionArn(40) }, registered(40, OLD_IMAGE));
    expectUpdateService(40, [{ id: 'ecs-svc/2', revision: 40, rolloutState: 'IN_PROGRESS', running: 0 }, draining41]);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 40 }] });

    await deploy();

    expect(outputs()).toMatchObject({ status: 'succeeded', 'task-definition-arn': taskDefinitionArn(40) });
    expect(step.stdout).toContain('Deploying existing revision web:40: nothing registered');
  });

  it('passes desired-count and force-new-deployment to UpdateService', async () => {
    setInputs({ 'task-definition': 'web:41', 'force-new-deployment': 'true', 'desired-count': '3' });
    expectDescribeServices({ deployments: [stable41] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web:41' }, registered(41, OLD_IMAGE));
    expectEcs(
      'UpdateService',
      {
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: taskDefinitionArn(41),
        forceNewDeployment: true,
        desiredCount: 3,
      },
      { service: service({ deployments: [{ id: 'ecs-svc/2', revision: 41, desired: 3, running: 0 }, draining41] }) },
    );
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 41, desired: 3 }] });

    await deploy();

    expect(outputs()).toMatchObject({ status: 'succeeded', 'deployment-id': 'ecs-svc/2' });
  });

  it('reports a circuit-breaker rollback as rolled-back with exit code 1, naming the replacing deployment', async () => {
    const circuitBreaker = { enable: true, rollback: true };
    expectDescribeServices({ deployments: [stable41], circuitBreaker });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(41, OLD_IMAGE));
    expectEcs('RegisterTaskDefinition', TASK_DEFINITION, {
      taskDefinition: { taskDefinitionArn: taskDefinitionArn(42) },
    });
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [starting42, draining41], circuitBreaker });
    expectListStoppedTasks('ecs-svc/2', []);
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/1', revision: 41, rolloutState: 'IN_PROGRESS' },
        {
          ...starting42,
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        },
      ],
      circuitBreaker,
      events: [{ id: 'e1', message: '(service web) rolling back to deployment ecs-svc/1.', at: 40 }],
    });
    expectListStoppedTasks('ecs-svc/2', ['t1', 't2', 't3']);
    expectDescribeTasks(
      ['t1', 't2', 't3'],
      [
        stoppedTask('t1', 10),
        stoppedTask('t2', 20),
        stoppedTask('t3', 30, 137, 'OutOfMemoryError: Container killed due to memory usage'),
      ],
    );
    expectDescribeServices({
      deployments: [stable41],
      circuitBreaker,
      events: [
        { id: 'e2', message: '(service web) has reached a steady state.', at: 50 },
        { id: 'e1', message: '(service web) rolling back to deployment ecs-svc/1.', at: 40 },
      ],
    });

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({
      status: 'rolled-back',
      'deployment-id': 'ecs-svc/2',
      'task-definition-arn': taskDefinitionArn(42),
    });
    expect(errorLines()).toEqual([
      '::error::Deployment ecs-svc/2 of web:42 failed: the deployment is no longer PRIMARY (ACTIVE): ECS deployment ' +
        'circuit breaker: tasks failed to start; deployment ecs-svc/1 (web:41) replaced it. Last stopped task: ' +
        'Essential container in task exited (web exit 137: OutOfMemoryError: Container killed due to memory usage). ' +
        'Rolled back: the service is stable on web:41 again (deployment ecs-svc/1). See ' +
        'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments?region=eu-west-1',
    ]);
    expect(step.stdout).toContain(
      'task t3 stopped at 00:00:30Z (EssentialContainerExited): Essential container in task exited; web: exit code 137, OutOfMemoryError: Container killed due to memory usage',
    );
    const text = summary();
    expect(text).toContain('↩️ rolled back');
    expect(text).toContain('Stopped tasks of the new deployment (3)');
    expect(text).toContain(
      '<td>2026-01-01T00:00:40.000Z</td><td>(service web) rolling back to deployment ecs-svc/1.</td>',
    );
  });

  it('rolls back itself when ECS marks the rollout FAILED and its circuit breaker does not roll back', async () => {
    const circuitBreaker = { enable: true, rollback: false };
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({
      deployments: [
        { ...starting42, pending: 0, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' },
        draining41,
      ],
      circuitBreaker,
    });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 10)]);
    expectRollbackTo41();

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'deployment-id': 'ecs-svc/2' });
    expect(errorLines()[0]).toMatch(
      /^::error::Deployment ecs-svc\/2 of web:42 failed: ECS marked the rollout FAILED: tasks failed to start\. .*Rolled back: the service is stable on web:41 again \(deployment ecs-svc\/3\)\./,
    );
  });

  it('rolls back a service without circuit breaker whose new tasks keep stopping', async () => {
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 1)]);
    expectDescribeServices({ deployments: [{ ...starting42, pending: 1 }, draining41] });
    expectListStoppedTasks('ecs-svc/2', ['t1', 't2', 't3']);
    expectDescribeTasks(['t2', 't3'], [stoppedTask('t2', 2), stoppedTask('t3', 3)]);
    expectStoppedTasksDiagnosis(['t1', 't2', 't3']);
    expectRollbackTo41();

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'previous-task-definition-arn': taskDefinitionArn(41) });
    expect(errorLines()[0]).toContain('failed: 3 tasks of deployment ecs-svc/2 stopped (max-failed-tasks is 3).');
    expect(clock.sleeps.slice(0, 2)).toEqual([1000, 1000]);
  });

  it("lists the stopped tasks afresh for the report, not the waiter's last list", async () => {
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 1)]);
    expectDescribeServices({
      deployments: [{ ...starting42, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' }, draining41],
    });
    // By now three tasks have stopped; the waiter last saw one.
    expectStoppedTasksDiagnosis(['t1', 't2', 't3']);
    expectRollbackTo41();

    await deploy();

    expect(outputs()).toMatchObject({ status: 'rolled-back' });
    expect(summary()).toContain('Stopped tasks of the new deployment (3)');
    expect(step.stdout).toContain('task t3 stopped at 00:00:03Z (EssentialContainerExited)');
  });

  it('never rolls back to the revision that just failed: a forced redeploy of web:42 that fails stays failed', async () => {
    const circuitBreaker = { enable: true, rollback: false };
    setInputs({ 'task-definition': taskDefinitionArn(42), 'force-new-deployment': 'true' });
    expectCallerIdentity('123456789012');
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/1', revision: 42 }], circuitBreaker });
    expectEcs('DescribeTaskDefinition', { taskDefinition: taskDefinitionArn(42) }, registered(42));
    const redeploy = { id: 'ecs-svc/2', revision: 42, running: 0, rolloutState: 'IN_PROGRESS' as const };
    expectUpdateService(42, [redeploy, { id: 'ecs-svc/1', revision: 42, status: 'ACTIVE' }], {
      forceNewDeployment: true,
    });
    expectDescribeServices({
      deployments: [
        { ...redeploy, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' },
        { id: 'ecs-svc/1', revision: 42, status: 'ACTIVE' },
      ],
      circuitBreaker,
    });
    expectStoppedTasksDiagnosis([]);
    // The call a missing guard would make: UpdateService back to web:42, the revision that just failed.
    const rollbacksToFailed = requestCounter(
      allowEcs(
        'UpdateService',
        { cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinitionArn(42) },
        { service: service({ deployments: [{ id: 'ecs-svc/3', revision: 42 }] }) },
      ),
    );

    await deploy();

    expect(rollbacksToFailed()).toBe(0);
    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'failed', 'previous-task-definition-arn': taskDefinitionArn(42) });
    expect(step.stdout).toContain('::warning::The previous revision is web:42 too: nothing to roll back to');
    expect(errorLines()[0]).toContain('The service was not rolled back and needs attention.');
  });

  it('still rolls back when describing the stopped tasks is denied (AccessDenied on DescribeTasks)', async () => {
    const circuitBreaker = { enable: true, rollback: false };
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({
      deployments: [{ ...starting42, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' }, draining41],
      circuitBreaker,
    });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectEcs(
      'DescribeTasks',
      { cluster: CLUSTER, tasks: [taskArn('t1')] },
      awsError(
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/deploy/gha is not authorized to perform: ecs:DescribeTasks',
      ),
      400,
    );
    expectRollbackTo41();

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'deployment-id': 'ecs-svc/2' });
    expect(step.stdout).toMatch(/::warning::Could not describe the stopped tasks: .*ecs:DescribeTasks/);
    expect(errorLines()[0]).toContain('Rolled back: the service is stable on web:41 again (deployment ecs-svc/3).');
  });

  it('with wait false, starts the deployment and returns at once without following it', async () => {
    setInputs({ wait: 'false' });
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    // What following the rollout would ask: a deployment that completes, so that a waiting run would say succeeded.
    const follows = requestCounter(
      allowEcs('DescribeServices', request, {
        services: [service({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] })],
        failures: [],
      }),
    );

    await deploy();

    expect(follows()).toBe(0);
    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toMatchObject({ status: 'started', 'deployment-id': 'ecs-svc/2' });
    expect(step.stdout).toContain('wait is false: deployment ecs-svc/2 started, its outcome is not checked');
    expect(summary()).toContain('🚀 started (not waited for)');
    expect(clock.sleeps).toEqual([]);
  });

  it('leaves the service alone and reports failed when rollback is false', async () => {
    setInputs({ rollback: 'false', 'max-failed-tasks': '1' });
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 1)]);
    expectStoppedTasksDiagnosis(['t1']);

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'failed' });
    expect(errorLines()[0]).toContain('The service was not rolled back and needs attention.');
  });

  it('times out, then rolls back', async () => {
    setInputs({ 'timeout-minutes': '1' });
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    // One DescribeServices a second for a minute; stopped tasks counted at the start and every 10 s.
    expectDescribeServices({ deployments: [{ ...starting42, running: 1, pending: 1 }, draining41] }, 61);
    expectListStoppedTasks('ecs-svc/2', [], 7);
    expectListStoppedTasks('ecs-svc/2', []);
    expectRollbackTo41();

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'rolled-back' });
    expect(errorLines()[0]).toContain('failed: the deployment did not complete within 1 minute.');
    expect(step.stdout).toContain('No task of the new deployment stopped');
  });

  it('reports failed when the rollback does not complete either', async () => {
    setInputs({ 'max-failed-tasks': '1' });
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectListStoppedTasks('ecs-svc/2', ['t1']);
    expectDescribeTasks(['t1'], [stoppedTask('t1', 1)]);
    expectStoppedTasksDiagnosis(['t1']);
    expectEcs(
      'UpdateService',
      { cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinitionArn(41) },
      {
        service: service({
          deployments: [
            { id: 'ecs-svc/3', revision: 41, rolloutState: 'IN_PROGRESS', running: 0 },
            { ...starting42, status: 'ACTIVE' },
          ],
        }),
      },
    );
    expectDescribeServices({
      deployments: [
        { id: 'ecs-svc/3', revision: 41, rolloutState: 'IN_PROGRESS', running: 0 },
        { ...starting42, status: 'ACTIVE' },
      ],
    });
    expectListStoppedTasks('ecs-svc/3', ['t9']);
    expectDescribeTasks(['t9'], [stoppedTask('t9', 5)]);

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(outputs()).toMatchObject({ status: 'failed' });
    expect(errorLines()[0]).toContain(
      'The rollback to web:41 did not complete: 1 task of deployment ecs-svc/3 stopped (max-failed-tasks is 1); the service needs attention.',
    );
  });

  it('ends the run within one poll when the credentials expire while waiting', async () => {
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectEcs(
      'DescribeServices',
      request,
      awsError('ExpiredTokenException', 'The security token included in the request is expired'),
      400,
    );

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(errorLines()).toEqual([
      expect.stringMatching(
        /^::error::AWS credentials expired while calling ECS DescribeServices \(ExpiredTokenException\)/,
      ),
    ]);
    expect(errorLines()[0]).toContain(
      'Deployment ecs-svc/2 of web:42 had started; its outcome was not followed to the end: see ' +
        'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments?region=eu-west-1',
    );
    expect(outputs()).toMatchObject({
      status: 'failed',
      'deployment-id': 'ecs-svc/2',
      'task-definition-arn': taskDefinitionArn(42),
    });
    expect(summary()).toContain('AWS credentials expired');
  });

  it('still sees the rollout succeed when ECS throttles while waiting', async () => {
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectListStoppedTasks('ecs-svc/2', []);
    expectEcs('DescribeServices', request, awsError('ThrottlingException', 'Rate exceeded'), 400);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    await deploy();

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toMatchObject({ status: 'succeeded' });
  });

  it("spaces the polls after throttles only by the follower's own back-off on the injected clock", async () => {
    expectPreflightAndRegister();
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({ deployments: [starting42, draining41] });
    expectListStoppedTasks('ecs-svc/2', []);
    expectEcs('DescribeServices', request, awsError('ThrottlingException', 'Rate exceeded'), 400, 3);
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });

    const started = Date.now();
    await deploy();

    expect(outputs()).toMatchObject({ status: 'succeeded' });
    // One poll a second, then 2, 4 and 5 s (the cap) after the throttles, each with ±50% jitter.
    expect(clock.sleeps).toHaveLength(4);
    expect(clock.sleeps[0]).toBe(1000);
    clock.sleeps.slice(1).forEach((ms, throttles) => {
      const step = Math.min(2000 * 2 ** throttles, 5000);
      expect(ms).toBeGreaterThanOrEqual(step / 2);
      expect(ms).toBeLessThan(step * 1.5);
    });
    // No other wait: an adaptive client's rate limiter would sleep on the real clock before each poll after a
    // throttle (about 2 s each), outside the rollout's deadline and the FakeClock.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('changes nothing when the credentials belong to another account', async () => {
    setInputs({ 'expected-account-id': '999999999999' });
    expectCallerIdentity('123456789012');

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      '::error::The AWS credentials belong to account 123456789012, but expected-account-id is 999999999999; nothing ' +
        'was changed. Check role-to-assume in aws-actions/configure-aws-credentials for this environment.',
    ]);
    expect(outputs()).toMatchObject({ status: 'failed', 'task-definition-arn': '', 'deployment-id': '' });
  });

  describe('changes nothing for an ARN of another account or region', () => {
    it.each([
      [
        'task-definition',
        'arn:aws:ecs:eu-west-1:999999999999:task-definition/web:7',
        'account 999999999999 in eu-west-1',
      ],
      [
        'task-definition',
        'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
        'account 123456789012 in us-east-1',
      ],
      ['cluster', 'arn:aws:ecs:eu-west-1:999999999999:cluster/prod', 'account 999999999999 in eu-west-1'],
      ['service', 'arn:aws:ecs:eu-west-1:999999999999:service/prod/web', 'account 999999999999 in eu-west-1'],
    ])('%s %s', async (input, arn, where) => {
      setInputs({ [input]: arn });
      expectCallerIdentity('123456789012');

      await deploy();

      expect(process.exitCode).toBe(1);
      expect(errorLines()).toEqual([
        `::error::Input '${input}': ${arn} belongs to ${where}, but the AWS credentials act in account ` +
          '123456789012 in eu-west-1; nothing was changed. Use an ARN of this account and region, or the ' +
          'credentials of the other account.',
      ]);
      expect(outputs()).toMatchObject({ status: 'failed', 'task-definition-arn': '', 'deployment-id': '' });
    });
  });

  it('annotates a mutable tag with a ::warning::, not only a summary line', async () => {
    const tagged = {
      ...TASK_DEFINITION,
      containerDefinitions: [{ ...TASK_DEFINITION.containerDefinitions[0], image: 'nginx:latest' }],
    };
    writeFileSync(join(step.dir, 'task-definition.json'), JSON.stringify(tagged));
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42, 'nginx:latest'));

    await deploy();

    expect(outputs()).toMatchObject({ status: 'unchanged' });
    expect(step.stdout.split('\n').filter((line) => line.startsWith('::warning::'))).toEqual([
      '::warning::Container web runs nginx:latest, a mutable tag: the image behind it can change without a deploy, ' +
        'and a rollback may not restore what ran. Pin it by digest (<repository>@sha256:<64 hex>).',
    ]);
  });

  it('goes ahead when the credentials belong to the expected account', async () => {
    setInputs({ 'expected-account-id': '123456789012' });
    expectCallerIdentity('123456789012');
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42));

    await deploy();

    expect(outputs()).toMatchObject({ status: 'unchanged' });
  });

  it('reports a task definition ECS refuses as a user error naming the input and quoting ECS', async () => {
    expectDescribeServices({ deployments: [stable41], events: [{ id: 'e0', message: 'steady' }] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(41, OLD_IMAGE));
    expectEcs(
      'RegisterTaskDefinition',
      TASK_DEFINITION,
      awsError('ClientException', 'Fargate requires that task definition memory be set.'),
      400,
    );

    await deploy();

    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      `::error::Input 'task-definition': ${join(step.dir, 'task-definition.json')}: ECS RegisterTaskDefinition refused the ` +
        'request (ClientException): AWS said: Fargate requires that task definition memory be set.',
    ]);
    expect(step.stdout).not.toContain('this is a bug');
    expect(outputs()).toMatchObject({ status: 'failed', 'deployment-id': '' });
  });

  describe('changes nothing for a bad task-definition file', () => {
    it.each([
      ['not JSON or YAML', '{"family": "web",', /not valid JSON or YAML/],
      [
        'with unknown keys, listing their paths',
        JSON.stringify({
          ...TASK_DEFINITION,
          cpuUnits: 256,
          containerDefinitions: [{ name: 'web', image: IMAGE, healthcheck: {} }],
        }),
        /keys RegisterTaskDefinition does not accept: containerDefinitions\[0\]\.healthcheck, cpuUnits\./,
      ],
      ['without containerDefinitions', JSON.stringify({ family: 'web' }), /containerDefinitions is missing or empty/],
      // What ECS would refuse with a ClientException: the checks render-taskdef runs, before any AWS call.
      [
        'with a cpu Fargate does not offer',
        JSON.stringify({ ...TASK_DEFINITION, cpu: '300' }),
        /cpu: "300" is not a Fargate CPU size/,
      ],
      [
        'with an image that is not a string',
        JSON.stringify({ ...TASK_DEFINITION, containerDefinitions: [{ name: 'web', image: 42 }] }),
        /containerDefinitions\[0\]\.image: 42 is not an image reference/,
      ],
      [
        'with a newline in its family',
        JSON.stringify({ ...TASK_DEFINITION, family: 'web\n::add-mask::x' }),
        /family: "web\\n::add-mask::x" is not a task definition family; expected up to 255 letters/,
      ],
      ['with a duplicate key', '{"family": "web", "family": "other"}', /a key appears twice in one mapping at line 1/],
      ['nested 20,000 deep', '['.repeat(20_000) + ']'.repeat(20_000), /nest deeper than 64 levels/],
    ])('%s', async (_, text, message) => {
      writeFileSync(join(step.dir, 'task-definition.json'), text);

      await deploy();

      expect(process.exitCode).toBe(1);
      expect(errorLines()).toEqual([expect.stringMatching(message)]);
      expect(errorLines()[0]).toContain(`Input 'task-definition': ${join(step.dir, 'task-definition.json')}: `);
      expect(outputs()).toMatchObject({ status: 'failed', 'deployment-id': '' });
    });
  });

  it('notes the read-only keys it strips from a file saved from DescribeTaskDefinition', async () => {
    const described = registered(42) as { taskDefinition: object };
    writeFileSync(join(step.dir, 'task-definition.json'), JSON.stringify(described));
    expectDescribeServices({ deployments: [{ id: 'ecs-svc/2', revision: 42 }] });
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered(42));

    await deploy();

    expect(step.stdout).toMatch(
      /::notice::.*removed read-only keys taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt/,
    );
    expect(outputs()).toMatchObject({ status: 'unchanged' });
  });
});

describe("deploy-ecs: the failed tasks' container log lines", () => {
  afterEach(() => expect(nock.pendingMocks()).toEqual([]));

  const AWSLOGS = {
    logDriver: 'awslogs',
    options: { 'awslogs-group': '/ecs/web', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'web' },
  };

  /** web:42 (with awslogs) is deployed by ARN; its tasks exit; ECS marks the rollout FAILED without rolling back. */
  function expectFailedRolloutOf42WithLogs(): void {
    const circuitBreaker = { enable: true, rollback: false };
    setInputs({ 'task-definition': taskDefinitionArn(42) });
    expectCallerIdentity('123456789012');
    expectDescribeServices({ deployments: [stable41], events: [{ id: 'e0', message: 'steady' }] });
    const described = registered(42) as { taskDefinition: { containerDefinitions: object[] } };
    described.taskDefinition.containerDefinitions = described.taskDefinition.containerDefinitions.map((container) => ({
      ...container,
      logConfiguration: AWSLOGS,
    }));
    expectEcs('DescribeTaskDefinition', { taskDefinition: taskDefinitionArn(42) }, described);
    expectUpdateService(42, [starting42, draining41]);
    expectDescribeServices({
      deployments: [{ ...starting42, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' }, draining41],
      circuitBreaker,
    });
    expectStoppedTasksDiagnosis(['t1']);
  }

  function expectLogEvents(reply: object, status = 200): nock.Scope {
    return nock(`https://logs.${REGION}.amazonaws.com`)
      .post('/', { logGroupName: '/ecs/web', logStreamName: 'web/web/t1', startFromHead: false, limit: 20 })
      .matchHeader('x-amz-target', 'Logs_20140328.GetLogEvents')
      .reply(status, reply, { 'content-type': 'application/x-amz-json-1.1' });
  }

  const FATAL = '{"level":"fatal","msg":"Invalid configuration: DATABASE_URL is required when NODE_ENV=production"}';

  it("shows each failed task's last lines in the log and, collapsed, in the summary", async () => {
    expectFailedRolloutOf42WithLogs();
    expectLogEvents({
      events: [
        { timestamp: 1767225600000, message: '{"level":"info","msg":"starting"}' },
        { timestamp: 1767225600500, message: FATAL },
      ],
      nextBackwardToken: 'b/0',
      nextForwardToken: 'f/2',
    });
    expectRollbackTo41();

    await deploy();

    expect(outputs()).toMatchObject({ status: 'rolled-back' });
    expect(step.stdout).toContain('  web (task t1): last 2 lines of /ecs/web web/web/t1');
    expect(step.stdout).toContain(`    00:00:00.500Z ${FATAL}`);
    expect(summary()).toMatch(/<details><summary>Log lines of task t1<\/summary><pre>[^]*DATABASE_URL is required/);
  });

  it('prints hostile container lines as data: no workflow command, no control character, long lines cut', async () => {
    expectFailedRolloutOf42WithLogs();
    expectLogEvents({
      events: [
        { timestamp: 1767225600000, message: '::add-mask::hunter2' },
        { timestamp: 1767225600001, message: '::stop-commands::x\r::error::forged' },
        { timestamp: 1767225600002, message: '\u001b[31m##[error]red\u001b[0m\u0000' },
        { timestamp: 1767225600003, message: 'y'.repeat(5000) },
      ],
      nextBackwardToken: 'b/0',
    });
    expectRollbackTo41();

    await deploy();

    const commands = runnerCommands(step.stdout).map((command) => command.name);
    expect(commands.filter((name) => !['group', 'endgroup', 'warning', 'error'].includes(name))).toEqual([]);
    expect(runnerCommands(step.stdout).filter((command) => /forged|red|hunter2/.test(command.line))).toEqual([]);
    expect(step.stdout).toContain('\\::add-mask::hunter2');
    expect(step.stdout).toContain(`${'y'.repeat(500)}… (4500 more characters)`);
  });

  it('says once that logs:GetLogEvents is missing, and the deploy result stays rolled-back', async () => {
    expectFailedRolloutOf42WithLogs();
    expectLogEvents(
      awsError('AccessDeniedException', 'User: deploy is not authorized to perform: logs:GetLogEvents'),
      400,
    );
    expectRollbackTo41();

    await deploy();

    expect(outputs()).toMatchObject({ status: 'rolled-back' });
    const notices = step.stdout.split('\n').filter((line) => line.startsWith('::notice::'));
    expect(notices).toEqual([expect.stringMatching(/may not call logs:GetLogEvents on \/ecs\/web\. Grant/)]);
    expect(errorLines()[0]).toContain('Rolled back');
  });

  it('reads no log lines with log-lines: 0', async () => {
    setInputs({ 'log-lines': '0' });
    expectFailedRolloutOf42WithLogs();
    setInputs({ 'log-lines': '0' });
    expectRollbackTo41();

    await deploy();

    expect(outputs()).toMatchObject({ status: 'rolled-back' });
    expect(step.stdout).not.toContain('web (task t1)');
  });
});
