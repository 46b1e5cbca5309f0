import { readFileSync } from 'node:fs';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Secret as SecretsManagerSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Secret } from 'aws-cdk-lib/aws-ecs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import {
  GitHubBuildRole,
  GitHubOidcProvider,
  ServiceEnvironment,
  ServiceRepository,
  ServiceStack,
} from '@ecs-actions/infra';
import {
  ENVIRONMENT_NAMES,
  type EnvironmentConfig,
  environmentConfig,
  GITHUB_REPOSITORY,
  SERVICE_NAME,
} from './environments.js';

export interface SampleAppOptions {
  /** The environments, in promotion order; the first one's account holds the repository. */
  readonly environments?: EnvironmentConfig[];
  /** Where the cloud assembly goes (the CLI sets it through CDK_OUTDIR). */
  readonly outdir?: string;
}

/**
 * cdk.json's context, feature flags included. `new App()` reads cdk.json only when the CLI runs it (the CLI passes
 * the context through the environment), so tests and scripts pass the same context explicitly.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export function stackName(environment: string): string {
  return `${SERVICE_NAME}-${environment}`;
}

/** The app: one stack per environment, cdk-nag's AwsSolutions checks on every stack. */
export function buildSampleApp(options: SampleAppOptions = {}): { app: App; stacks: Map<string, Stack> } {
  const app = new App({ context: cdkJsonContext(), outdir: options.outdir });
  const environments = options.environments ?? ENVIRONMENT_NAMES.map(environmentConfig);
  const [home] = environments;
  const stacks = new Map<string, Stack>();
  const accountsWithProvider = new Set<string>();
  let repository: ServiceRepository | undefined;

  for (const environment of environments) {
    const stack = new ServiceStack(app, stackName(environment.name), {
      env: { account: environment.account, region: environment.region },
      description: `${SERVICE_NAME} in ${environment.name}: the AWS side of the ecs-actions pipeline`,
      terminationProtection: environment.production,
    });
    // One OIDC provider per account: the first stack in an account creates it, the others import it.
    const oidc = new GitHubOidcProvider(stack, 'GitHubOidc', {
      create: !accountsWithProvider.has(environment.account),
    });
    accountsWithProvider.add(environment.account);

    let images: IRepository;
    if (environment === home) {
      repository = new ServiceRepository(stack, 'Images', {
        repositoryName: SERVICE_NAME,
        crossAccountPullRoleArns: environments
          .filter((other) => other.account !== home.account)
          .map((other) => `arn:aws:iam::${other.account}:role/${SERVICE_NAME}-${other.name}-execution`),
      });
      new GitHubBuildRole(stack, 'Build', {
        provider: oidc.provider,
        githubRepository: GITHUB_REPOSITORY,
        repositoryName: repository.repositoryName,
      });
      images = repository.repository;
    } else {
      images = ServiceRepository.fromAccount(stack, 'Images', {
        repositoryName: SERVICE_NAME,
        accountId: home.account,
        region: home.region,
      });
    }

    new ServiceEnvironment(stack, 'Service', {
      serviceName: SERVICE_NAME,
      environment: environment.name,
      githubRepository: GITHUB_REPOSITORY,
      oidcProvider: oidc.provider,
      repository: images,
      certificateArn: environment.certificateArn,
      domainName: environment.domainName,
      natGateways: environment.production ? 2 : 1,
      deletionProtection: environment.production,
      slackChannel: environment.slackChannel,
      secrets: {
        DATABASE_URL: Secret.fromSecretsManager(
          SecretsManagerSecret.fromSecretCompleteArn(stack, 'DatabaseUrl', environment.databaseUrlSecretArn),
        ),
        API_TOKEN: Secret.fromSsmParameter(
          StringParameter.fromSecureStringParameterAttributes(stack, 'ApiToken', {
            parameterName: environment.apiTokenParameterName,
          }),
        ),
      },
    });
    stacks.set(environment.name, stack);
  }

  // Acknowledgements are also written into the templates (Metadata cdk_nag) for audit tools and the tests.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  return { app, stacks };
}
