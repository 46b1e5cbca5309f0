import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { AwsError } from '../errors.js';
import { advance, wake } from '../rollout.js';
import type { ServiceRecord, World } from '../world.js';
import {
  ECS_DEPLOYMENT_CONFIGS,
  ECS_LIFECYCLE_EVENTS,
  HOOK_EVENTS,
  isActive,
  type CodeDeployDeploymentRecord,
  type DeploymentGroupRecord,
  type LifecycleEventName,
} from './records.js';
import { groupOf, newCodeDeployId, newLifecycleEvents } from './step.js';

/** CodeDeploy (JSON 1.1, `x-amz-target: CodeDeploy_20141006.<Operation>`); timestamps are epoch seconds. */

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

function requireApplication(world: World, name: unknown): string {
  if (typeof name !== 'string' || name === '')
    throw new AwsError(
      'ApplicationNameRequiredException',
      'The minimum number of required application names was not specified.',
    );
  if (!world.codeDeploy.applications.has(name))
    throw new AwsError('ApplicationDoesNotExistException', `No application found for name: ${name}`);
  return name;
}

function requireGroup(world: World, application: unknown, name: unknown): DeploymentGroupRecord {
  const app = requireApplication(world, application);
  if (typeof name !== 'string' || name === '')
    throw new AwsError('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.');
  const group = world.codeDeploy.deploymentGroups.get(`${app}/${name}`);
  if (!group) throw new AwsError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${name}`);
  return group;
}

function requireDeployment(world: World, id: unknown): CodeDeployDeploymentRecord {
  if (typeof id !== 'string' || id === '')
    throw new AwsError('DeploymentIdRequiredException', 'At least one deployment ID must be specified.');
  if (!/^d-[A-Z0-9]{9}$/.test(id)) throw new AwsError('InvalidDeploymentIdException', `Invalid deployment id: ${id}`);
  const deployment = world.codeDeploy.deployments.find((entry) => entry.id === id);
  if (!deployment) throw new AwsError('DeploymentDoesNotExistException', `The deployment ${id} could not be found.`);
  return deployment;
}

function serviceOf(world: World, deployment: { serviceKey: string }): ServiceRecord {
  return world.services.get(deployment.serviceKey)!;
}

function GetApplication(world: World, input: { applicationName?: string }) {
  const application = world.codeDeploy.applications.get(requireApplication(world, input.applicationName))!;
  return {
    application: {
      applicationId: application.id,
      applicationName: application.name,
      createTime: seconds(application.createdAt),
      linkedToGitHub: false,
      computePlatform: 'ECS',
    },
  };
}

function GetDeploymentGroup(world: World, input: { applicationName?: string; deploymentGroupName?: string }) {
  const group = requireGroup(world, input.applicationName, input.deploymentGroupName);
  const platform = group.computePlatform ?? 'ECS';
  return {
    deploymentGroupInfo: {
      applicationName: group.application,
      deploymentGroupId: group.id,
      deploymentGroupName: group.name,
      deploymentConfigName: group.deploymentConfigName,
      serviceRoleArn: group.serviceRoleArn,
      autoRollbackConfiguration: group.autoRollback,
      alarmConfiguration: {
        enabled: group.alarms.enabled,
        ignorePollAlarmFailure: false,
        alarms: group.alarms.names.map((name) => ({ name })),
      },
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: {
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: group.terminationWaitMinutes,
        },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
      },
      loadBalancerInfo: {
        targetGroupPairInfoList: [
          {
            targetGroups: group.targetGroupNames.map((name) => ({ name })),
            prodTrafficRoute: { listenerArns: [group.productionListenerArn] },
            ...(group.testListenerArn ? { testTrafficRoute: { listenerArns: [group.testListenerArn] } } : {}),
          },
        ],
      },
      ecsServices: platform === 'ECS' ? [{ serviceName: group.serviceName, clusterName: group.clusterName }] : [],
      computePlatform: platform,
      outdatedInstancesStrategy: 'UPDATE',
    },
  };
}

function GetDeploymentConfig(_world: World, input: { deploymentConfigName?: string }) {
  const name = input.deploymentConfigName ?? '';
  const config = ECS_DEPLOYMENT_CONFIGS[name];
  if (!config)
    throw new AwsError('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${name}`);
  const minutes = config.intervalMinutes ?? 0;
  return {
    deploymentConfigInfo: {
      deploymentConfigId: createHash('sha256').update(name).digest('hex').slice(0, 36),
      deploymentConfigName: name,
      createTime: 1_500_000_000,
      computePlatform: 'ECS',
      trafficRoutingConfig: {
        type: config.type,
        ...(config.type === 'TimeBasedCanary'
          ? { timeBasedCanary: { canaryPercentage: config.percent, canaryInterval: minutes } }
          : {}),
        ...(config.type === 'TimeBasedLinear'
          ? { timeBasedLinear: { linearPercentage: config.percent, linearInterval: minutes } }
          : {}),
      },
    },
  };
}

