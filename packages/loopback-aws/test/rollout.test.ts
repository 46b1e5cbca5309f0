import { afterEach, describe, expect, it } from '@jest/globals';
import { DescribeTasksCommand, ListTasksCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  OTHER_IMAGE_DIGEST,
  SAMPLE_CONTAINER,
  SAMPLE_IMAGE_DIGEST,
  startLoopbackAws,
  type LoopbackAws,
  type ScenarioName,
} from '../src/index.js';
import { clientsFor, deployNewRevision, describeService, primaryOf, settled, waitForService } from './clients.js';

const PREVIOUS = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-dev:1';
const NEW = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-dev:2';

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

async function start(scenario: ScenarioName) {
  aws = await startLoopbackAws({ scenario, stepMs: 20 });
  return { aws, ...clientsFor(aws) };
}

async function runningTasks(ecs: ECSClient, startedBy?: string) {
  const { taskArns } = await ecs.send(
    new ListTasksCommand({ cluster: 'demo-dev', serviceName: 'sample-service', startedBy }),
  );
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'demo-dev', tasks: taskArns }));
  return tasks!;
}

async function rollBack(ecs: ECSClient) {
  await ecs.send(
    new UpdateServiceCommand({ cluster: 'demo-dev', service: 'sample-service', taskDefinition: PREVIOUS }),
  );
  return waitForService(ecs, 'demo-dev', (service) => settled(service) && service.taskDefinition === PREVIOUS);
}

describe('a rollout with the completes scenario', () => {
  it('starts as a second PRIMARY deployment with the old one ACTIVE', async () => {
    const frozen = Date.now();
    aws = await startLoopbackAws({ stepMs: 20, now: () => frozen });
    const { ecs } = clientsFor(aws);
    await deployNewRevision(aws, ecs);
    const service = await describeService(ecs, 'demo-dev');
    expect(service.deployments!.map((d) => [d.status, d.taskDefinition, d.rolloutState])).toEqual([
      ['PRIMARY', NEW, 'IN_PROGRESS'],
      ['ACTIVE', PREVIOUS, 'COMPLETED'],
    ]);
    expect(service.deployments![0].id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(service.taskDefinition).toBe(NEW);
  });

  it('reaches COMPLETED with one deployment, the new tasks running and a steady-state event', async () => {
    const { aws, ecs } = await start('completes');
    await deployNewRevision(aws, ecs);
    const service = await waitForService(ecs, 'demo-dev', settled);
    const primary = primaryOf(service);
    expect(primary).toMatchObject({
      taskDefinition: NEW,
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      failedTasks: 0,
    });
    expect(primary.rolloutStateReason).toBe(`ECS deployment ${primary.id} completed.`);
    expect(service.runningCount).toBe(2);
    const messages = service.events!.map((event) => event.message ?? '');
    expect(messages[0]).toBe('(service sample-service) has reached a steady state.');
    expect(messages[1]).toBe(`(service sample-service) (deployment ${primary.id}) deployment completed.`);
    expect(messages.filter((m) => /has started 1 tasks: \(task [0-9a-f]{32}\)\.$/.test(m))).toHaveLength(2);
    expect(messages.filter((m) => /has stopped 1 running tasks: \(task [0-9a-f]{32}\)\.$/.test(m))).toHaveLength(2);
    expect(service.events![0].createdAt!.getTime()).toBeGreaterThanOrEqual(service.events![1].createdAt!.getTime());
    const tasks = await runningTasks(ecs);
    expect(tasks.map((task) => [task.startedBy, task.taskDefinitionArn, task.containers![0].imageDigest])).toEqual([
      [primary.id, NEW, SAMPLE_IMAGE_DIGEST],
      [primary.id, NEW, SAMPLE_IMAGE_DIGEST],
    ]);
  });

  it('registers the new tasks as healthy targets and removes the old ones', async () => {
    const { aws, ecs, elb } = await start('completes');
    const before = (await runningTasks(ecs)).map((task) => ipOf(task));
    await deployNewRevision(aws, ecs);
    const service = await waitForService(ecs, 'demo-dev', settled);
    const after = (await runningTasks(ecs)).map((task) => ipOf(task));
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: service.loadBalancers![0].targetGroupArn }),
    );
    expect(
      TargetHealthDescriptions!.map((target) => [target.Target!.Id, target.Target!.Port, target.TargetHealth!.State]),
    ).toEqual(after.map((ip) => [ip, 3000, 'healthy']));
    expect(after.some((ip) => before.includes(ip))).toBe(false);
  });

  it('moves one step per stepMs of the injected clock', async () => {
    let now = Date.now();
    aws = await startLoopbackAws({ stepMs: 1_000, now: () => now });
    const { ecs } = clientsFor(aws);
    await deployNewRevision(aws, ecs);
    now += 999;
    expect((await describeService(ecs, 'demo-dev')).events![0].message).toMatch(/steady state/);
    now += 1;
    expect((await describeService(ecs, 'demo-dev')).events![0].message).toMatch(/has started 1 tasks/);
    now += 60_000;
    expect(settled(await describeService(ecs, 'demo-dev'))).toBe(true);
  });

  it('keeps the old tasks serving until the new ones run (minimum healthy 100%)', async () => {
    const { aws, ecs } = await start('completes');
    await deployNewRevision(aws, ecs);
    const seen = new Set<number>();
    await waitForService(ecs, 'demo-dev', (service) => {
      seen.add(service.runningCount!);
      return settled(service);
    });
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(2);
  });
});

