import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IRepository, Repository, TagMutability } from 'aws-cdk-lib/aws-ecr';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { checkAccountId } from './names.js';

export interface ServiceRepositoryProps {
  /** The repository's name: the `repository` input of build-push-digest. */
  readonly repositoryName: string;
  /**
   * How many images to keep; older ones are expired. Keep enough to roll back past a few bad releases.
   * @default 10
   */
  readonly keepImages?: number;
  /**
   * Execution roles in other accounts that may pull, as role ARNs: the roles of environments that live in another
   * account than the repository (build once, promote the digest across accounts). Same-account roles need no entry.
   * @default none
   */
  readonly crossAccountPullRoleArns?: string[];
  /**
   * What happens to the repository and its images when the stack is deleted.
   * @default RemovalPolicy.RETAIN (images that production runs are never deleted with a stack)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The service's ECR repository, created once (in the build account) and shared by every environment: scan on
 * push, immutable tags, keep the last N images, pull by the other accounts' execution roles.
 */
export class ServiceRepository extends Construct {
  readonly repository: Repository;
  readonly repositoryName: string;

  /** The repository from another stack or account, for an environment that only pulls from it. */
  static fromAccount(
    scope: Construct,
    id: string,
    attributes: { repositoryName: string; accountId: string; region?: string },
  ): IRepository {
    checkAccountId(attributes.accountId, 'repository accountId');
    const stack = Stack.of(scope);
    const arn = stack.formatArn({
      service: 'ecr',
      account: attributes.accountId,
      region: attributes.region ?? stack.region,
      resource: 'repository',
      resourceName: attributes.repositoryName,
    });
    return Repository.fromRepositoryAttributes(scope, id, {
      repositoryArn: arn,
      repositoryName: attributes.repositoryName,
    });
  }

  constructor(scope: Construct, id: string, props: ServiceRepositoryProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 10;
    if (!Number.isInteger(keepImages) || keepImages < 1) {
      throw new Error(`keepImages ${keepImages} is not valid; expected a whole number of images, at least 1`);
    }
    this.repositoryName = props.repositoryName;
    this.repository = new Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // A digest is what the pipeline deploys; an immutable tag can never be moved to another image under it.
      imageTagMutability: TagMutability.IMMUTABLE,
      lifecycleRules: [{ description: `Keep the last ${keepImages} images`, maxImageCount: keepImages }],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const pullers = props.crossAccountPullRoleArns ?? [];
    if (pullers.length > 0) {
      for (const arn of pullers) {
        if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn)) {
          throw new Error(
            `crossAccountPullRoleArns: "${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
          );
        }
      }
      // The account as principal, the role as condition: a policy naming a role that does not exist yet (the
      // other account's stack is deployed later) would be rejected, while this one takes effect once it does.
      const accounts = [...new Set(pullers.map((arn) => arn.split(':')[4]))];
      this.repository.addToResourcePolicy(
        new PolicyStatement({
          sid: 'PullFromOtherAccountsExecutionRoles',
          principals: accounts.map(
            (account) => new ArnPrincipal(`arn:${Stack.of(this).partition}:iam::${account}:root`),
          ),
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          conditions: { ArnEquals: { 'aws:PrincipalArn': pullers } },
        }),
      );
    }
  }
}
