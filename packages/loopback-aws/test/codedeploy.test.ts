// The loopback's CodeDeploy (ECS blue/green) through the real @aws-sdk/client-codedeploy.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type ScenarioName,
} from '../src/index.js';
import { clientsFor, describeService } from './clients.js';

const APPLICATION = 'AppECS-demo-dev-sample-service';
const GROUP = 'DgpECS-demo-dev-sample-service';

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

async function start(scenario: ScenarioName) {
  aws = await startLoopbackAws({ scenario, stepMs: 15, minuteMs: 90, throttle: false });
  const clients = clientsFor(aws);
  const codedeploy = new CodeDeployClient({
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
  const input = sampleTaskDefinition(aws.state, 'dev', sampleImageUri(aws.accountId, aws.region));
  const { taskDefinition } = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({ ...input, cpu: '512', memory: '1024' } as never),
  );
  return { aws, codedeploy, ...clients, revision: taskDefinition!.taskDefinitionArn! };
}

function appSpec(taskDefinition: string, extra = ''): string {
  return [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    `        TaskDefinition: "${taskDefinition}"`,
    '        LoadBalancerInfo:',
    '          ContainerName: web',
    '          ContainerPort: 3000',
    extra,
  ].join('\n');
}

async function create(codedeploy: CodeDeployClient, content: string): Promise<string> {
  const { deploymentId } = await codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: APPLICATION,
      deploymentGroupName: GROUP,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
    }),
  );
  return deploymentId!;
}

