import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  ECSClient,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startLoopbackAws, type LoopbackAws, type ScenarioName } from '../src/index.js';
import { clientsFor, deployNewRevision, describeService } from './clients.js';

const CLUSTER = 'demo-dev';
const SERVICE = 'sample-service';

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

async function start(scenario: ScenarioName) {
  aws = await startLoopbackAws({ scenario, stepMs: 15, minuteMs: 90, throttle: false });
  const clients = clientsFor(aws);
  // The first call loads the SDK's serializers: without it the first deployment may be half done when polled.
  await describeService(clients.ecs, CLUSTER);
  return { aws, ...clients };
}

/** The service deployment created after `since`, found as deploy-ecs finds it. */
async function newest(ecs: ECSClient, since: Date): Promise<string> {
  const { serviceDeployments } = await ecs.send(
    new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE, createdAt: { after: since } }),
  );
  expect(serviceDeployments).toHaveLength(1);
  return serviceDeployments![0].serviceDeploymentArn!;
}

async function describe1(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  const { serviceDeployments } = await ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
  );
  return serviceDeployments![0];
}

/** The record's every change (`STATUS STAGE WEIGHT`), kept by the loopback: polling could miss a 15 ms stage. */
function history(arn: string): string[] {
  const record = [...aws!.state.services.values()]
    .flatMap((service) => service.serviceDeployments)
    .find((entry) => entry.arn === arn);
  return record?.history ?? [];
}

