import { AwsError } from './errors.js';
import { ROLLING, type CircuitBreaker, type DeploymentSettings } from './scenarios.js';
import { recordServiceRevision } from './service-revisions.js';
import { registerTaskDefinition } from './taskdefs.js';
import {
  DOCKER_MANIFEST_MEDIA_TYPE,
  imageManifest,
  sha256,
  type ClusterRecord,
  type ImageRecord,
  type RepositoryRecord,
  type ServiceRecord,
  type TargetGroupRecord,
  type TaskDefinitionRecord,
  type TaskRecord,
  type World,
} from './world.js';

/** Helpers that put things into the world directly, as if they had been created in the console. */

const VPC_ID = 'vpc-0a1b2c3d4e5f67890';
const SUBNETS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'];
const SECURITY_GROUP = 'sg-0a1b2c3d4e5f60001';
const HOUR = 3_600_000;

export function seedCluster(world: World, name: string): ClusterRecord {
  const existing = world.clusters.get(name);
  if (existing) return existing;
  const cluster = { name, arn: world.arn('ecs', `cluster/${name}`) };
  world.clusters.set(name, cluster);
  return cluster;
}

export interface TargetGroupSeed {
  name: string;
  port?: number;
  healthCheckPath?: string;
  /** The load balancer in front of it; `<name>` unless set. */
  loadBalancerName?: string;
}

export function seedTargetGroup(world: World, seed: TargetGroupSeed): TargetGroupRecord {
  const existing = [...world.targetGroups.values()].find((group) => group.name === seed.name);
  if (existing) return existing;
  const loadBalancer = seed.loadBalancerName ?? seed.name;
  const group: TargetGroupRecord = {
    arn: world.arn('elasticloadbalancing', `targetgroup/${seed.name}/${sha256(seed.name).slice(0, 16)}`),
    name: seed.name,
    port: seed.port ?? 3000,
    protocol: 'HTTP',
    healthCheckPath: seed.healthCheckPath ?? '/health',
    vpcId: VPC_ID,
    loadBalancerArns: [
      world.arn('elasticloadbalancing', `loadbalancer/app/${loadBalancer}/${sha256(loadBalancer).slice(16, 32)}`),
    ],
  };
  world.targetGroups.set(group.arn, group);
  return group;
}

/** Registers a task definition revision (same validation as RegisterTaskDefinition). */
export function seedTaskDefinition(world: World, input: Record<string, unknown>): TaskDefinitionRecord {
  return registerTaskDefinition(world, input);
}

export interface ServiceSeed {
  /** Created when missing. */
  cluster: string;
  name: string;
  /** An existing task definition: family, family:revision or ARN. Its tasks are running and healthy. */
  taskDefinition: string;
  desiredCount?: number;
  /** Rollback on unless set. */
  circuitBreaker?: CircuitBreaker;
  /** Rolling unless set; blue/green, linear and canary also get an alternate target group and listener rules. */
  settings?: DeploymentSettings;
  /** Name or ARN of a target group (created when a name is new), or false for no load balancer. `<cluster>-<name>` unless set. */
  targetGroup?: string | false;
  /** The container and port registered in the target group: the first container and its first port unless set. */
  containerName?: string;
  containerPort?: number;
}

/** A service that has been steady for an hour on `taskDefinition`, with its tasks running and targets healthy. */
export function seedService(world: World, seed: ServiceSeed): ServiceRecord {
  const cluster = seedCluster(world, seed.cluster);
  const taskDefinition = world.taskDefinition(seed.taskDefinition);
  if (!taskDefinition) throw new AwsError('ClientException', `TaskDefinition not found: ${seed.taskDefinition}`);
  taskDefinition.fate ??= 'healthy';
  const containers = taskDefinition.definition.containerDefinitions as Array<{
    name: string;
    portMappings?: Array<{ containerPort?: number }>;
  }>;
  const container = containers.find((entry) => entry.name === seed.containerName) ?? containers[0];
  const containerPort = seed.containerPort ?? container.portMappings?.[0]?.containerPort ?? 80;
  const targetGroupArn = seed.targetGroup === false ? undefined : targetGroupFor(world, seed, containerPort);
  const since = world.now() - HOUR;
  const desiredCount = seed.desiredCount ?? 2;
  const service: ServiceRecord = {
    name: seed.name,
    arn: world.arn('ecs', `service/${cluster.name}/${seed.name}`),
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    status: 'ACTIVE',
    desiredCount,
    deployments: [],
    tasks: [],
    events: [],
    circuitBreaker: seed.circuitBreaker ?? { enable: true, rollback: true },
    settings: ROLLING,
    serviceDeployments: [],
    loadBalancers: targetGroupArn ? [{ targetGroupArn, containerName: container.name, containerPort }] : [],
    deploymentController: 'ECS',
    subnets: SUBNETS,
    securityGroups: [SECURITY_GROUP],
    createdAt: since - 24 * HOUR,
    steady: true,
  };
  world.services.set(`${cluster.name}/${seed.name}`, service);
  applySettings(world, service, seed.settings ?? ROLLING);
  const id = world.newDeploymentId();
  const serviceRevisionArn = world.serviceChildArn('service-revision', service);
  recordServiceRevision(world, service, serviceRevisionArn, taskDefinition, since);
  const serviceDeploymentArn = world.serviceChildArn('service-deployment', service);
  service.serviceDeployments.push({
    arn: serviceDeploymentArn,
    deploymentId: id,
    strategy: 'ROLLING',
    settings: ROLLING,
    createdAt: since,
    startedAt: since,
    updatedAt: since + 60_000,
    finishedAt: since + 60_000,
    status: 'SUCCESSFUL',
    statusReason: 'Service deployment completed.',
    targetRevisionArn: serviceRevisionArn,
    sourceRevisionArns: [],
    productionWeight: 100,
    testWeight: 100,
    trafficStep: 0,
    hooks: [],
    failureCount: 0,
    circuitBreakerStatus: service.circuitBreaker.enable ? 'MONITORING_COMPLETE' : 'DISABLED',
    alarmStatus: 'DISABLED',
    triggeredAlarmNames: [],
    history: ['SUCCESSFUL - 100'],
  });
  service.deployments.push({
    serviceDeploymentArn,
    serviceRevisionArn,
    id,
    status: 'PRIMARY',
    taskDefinitionArn: taskDefinition.arn,
    desiredCount,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: `ECS deployment ${id} completed.`,
    createdAt: since,
    updatedAt: since + 60_000,
    fate: taskDefinition.fate,
  });
  service.lastCompleted = { id, taskDefinitionArn: taskDefinition.arn, serviceRevisionArn };
  for (let i = 0; i < desiredCount; i++) {
    const taskId = world.newTaskId();
    const task: TaskRecord = {
      id: taskId,
      arn: `${cluster.arn.replace(':cluster/', ':task/')}/${taskId}`,
      deploymentId: id,
      taskDefinitionArn: taskDefinition.arn,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      ...world.tasks.address(world),
      imageDigests: Object.fromEntries(
        (taskDefinition.definition.containerDefinitions as Array<{ name: string; image: string }>).map((entry) => [
          entry.name,
          world.digestOf(entry.image),
        ]),
      ),
      createdAt: since,
      startedAt: since + 20_000,
      targetState: targetGroupArn ? 'healthy' : undefined,
    };
    service.tasks.push(task);
    world.tasks.start(world, service, task);
  }
  world.addEvent(service, `(deployment ${id}) deployment completed.`, since + 60_000, { log: false });
  world.addEvent(service, 'has reached a steady state.', since + 60_000, { log: false });
  return service;
}

