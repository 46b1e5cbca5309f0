import { readFileSync } from 'node:fs';
import { parseKeyValues } from '@ecs-actions/action-kit';

/**
 * The sample service's environments. Account, region, public origin and the database secret come from the same
 * vars files the pipeline renders the task definition with (sample-service/deploy/<env>.env), so the stacks and the
 * task definitions cannot name different accounts or secrets.
 */
export const SERVICE_NAME = 'sample-service';
/** The repository whose pipeline deploys the service (replace with yours). */
export const GITHUB_REPOSITORY = 'org/ecs-actions';
/** The environments in promotion order. The first one's account also holds the ECR repository and the build role. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly account: string;
  readonly region: string;
  /** The public name; the certificate is for it (replace both with yours). */
  readonly domainName: string;
  readonly certificateArn: string;
  /** Secrets Manager secret of DATABASE_URL. */
  readonly databaseUrlSecretArn: string;
  /** SSM SecureString parameter of API_TOKEN (the template's arn:aws:ssm:...:parameter/<name>). */
  readonly apiTokenParameterName: string;
  /** The Slack channel id of deployment messages (replace with yours). */
  readonly slackChannel: string;
  /** Production keeps its load balancer from being deleted and two NAT gateways (one per zone). */
  readonly production: boolean;
}

const deployFolder = new URL('../../deploy/', import.meta.url);

export function readVarsFile(environment: EnvironmentName): Map<string, string> {
  const path = new URL(`${environment}.env`, deployFolder);
  return parseKeyValues(`sample-service/deploy/${environment}.env`, readFileSync(path, 'utf8'));
}

function required(vars: Map<string, string>, name: string, environment: string): string {
  const value = vars.get(name);
  if (!value) throw new Error(`sample-service/deploy/${environment}.env has no ${name}=...`);
  return value;
}

export function environmentConfig(name: EnvironmentName): EnvironmentConfig {
  const vars = readVarsFile(name);
  const account = required(vars, 'ACCOUNT_ID', name);
  const region = required(vars, 'REGION', name);
  const domainName = new URL(required(vars, 'CORS_ORIGIN', name)).hostname;
  return {
    name,
    account,
    region,
    domainName,
    // Placeholder certificate ids, like the placeholder secret ARNs in the vars files: use your own.
    certificateArn: `arn:aws:acm:${region}:${account}:certificate/00000000-0000-4000-8000-0000000000${account.slice(0, 2)}`,
    databaseUrlSecretArn: required(vars, 'DATABASE_URL_SECRET_ARN', name),
    apiTokenParameterName: `/${SERVICE_NAME}/${name}/api-token`,
    slackChannel: 'C0123456789',
    production: name === 'prod',
  };
}