interface AppSpecTarget {
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  hooks: Partial<Record<LifecycleEventName, string>>;
}

function invalidAppSpec(problem: string): AwsError {
  return new AwsError('InvalidRevisionException', `The AppSpec content is not valid: ${problem}`);
}

/** Reads an ECS AppSpec (JSON or YAML) as CodeDeploy does: one AWS::ECS::Service target and its hooks. */
function readAppSpec(world: World, content: string): AppSpecTarget {
  let spec: unknown;
  try {
    spec = parseYaml(content); // YAML is a superset of JSON
  } catch (error) {
    throw invalidAppSpec(`it is neither JSON nor YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const resources = (spec as { Resources?: unknown })?.Resources;
  if (!Array.isArray(resources) || resources.length !== 1)
    throw invalidAppSpec('Resources must list exactly one resource');
  const target = (resources[0] as Record<string, { Type?: string; Properties?: Record<string, unknown> }>)
    ?.TargetService;
  if (target?.Type !== 'AWS::ECS::Service')
    throw invalidAppSpec('the resource must be a TargetService of Type AWS::ECS::Service');
  const properties = target.Properties ?? {};
  const taskDefinitionArn = properties.TaskDefinition;
  if (typeof taskDefinitionArn !== 'string' || !world.taskDefinition(taskDefinitionArn))
    throw invalidAppSpec(`TaskDefinition ${String(taskDefinitionArn)} does not exist`);
  const balancer = properties.LoadBalancerInfo as { ContainerName?: unknown; ContainerPort?: unknown } | undefined;
  if (typeof balancer?.ContainerName !== 'string') throw invalidAppSpec('LoadBalancerInfo.ContainerName is missing');
  const containerPort = Number(balancer.ContainerPort);
  if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535)
    throw invalidAppSpec('LoadBalancerInfo.ContainerPort must be a port number');
  const hooks: AppSpecTarget['hooks'] = {};
  const listed = (spec as { Hooks?: unknown }).Hooks;
  for (const entry of Array.isArray(listed) ? listed : []) {
    for (const [event, lambda] of Object.entries(entry as Record<string, unknown>)) {
      if (!HOOK_EVENTS.includes(event as LifecycleEventName))
        throw invalidAppSpec(`${event} is not a lifecycle hook of an ECS deployment (${HOOK_EVENTS.join(', ')})`);
      hooks[event as LifecycleEventName] = String(lambda);
    }
  }
  return {
    taskDefinitionArn: world.taskDefinition(taskDefinitionArn)!.arn,
    containerName: balancer.ContainerName,
    containerPort,
    hooks,
  };
}

interface CreateDeploymentInput {
  applicationName?: string;
  deploymentGroupName?: string;
  deploymentConfigName?: string;
  description?: string;
  revision?: { revisionType?: string; appSpecContent?: { content?: string; sha256?: string } };
}

function CreateDeployment(world: World, input: CreateDeploymentInput) {
  const group = requireGroup(world, input.applicationName, input.deploymentGroupName);
  const revision = input.revision;
  if (!revision) throw new AwsError('RevisionRequiredException', 'The revision ID was not specified.');
  if (revision.revisionType !== 'AppSpecContent' || typeof revision.appSpecContent?.content !== 'string')
    throw new AwsError(
      'InvalidRevisionException',
      'An ECS deployment needs revisionType AppSpecContent with its content.',
    );
  const content = revision.appSpecContent.content;
  const sha256 = createHash('sha256').update(content).digest('hex');
  if (revision.appSpecContent.sha256 !== undefined && revision.appSpecContent.sha256 !== sha256)
    throw new AwsError('InvalidRevisionException', 'The sha256 of the AppSpec content does not match its content.');
  const configName = input.deploymentConfigName ?? group.deploymentConfigName;
  if (!ECS_DEPLOYMENT_CONFIGS[configName])
    throw new AwsError(
      'DeploymentConfigDoesNotExistException',
      `No deployment configuration found for name: ${configName}`,
    );
  const serviceKey = `${group.clusterName}/${group.serviceName}`;
  const service = world.services.get(serviceKey);
  if (!service || service.deploymentController !== 'CODE_DEPLOY')
    throw new AwsError(
      'InvalidECSServiceException',
      `The ECS service ${group.serviceName} does not use the CODE_DEPLOY deployment controller.`,
    );
  const active = world.codeDeploy.deployments.find((entry) => entry.serviceKey === serviceKey && isActive(entry));
  if (active)
    throw new AwsError(
      'DeploymentLimitExceededException',
      `The Deployment Group '${group.name}' already has an active Deployment '${active.id}'`,
    );
  const target = readAppSpec(world, content);
  const taskDefinition = world.taskDefinition(target.taskDefinitionArn)!;
  const containers = taskDefinition.definition.containerDefinitions as Array<{
    name: string;
    portMappings?: Array<{ containerPort?: number }>;
  }>;
  const container = containers.find((entry) => entry.name === target.containerName);
  if (!container?.portMappings?.some((mapping) => mapping.containerPort === target.containerPort))
    throw invalidAppSpec(
      `the task definition ${taskDefinition.family}:${taskDefinition.revision} has no container ` +
        `${target.containerName} with port ${target.containerPort}`,
    );
  const now = world.now();
  const deployment: CodeDeployDeploymentRecord = {
    id: newCodeDeployId(),
    application: group.application,
    deploymentGroup: group.name,
    deploymentConfigName: configName,
    appSpec: { content, sha256 },
    ...target,
    description: input.description,
    creator: 'user',
    status: 'Created',
    createdAt: now,
    events: newLifecycleEvents(),
    serviceKey,
    greenWeight: 0,
    trafficStep: 0,
  };
  world.codeDeploy.deployments.push(deployment);
  world.log(`${serviceKey}: CreateDeployment ${deployment.id} -> ${taskDefinition.family}:${taskDefinition.revision}`);
  wake(world, service, now);
  return { deploymentId: deployment.id };
}

/** The one ECS target's status, as CodeDeploy reports it. */
function targetStatus(deployment: CodeDeployDeploymentRecord): string {
  if (deployment.status === 'Created' || deployment.status === 'Queued') return 'Pending';
  if (deployment.status === 'Stopped') return 'Failed';
  return deployment.status === 'Baking' ? 'InProgress' : deployment.status;
}

function GetDeployment(world: World, input: { deploymentId?: string }) {
  const deployment = requireDeployment(world, input.deploymentId);
  const group = groupOf(world, deployment);
  const status = targetStatus(deployment);
  const count = (name: string) => (status === name ? 1 : 0);
  return {
    deploymentInfo: {
      applicationName: deployment.application,
      deploymentGroupName: deployment.deploymentGroup,
      deploymentConfigName: deployment.deploymentConfigName,
      deploymentId: deployment.id,
      revision: { revisionType: 'AppSpecContent', appSpecContent: deployment.appSpec },
      status: deployment.status,
      errorInformation: deployment.errorInformation,
      createTime: seconds(deployment.createdAt),
      startTime: seconds(deployment.startedAt),
      completeTime: seconds(deployment.completedAt),
      deploymentOverview: {
        Pending: count('Pending'),
        InProgress: count('InProgress'),
        Succeeded: count('Succeeded'),
        Failed: count('Failed'),
        Skipped: 0,
        Ready: count('Ready'),
      },
      description: deployment.description,
      creator: deployment.creator,
      rollbackInfo: deployment.rollbackInfo,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: GetDeploymentGroup(world, {
        applicationName: group.application,
        deploymentGroupName: group.name,
      }).deploymentGroupInfo.blueGreenDeploymentConfiguration,
      computePlatform: 'ECS',
      deploymentStatusMessages: [],
    },
  };
}

function targetId(deployment: CodeDeployDeploymentRecord): string {
  return deployment.serviceKey.replace('/', ':');
}

function ListDeploymentTargets(world: World, input: { deploymentId?: string }) {
  const deployment = requireDeployment(world, input.deploymentId);
  return { targetIds: [targetId(deployment)] };
}

function ecsTarget(world: World, deployment: CodeDeployDeploymentRecord) {
  const service = serviceOf(world, deployment);
  const group = groupOf(world, deployment);
  const times = deployment.events.flatMap((event) => [event.startedAt ?? 0, event.endedAt ?? 0]);
  const taskSets = [
    { id: deployment.blueTaskSetId, label: 'Blue', targetGroup: group.targetGroupNames[0] },
    { id: deployment.greenTaskSetId, label: 'Green', targetGroup: group.targetGroupNames[1] },
  ];
  // A rollback moves traffic from green back to blue: its Blue is the original task set still.
  const greenWeight = deployment.greenWeight;
  return {
    deploymentTargetType: 'ECSTarget',
    ecsTarget: {
      deploymentId: deployment.id,
      targetId: targetId(deployment),
      targetArn: service.arn,
      lastUpdatedAt: seconds(Math.max(deployment.startedAt ?? deployment.createdAt, ...times)),
      lifecycleEvents: ECS_LIFECYCLE_EVENTS.map((name) => {
        const event = deployment.events.find((entry) => entry.name === name)!;
        return {
          lifecycleEventName: name,
          status: event.status,
          startTime: seconds(event.startedAt),
          endTime: seconds(event.endedAt),
          diagnostics: event.diagnostics,
        };
      }),
      status: targetStatus(deployment),
      taskSetsInfo: taskSets.flatMap(({ id, label, targetGroup }) => {
        const set = service.deployments.find((entry) => entry.id === id);
        if (!set) return [];
        const tasks = service.tasks.filter((task) => task.deploymentId === set.id);
        return [
          {
            identifer: set.id,
            desiredCount: set.desiredCount,
            pendingCount: tasks.filter((task) => task.lastStatus === 'PROVISIONING').length,
            runningCount: tasks.filter((task) => task.lastStatus === 'RUNNING').length,
            status: set.status,
            trafficWeight: label === 'Green' ? greenWeight : 100 - greenWeight,
            targetGroup: { name: targetGroup },
            taskSetLabel: label,
          },
        ];
      }),
    },
  };
}

function GetDeploymentTarget(world: World, input: { deploymentId?: string; targetId?: string }) {
  const deployment = requireDeployment(world, input.deploymentId);
  if (input.targetId !== targetId(deployment))
    throw new AwsError('DeploymentTargetDoesNotExistException', `The target ${input.targetId} was not found.`);
  return { deploymentTarget: ecsTarget(world, deployment) };
}

function BatchGetDeploymentTargets(world: World, input: { deploymentId?: string; targetIds?: string[] }) {
  const deployment = requireDeployment(world, input.deploymentId);
  const ids = input.targetIds ?? [];
  if (ids.length === 0)
    throw new AwsError('DeploymentTargetIdRequiredException', 'A deployment target ID was not provided.');
  const missing = ids.find((id) => id !== targetId(deployment));
  if (missing) throw new AwsError('DeploymentTargetDoesNotExistException', `The target ${missing} was not found.`);
  return { deploymentTargets: ids.map(() => ecsTarget(world, deployment)) };
}

function StopDeployment(world: World, input: { deploymentId?: string; autoRollbackEnabled?: boolean }) {
  const deployment = requireDeployment(world, input.deploymentId);
  if (!isActive(deployment))
    throw new AwsError('DeploymentAlreadyCompletedException', `Deployment ${deployment.id} has already completed.`);
  const group = groupOf(world, deployment);
  // Unset, CodeDeploy rolls back as the deployment group says for DEPLOYMENT_STOP_ON_REQUEST.
  const autoRollback =
    input.autoRollbackEnabled ??
    (group.autoRollback.enabled && group.autoRollback.events.includes('DEPLOYMENT_STOP_ON_REQUEST'));
  deployment.stopRequested = { autoRollback };
  world.log(`${deployment.serviceKey}: StopDeployment ${deployment.id} (autoRollbackEnabled ${autoRollback})`);
  wake(world, serviceOf(world, deployment), world.now());
  return { status: 'Pending', statusMessage: 'Stopping pending. Stopping to be determined.' };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own request type
type Handler = (world: World, input: any) => unknown;

const OPERATIONS: Record<string, Handler> = {
  GetApplication,
  GetDeploymentGroup,
  GetDeploymentConfig,
  CreateDeployment,
  GetDeployment,
  ListDeploymentTargets,
  GetDeploymentTarget,
  BatchGetDeploymentTargets,
  StopDeployment,
};

/** Answers one CodeDeploy operation, after moving every deployment up to now; undefined for one not simulated. */
export function codeDeployOperation(operation: string): ((world: World, input: unknown) => unknown) | undefined {
  const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
  return (
    handler &&
    ((world, input) => {
      advance(world);
      return handler(world, input);
    })
  );
}
