import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { ArnInput } from '@ecs-actions/aws';
/*
 * Forms of the AWS references the inputs take. ECS reports a malformed one only when a task starts
 * (ResourceInitializationError minutes into a deploy); checking the form here fails the build step instead.
 */

const PARTITION = 'aws(?:-cn|-us-gov|-iso|-iso-b)?';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const ACCOUNT = '\\d{12}';

const SSM_PARAMETER_ARN = new RegExp(`^arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter/[A-Za-z0-9_.\\-/]+$`);
// The secret name may be followed by :json-key:version-stage:version-id (each part may be empty).
const SECRETS_MANAGER_ARN = new RegExp(
  `^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]+(?::[^:\\s]*:[^:\\s]*:[^:\\s]*)?$`,
);
const SSM_PARAMETER_NAME = /^\/?[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/[A-Za-z0-9+=,.@_/-]+$`);

export const SECRET_REFERENCE_FORMS =
  'an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>), ' +
  'a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>::]) ' +
  'or an SSM parameter name in the task region (/path/name)';

export type SecretSource = 'ssm' | 'secretsmanager';

/** Which store a secret's valueFrom points to, or undefined when it is malformed. */
export function secretSource(valueFrom: string): SecretSource | undefined {
  if (SECRETS_MANAGER_ARN.test(valueFrom)) return 'secretsmanager';
  if (SSM_PARAMETER_ARN.test(valueFrom)) return 'ssm';
  // Secrets Manager secrets must be given by full ARN; a bare name means an SSM parameter.
  if (!valueFrom.startsWith('arn:') && SSM_PARAMETER_NAME.test(valueFrom)) return 'ssm';
  return undefined;
}

export const ROLE_ARN_FORM = 'an IAM role ARN such as arn:aws:iam::123456789012:role/web-task';

export function isRoleArn(value: string): boolean {
  return ROLE_ARN.test(value);
}

/**
 * The IAM roles of a task-definition file as ARN inputs for checkArnsInScope, each named by the input, the file and
 * the field: ECS registers a role of another account without complaint, and the tasks then fail to start.
 */
export function roleArnInputs(
  input: string,
  path: string,
  taskDefinition: Pick<RegisterTaskDefinitionCommandInput, 'taskRoleArn' | 'executionRoleArn'>,
): ArnInput[] {
  return (['executionRoleArn', 'taskRoleArn'] as const).map((field) => ({
    input,
    where: `${path} ${field}`,
    value: taskDefinition[field],
  }));
}
