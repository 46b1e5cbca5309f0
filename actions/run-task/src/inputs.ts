import {
  getInteger,
  getList,
  getMultiline,
  getOptional,
  getRequired,
  inputError,
  parseKeyValues,
} from '@ecs-actions/action-kit';
import { checkEcsNameOrArn } from '@ecs-actions/aws';
import { readTaskDefinitionSource, type TaskDefinitionSource } from '@ecs-actions/taskdef';

export const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL'] as const;
export type LaunchType = (typeof LAUNCH_TYPES)[number];

export interface CapacityProvider {
  capacityProvider: string;
  weight: number;
  base?: number;
}

export interface Inputs {
  cluster: string;
  'task-definition': TaskDefinitionSource;
  /** The service whose network configuration, launch type or capacity providers and platform version are copied. */
  service?: string;
  region?: string;
  /** Per container name: the command that replaces the image's (ECS containerOverrides[].command). */
  'command-overrides': Map<string, string[]>;
  subnets: string[];
  'security-groups': string[];
  'assign-public-ip'?: 'ENABLED' | 'DISABLED';
  'launch-type'?: LaunchType;
  'capacity-provider-strategy': CapacityProvider[];
  'platform-version'?: string;
  'started-by': string;
  'timeout-minutes': number;
  /** The last lines of each essential container's log read after the task stopped; 0 reads none. */
  'log-lines': number;
}

const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const PLATFORM_VERSION = /^(LATEST|\d+\.\d+\.\d+)$/;
// ECS: up to 128 letters, digits, hyphens, forward slashes and underscores.
const STARTED_BY = /^[A-Za-z0-9/_-]{1,128}$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CAPACITY_PROVIDER = /^[A-Za-z0-9_-]{1,255}$/;
const COMMAND_FORM = 'container=["executable","arg",...], e.g. web=["node","dist/migrate.js"]';

/** Reads every input; a wrong value fails here, before any AWS call. */
export function readInputs(): Inputs {
  const launchType = choice('launch-type', LAUNCH_TYPES);
  const strategy = capacityProviderStrategy();
  if (launchType !== undefined && strategy.length > 0) {
    throw inputError(
      'launch-type',
      'is set together with capacity-provider-strategy; ECS accepts one or the other: set only one',
    );
  }
  return {
    cluster: checkEcsNameOrArn('cluster', getRequired('cluster'), 'cluster'),
    'task-definition': readTaskDefinitionSource('task-definition'),
    service: optionalServiceName(),
    region: getOptional('region'),
    'command-overrides': commandOverrides(),
    subnets: ids('subnets', SUBNET, 'subnet-0123456789abcdef0'),
    'security-groups': ids('security-groups', SECURITY_GROUP, 'sg-0123456789abcdef0'),
    'assign-public-ip': choice('assign-public-ip', ['ENABLED', 'DISABLED'] as const),
    'launch-type': launchType,
    'capacity-provider-strategy': strategy,
    'platform-version': pattern('platform-version', PLATFORM_VERSION, 'LATEST or a version such as 1.4.0'),
    'started-by':
      pattern('started-by', STARTED_BY, 'up to 128 letters, digits, hyphens, slashes and underscores') ??
      'ecs-actions/run-task',
    'timeout-minutes': getInteger('timeout-minutes', { min: 1, max: 360, default: 30 }),
    'log-lines': getInteger('log-lines', { min: 0, max: 200, default: 20 }),
  };
}

function optionalServiceName(): string | undefined {
  const value = getOptional('service');
  return value === undefined ? undefined : checkEcsNameOrArn('service', value, 'service');
}

function commandOverrides(): Map<string, string[]> {
  const name = 'command-overrides';
  const lines = parseKeyValues(name, getMultiline(name), {
    keyName: 'container',
    valueName: 'JSON array',
    keyPattern: CONTAINER_NAME,
    keyPatternDescription: 'is not a container name (letters, digits, hyphens and underscores)',
    allowEmptyValue: false,
  });
  const overrides = new Map<string, string[]>();
  for (const [container, text] of lines) {
    let command: unknown;
    try {
      command = JSON.parse(text);
    } catch {
      throw inputError(name, `the command of ${container} is not JSON: ${text}; expected ${COMMAND_FORM}`);
    }
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((part): part is string => typeof part === 'string')
    ) {
      throw inputError(name, `the command of ${container} is not a list of strings: ${text}; expected ${COMMAND_FORM}`);
    }
    overrides.set(container, command);
  }
  return overrides;
}

function ids(name: string, form: RegExp, example: string): string[] {
  const values = getList(name);
  const bad = values.find((value) => !form.test(value));
  if (bad !== undefined) throw inputError(name, `"${bad}" is not an id of that kind; expected ids such as ${example}`);
  return values;
}

function choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
  const value = getOptional(name);
  if (value === undefined) return undefined;
  const match = choices.find((candidate) => candidate === value.toUpperCase());
  if (match === undefined) throw inputError(name, `"${value}" is not allowed; expected one of ${choices.join(', ')}`);
  return match;
}

function pattern(name: string, form: RegExp, expected: string): string | undefined {
  const value = getOptional(name);
  if (value === undefined || form.test(value)) return value;
  throw inputError(name, `"${value}" is not valid; expected ${expected}`);
}

/** Lines `provider=weight` or `provider=weight:base`, e.g. `FARGATE_SPOT=3` and `FARGATE=1:1`. */
function capacityProviderStrategy(): CapacityProvider[] {
  const name = 'capacity-provider-strategy';
  const form = 'lines provider=weight or provider=weight:base, e.g. FARGATE=1:1';
  const lines = parseKeyValues(name, getMultiline(name), {
    keyName: 'provider',
    valueName: 'weight[:base]',
    keyPattern: CAPACITY_PROVIDER,
    keyPatternDescription: 'is not a capacity provider name',
    allowEmptyValue: false,
  });
  return [...lines].map(([capacityProvider, value]) => {
    const match = /^(\d{1,4})(?::(\d{1,6}))?$/.exec(value);
    const weight = Number(match?.[1]);
    const base = match?.[2] === undefined ? undefined : Number(match[2]);
    if (!match || weight > 1000 || (base !== undefined && base > 100_000)) {
      throw inputError(name, `${capacityProvider}=${value}: weight 0-1000 and base 0-100000 expected; ${form}`);
    }
    return { capacityProvider, weight, ...(base === undefined ? {} : { base }) };
  });
}
