import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { UserError } from '@ecs-actions/action-kit';
import { SECRET_REFERENCE_FORMS, secretSource } from './references.js';

/** Task memory (MiB) Fargate accepts for each task CPU value (units), from the ECS developer guide. */
export const FARGATE_MEMORY: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
  [8192, steps(16384, 61440, 4096)],
  [16384, steps(32768, 122880, 8192)],
]);

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

/** CPU units from `256`, `"256"`, `"0.25 vCPU"` or `"1vcpu"` (the forms RegisterTaskDefinition converts). */
export function parseCpuUnits(value: unknown): number | undefined {
  return parseQuantity(value, /^v?cpus?$/i, 1024);
}

/** Memory in MiB from `512`, `"512"`, `"1 GB"` or `"0.5GB"`. */
export function parseMemoryMiB(value: unknown): number | undefined {
  return parseQuantity(value, /^gb$/i, 1024);
}

function parseQuantity(value: unknown, unit: RegExp, perUnit: number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const result = match[2] === '' ? amount : unit.test(match[2]!) ? amount * perUnit : NaN;
  return Number.isSafeInteger(result) && result > 0 ? result : undefined;
}

const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** AWS's rule for a task definition family; render-taskdef also names its output file after it. */
export const FAMILY_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
export const FAMILY_RULE = 'up to 255 letters, digits, hyphens and underscores';

export interface Validation {
  /** Broken rules as `path: rule`; any one of them fails the step. */
  problems: string[];
  warnings: string[];
}

/**
 * Checks what RegisterTaskDefinition or the first Fargate task would reject, so the step fails in seconds
 * with the field path instead of minutes later in the deploy.
 */
export function validateTaskDefinition(taskDefinition: RegisterTaskDefinitionCommandInput): Validation {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (typeof taskDefinition.family !== 'string' || !FAMILY_PATTERN.test(taskDefinition.family)) {
    problems.push(`family: ${quote(taskDefinition.family)} is not a task definition family; expected ${FAMILY_RULE}`);
  }
  const fargate = (taskDefinition.requiresCompatibilities ?? []).includes('FARGATE');
  const awsvpc = taskDefinition.networkMode === 'awsvpc';

  if (fargate) {
    if (!awsvpc) {
      problems.push(
        `networkMode: is ${JSON.stringify(taskDefinition.networkMode ?? null)} but FARGATE requires "awsvpc"`,
      );
    }
    problems.push(...checkFargateSize(taskDefinition.cpu, taskDefinition.memory));
  } else {
    warnings.push(
      'requiresCompatibilities does not include FARGATE, so the Fargate checks were skipped; ' +
        'ECS refuses to run this revision in a Fargate service (add "requiresCompatibilities": ["FARGATE"])',
    );
  }

  const containers = taskDefinition.containerDefinitions ?? [];
  const seenNames = new Map<string, number>();
  // In awsvpc mode every container shares the task's network interface, so a port can be bound only once.
  const seenPorts = new Map<string, string>();
  containers.forEach((container, index) => {
    const path = `containerDefinitions[${index}]`;
    problems.push(...checkName(container, index, seenNames));
    if (typeof container.image !== 'string' || container.image.trim() === '' || /[\s]/.test(container.image)) {
      problems.push(
        `${path}.image: ${quote(container.image)} is not an image reference; expected a string such as <repository>@sha256:<64 hex>`,
      );
    }
    problems.push(...checkPorts(container, path, awsvpc, seenPorts));
    problems.push(...checkEnvironmentAndSecrets(container, path));
  });
  if (containers.length > 0 && !containers.some((container) => container.essential !== false)) {
    problems.push('containerDefinitions: no container is essential; at least one must have "essential": true');
  }
  return { problems, warnings };
}

/** Throws one user error listing every broken rule. */
export function assertValid(validation: Validation, source: string): void {
  const { problems } = validation;
  if (problems.length === 0) return;
  throw new UserError(
    `${source}: the task definition breaks ${problems.length === 1 ? 'a rule' : `${problems.length} rules`}: ` +
      problems.join('; '),
  );
}