/** Polls the deployment every 15 ms through the SDK until `done`; `seen` is its history in the loopback. */
async function follow(ecs: ECSClient, arn: string, done: (deployment: ServiceDeployment) => boolean) {
  const seen: string[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const deployment = await describe1(ecs, arn);
    const line = `${deployment.status} ${deployment.lifecycleStage ?? '-'} ${deployment.targetServiceRevision?.requestedProductionTrafficWeight}`;
    if (seen.at(-1) !== line) seen.push(line);
    if (done(deployment)) return { deployment, seen: history(arn) };
    if (Date.now() > deadline) throw new Error(`Never done: ${seen.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

const ORDER = [
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
];

const finished = (deployment: ServiceDeployment) =>
  ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'].includes(deployment.status ?? '');

const stages = (seen: string[]) => [...new Set(seen.map((line) => line.split(' ')[1]))];
const weights = (seen: string[]) => [...new Set(seen.map((line) => Number(line.split(' ')[2])))];

describe('service deployments in the loopback', () => {
  it('moves a blue/green deployment through its stages to SUCCESSFUL with all traffic on green', async () => {
    const { ecs } = await start('blue-green');
    const since = new Date(Date.now() - 1000);
    await deployNewRevision(aws!, ecs);
    const arn = await newest(ecs, since);
    const { deployment, seen } = await follow(ecs, arn, finished);
    expect(deployment.status).toBe('SUCCESSFUL');
    expect(deployment.deploymentConfiguration?.strategy).toBe('BLUE_GREEN');
    expect(stages(seen)).toEqual(ORDER);
    expect(deployment.targetServiceRevision).toMatchObject({
      requestedProductionTrafficWeight: 100,
      runningTaskCount: 2,
    });
    const service = await describeService(ecs, CLUSTER);
    expect(service.deployments).toHaveLength(1);
    expect(service.loadBalancers![0].advancedConfiguration?.alternateTargetGroupArn).toMatch(/targetgroup\/.*-green\//);
  });

  it('rolls a blue/green deployment back when its alarm fires during bake time', async () => {
    const { ecs } = await start('blue-green-alarm-rollback');
    const since = new Date(Date.now() - 1000);
    const before = (await describeService(ecs, CLUSTER)).taskDefinition;
    await deployNewRevision(aws!, ecs);
    const { deployment, seen } = await follow(ecs, await newest(ecs, since), finished);
    expect(deployment.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(seen.some((line) => line.startsWith('IN_PROGRESS BAKE_TIME 100'))).toBe(true);
    expect(deployment.alarms).toMatchObject({ status: 'TRIGGERED', triggeredAlarmNames: ['sample-service-5xx'] });
    expect(deployment.rollback?.reason).toMatch(/sample-service-5xx/);
    expect((await describeService(ecs, CLUSTER)).taskDefinition).toBe(before);
  });

  it('shifts a canary deployment 10% first, then all production traffic', async () => {
    const { ecs } = await start('canary');
    const since = new Date(Date.now() - 1000);
    await deployNewRevision(aws!, ecs);
    const { deployment, seen } = await follow(ecs, await newest(ecs, since), finished);
    expect(deployment.status).toBe('SUCCESSFUL');
    expect(weights(seen)).toEqual([0, 10, 100]);
  });

  it('shifts a linear deployment in steps of 25%', async () => {
    const { ecs } = await start('linear');
    const since = new Date(Date.now() - 1000);
    await deployNewRevision(aws!, ecs);
    const { deployment, seen } = await follow(ecs, await newest(ecs, since), finished);
    expect(deployment.status).toBe('SUCCESSFUL');
    expect(weights(seen)).toEqual([0, 25, 50, 75, 100]);
  });

  it('holds a deployment with a PAUSE hook at AWAITING_ACTION until ContinueServiceDeployment CONTINUE', async () => {
    const { ecs } = await start('pause-hook');
    const since = new Date(Date.now() - 1000);
    await deployNewRevision(aws!, ecs);
    const arn = await newest(ecs, since);
    const paused = await follow(ecs, arn, (deployment) =>
      (deployment.lifecycleHookDetails ?? []).some((hook) => hook.status === 'AWAITING_ACTION'),
    );
    expect(paused.deployment).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' });
    expect(paused.deployment.targetServiceRevision).toMatchObject({
      requestedTestTrafficWeight: 100,
      requestedProductionTrafficWeight: 0,
    });
    const hookId = paused.deployment.lifecycleHookDetails![0].hookId!;
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: 'CONTINUE' }));
    const { deployment } = await follow(ecs, arn, finished);
    expect(deployment.status).toBe('SUCCESSFUL');
    expect(deployment.lifecycleHookDetails![0].status).toBe('SUCCEEDED');
  });

  it('puts the green tasks of a paused deployment in the alternate target group, behind the test listener', async () => {
    const { ecs, elb } = await start('pause-hook');
    const since = new Date(Date.now() - 1000);
    await deployNewRevision(aws!, ecs);
    const arn = await newest(ecs, since);
    await follow(ecs, arn, (deployment) =>
      (deployment.lifecycleHookDetails ?? []).some((hook) => hook.status === 'AWAITING_ACTION'),
    );
    const service = await describeService(ecs, CLUSTER);
    const green = service.loadBalancers![0].advancedConfiguration!.alternateTargetGroupArn!;
    const record = aws!.state.services.get(`${CLUSTER}/${SERVICE}`)!;
    const greenIps = record.tasks
      .filter((task) => task.deploymentId === record.deployments[0]!.id)
      .map((task) => task.ip)
      .sort();
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: green }));
    expect(health.TargetHealthDescriptions!.map((target) => target.Target!.Id).sort()).toEqual(greenIps);
    expect(greenIps).toHaveLength(2);
  });

  it('rolls a paused deployment back on ContinueServiceDeployment ROLLBACK', async () => {
    const { ecs } = await start('pause-hook');
    const since = new Date(Date.now() - 1000);
    await deployNewRevision(aws!, ecs);
    const arn = await newest(ecs, since);
    const paused = await follow(ecs, arn, (deployment) => (deployment.lifecycleHookDetails ?? []).length > 0);
    const hookId = paused.deployment.lifecycleHookDetails![0].hookId!;
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: 'ROLLBACK' }));
    const { deployment } = await follow(ecs, arn, finished);
    expect(deployment.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(deployment.targetServiceRevision?.requestedProductionTrafficWeight).toBe(0);
  });

  it('rolls a rolling deployment back in flight with StopServiceDeployment ROLLBACK', async () => {
    const { ecs } = await start('stop-deployment-rollback');
    const since = new Date(Date.now() - 1000);
    const before = (await describeService(ecs, CLUSTER)).taskDefinition;
    await deployNewRevision(aws!, ecs);
    const arn = await newest(ecs, since);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await describe1(ecs, arn)).deploymentCircuitBreaker).toMatchObject({ status: 'DISABLED' });
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    const { deployment, seen } = await follow(ecs, arn, finished);
    expect(seen.map((line) => line.split(' ')[0])).toContain('ROLLBACK_IN_PROGRESS');
    expect(deployment.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(deployment.rollback?.reason).toMatch(/StopServiceDeployment/);
    const service = await describeService(ecs, CLUSTER);
    expect(service.taskDefinition).toBe(before);
    expect(service.deployments).toHaveLength(1);
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })),
    ).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('marks an earlier deployment still in flight STOPPED when UpdateService starts another', async () => {
    const { ecs } = await start('stop-deployment-rollback');
    const since = new Date(Date.now() - 1000);
    await deployNewRevision(aws!, ecs);
    const first = await newest(ecs, since);
    aws!.setScenario('completes');
    await deployNewRevision(aws!, ecs);
    expect((await describe1(ecs, first)).status).toBe('STOPPED');
    // The second one may already have completed under load, so it is found by its creation time, not by IN_PROGRESS.
    const { serviceDeployments } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE, createdAt: { after: since } }),
    );
    const second = serviceDeployments!.filter((entry) => entry.serviceDeploymentArn !== first);
    expect(second).toHaveLength(1);
    expect(['IN_PROGRESS', 'SUCCESSFUL']).toContain(second[0].status);
    expect(history(second[0].serviceDeploymentArn!).some((change) => change.startsWith('STOPPED'))).toBe(false);
  });

  it('refuses more than 20 ARNs in one DescribeServiceDeployments', async () => {
    const { ecs } = await start('completes');
    const arns = Array.from({ length: 21 }, (_, i) => `arn:aws:ecs:eu-west-1:123456789012:service-deployment/x/y/${i}`);
    await expect(
      ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('ECS token buckets in the loopback', () => {
  it('answers ThrottlingException once the DescribeServices burst of 100 is spent, and refills at 20/s', async () => {
    let now = Date.UTC(2026, 0, 1);
    aws = await startLoopbackAws({ now: () => now });
    const ecs = new ECSClient({
      endpoint: aws.url,
      region: aws.region,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
    const describeServices = () => ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
    for (let i = 0; i < 100; i++) await describeServices();
    await expect(describeServices()).rejects.toMatchObject({ name: 'ThrottlingException' });
    // Another bucket: DescribeServiceDeployments still has its own 50.
    await expect(
      ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE })),
    ).resolves.toBeDefined();
    now += 100; // 2 tokens at 20/s
    await describeServices();
    await describeServices();
    await expect(describeServices()).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(aws.requests.filter((request) => request.error === 'ThrottlingException')).toHaveLength(2);
  });
});
