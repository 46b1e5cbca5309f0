import { getBoolean, getChoice, getInteger, getOptional, getRequired, inputError } from '@ecs-actions/action-kit';
import { checkEcsNameOrArn } from '@ecs-actions/aws';
import { readTaskDefinitionSource, type TaskDefinitionSource } from '@ecs-actions/taskdef';

export type { TaskDefinitionSource } from '@ecs-actions/taskdef';

export interface Inputs {
  cluster: string;
  service: string;
  region?: string;
  /** Undefined only in the `continue` mode, which deploys nothing new. */
  'task-definition'?: TaskDefinitionSource;
  wait: boolean;
  /** Undefined: 30 minutes plus the bake and traffic-step time of the service's strategy. */
  'timeout-minutes'?: number;
  /** `paused`: stop once a PAUSE lifecycle hook awaits action, with the deployment ARN and hook id as outputs. */
  'wait-until': 'completed' | 'paused';
  /** Resume a paused deployment instead of deploying: CONTINUE or ROLLBACK its hook. */
  continue?: { action: 'CONTINUE' | 'ROLLBACK'; serviceDeploymentArn: string; hookId: string };
  rollback: boolean;
  /** Undefined: the ECS circuit-breaker threshold for the desired count (see defaultMaxFailedTasks). */
  'max-failed-tasks'?: number;
  'force-new-deployment': boolean;
  'desired-count'?: number;
  'expected-account-id'?: string;
  /** What a cancelled run does with a rollout still in progress. */
  'on-cancel': 'rollback' | 'leave';
  /** Last log lines shown per essential container of each failed task; 0 reads none. */
  'log-lines': number;
  /** CODE_DEPLOY services: the application and deployment group (AppECS-/DgpECS-<cluster>-<service> unless set). */
  'codedeploy-application'?: string;
  'codedeploy-deployment-group'?: string;
  /** Path of an AppSpec file (JSON or YAML); generated from the service's load balancer unless set. */
  'codedeploy-appspec'?: string;
}

/** CodeDeploy's own limit on application and deployment group names (1 to 100), without spaces or control characters. */
const CODEDEPLOY_NAME = /^[A-Za-z0-9_.+=,@-]{1,100}$/;

function codeDeployName(name: string): string | undefined {
  const value = getOptional(name);
  if (value === undefined || CODEDEPLOY_NAME.test(value)) return value;
  throw inputError(
    name,
    `"${value.slice(0, 120)}" is not a CodeDeploy name; expected 1 to 100 letters, digits and _.+=,@- ` +
      '(e.g. AppECS-prod-web or DgpECS-prod-web)',
  );
}

const ACCOUNT_ID = /^\d{12}$/;

/** The default rollout time, before a blue/green, linear or canary strategy adds its bake and step time. */
export const DEFAULT_TIMEOUT_MINUTES = 30;

const SERVICE_DEPLOYMENT_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,64}$/;
const HOOK_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

function continueMode(): Inputs['continue'] {
  const action = getChoice('continue', ['none', 'continue', 'rollback'] as const, 'none');
  if (action === 'none') return undefined;
  const serviceDeploymentArn = getRequired('service-deployment-arn');
  if (!SERVICE_DEPLOYMENT_ARN.test(serviceDeploymentArn)) {
    throw inputError(
      'service-deployment-arn',
      `"${serviceDeploymentArn}" is not a service deployment ARN; expected ` +
        'arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id> (the output of a paused deploy-ecs)',
    );
  }
  const hookId = getRequired('hook-id');
  if (!HOOK_ID.test(hookId)) {
    throw inputError(
      'hook-id',
      `"${hookId}" is not a lifecycle hook id; expected the hook-id output of a paused deploy-ecs`,
    );
  }
  return { action: action === 'continue' ? 'CONTINUE' : 'ROLLBACK', serviceDeploymentArn, hookId };
}

/** Reads every input; a wrong value fails here, before any AWS call. */
export function readInputs(): Inputs {
  const resume = continueMode();
  return {
    cluster: checkEcsNameOrArn('cluster', getRequired('cluster'), 'cluster'),
    service: checkEcsNameOrArn('service', getRequired('service'), 'service'),
    region: getOptional('region'),
    'task-definition': resume ? undefined : readTaskDefinitionSource('task-definition'),
    wait: getBoolean('wait', true),
    'timeout-minutes': getInteger('timeout-minutes', { min: 1, max: 360 }),
    'wait-until': getChoice('wait-until', ['completed', 'paused'] as const, 'completed'),
    continue: resume,
    rollback: getBoolean('rollback', true),
    'max-failed-tasks': getInteger('max-failed-tasks', { min: 1, max: 5000 }),
    'force-new-deployment': getBoolean('force-new-deployment', false),
    'desired-count': getInteger('desired-count', { min: 0, max: 5000 }),
    'expected-account-id': accountId('expected-account-id'),
    'on-cancel': getChoice('on-cancel', ['rollback', 'leave'] as const, 'rollback'),
    'log-lines': getInteger('log-lines', { min: 0, max: 200, default: 20 }),
    'codedeploy-application': codeDeployName('codedeploy-application'),
    'codedeploy-deployment-group': codeDeployName('codedeploy-deployment-group'),
    'codedeploy-appspec': getOptional('codedeploy-appspec'),
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