describe('the circuit-breaker-rollback scenario', () => {
  it('fails the new deployment after 3 stopped tasks and rolls back to the previous task definition', async () => {
    const { aws, ecs } = await start('circuit-breaker-rollback');
    const lastCompleted = primaryOf(await describeService(ecs, 'demo-dev'));
    await deployNewRevision(aws, ecs);
    const failing = await waitForService(ecs, 'demo-dev', (service) =>
      service.deployments!.some((d) => d.rolloutState === 'FAILED'),
    );
    const [rollback, failed] = failing.deployments!;
    expect(rollback).toMatchObject({ status: 'PRIMARY', taskDefinition: PREVIOUS, rolloutState: 'IN_PROGRESS' });
    expect(rollback.rolloutStateReason).toBe(
      `ECS deployment circuit breaker: rolling back to deploymentId ${lastCompleted.id}.`,
    );
    expect(failed).toMatchObject({
      status: 'ACTIVE',
      taskDefinition: NEW,
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      failedTasks: 3,
    });
    expect(failing.events!.map((e) => e.message)).toContain(
      `(service sample-service) (deployment ${failed.id}) deployment failed: tasks failed to start.`,
    );
    expect(rollback.id).not.toBe(lastCompleted.id);

    const done = await waitForService(ecs, 'demo-dev', settled);
    expect(done.taskDefinition).toBe(PREVIOUS);
    expect(primaryOf(done).id).toBe(rollback.id);
  });

  it('reports the stopped tasks with exit code 1 and the reason ECS gives', async () => {
    const { aws, ecs } = await start('circuit-breaker-rollback');
    await deployNewRevision(aws, ecs);
    const failing = await waitForService(ecs, 'demo-dev', (s) =>
      s.deployments!.some((d) => d.rolloutState === 'FAILED'),
    );
    const failedId = failing.deployments!.find((d) => d.rolloutState === 'FAILED')!.id;
    const { taskArns } = await ecs.send(
      new ListTasksCommand({ cluster: 'demo-dev', startedBy: failedId, desiredStatus: 'STOPPED' }),
    );
    expect(taskArns).toHaveLength(3);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'demo-dev', tasks: taskArns }));
    for (const task of tasks!) {
      expect(task).toMatchObject({
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        startedBy: failedId,
        taskDefinitionArn: NEW,
      });
      expect(task.containers![0]).toMatchObject({ name: SAMPLE_CONTAINER, lastStatus: 'STOPPED', exitCode: 1 });
    }
  });

  it('only marks the rollout FAILED when the circuit breaker has no rollback', async () => {
    aws = await startLoopbackAws({
      scenario: 'circuit-breaker-rollback',
      stepMs: 20,
      circuitBreaker: { enable: true, rollback: false },
    });
    const { ecs } = clientsFor(aws);
    await deployNewRevision(aws, ecs);
    const failed = await waitForService(ecs, 'demo-dev', (s) => primaryOf(s).rolloutState === 'FAILED');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const later = await describeService(ecs, 'demo-dev');
    expect(later.deployments!.map((d) => [d.status, d.taskDefinition, d.rolloutState, d.failedTasks])).toEqual([
      ['PRIMARY', NEW, 'FAILED', 3],
      ['ACTIVE', PREVIOUS, 'COMPLETED', 0],
    ]);
    expect(later.deploymentConfiguration!.deploymentCircuitBreaker).toEqual({ enable: true, rollback: false });
    expect(later.runningCount).toBe(2);
    expect(failed.events![0].message).toMatch(/deployment failed: tasks failed to start\.$/);
  });
});