async function until(
  codedeploy: CodeDeployClient,
  id: string,
  done: (info: DeploymentInfo) => boolean,
  timeoutMs = 10_000,
): Promise<DeploymentInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { deploymentInfo } = await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }));
    if (done(deploymentInfo!)) return deploymentInfo!;
    if (Date.now() > deadline) throw new Error(`Deployment ${id} stayed ${deploymentInfo!.status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ended = (info: DeploymentInfo) => ['Succeeded', 'Failed', 'Stopped'].includes(info.status ?? '');

describe('the loopback CodeDeploy', () => {
  it('describes the deployment group and configuration of a CODE_DEPLOY service as the console names them', async () => {
    const { codedeploy, ecs } = await start('codedeploy');
    const { deploymentGroupInfo } = await codedeploy.send(
      new GetDeploymentGroupCommand({ applicationName: APPLICATION, deploymentGroupName: GROUP }),
    );
    expect(deploymentGroupInfo).toMatchObject({
      computePlatform: 'ECS',
      deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      ecsServices: [{ clusterName: 'demo-dev', serviceName: 'sample-service' }],
    });
    const { deploymentConfigInfo } = await codedeploy.send(
      new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes' }),
    );
    expect(deploymentConfigInfo?.trafficRoutingConfig).toEqual({
      type: 'TimeBasedCanary',
      timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 },
    });
    const service = await describeService(ecs, 'demo-dev');
    expect(service.deploymentController?.type).toBe('CODE_DEPLOY');
    expect(service.deployments).toEqual([]);
    expect(service.taskSets).toHaveLength(1);
  });

  it('moves a deployment through its lifecycle events and traffic steps to Succeeded, blue stopped', async () => {
    const { codedeploy, ecs, revision } = await start('codedeploy');
    const id = await create(codedeploy, appSpec(revision));
    const [targetId] = (await codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId: id }))).targetIds!;
    expect(targetId).toBe('demo-dev:sample-service');
    const weights = new Set<string>();
    const info = await until(codedeploy, id, (current) => {
      void codedeploy
        .send(new GetDeploymentTargetCommand({ deploymentId: id, targetId }))
        .then(({ deploymentTarget }) => {
          const green = deploymentTarget?.ecsTarget?.taskSetsInfo?.find((set) => set.taskSetLabel === 'Green');
          if (green) weights.add(String(green.trafficWeight));
        })
        .catch(() => undefined);
      return ended(current);
    });
    expect(info.status).toBe('Succeeded');
    expect(weights).toContain('10');
    const { deploymentTargets } = await codedeploy.send(
      new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds: [targetId] }),
    );
    const events = deploymentTargets![0].ecsTarget!.lifecycleEvents!.map((e) => `${e.lifecycleEventName} ${e.status}`);
    expect(events).toEqual([
      'BeforeInstall Skipped',
      'Install Succeeded',
      'AfterInstall Skipped',
      'AllowTestTraffic Succeeded',
      'AfterAllowTestTraffic Skipped',
      'BeforeAllowTraffic Skipped',
      'AllowTraffic Succeeded',
      'AfterAllowTraffic Skipped',
    ]);
    const service = await describeService(ecs, 'demo-dev');
    expect(service.taskSets?.map((set) => [set.status, set.taskDefinition])).toEqual([['PRIMARY', revision]]);
    expect(service.taskDefinition).toBe(revision);
  });

  it('runs the hooks an AppSpec in JSON names', async () => {
    const { codedeploy, revision } = await start('codedeploy');
    const content = JSON.stringify({
      version: 0.0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: revision,
              LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 3000 },
            },
          },
        },
      ],
      Hooks: [{ AfterAllowTestTraffic: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke' }],
    });
    const id = await create(codedeploy, content);
    await until(codedeploy, id, ended);
    const { deploymentTarget } = await codedeploy.send(
      new GetDeploymentTargetCommand({ deploymentId: id, targetId: 'demo-dev:sample-service' }),
    );
    const hook = deploymentTarget?.ecsTarget?.lifecycleEvents?.find(
      (e) => e.lifecycleEventName === 'AfterAllowTestTraffic',
    );
    expect(hook?.status).toBe('Succeeded');
  });

  it('fails the deployment when its alarm goes into ALARM and rolls back to blue in another deployment', async () => {
    const { codedeploy, ecs, revision } = await start('codedeploy-rollback');
    const before = (await describeService(ecs, 'demo-dev')).taskDefinition;
    const id = await create(codedeploy, appSpec(revision));
    const failed = await until(codedeploy, id, ended);
    expect(failed.status).toBe('Failed');
    expect(failed.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(failed.errorInformation?.message).toContain('sample-service-5xx');
    const rollbackId = failed.rollbackInfo?.rollbackDeploymentId;
    expect(rollbackId).toMatch(/^d-[A-Z0-9]{9}$/);
    const rollback = await until(codedeploy, rollbackId!, ended);
    expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'autoRollback' });
    expect(rollback.rollbackInfo?.rollbackTriggeringDeploymentId).toBe(id);
    const service = await describeService(ecs, 'demo-dev');
    expect(service.taskSets?.map((set) => [set.status, set.taskDefinition])).toEqual([['PRIMARY', before]]);
  });

  it('stops a deployment with StopDeployment autoRollbackEnabled and rolls it back', async () => {
    const { codedeploy, ecs, revision } = await start('codedeploy-tasks-keep-stopping');
    const id = await create(codedeploy, appSpec(revision));
    await until(codedeploy, id, (info) => info.status === 'InProgress');
    const stopped = await codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    expect(stopped.status).toBe('Pending');
    const info = await until(codedeploy, id, ended);
    expect(info.status).toBe('Stopped');
    await until(codedeploy, info.rollbackInfo!.rollbackDeploymentId!, (rollback) => rollback.status === 'Succeeded');
    const service = await describeService(ecs, 'demo-dev');
    expect(service.taskSets).toHaveLength(1);
    await expect(codedeploy.send(new StopDeploymentCommand({ deploymentId: id }))).rejects.toMatchObject({
      name: 'DeploymentAlreadyCompletedException',
    });
  });

  it('refuses what CodeDeploy refuses: a second active deployment, a bad AppSpec, an unknown group, UpdateService', async () => {
    const { codedeploy, ecs, revision } = await start('codedeploy-tasks-keep-stopping');
    await expect(create(codedeploy, 'Resources: [')).rejects.toMatchObject({ name: 'InvalidRevisionException' });
    await expect(create(codedeploy, appSpec(revision).replace('3000', '8080'))).rejects.toMatchObject({
      name: 'InvalidRevisionException',
    });
    await expect(
      codedeploy.send(new GetDeploymentGroupCommand({ applicationName: APPLICATION, deploymentGroupName: 'nope' })),
    ).rejects.toMatchObject({ name: 'DeploymentGroupDoesNotExistException' });
    const id = await create(codedeploy, appSpec(revision));
    await expect(create(codedeploy, appSpec(revision))).rejects.toMatchObject({
      name: 'DeploymentLimitExceededException',
      message: expect.stringContaining(id),
    });
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'demo-dev', service: 'sample-service', taskDefinition: revision })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
