import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Secret,
} from '@aws-sdk/client-ecs';
import { inputError, isDigestPinned } from '@ecs-actions/action-kit';
import { parseCpuUnits, parseMemoryMiB } from '@ecs-actions/taskdef';

/** What the inputs change in the task definition; undefined leaves the field as the template has it. */
export interface Overrides {
  /** Container name to image, each container its own (the upstream action gave them all the same one). */
  images: ReadonlyMap<string, string>;
  container?: string;
  environment?: ReadonlyMap<string, string>;
  environmentMode: 'merge' | 'replace';
  secrets?: ReadonlyMap<string, string>;
  command?: string[];
  dockerLabels?: ReadonlyMap<string, string>;
  logOptions?: ReadonlyMap<string, string>;
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
}

export interface Rendered {
  taskDefinition: RegisterTaskDefinitionCommandInput;
  /** Every container's image after rendering. */
  images: Record<string, string>;
  /** The container that environment, secrets, command, labels and log options went to, if any did. */
  target?: string;
  notices: string[];
  warnings: string[];
}

/** Applies the overrides to a copy of the task definition; the input is not changed. */
export function renderTaskDefinition(base: RegisterTaskDefinitionCommandInput, overrides: Overrides): Rendered {
  const taskDefinition = structuredClone(base);
  const containers = taskDefinition.containerDefinitions ?? [];
  const notices: string[] = [];
  const warnings: string[] = [];
  const names = containers.map((container) => container.name ?? '(unnamed)');

  for (const [name, image] of overrides.images) {
    const container = containers.find((candidate) => candidate.name === name);
    if (!container) {
      throw inputError(
        'images',
        `container "${name}" is not in the task definition; its containers are ${names.join(', ')}`,
      );
    }
    container.image = image;
  }

  const target = chooseTarget(containers, overrides, notices);
  if (target) applyToContainer(target, overrides);

  if (overrides.cpu !== undefined) taskDefinition.cpu = overrides.cpu;
  if (overrides.memory !== undefined) taskDefinition.memory = overrides.memory;
  // ECS stores "1 vCPU" as "1024": writing the number keeps the diff against the running revision quiet.
  const cpu = parseCpuUnits(taskDefinition.cpu);
  if (cpu !== undefined) taskDefinition.cpu = String(cpu);
  const memory = parseMemoryMiB(taskDefinition.memory);
  if (memory !== undefined) taskDefinition.memory = String(memory);
  if (overrides.taskRoleArn !== undefined) taskDefinition.taskRoleArn = overrides.taskRoleArn;
  if (overrides.executionRoleArn !== undefined) taskDefinition.executionRoleArn = overrides.executionRoleArn;

  containers.forEach((container, index) => {
    if (overrides.images.has(container.name ?? '')) return;
    if (typeof container.image === 'string' && !isDigestPinned(container.image)) {
      warnings.push(
        `containerDefinitions[${index}].image "${container.image}" (container ${container.name}) is not pinned by digest ` +
          `and not set by the input 'images'; the tag can point to another image on the next task start`,
      );
    }
  });

  const images = Object.fromEntries(containers.map((container) => [container.name ?? '', container.image ?? '']));
  return { taskDefinition, images, target: target?.name, notices, warnings };
}

function wantsContainer(overrides: Overrides): boolean {
  return (
    overrides.environment !== undefined ||
    overrides.secrets !== undefined ||
    overrides.command !== undefined ||
    overrides.dockerLabels !== undefined ||
    overrides.logOptions !== undefined
  );
}

function chooseTarget(
  containers: ContainerDefinition[],
  overrides: Overrides,
  notices: string[],
): ContainerDefinition | undefined {
  if (overrides.container !== undefined) {
    const named = containers.find((container) => container.name === overrides.container);
    if (!named) {
      const names = containers.map((container) => container.name).join(', ');
      throw inputError(
        'container',
        `"${overrides.container}" is not in the task definition; its containers are ${names}`,
      );
    }
    return named;
  }
  if (!wantsContainer(overrides)) return undefined;
  if (containers.length === 1) return containers[0];
  const chosen = containers.find((container) => container.essential !== false) ?? containers[0]!;
  notices.push(
    `The task definition has ${containers.length} containers (${containers.map((c) => c.name).join(', ')}); ` +
      `environment, secrets, command, docker-labels and log-options apply to "${chosen.name}", the first essential one. ` +
      `Set the input 'container' to choose another.`,
  );
  return chosen;
}

function applyToContainer(container: ContainerDefinition, overrides: Overrides): void {
  if (overrides.environment !== undefined) {
    const given: KeyValuePair[] = [...overrides.environment].map(([name, value]) => ({ name, value }));
    container.environment =
      overrides.environmentMode === 'replace' ? given : mergeByName(container.environment ?? [], given);
  }
  if (overrides.secrets !== undefined) {
    const given: Secret[] = [...overrides.secrets].map(([name, valueFrom]) => ({ name, valueFrom }));
    container.secrets = mergeByName(container.secrets ?? [], given);
  }
  if (overrides.command !== undefined) container.command = [...overrides.command];
  if (overrides.dockerLabels !== undefined) {
    container.dockerLabels = { ...container.dockerLabels, ...Object.fromEntries(overrides.dockerLabels) };
  }
  if (overrides.logOptions !== undefined) {
    if (!container.logConfiguration?.logDriver) {
      throw inputError(
        'log-options',
        `container "${container.name}" has no logConfiguration.logDriver in the task definition; ` +
          'add a logConfiguration (e.g. "logDriver": "awslogs") for the options to belong to',
      );
    }
    container.logConfiguration.options = {
      ...container.logConfiguration.options,
      ...Object.fromEntries(overrides.logOptions),
    };
  }
}

/** Replaces entries with the same name in place and appends new ones, keeping the template's order. */
function mergeByName<T extends { name?: string }>(existing: T[], given: T[]): T[] {
  const byName = new Map(given.map((entry) => [entry.name, entry]));
  const merged = existing
    .filter(
      (entry, index) => existing.findIndex((other) => other.name === entry.name) === index || !byName.has(entry.name),
    )
    .map((entry) => byName.get(entry.name) ?? entry);
  const present = new Set(existing.map((entry) => entry.name));
  return [...merged, ...given.filter((entry) => !present.has(entry.name))];
}
