import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  type IOidcProvider,
  OidcProviderNative,
  type PolicyDocument,
  Role,
  WebIdentityPrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { githubVariableOutput } from './github-variable-outputs.js';
import { githubOidcTrustConditions, iamPolicyFromDocs } from './iam-documents.js';
import { checkEnvironmentName, checkGitHubRepository } from './names.js';

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface GitHubOidcProviderProps {
  /**
   * Create the account's GitHub OIDC provider here, or import the one another stack created. IAM holds one
   * provider per URL and account, so exactly one stack per account creates it; every other stack in that account
   * sets this to false.
   * @default true
   */
  readonly create?: boolean;
}

/** The account's GitHub Actions OIDC identity provider: created once per account, imported everywhere else. */
export class GitHubOidcProvider extends Construct {
  readonly provider: IOidcProvider;

  constructor(scope: Construct, id: string, props: GitHubOidcProviderProps = {}) {
    super(scope, id);
    if (props.create ?? true) {
      this.provider = new OidcProviderNative(this, 'Provider', {
        url: GITHUB_OIDC_URL,
        clientIds: ['sts.amazonaws.com'],
        // Deleting the stack of one service must not cut every other pipeline of the account off AWS.
        removalPolicy: RemovalPolicy.RETAIN,
      });
    } else {
      const arn = `arn:${Stack.of(this).partition}:iam::${Stack.of(this).account}:oidc-provider/${GITHUB_OIDC_HOST}`;
      this.provider = OidcProviderNative.fromOidcProviderArn(this, 'Provider', arn);
    }
  }
}

export interface GitHubEnvironmentRoleProps {
  /** The account's GitHub OIDC provider (GitHubOidcProvider.provider). */
  readonly provider: IOidcProvider;
  /** The repository whose workflows may assume the role, as OWNER/REPOSITORY. */
  readonly githubRepository: string;
  /** The GitHub environment whose jobs alone may assume the role: the token's subject must be exactly
   * repo:OWNER/REPOSITORY:environment:<environment>, so a job of another environment or branch cannot. */
  readonly githubEnvironment: string;
  /** The role's name. */
  readonly roleName: string;
  /** What the role is for, shown in IAM. */
  readonly description: string;
  /**
   * The longest session the role allows. The deploy job asks for 90 minutes (role-duration-seconds 5400, longer
   * than its 75-minute timeout) so a rollback never runs on expired credentials.
   * @default 2 hours
   */
  readonly maxSessionDuration?: Duration;
  /** The role's permissions, one inline policy per entry. */
  readonly inlinePolicies: Record<string, PolicyDocument>;
}

/** A role that only the jobs of one GitHub environment of one repository can assume (docs/iam/github-oidc-trust-policy.json). */
export class GitHubEnvironmentRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: GitHubEnvironmentRoleProps) {
    super(scope, id);
    checkGitHubRepository(props.githubRepository);
    checkEnvironmentName(props.githubEnvironment, 'githubEnvironment');
    const conditions = githubOidcTrustConditions(
      Stack.of(this).account,
      props.githubRepository,
      props.githubEnvironment,
    );
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new WebIdentityPrincipal(props.provider.oidcProviderArn, conditions),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(2),
      inlinePolicies: props.inlinePolicies,
    });
  }
}

export interface GitHubBuildRoleProps {
  /** The account's GitHub OIDC provider (GitHubOidcProvider.provider). */
  readonly provider: IOidcProvider;
  /** The repository whose build job may assume the role, as OWNER/REPOSITORY. */
  readonly githubRepository: string;
  /** The ECR repository the build pushes to (ServiceRepository.repositoryName); the role can push to no other. */
  readonly repositoryName: string;
  /**
   * The GitHub environment of the build job (pipeline.yml's `environment: build`).
   * @default 'build'
   */
  readonly githubEnvironment?: string;
  /**
   * The role's name.
   * @default '<repository name>-build'
   */
  readonly roleName?: string;
}

/**
 * The build job's role, once per account that holds the ECR repository: exactly docs/iam/build-role-policy.json.
 * Adds the stack outputs AWS_BUILD_ROLE_ARN and AWS_REGION of the build environment.
 */
export class GitHubBuildRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: GitHubBuildRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const environment = props.githubEnvironment ?? 'build';
    const repositoryName = props.repositoryName;
    this.role = new GitHubEnvironmentRole(this, 'Trust', {
      provider: props.provider,
      githubRepository: props.githubRepository,
      githubEnvironment: environment,
      roleName: props.roleName ?? `${repositoryName}-build`,
      description: `Builds and pushes ${repositoryName} from ${props.githubRepository} (GitHub environment ${environment})`,
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        'ecs-actions-build': iamPolicyFromDocs('build-role-policy', {
          REGION: stack.region,
          ACCOUNT_ID: stack.account,
          REPOSITORY: repositoryName,
        }),
      },
    }).role;
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The build role is exactly docs/iam/build-role-policy.json: ecr:GetAuthorizationToken has no resource-level ' +
        'permission; every push permission names the one repository.',
    });
    githubVariableOutput(this, environment, 'AWS_BUILD_ROLE_ARN', this.role.roleArn);
    githubVariableOutput(this, environment, 'AWS_REGION', stack.region);
  }
}