/**
 * Sets how the service's next deployment goes. Blue/green, linear and canary need an alternate target group for the
 * green tasks and listener rules ECS switches: they are created here, as a platform team would.
 */
export function applySettings(world: World, service: ServiceRecord, settings: DeploymentSettings): void {
  service.settings = settings;
  if (settings.strategy === 'ROLLING') return;
  for (const binding of service.loadBalancers) {
    if (binding.advancedConfiguration) continue;
    const blue = world.targetGroups.get(binding.targetGroupArn);
    const name = `${blue?.name ?? service.name}-green`.slice(0, 32);
    const green = seedTargetGroup(world, {
      name,
      port: blue?.port ?? binding.containerPort,
      healthCheckPath: blue?.healthCheckPath,
      loadBalancerName: blue?.loadBalancerArns[0]?.split('/')[2],
    });
    const loadBalancer = (blue?.loadBalancerArns[0] ?? green.loadBalancerArns[0]).replace(
      ':loadbalancer/',
      ':listener-rule/',
    );
    binding.advancedConfiguration = {
      alternateTargetGroupArn: green.arn,
      productionListenerRule: `${loadBalancer}/${sha256(`${name} 443`).slice(0, 16)}/${sha256(`${name} prod`).slice(0, 16)}`,
      testListenerRule: `${loadBalancer}/${sha256(`${name} 8443`).slice(0, 16)}/${sha256(`${name} test`).slice(0, 16)}`,
      roleArn: `arn:aws:iam::${world.accountId}:role/ecs-infrastructure-load-balancers`,
    };
  }
}

function targetGroupFor(world: World, seed: ServiceSeed, port: number): string {
  const reference = seed.targetGroup || `${seed.cluster}-${seed.name}`.slice(0, 32);
  if (!reference.startsWith('arn:')) return seedTargetGroup(world, { name: reference, port }).arn;
  if (!world.targetGroups.has(reference)) throw new Error(`No target group ${reference} in the loopback AWS`);
  return reference;
}

export function seedRepository(world: World, name: string): RepositoryRecord {
  const existing = world.repositories.get(name);
  if (existing) return existing;
  const repository: RepositoryRecord = {
    name,
    arn: world.arn('ecr', `repository/${name}`),
    uri: `${world.registryUri}/${name}`,
    createdAt: world.now() - 30 * 24 * HOUR,
    imageTagMutability: 'MUTABLE',
    scanOnPush: false,
    tags: [],
    images: [],
  };
  world.repositories.set(name, repository);
  return repository;
}

export interface ImageSeed {
  /** Created when missing. */
  repository: string;
  tags?: string[];
  /** The manifest is made from this label, and the digest is its sha256; `<repository>:<first tag>` unless set. */
  label?: string;
}

/** Pushes an image: tags move to it from any other image, as with a mutable repository. */
export function seedImage(world: World, seed: ImageSeed): ImageRecord {
  if (world.images.kind !== 'memory') {
    throw new Error(
      `seedImage makes up a manifest, which the registry behind this ECR (${world.registryUri}) cannot hold: ` +
        `push a real image to ${world.registryUri}/${seed.repository} instead`,
    );
  }
  const repository = seedRepository(world, seed.repository);
  const tags = seed.tags ?? [];
  const { manifest, digest, sizeInBytes } = imageManifest(seed.label ?? `${seed.repository}:${tags[0] ?? 'untagged'}`);
  for (const image of repository.images) image.tags = image.tags.filter((tag) => !tags.includes(tag));
  let image = repository.images.find((entry) => entry.digest === digest);
  if (!image) {
    image = { digest, tags: [], manifest, mediaType: DOCKER_MANIFEST_MEDIA_TYPE, sizeInBytes, pushedAt: world.now() };
    repository.images.push(image);
  }
  image.tags = [...new Set([...image.tags, ...tags])];
  return image;
}
