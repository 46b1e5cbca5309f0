import { inputError } from '@ecs-actions/action-kit';

// ECS cluster and service names: up to 255 letters, digits, hyphens and underscores.
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ARNS = {
  cluster: /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/,
  // The short service ARN (without the cluster) still exists in accounts that never opted into the long format.
  service: /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/(?:[A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9_-]{1,255}$/,
};

/** Checks a `cluster` or `service` input: an ECS name or ARN. Fails with an input error naming both forms. */
export function checkEcsNameOrArn(input: string, value: string, kind: 'cluster' | 'service'): string {
  if (NAME.test(value) || ARNS[kind].test(value)) return value;
  throw inputError(
    input,
    `"${value}" is not a ${kind} name or ARN; expected up to 255 letters, digits, hyphens and underscores, ` +
      `or arn:aws:ecs:<region>:<account>:${kind}/${kind === 'service' ? '<cluster>/' : ''}<name>`,
  );
}
