import { AwsError } from './errors.js';
import type { Tag, TaskDefinitionRecord, World } from './world.js';

/** RegisterTaskDefinition as ECS does it: validation, defaults, revisions per family, tags apart. */

function fail(message: string): never {
  throw new AwsError('ClientException', message);
}

// Fargate accepts only these task sizes (CPU units -> memory MiB range and step).
const FARGATE_SIZES: Record<number, [number, number, number]> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

/** `1024`, `"1024"`, `"1 vCPU"`, `"2 GB"` -> CPU units or MiB; undefined when it is none of these. */
function units(value: unknown): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb)?\s*$/i.exec(String(value));
  if (!match) return undefined;
  return match[2] ? Number(match[1]) * 1024 : Number(match[1]);
}

function checkFargate(definition: Record<string, unknown>): void {
  if ((definition.networkMode ?? 'bridge') !== 'awsvpc') fail(`Fargate only supports network mode 'awsvpc'.`);
  if (definition.cpu === undefined) fail(`Fargate requires that 'cpu' be defined at the task level.`);
  if (definition.memory === undefined) fail(`Fargate requires that 'memory' be defined at the task level.`);
  const cpu = units(definition.cpu);
  const memory = units(definition.memory);
  if (cpu === undefined || memory === undefined) return;
  const size = FARGATE_SIZES[cpu];
  if (!size || memory < size[0] || memory > size[1] || (memory - size[0]) % size[2] !== 0) {
    fail(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`);
  }
}

function withDefaults(container: Record<string, unknown>, networkMode: unknown): Record<string, unknown> {
  const portMappings = (container.portMappings as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    ...container,
    cpu: container.cpu ?? 0,
    essential: container.essential ?? true,
    portMappings: portMappings.map((mapping) => ({
      ...mapping,
      hostPort: mapping.hostPort ?? (networkMode === 'awsvpc' ? mapping.containerPort : undefined),
      protocol: mapping.protocol ?? 'tcp',
    })),
    environment: container.environment ?? [],
    mountPoints: container.mountPoints ?? [],
    volumesFrom: container.volumesFrom ?? [],
  };
}

export function registerTaskDefinition(world: World, input: Record<string, unknown>): TaskDefinitionRecord {
  const { tags, ...definition } = input;
  const family = definition.family;
  if (typeof family !== 'string' || family === '') fail('Family should not be null or empty.');
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
    fail('Family must be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.');
  }
  const containers = definition.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) fail('Container list cannot be empty.');
  const names = new Set<string>();
  for (const container of containers as Array<Record<string, unknown>>) {
    if (typeof container.name !== 'string' || !container.name) fail('Container.name should not be null or empty.');
    if (typeof container.image !== 'string' || !container.image) fail('Container.image should not be null or empty.');
    if (names.has(container.name)) fail('Container names must be unique.');
    names.add(container.name);
  }
  const compatibilities = (definition.requiresCompatibilities as string[] | undefined) ?? [];
  if (compatibilities.includes('FARGATE')) checkFargate(definition);

  const revisions = world.taskDefinitions.get(family) ?? [];
  world.taskDefinitions.set(family, revisions);
  const revision = revisions.length + 1;
  const record: TaskDefinitionRecord = {
    arn: world.arn('ecs', `task-definition/${family}:${revision}`),
    family,
    revision,
    status: 'ACTIVE',
    definition: {
      ...definition,
      containerDefinitions: (containers as Array<Record<string, unknown>>).map((container) =>
        withDefaults(container, definition.networkMode),
      ),
      volumes: definition.volumes ?? [],
      placementConstraints: definition.placementConstraints ?? [],
    },
    tags: (tags as Tag[] | undefined) ?? [],
    registeredAt: world.now(),
  };
  revisions.push(record);
  return record;
}

/** The TaskDefinition shape of DescribeTaskDefinition and RegisterTaskDefinition. */
export function taskDefinitionShape(world: World, record: TaskDefinitionRecord): Record<string, unknown> {
  const fargate = ((record.definition.requiresCompatibilities as string[] | undefined) ?? []).includes('FARGATE');
  return {
    ...record.definition,
    taskDefinitionArn: record.arn,
    family: record.family,
    revision: record.revision,
    status: record.status,
    compatibilities: fargate ? ['EC2', 'FARGATE'] : ['EC2'],
    requiresAttributes:
      record.definition.networkMode === 'awsvpc'
        ? [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }, { name: 'ecs.capability.task-eni' }]
        : [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
    registeredAt: record.registeredAt / 1000,
    registeredBy: world.callerArn,
  };
}
