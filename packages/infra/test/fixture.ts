import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-ecs';
import { Secret as SecretsManagerSecret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  GitHubOidcProvider,
  ServiceEnvironment,
  type ServiceEnvironmentProps,
  ServiceRepository,
  ServiceStack,
} from '../src/index.js';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const DATABASE_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:orders/dev/database-url-Xk3p9Q`;

export type EnvironmentOverrides = Partial<Omit<ServiceEnvironmentProps, 'oidcProvider' | 'repository'>>;

/** One stack holding one environment of the service "orders", as an adopter's app would write it. */
export function environmentStack(overrides: EnvironmentOverrides = {}, context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const stack = new ServiceStack(app, 'orders-dev', { env: { account: ACCOUNT, region: REGION } });
  const oidc = new GitHubOidcProvider(stack, 'GitHubOidc');
  const images = new ServiceRepository(stack, 'Images', { repositoryName: 'orders' });
  const environment = new ServiceEnvironment(stack, 'Service', {
    serviceName: 'orders',
    environment: 'dev',
    githubRepository: 'acme/orders',
    oidcProvider: oidc.provider,
    repository: images.repository,
    certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/11111111-2222-4333-8444-555555555555`,
    domainName: 'orders.dev.example.com',
    secrets: {
      DATABASE_URL: Secret.fromSecretsManager(
        SecretsManagerSecret.fromSecretCompleteArn(stack, 'DatabaseUrl', DATABASE_SECRET_ARN),
      ),
    },
    ...overrides,
  });
  return { app, stack, environment, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The one resource of a type in a template (the test fails when there are several or none). */
export function onlyResource(
  template: Template,
  type: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type) as Resources);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [[logicalId, resource]] = found;
  return { logicalId, properties: resource.Properties ?? {} };
}

/** The logical id of the IAM role with this name. */
export function roleLogicalId(template: Template, roleName: string): string {
  const found = Object.entries(template.findResources('AWS::IAM::Role') as Resources).filter(
    ([, role]) => role.Properties?.RoleName === roleName,
  );
  if (found.length !== 1) throw new Error(`expected one role named ${roleName}, found ${found.length}`);
  return found[0][0];
}
