import { describe, expect, it } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GitHubBuildRole, GitHubOidcProvider, ServiceRepository, ServiceStack } from '../src/index.js';
import { docsPolicy, normalizePolicy } from './iam-policy-equality.js';

const BUILD_ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

function accountStack(createProvider: boolean) {
  const app = new App();
  const stack = new ServiceStack(app, 'orders-build', { env: { account: BUILD_ACCOUNT, region: REGION } });
  const oidc = new GitHubOidcProvider(stack, 'GitHubOidc', { create: createProvider });
  const images = new ServiceRepository(stack, 'Images', {
    repositoryName: 'orders',
    crossAccountPullRoleArns: [
      'arn:aws:iam::222222222222:role/orders-staging-execution',
      'arn:aws:iam::333333333333:role/orders-prod-execution',
    ],
  });
  new GitHubBuildRole(stack, 'Build', {
    provider: oidc.provider,
    githubRepository: 'acme/orders',
    repositoryName: images.repositoryName,
  });
  return Template.fromStack(stack);
}

const template = accountStack(true);

describe('ServiceRepository', () => {
  it('scans on push, keeps tags immutable and is kept when the stack is deleted', () => {
    template.hasResource('AWS::ECR::Repository', {
      Properties: Match.objectLike({
        RepositoryName: 'orders',
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('expires all but the last 10 images', () => {
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository')) as Array<{
      Properties: { LifecyclePolicy: { LifecyclePolicyText: string } };
    }>;
    const rules = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([
      expect.objectContaining({
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
        action: { type: 'expire' },
      }),
    ]);
  });

  it("lets only the other accounts' execution roles pull, before those roles exist", () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PullFromOtherAccountsExecutionRoles',
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Principal: {
              AWS: [
                { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
                { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] },
              ],
            },
            Condition: {
              ArnEquals: {
                'aws:PrincipalArn': [
                  'arn:aws:iam::222222222222:role/orders-staging-execution',
                  'arn:aws:iam::333333333333:role/orders-prod-execution',
                ],
              },
            },
          },
        ],
      },
    });
  });

  it('rejects a puller that is not a role ARN', () => {
    const stack = new ServiceStack(new App(), 'bad', { env: { account: BUILD_ACCOUNT, region: REGION } });
    expect(
      () =>
        new ServiceRepository(stack, 'Images', {
          repositoryName: 'orders',
          crossAccountPullRoleArns: ['222222222222'],
        }),
    ).toThrow('crossAccountPullRoleArns: "222222222222" is not an IAM role ARN');
  });
});

describe('GitHubBuildRole and the OIDC provider', () => {
  it("is docs/iam/build-role-policy.json with the repository's names", () => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'orders-build' } });
    const [{ Properties }] = Object.values(roles) as Array<{
      Properties: { Policies: Array<{ PolicyDocument: unknown }> };
    }>;
    expect(Properties.Policies).toHaveLength(1);
    expect(normalizePolicy(Properties.Policies[0].PolicyDocument)).toEqual(
      docsPolicy('build-role-policy', [
        ['ACCOUNT_ID', BUILD_ACCOUNT],
        ['REGION', REGION],
        ['REPOSITORY', 'orders'],
      ]),
    );
  });

  it('trusts only the build environment of the repository', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'orders-build',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': 'repo:acme/orders:environment:build',
              },
            },
          }),
        ],
      },
    });
  });

  it('outputs AWS_BUILD_ROLE_ARN and AWS_REGION for the build environment', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'GitHubVarBuildAwsBuildRoleArn',
      'GitHubVarBuildAwsRegion',
    ]);
    template.hasOutput('GitHubVarBuildAwsRegion', { Value: REGION });
  });

  it('creates the provider once and keeps it when the stack is deleted', () => {
    template.hasResource('AWS::IAM::OIDCProvider', {
      Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] },
      DeletionPolicy: 'Retain',
    });
  });

  it('imports the provider by its ARN in an account that already has one', () => {
    const imported = accountStack(false);
    imported.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    imported.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'orders-build',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: {
              Federated: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    `:iam::${BUILD_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
                  ],
                ],
              },
            },
          }),
        ],
      },
    });
  });
});