describe('the tasks-keep-stopping scenario', () => {
  it('keeps the rollout IN_PROGRESS while failed tasks pile up, with no circuit breaker', async () => {
    const { aws, ecs } = await start('tasks-keep-stopping');
    await deployNewRevision(aws, ecs);
    const service = await waitForService(ecs, 'demo-dev', (s) => primaryOf(s).failedTasks! >= 6);
    expect(service.deploymentConfiguration!.deploymentCircuitBreaker).toEqual({ enable: false, rollback: false });
    expect(primaryOf(service)).toMatchObject({ taskDefinition: NEW, rolloutState: 'IN_PROGRESS', runningCount: 0 });
    expect(service.deployments).toHaveLength(2);
    expect(service.events!.map((e) => e.message)).toContain(
      '(service sample-service) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
    );
  });

  it('completes a later UpdateService back to the previous task definition', async () => {
    const { aws, ecs } = await start('tasks-keep-stopping');
    await deployNewRevision(aws, ecs);
    await waitForService(ecs, 'demo-dev', (s) => primaryOf(s).failedTasks! >= 3);
    const done = await rollBack(ecs);
    expect(primaryOf(done)).toMatchObject({ taskDefinition: PREVIOUS, runningCount: 2, failedTasks: 0 });
    expect(await runningTasks(ecs)).toHaveLength(2);
  });
});

describe('the targets-unhealthy scenario', () => {
  it('completes the rollout in ECS while the new targets stay unhealthy with HTTP 502', async () => {
    const { aws, ecs, elb } = await start('targets-unhealthy');
    await deployNewRevision(aws, ecs);
    const service = await waitForService(ecs, 'demo-dev', settled);
    expect(service.taskDefinition).toBe(NEW);
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: service.loadBalancers![0].targetGroupArn }),
    );
    expect(TargetHealthDescriptions).toHaveLength(2);
    for (const target of TargetHealthDescriptions!) {
      expect(target.TargetHealth).toEqual({
        State: 'unhealthy',
        Reason: 'Target.ResponseCodeMismatch',
        Description: 'Health checks failed with these codes: [502]',
      });
    }
  });

  it('turns the targets healthy again after a rollback to the previous revision', async () => {
    const { aws, ecs, elb } = await start('targets-unhealthy');
    await deployNewRevision(aws, ecs);
    await waitForService(ecs, 'demo-dev', settled);
    const done = await rollBack(ecs);
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: done.loadBalancers![0].targetGroupArn }),
    );
    expect(TargetHealthDescriptions!.map((target) => target.TargetHealth!.State)).toEqual(['healthy', 'healthy']);
  });
});

describe('the wrong-digest scenario', () => {
  it('completes with healthy targets but the new tasks report the other digest', async () => {
    const { aws, ecs, elb } = await start('wrong-digest');
    await deployNewRevision(aws, ecs);
    const service = await waitForService(ecs, 'demo-dev', settled);
    const tasks = await runningTasks(ecs, primaryOf(service).id);
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task.containers![0].image).toContain(`@${SAMPLE_IMAGE_DIGEST}`);
      expect(task.containers![0].imageDigest).toBe(OTHER_IMAGE_DIGEST);
    }
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: service.loadBalancers![0].targetGroupArn }),
    );
    expect(TargetHealthDescriptions!.map((target) => target.TargetHealth!.State)).toEqual(['healthy', 'healthy']);
  });

  it('runs the expected digest again after a rollback to the previous revision', async () => {
    const { aws, ecs } = await start('wrong-digest');
    await deployNewRevision(aws, ecs);
    await waitForService(ecs, 'demo-dev', settled);
    const done = await rollBack(ecs);
    const tasks = await runningTasks(ecs, primaryOf(done).id);
    expect(tasks.map((task) => task.containers![0].imageDigest)).toEqual([SAMPLE_IMAGE_DIGEST, SAMPLE_IMAGE_DIGEST]);
  });
});

describe('setScenario', () => {
  it('changes how the next new revision rolls out, not the revisions that already ran', async () => {
    const { aws, ecs } = await start('completes');
    await deployNewRevision(aws, ecs);
    await waitForService(ecs, 'demo-dev', settled);
    aws.setScenario('circuit-breaker-rollback');
    expect(aws.scenario).toBe('circuit-breaker-rollback');
    await deployNewRevision(aws, ecs);
    const done = await waitForService(
      ecs,
      'demo-dev',
      (s) => settled(s) && s.events!.some((e) => e.message!.includes('rolling back')),
    );
    expect(done.taskDefinition).toBe(NEW);
  });
});

function ipOf(task: { attachments?: Array<{ details?: Array<{ name?: string; value?: string }> }> }): string {
  return task.attachments![0].details!.find((detail) => detail.name === 'privateIPv4Address')!.value!;
}
