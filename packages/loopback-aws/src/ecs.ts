import type {
  DeregisterTaskDefinitionRequest,
  DescribeServicesRequest,
  DescribeTaskDefinitionRequest,
  DescribeTasksRequest,
  ListTaskDefinitionsRequest,
  ListTasksRequest,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { AwsError } from './errors.js';
import { ONE_OFF_OPERATIONS, advanceOneOffTasks, findOneOffTask, oneOffTaskShape } from './one-off.js';
import { paginate } from './paging.js';
import { advance, startDeployment, wake } from './rollout.js';
import { SERVICE_DEPLOYMENT_OPERATIONS } from './service-deployments.js';
import { SERVICE_REVISION_OPERATIONS } from './service-revisions.js';
import { registerTaskDefinition, taskDefinitionShape } from './taskdefs.js';
import type { ClusterRecord, DeploymentRecord, ServiceRecord, TaskRecord, World } from './world.js';

/** ECS (JSON 1.1, `x-amz-target: AmazonEC2ContainerServiceV20141113.<Operation>`); timestamps are epoch seconds. */

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

function networkConfiguration(service: ServiceRecord) {
  return {
    awsvpcConfiguration: {
      subnets: service.subnets,
      securityGroups: service.securityGroups,
      assignPublicIp: 'DISABLED',
    },
  };
}

function deploymentShape(service: ServiceRecord, deployment: DeploymentRecord) {
  const tasks = service.tasks.filter((task) => task.deploymentId === deployment.id);
  return {
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinitionArn,
    desiredCount: deployment.desiredCount,
    pendingCount: tasks.filter((task) => task.lastStatus === 'PROVISIONING').length,
    runningCount: tasks.filter((task) => task.lastStatus === 'RUNNING').length,
    failedTasks: deployment.failedTasks,
    createdAt: seconds(deployment.createdAt),
    updatedAt: seconds(deployment.updatedAt),
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    networkConfiguration: networkConfiguration(service),
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  };
}

/** A CODE_DEPLOY service's task set: one per CodeDeploy deployment, the one serving production PRIMARY. */
function taskSetShape(world: World, service: ServiceRecord, deployment: DeploymentRecord) {
  const tasks = service.tasks.filter((task) => task.deploymentId === deployment.id);
  const running = tasks.filter((task) => task.lastStatus === 'RUNNING').length;
  const codeDeploy = world.codeDeploy.deployments.findLast(
    (entry) => entry.greenTaskSetId === deployment.id && entry.creator === 'user',
  );
  return {
    id: deployment.id,
    taskSetArn: world.arn('ecs', `task-set/${service.clusterName}/${service.name}/${deployment.id}`),
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    startedBy: 'CodeDeploy',
    externalId: codeDeploy?.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinitionArn,
    computedDesiredCount: deployment.desiredCount,
    pendingCount: tasks.filter((task) => task.lastStatus === 'PROVISIONING').length,
    runningCount: running,
    createdAt: seconds(deployment.createdAt),
    updatedAt: seconds(deployment.updatedAt),
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    networkConfiguration: networkConfiguration(service),
    loadBalancers: service.loadBalancers.map(({ targetGroupArn, containerName, containerPort }) => ({
      targetGroupArn,
      containerName,
      containerPort,
    })),
    scale: { value: 100, unit: 'PERCENT' },
    stabilityStatus: running === deployment.desiredCount ? 'STEADY_STATE' : 'STABILIZING',
    stabilityStatusAt: seconds(deployment.updatedAt),
  };
}

function serviceShape(world: World, service: ServiceRecord) {
  const primary = service.deployments[0];
  const codeDeploy = service.deploymentController === 'CODE_DEPLOY';
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    loadBalancers: service.loadBalancers,
    serviceRegistries: [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: service.tasks.filter((task) => task.lastStatus === 'RUNNING').length,
    pendingCount: service.tasks.filter((task) => task.lastStatus === 'PROVISIONING').length,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    platformFamily: 'Linux',
    taskDefinition: primary?.taskDefinitionArn,
    deploymentConfiguration: {
      deploymentCircuitBreaker: service.circuitBreaker,
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...service.settings,
    },
    currentServiceDeployment: service.serviceDeployments[0]?.arn,
    // CodeDeploy's services have task sets, not deployments.
    deployments: codeDeploy ? [] : service.deployments.map((deployment) => deploymentShape(service, deployment)),
    ...(codeDeploy
      ? { taskSets: service.deployments.map((deployment) => taskSetShape(world, service, deployment)) }
      : {}),
    events: service.events.map((event) => ({ ...event, createdAt: seconds(event.createdAt) })),
    createdAt: seconds(service.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: networkConfiguration(service),
    healthCheckGracePeriodSeconds: service.loadBalancers.length > 0 ? 30 : 0,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: service.deploymentController },
    createdBy: `arn:aws:iam::${world.accountId}:role/platform-admin`,
    enableECSManagedTags: true,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    availabilityZoneRebalancing: 'ENABLED',
  };
}

function taskShape(world: World, service: ServiceRecord, task: TaskRecord) {
  const taskDefinition = world.taskDefinition(task.taskDefinitionArn);
  const containers = (taskDefinition?.definition.containerDefinitions ?? []) as Array<{ name: string; image: string }>;
  const stopped = task.lastStatus === 'STOPPED';
  const id = task.id;
  const attachmentId = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
  const eni = `eni-0${task.id.slice(0, 16)}`;
  const running = world.tasks.state(world, service, task);
  const healthStatus = !stopped && 'healthStatus' in running ? running.healthStatus : 'UNKNOWN';
  return {
    attachments: [
      {
        id: attachmentId,
        type: 'ElasticNetworkInterface',
        status: stopped ? 'DELETED' : 'ATTACHED',
        details: [
          { name: 'subnetId', value: service.subnets[0] },
          { name: 'networkInterfaceId', value: eni },
          { name: 'macAddress', value: `0a:${task.id.slice(0, 10).match(/../g)!.join(':')}` },
          { name: 'privateDnsName', value: `ip-${task.ip.replace(/\./g, '-')}.${world.region}.compute.internal` },
          { name: 'privateIPv4Address', value: task.ip },
        ],
      },
    ],
    availabilityZone: task.availabilityZone,
    clusterArn: service.clusterArn,
    connectivity: stopped ? undefined : 'CONNECTED',
    connectivityAt: seconds(task.createdAt + 2_000),
    containers: containers.map((container) => ({
      containerArn: `${service.clusterArn.replace(':cluster/', ':container/')}/${task.id}/${container.name}`,
      taskArn: task.arn,
      name: container.name,
      image: container.image,
      imageDigest: task.startedAt === undefined ? undefined : task.imageDigests[container.name],
      runtimeId: `${task.id}-${container.name}`,
      lastStatus:
        task.lastStatus === 'DEACTIVATING'
          ? 'RUNNING'
          : task.lastStatus === 'PROVISIONING'
            ? 'PENDING'
            : task.lastStatus,
      exitCode: stopped ? task.exitCode : undefined,
      networkBindings: [],
      networkInterfaces: [{ attachmentId, privateIpv4Address: task.ip }],
      healthStatus,
      cpu: '0',
    })),
    cpu: String(taskDefinition?.definition.cpu ?? '256'),
    memory: String(taskDefinition?.definition.memory ?? '512'),
    createdAt: seconds(task.createdAt),
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: false,
    group: `service:${service.name}`,
    healthStatus,
    lastStatus: task.lastStatus,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    pullStartedAt: task.startedAt === undefined ? undefined : seconds(task.createdAt + 3_000),
    pullStoppedAt: task.startedAt === undefined ? undefined : seconds(task.createdAt + 8_000),
    startedAt: seconds(task.startedAt),
    startedBy: task.deploymentId,
    stopCode: task.stopCode,
    stoppedAt: seconds(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stoppingAt: seconds(task.stoppingAt),
    taskArn: task.arn,
    taskDefinitionArn: task.taskDefinitionArn,
    version: { PROVISIONING: 1, RUNNING: 3, DEACTIVATING: 4, STOPPED: 6 }[task.lastStatus],
    overrides: {
      containerOverrides: containers.map((container) => ({ name: container.name })),
      inferenceAcceleratorOverrides: [],
    },
    ephemeralStorage: { sizeInGiB: 20 },
    tags: [],
  };
}

function requireService(world: World, cluster: ClusterRecord, reference: string | undefined): ServiceRecord {
  if (!reference) throw new AwsError('InvalidParameterException', 'Service name or ARN must be specified.');
  const service = world.service(cluster, reference);
  if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
  return service;
}

// The whole request is kept as the definition, fields this simulation does not know included.
function RegisterTaskDefinition(world: World, input: Record<string, unknown>) {
  const record = registerTaskDefinition(world, input);
  return { taskDefinition: taskDefinitionShape(world, record), tags: record.tags };
}

function DescribeTaskDefinition(world: World, input: DescribeTaskDefinitionRequest) {
  const record = input.taskDefinition ? world.taskDefinition(input.taskDefinition) : undefined;
  if (!record) throw new AwsError('ClientException', 'Unable to describe task definition.');
  return {
    taskDefinition: taskDefinitionShape(world, record),
    tags: input.include?.includes('TAGS') ? record.tags : undefined,
  };
}

function DeregisterTaskDefinition(world: World, input: DeregisterTaskDefinitionRequest) {
  const record = input.taskDefinition ? world.taskDefinition(input.taskDefinition) : undefined;
  if (!record || !/:\d+$/.test(input.taskDefinition ?? '')) {
    throw new AwsError('ClientException', 'The specified task definition does not exist.');
  }
  record.status = 'INACTIVE';
  return { taskDefinition: { ...taskDefinitionShape(world, record), deregisteredAt: seconds(world.now()) } };
}

function ListTaskDefinitions(world: World, input: ListTaskDefinitionsRequest) {
  const status = input.status ?? 'ACTIVE';
  const records = [...world.taskDefinitions.values()]
    .flat()
    .filter((record) => !input.familyPrefix || record.family === input.familyPrefix)
    .filter((record) => record.status === status)
    .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
  if (input.sort === 'DESC') records.reverse();
  const { page, nextToken } = paginate(
    records.map((record) => record.arn),
    input.maxResults,
    input.nextToken,
  );
  return { taskDefinitionArns: page, nextToken };
}

function DescribeServices(world: World, input: DescribeServicesRequest) {
  const cluster = world.cluster(input.cluster);
  const references = input.services ?? [];
  if (references.length === 0 || references.length > 10) {
    throw new AwsError('InvalidParameterException', 'services must contain between 1 and 10 service names or ARNs.');
  }
  const found = references.map((reference) => [reference, world.service(cluster, reference)] as const);
  return {
    services: found.flatMap(([, service]) => (service ? [serviceShape(world, service)] : [])),
    failures: found
      .filter(([, service]) => !service)
      .map(([reference]) => ({
        arn: reference.startsWith('arn:') ? reference : world.arn('ecs', `service/${cluster.name}/${reference}`),
        reason: 'MISSING',
      })),
  };
}

function UpdateService(world: World, input: UpdateServiceRequest) {
  const cluster = world.cluster(input.cluster);
  const service = requireService(world, cluster, input.service);
  const now = world.now();
  let taskDefinition = undefined;
  if (
    service.deploymentController === 'CODE_DEPLOY' &&
    (input.taskDefinition !== undefined || input.forceNewDeployment)
  ) {
    throw new AwsError(
      'InvalidParameterException',
      'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
    );
  }
  if (input.taskDefinition !== undefined) {
    taskDefinition = world.taskDefinition(input.taskDefinition);
    if (!taskDefinition) throw new AwsError('ClientException', 'TaskDefinition not found.');
    if (taskDefinition.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
  }
  if (input.desiredCount !== undefined) {
    if (input.desiredCount < 0) throw new AwsError('InvalidParameterException', 'Desired count must be >= 0.');
    service.desiredCount = input.desiredCount;
    if (service.deployments[0]) service.deployments[0].desiredCount = input.desiredCount;
    wake(world, service, now);
  }
  const breaker = input.deploymentConfiguration?.deploymentCircuitBreaker;
  if (breaker) service.circuitBreaker = { enable: breaker.enable ?? false, rollback: breaker.rollback ?? false };
  const current = service.deployments[0]?.taskDefinitionArn;
  if (input.forceNewDeployment || (taskDefinition && taskDefinition.arn !== current)) {
    const target = taskDefinition ?? world.taskDefinition(current!)!;
    startDeployment(world, service, target, now);
    world.log(
      `${cluster.name}/${service.name}: UpdateService -> new deployment on ${target.family}:${target.revision}`,
    );
  }
  return { service: serviceShape(world, service) };
}

function ListTasks(world: World, input: ListTasksRequest) {
  const cluster = world.cluster(input.cluster);
  const services = input.serviceName ? [requireService(world, cluster, input.serviceName)] : world.servicesOf(cluster);
  const desiredStatus = input.desiredStatus ?? 'RUNNING';
  const tasks = services
    .flatMap((service) => service.tasks)
    .filter((task) => task.desiredStatus === desiredStatus)
    .filter((task) => !input.startedBy || task.deploymentId === input.startedBy)
    .filter((task) => !input.family || world.taskDefinition(task.taskDefinitionArn)?.family === input.family);
  // Without a service name ECS lists the cluster's tasks, one-off tasks (RunTask) included.
  const oneOff = input.serviceName
    ? []
    : world.oneOffTasks
        .filter((task) => task.clusterName === cluster.name && task.desiredStatus === desiredStatus)
        .filter((task) => !input.startedBy || task.startedBy === input.startedBy)
        .filter((task) => !input.family || world.taskDefinition(task.taskDefinitionArn)?.family === input.family);
  const { page, nextToken } = paginate(
    [...tasks, ...oneOff].map((task) => task.arn),
    input.maxResults,
    input.nextToken,
  );
  return { taskArns: page, nextToken };
}

function DescribeTasks(world: World, input: DescribeTasksRequest) {
  const cluster = world.cluster(input.cluster);
  const references = input.tasks ?? [];
  if (references.length === 0 || references.length > 100) {
    throw new AwsError('InvalidParameterException', 'Tasks must contain between 1 and 100 task IDs or ARNs.');
  }
  const tasks = [];
  const failures = [];
  for (const reference of references) {
    const id = reference.split('/').pop();
    const owner = world.servicesOf(cluster).find((service) => service.tasks.some((task) => task.id === id));
    const task = owner?.tasks.find((entry) => entry.id === id);
    const oneOff = findOneOffTask(world, cluster, reference);
    if (owner && task) tasks.push(taskShape(world, owner, task));
    else if (oneOff) tasks.push(oneOffTaskShape(world, oneOff));
    else
      failures.push({
        arn: reference.startsWith('arn:') ? reference : `${cluster.arn.replace(':cluster/', ':task/')}/${reference}`,
        reason: 'MISSING',
      });
  }
  return { tasks, failures };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own request type
type Handler = (world: World, input: any) => unknown;

const OPERATIONS: Record<string, Handler> = {
  RegisterTaskDefinition,
  DescribeTaskDefinition,
  DeregisterTaskDefinition,
  ListTaskDefinitions,
  DescribeServices,
  UpdateService,
  ListTasks,
  DescribeTasks,
  ...SERVICE_DEPLOYMENT_OPERATIONS,
  ...SERVICE_REVISION_OPERATIONS,
  ...ONE_OFF_OPERATIONS,
};

/** Answers one ECS operation, after moving every rollout up to now; undefined for an operation not simulated. */
export function ecsOperation(operation: string): ((world: World, input: unknown) => unknown) | undefined {
  const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
  return (
    handler &&
    ((world, input) => {
      advance(world);
      advanceOneOffTasks(world);
      return handler(world, input);
    })
  );
}
