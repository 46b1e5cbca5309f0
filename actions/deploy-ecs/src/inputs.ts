import { existsSync, statSync } from 'node:fs';
import { getBoolean, getInteger, getOptional, getRequired, inputError } from '@ecs-actions/action-kit';
import { checkEcsNameOrArn } from '@ecs-actions/aws';
import { TASK_DEFINITION_ARN_FORM, parseRevisionReference } from '@ecs-actions/taskdef';

/** What the `task-definition` input names: a file to register, or a revision ECS already has. */
export type TaskDefinitionSource = { kind: 'file'; path: string } | { kind: 'existing'; reference: string };

export interface Inputs {
  cluster: string;
  service: string;
  region?: string;
  'task-definition': TaskDefinitionSource;
  wait: boolean;
  'timeout-minutes': number;
  rollback: boolean;
  /** Undefined: the ECS circuit-breaker threshold for the desired count (see defaultMaxFailedTasks). */
  'max-failed-tasks'?: number;
  'force-new-deployment': boolean;
  'desired-count'?: number;
  'expected-account-id'?: string;
}

const ACCOUNT_ID = /^\d{12}$/;

function taskDefinitionSource(): TaskDefinitionSource {
  const name = 'task-definition';
  const value = getRequired(name);
  if (parseRevisionReference(value) !== undefined) return { kind: 'existing', reference: value };
  const expected =
    'expected the path of a JSON or YAML task-definition file, an existing revision as family:revision, ' +
    `or its ARN (${TASK_DEFINITION_ARN_FORM})`;
  if (value.startsWith('arn:')) throw inputError(name, `"${value}" is not a task definition ARN; ${expected}`);
  if (!existsSync(value)) throw inputError(name, `no file at ${value}; ${expected}`);
  if (!statSync(value).isFile()) throw inputError(name, `${value} is a directory; ${expected}`);
  return { kind: 'file', path: value };
}

/** Reads every input; a wrong value fails here, before any AWS call. */
export function readInputs(): Inputs {
  return {
    cluster: checkEcsNameOrArn('cluster', getRequired('cluster'), 'cluster'),
    service: checkEcsNameOrArn('service', getRequired('service'), 'service'),
    region: getOptional('region'),
    'task-definition': taskDefinitionSource(),
    wait: getBoolean('wait', true),
    'timeout-minutes': getInteger('timeout-minutes', { min: 1, max: 360, default: 30 }),
    rollback: getBoolean('rollback', true),
    'max-failed-tasks': getInteger('max-failed-tasks', { min: 1, max: 5000 }),
    'force-new-deployment': getBoolean('force-new-deployment', false),
    'desired-count': getInteger('desired-count', { min: 0, max: 5000 }),
    'expected-account-id': accountId('expected-account-id'),
  };
}

function accountId(name: string): string | undefined {
  const value = getOptional(name);
  if (value === undefined || ACCOUNT_ID.test(value)) return value;
  throw inputError(name, `"${value}" is not an AWS account id; expected 12 digits, e.g. 123456789012`);
}

/** The ECS deployment circuit breaker's threshold: half the desired count, at least 3, at most 200. */
export function defaultMaxFailedTasks(desiredCount: number): number {
  return Math.min(Math.max(Math.ceil(desiredCount / 2), 3), 200);
}
