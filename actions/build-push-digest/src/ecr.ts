import * as core from '@actions/core';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand,
  type ECRClient,
  type ImageDetail,
  type Repository as EcrRepository,
} from '@aws-sdk/client-ecr';
import { UserError, poll, shortDigest, type Clock } from '@ecs-actions/action-kit';
import { isAwsError } from '@ecs-actions/aws';

export interface RegistryLogin {
  /** Registry host, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  registry: string;
  password: string;
}

export interface Repository {
  name: string;
  /** `<registry>/<name>` */
  uri: string;
  tagMutability?: string;
  /** True when this run created it. */
  created: boolean;
}

export interface PushedImage {
  digest: string;
  tags: string[];
  sizeInBytes?: number;
  pushedAt?: Date;
}

/** Asks ECR for a 12-hour registry password and masks it (and the token it came in) in the log at once. */
export async function getRegistryLogin(ecr: ECRClient): Promise<RegistryLogin> {
  const response = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new Error('ECR GetAuthorizationToken returned no authorization token or proxy endpoint');
  }
  core.setSecret(data.authorizationToken);
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator === -1)
    throw new Error('ECR GetAuthorizationToken returned a token that is not base64 of user:password');
  const password = decoded.slice(separator + 1);
  core.setSecret(password);
  return { registry: data.proxyEndpoint.replace(/^https?:\/\//, '').replace(/\/+$/, ''), password };
}

export interface RepositoryOptions {
  name: string;
  create: boolean;
  keepImages: number;
  /** Registry host, to name the account and region in messages. */
  registry: string;
}

/** Finds the repository; creates it (scan on push, immutable tags, encryption, lifecycle) only when asked. */
export async function findOrCreateRepository(ecr: ECRClient, options: RepositoryOptions): Promise<Repository> {
  const existing = await describeRepository(ecr, options.name);
  if (existing) return existing;
  const where = describeRegistry(options.registry);
  if (!options.create) {
    throw new UserError(
      `ECR repository '${options.name}' does not exist in ${where}. Create it (Terraform, CloudFormation or the ` +
        `console), or set create-repository: true to let this action create it with scan on push, immutable tags, ` +
        `encryption at rest and a lifecycle policy keeping the newest keep-images images.`,
    );
  }
  let created: EcrRepository | undefined;
  try {
    const response = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: options.name,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: 'IMMUTABLE',
        encryptionConfiguration: { encryptionType: 'AES256' },
      }),
    );
    created = response.repository;
  } catch (error) {
    // Another job created it between our two calls: use theirs, settings and all.
    if (isAwsError(error, 'RepositoryAlreadyExistsException')) {
      const raced = await describeRepository(ecr, options.name);
      if (raced) return raced;
    }
    throw error;
  }
  if (!created?.repositoryUri) throw new Error('ECR CreateRepository returned no repository URI');
  await ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: options.name,
      lifecyclePolicyText: lifecyclePolicy(options.keepImages),
    }),
  );
  core.info(
    `Created ECR repository ${created.repositoryUri} (scan on push, immutable tags, AES-256 encryption, ` +
      `lifecycle policy keeping the newest ${options.keepImages} images)`,
  );
  return { name: options.name, uri: created.repositoryUri, tagMutability: created.imageTagMutability, created: true };
}

/** Keeps the newest `keepImages` images of any tag status; older ones expire. */
export function lifecyclePolicy(keepImages: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the newest ${keepImages} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepImages },
        action: { type: 'expire' },
      },
    ],
  });
}

async function describeRepository(ecr: ECRClient, name: string): Promise<Repository | undefined> {
  try {
    const response = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    const repository = response.repositories?.[0];
    if (!repository?.repositoryUri) throw new Error(`ECR DescribeRepositories returned no URI for '${name}'`);
    return { name, uri: repository.repositoryUri, tagMutability: repository.imageTagMutability, created: false };
  } catch (error) {
    if (isAwsError(error, 'RepositoryNotFoundException')) return undefined;
    throw error;
  }
}

/**
 * In a repository with immutable tags, a tag that already exists makes the push fail after the whole build.
 * Checking first turns a ten-minute failure into a one-second one, with the existing digest in the message.
 */
export async function rejectExistingImmutableTags(
  ecr: ECRClient,
  repository: Repository,
  tags: string[],
): Promise<void> {
  if (repository.tagMutability !== 'IMMUTABLE') return;
  for (const tag of tags) {
    const image = await describeImage(ecr, repository.name, { imageTag: tag });
    if (!image?.imageDigest) continue;
    throw new UserError(
      `Tag '${tag}' already exists in ECR repository '${repository.name}' (image ${image.imageDigest}) and the ` +
        `repository's tags are immutable, so the push would fail. If this commit was already built, deploy ` +
        `${repository.uri}@${image.imageDigest}; otherwise push under another tag (input tags).`,
    );
  }
}

export interface ConfirmOptions {
  repository: Repository;
  digest: string;
  tags: string[];
  clock: Clock;
  /** How long to wait for ECR to list a fresh push. */
  timeoutMs?: number;
}

/**
 * Checks that ECR holds the pushed digest and that it carries every requested tag, the proof that the
 * digest outputs name what was pushed. A short wait covers a push that ECR has not listed yet.
 */
export async function confirmPushedImage(ecr: ECRClient, options: ConfirmOptions): Promise<PushedImage> {
  const { repository, digest, tags, clock } = options;
  let latest: ImageDetail | undefined;
  const result = await poll({
    clock,
    interval: 1000,
    timeoutMs: options.timeoutMs ?? 10_000,
    attempt: async () => {
      latest = await describeImage(ecr, repository.name, { imageDigest: digest });
      const present = new Set(latest?.imageTags ?? []);
      return latest && tags.every((tag) => present.has(tag)) ? latest : undefined;
    },
  });
  const seconds = Math.round(result.elapsedMs / 1000);
  if (!result.done && !latest) {
    throw new UserError(
      `buildx reported pushing ${digest} but ECR repository '${repository.name}' has no image with that digest ` +
        `after ${seconds}s. The push did not complete: read the end of the build log above and run the job again.`,
    );
  }
  if (!result.done) {
    const carried = latest?.imageTags ?? [];
    const missing = tags.filter((tag) => !carried.includes(tag));
    throw new UserError(
      `ECR image ${shortDigest(digest)} in '${repository.name}' does not carry the tag(s) ${missing.join(', ')} ` +
        `(it carries ${carried.length ? carried.join(', ') : 'no tags'}). Another push may have taken the tag while ` +
        `this one ran; push under a tag unique to this build, such as the commit SHA.`,
    );
  }
  const image = result.value;
  return { digest, tags: image.imageTags ?? [], sizeInBytes: image.imageSizeInBytes, pushedAt: image.imagePushedAt };
}

async function describeImage(
  ecr: ECRClient,
  repositoryName: string,
  imageId: { imageDigest?: string; imageTag?: string },
): Promise<ImageDetail | undefined> {
  try {
    const response = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
    return response.imageDetails?.[0];
  } catch (error) {
    if (isAwsError(error, 'ImageNotFoundException')) return undefined;
    throw error;
  }
}

/** `account 123456789012 (eu-west-1)` from a registry host. */
export function describeRegistry(registry: string): string {
  const match = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(registry);
  return match ? `account ${match[1]} (${match[2]})` : registry;
}
