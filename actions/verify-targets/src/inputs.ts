import {
  compileUserPattern,
  foreignLine,
  getChoice,
  getInteger,
  getLines,
  getMultiline,
  getOptional,
  getRequired,
  inputError,
  type UserPattern,
} from '@ecs-actions/action-kit';
import { checkEcsNameOrArn } from '@ecs-actions/aws';
import { TASK_DEFINITION_ARN_FORM, parseRevisionReference } from '@ecs-actions/taskdef/revision';
import { parseExpectedDigests, type ExpectedDigests } from './digests.js';
import type { LogCheckMode } from './logs.js';

export interface VerifyTargetsInputs {
  cluster: string;
  service?: string;
  'target-group-arns': string[];
  'task-definition-arn'?: string;
  'expected-digests'?: ExpectedDigests;
  'timeout-seconds': number;
  /** Last lines shown of each task behind a failing target; 0 reads none. */
  'log-lines': number;
  'log-check': LogCheckMode;
  'log-error-pattern'?: UserPattern;
  region?: string;
  /**
   * `test`: verify the targets behind the test listener of a native blue/green service (the alternate target groups
   * of its load balancers), as a deployment paused at POST_TEST_TRAFFIC_SHIFT has them; `production` by default.
   */
  listener: 'production' | 'test';
}

const LOG_CHECK_MODES = ['warn', 'fail', 'off'] as const;

function readErrorPattern(): UserPattern | undefined {
  const pattern = getOptional('log-error-pattern');
  if (pattern === undefined) return undefined;
  try {
    return compileUserPattern(pattern);
  } catch (error) {
    throw inputError(
      'log-error-pattern',
      `"${foreignLine(pattern.slice(0, 80))}" is not a regular expression: ${(error as Error).message}`,
    );
  }
}

const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;

/** Reads and checks every input before any AWS call. */
export function readInputs(): VerifyTargetsInputs {
  const cluster = checkEcsNameOrArn('cluster', getRequired('cluster'), 'cluster');
  const serviceInput = getOptional('service');
  const service = serviceInput === undefined ? undefined : checkEcsNameOrArn('service', serviceInput, 'service');

  const targetGroupArns = getLines('target-group-arns');
  targetGroupArns.forEach((arn, index) => {
    if (!TARGET_GROUP_ARN.test(arn)) {
      throw inputError(
        'target-group-arns',
        `line ${index + 1} "${arn}" is not a target group ARN; expected ` +
          `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>, one per line`,
      );
    }
  });
  if (service === undefined && targetGroupArns.length === 0) {
    throw inputError(
      'service',
      'is required unless target-group-arns is set; set service to verify the target groups of its load balancers, ' +
        'or target-group-arns to name them',
    );
  }

  const taskDefinitionArn = getOptional('task-definition-arn');
  if (taskDefinitionArn !== undefined && parseRevisionReference(taskDefinitionArn) === undefined) {
    throw inputError(
      'task-definition-arn',
      `"${taskDefinitionArn}" is not a task definition revision; expected ` +
        `${TASK_DEFINITION_ARN_FORM} or <family>:<revision>`,
    );
  }
  if (service === undefined && taskDefinitionArn === undefined) {
    throw inputError(
      'task-definition-arn',
      'is required when target-group-arns is set without service (there is no service to take the current ' +
        'task definition from); set it to the revision you deployed, e.g. the task-definition-arn output of deploy-ecs',
    );
  }

  const listener = getChoice('listener', ['production', 'test'] as const, 'production');
  if (listener === 'test' && (service === undefined || targetGroupArns.length > 0)) {
    throw inputError(
      'listener',
      'test takes the alternate target groups from the service (loadBalancers[].advancedConfiguration); set ' +
        'service and leave target-group-arns empty, or keep listener: production to verify exactly target-group-arns',
    );
  }

  return {
    cluster,
    service,
    'target-group-arns': [...new Set(targetGroupArns)],
    'task-definition-arn': taskDefinitionArn,
    'expected-digests': parseExpectedDigests('expected-digests', getMultiline('expected-digests')),
    'timeout-seconds': getInteger('timeout-seconds', { default: 300, min: 1, max: 3600 }),
    'log-lines': getInteger('log-lines', { min: 0, max: 200, default: 20 }),
    'log-check': getChoice('log-check', LOG_CHECK_MODES, 'warn'),
    'log-error-pattern': readErrorPattern(),
    region: getOptional('region'),
    listener,
  };
}