function checkFargateSize(cpuValue: unknown, memoryValue: unknown): string[] {
  const cpuChoices = [...FARGATE_MEMORY.keys()].join(', ');
  if (cpuValue === undefined) return [`cpu: is missing; FARGATE requires a task cpu, one of ${cpuChoices}`];
  const cpu = parseCpuUnits(cpuValue);
  const memoryChoices = cpu === undefined ? undefined : FARGATE_MEMORY.get(cpu);
  if (memoryChoices === undefined) {
    return [`cpu: ${JSON.stringify(cpuValue)} is not a Fargate CPU size; expected one of ${cpuChoices}`];
  }
  if (memoryValue === undefined) {
    return [`memory: is missing; FARGATE requires a task memory, with cpu ${cpu} one of ${memoryChoices.join(', ')}`];
  }
  const memory = parseMemoryMiB(memoryValue);
  if (memory === undefined || !memoryChoices.includes(memory)) {
    return [
      `memory: ${JSON.stringify(memoryValue)} is not valid with cpu ${cpu} on Fargate; ` +
        `expected one of ${memoryChoices.join(', ')} (MiB)`,
    ];
  }
  return [];
}

function checkName(container: ContainerDefinition, index: number, seen: Map<string, number>): string[] {
  const path = `containerDefinitions[${index}]`;
  const { name } = container;
  if (typeof name !== 'string' || name === '') return [`${path}.name: is missing; every container needs a name`];
  if (!CONTAINER_NAME.test(name)) {
    return [`${path}.name: ${quote(name)} may contain only letters, digits, hyphens and underscores (up to 255)`];
  }
  const first = seen.get(name);
  if (first !== undefined) {
    return [
      `${path}.name: "${name}" is also the name of containerDefinitions[${first}]; container names must be unique`,
    ];
  }
  seen.set(name, index);
  return [];
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function checkPorts(
  container: ContainerDefinition,
  path: string,
  awsvpc: boolean,
  seen: Map<string, string>,
): string[] {
  const problems: string[] = [];
  (container.portMappings ?? []).forEach((mapping, index) => {
    const at = `${path}.portMappings[${index}]`;
    const { containerPort, hostPort, protocol = 'tcp', containerPortRange } = mapping;
    if (protocol !== 'tcp' && protocol !== 'udp') {
      problems.push(`${at}.protocol: "${protocol}" is not a protocol; expected tcp or udp`);
    }
    if (containerPort === undefined) {
      if (containerPortRange === undefined) {
        problems.push(`${at}.containerPort: is missing; expected a port from 1 to 65535`);
      }
      return;
    }
    if (!isPort(containerPort)) {
      problems.push(`${at}.containerPort: ${JSON.stringify(containerPort)} is not a port; expected 1 to 65535`);
      return;
    }
    if (hostPort !== undefined && awsvpc && hostPort !== containerPort) {
      problems.push(
        `${at}.hostPort: ${JSON.stringify(hostPort)} differs from containerPort ${containerPort}; ` +
          'in awsvpc mode hostPort must be omitted or equal containerPort',
      );
    } else if (hostPort !== undefined && hostPort !== 0 && !isPort(hostPort)) {
      problems.push(`${at}.hostPort: ${JSON.stringify(hostPort)} is not a port; expected 1 to 65535`);
    }
    if (awsvpc) {
      const key = `${containerPort}/${protocol}`;
      const other = seen.get(key);
      if (other !== undefined) {
        problems.push(`${at}.containerPort: ${key} is already mapped by ${other}; a task can bind each port once`);
      } else {
        seen.set(key, at);
      }
    }
  });
  return problems;
}

function checkEnvironmentAndSecrets(container: ContainerDefinition, path: string): string[] {
  const problems = (container.secrets ?? []).flatMap((secret, index) =>
    typeof secret.valueFrom === 'string' && secretSource(secret.valueFrom) !== undefined
      ? []
      : [
          `${path}.secrets[${index}].valueFrom: ${JSON.stringify(secret.valueFrom ?? null)} is not a secret reference; ` +
            `expected ${SECRET_REFERENCE_FORMS}`,
        ],
  );
  const secretNames = new Set((container.secrets ?? []).map((secret) => secret.name));
  const both = (container.environment ?? [])
    .filter((variable) => variable.name !== undefined && secretNames.has(variable.name))
    .map(
      (variable) =>
        `${path}: ${variable.name} is set both in environment and in secrets; ` +
        'keep only one, so that which value the container sees is clear',
    );
  return [...problems, ...both];
}

/** A value from the file, quoted on one line and shortened, so a hostile one cannot flood or break the message. */
function quote(value: unknown): string {
  const text = JSON.stringify(value ?? null) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
