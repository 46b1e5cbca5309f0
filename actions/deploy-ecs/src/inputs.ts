import { getBoolean, getChoice, getInteger, getOptional, getRequired, inputError } from '@ecs-actions/action-kit';
import { checkEcsNameOrArn } from '@ecs-actions/aws';
import { readTaskDefinitionSource, type TaskDefinitionSource } from '@ecs-actions/taskdef';

export type { TaskDefinitionSource } from '@ecs-actions/taskdef';

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
  /** What a cancelled run does with a rollout still in progress. */
  'on-cancel': 'rollback' | 'leave';
}

const ACCOUNT_ID = /^\d{12}$/;

/** Reads every input; a wrong value fails here, before any AWS call. */
export function readInputs(): Inputs {
  return {
    cluster: checkEcsNameOrArn('cluster', getRequired('cluster'), 'cluster'),
    service: checkEcsNameOrArn('service', getRequired('service'), 'service'),
    region: getOptional('region'),
    'task-definition': readTaskDefinitionSource('task-definition'),
    wait: getBoolean('wait', true),
    'timeout-minutes': getInteger('timeout-minutes', { min: 1, max: 360, default: 30 }),
    rollback: getBoolean('rollback', true),
    'max-failed-tasks': getInteger('max-failed-tasks', { min: 1, max: 5000 }),
    'force-new-deployment': getBoolean('force-new-deployment', false),
    'desired-count': getInteger('desired-count', { min: 0, max: 5000 }),
    'expected-account-id': accountId('expected-account-id'),
    'on-cancel': getChoice('on-cancel', ['rollback', 'leave'] as const, 'rollback'),
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
