import { getOptional, getRequired, inputError } from '@ecs-actions/action-kit';
import { checkEcsNameOrArn } from '@ecs-actions/aws';

export interface RollbackPlanInputs {
  environment: string;
  cluster: string;
  service: string;
  container: string;
  region?: string;
  token: string;
  repository: { owner: string; repo: string };
}

const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Reads and checks every input before any AWS or GitHub call. */
export function readInputs(env: NodeJS.ProcessEnv = process.env): RollbackPlanInputs {
  const environment = getRequired('environment');
  if (!/^[\w.-]{1,64}$/.test(environment)) {
    throw inputError('environment', `"${environment}" is not an environment name; expected letters, digits, _ . -`);
  }
  const container = getOptional('container') ?? 'web';
  if (!CONTAINER_NAME.test(container)) {
    throw inputError('container', `"${container}" is not a container name; expected letters, digits, - and _`);
  }
  const slug = getOptional('repository') ?? env.GITHUB_REPOSITORY ?? '';
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(slug);
  if (!match) throw inputError('repository', `"${slug}" is not <owner>/<repository> (default: GITHUB_REPOSITORY)`);
  return {
    environment,
    cluster: checkEcsNameOrArn('cluster', getRequired('cluster'), 'cluster'),
    service: checkEcsNameOrArn('service', getRequired('service'), 'service'),
    container,
    region: getOptional('region'),
    token: getRequired('token'),
    repository: { owner: match[1]!, repo: match[2]! },
  };
}
