import { randomBytes } from 'node:crypto';
import type {
  BatchGetImageRequest,
  CreateRepositoryRequest,
  DescribeImagesRequest,
  DescribeRepositoriesRequest,
  GetLifecyclePolicyRequest,
  ImageIdentifier,
  PutLifecyclePolicyRequest,
} from '@aws-sdk/client-ecr';
import { AwsError } from './errors.js';
import { paginate } from './paging.js';
import { seedRepository } from './seed.js';
import type { RepositoryRecord, World } from './world.js';

/** ECR (JSON 1.1, `x-amz-target: AmazonEC2ContainerRegistry_V20150921.<Operation>`). */

const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

function repositoryShape(world: World, repository: RepositoryRecord) {
  return {
    repositoryArn: repository.arn,
    registryId: world.accountId,
    repositoryName: repository.name,
    repositoryUri: repository.uri,
    createdAt: repository.createdAt / 1000,
    imageTagMutability: repository.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
    encryptionConfiguration: { encryptionType: 'AES256' },
  };
}

function requireRepository(world: World, name: string | undefined): RepositoryRecord {
  const repository = world.repositories.get(name ?? '');
  if (!repository) {
    throw new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${world.accountId}'`,
    );
  }
  return repository;
}

function describeImageId(id: ImageIdentifier): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}

function GetAuthorizationToken(world: World) {
  return {
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${randomBytes(48).toString('base64')}`).toString('base64'),
        expiresAt: (world.now() + 12 * 3_600_000) / 1000,
        proxyEndpoint: world.images.proxyEndpoint,
      },
    ],
  };
}

function DescribeRepositories(world: World, input: DescribeRepositoriesRequest) {
  const repositories = input.repositoryNames?.length
    ? input.repositoryNames.map((name) => requireRepository(world, name))
    : [...world.repositories.values()];
  const { page, nextToken } = paginate(repositories, input.maxResults, input.nextToken, 1000);
  return { repositories: page.map((repository) => repositoryShape(world, repository)), nextToken };
}

function CreateRepository(world: World, input: CreateRepositoryRequest) {
  const name = input.repositoryName ?? '';
  if (!REPOSITORY_NAME.test(name)) {
    throw new AwsError(
      'InvalidParameterException',
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`,
    );
  }
  if (world.repositories.has(name)) {
    throw new AwsError(
      'RepositoryAlreadyExistsException',
      `The repository with name '${name}' already exists in the registry with id '${world.accountId}'`,
    );
  }
  const repository = seedRepository(world, name);
  repository.createdAt = world.now();
  repository.imageTagMutability = input.imageTagMutability === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE';
  repository.scanOnPush = input.imageScanningConfiguration?.scanOnPush ?? false;
  repository.tags = (input.tags ?? []).map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }));
  return { repository: repositoryShape(world, repository) };
}

function PutLifecyclePolicy(world: World, input: PutLifecyclePolicyRequest) {
  const repository = requireRepository(world, input.repositoryName);
  let rules: unknown;
  try {
    rules = (JSON.parse(input.lifecyclePolicyText ?? '') as { rules?: unknown }).rules;
  } catch {
    rules = undefined;
  }
  if (!Array.isArray(rules) || rules.length === 0) {
    throw new AwsError(
      'InvalidParameterException',
      "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: " +
        'object has missing required properties (["rules"])\'',
    );
  }
  repository.lifecyclePolicyText = input.lifecyclePolicyText;
  return {
    registryId: world.accountId,
    repositoryName: repository.name,
    lifecyclePolicyText: repository.lifecyclePolicyText,
  };
}

function GetLifecyclePolicy(world: World, input: GetLifecyclePolicyRequest) {
  const repository = requireRepository(world, input.repositoryName);
  if (!repository.lifecyclePolicyText) {
    throw new AwsError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${repository.name}' in the registry with id '${world.accountId}'`,
    );
  }
  return {
    registryId: world.accountId,
    repositoryName: repository.name,
    lifecyclePolicyText: repository.lifecyclePolicyText,
    lastEvaluatedAt: world.now() / 1000,
  };
}

async function DescribeImages(world: World, input: DescribeImagesRequest) {
  const repository = requireRepository(world, input.repositoryName);
  let images;
  if (input.imageIds?.length) {
    images = [];
    for (const id of input.imageIds) {
      const image = await world.images.find(repository, id);
      if (!image) {
        throw new AwsError(
          'ImageNotFoundException',
          `The image with imageId ${describeImageId(id)} does not exist within the repository with name '${repository.name}' in the registry with id '${world.accountId}'`,
        );
      }
      images.push(image);
    }
  } else {
    images = await world.images.list(repository);
    if (input.filter?.tagStatus === 'TAGGED' || input.filter?.tagStatus === 'UNTAGGED') {
      const tagged = input.filter.tagStatus === 'TAGGED';
      images = images.filter((image) => image.tags.length > 0 === tagged);
    }
  }
  const { page, nextToken } = paginate(images, input.maxResults, input.nextToken, 1000);
  return {
    imageDetails: page.map((image) => ({
      registryId: world.accountId,
      repositoryName: repository.name,
      imageDigest: image.digest,
      imageTags: image.tags.length > 0 ? image.tags : undefined,
      imageSizeInBytes: image.sizeInBytes,
      imagePushedAt: image.pushedAt / 1000,
      imageManifestMediaType: image.mediaType,
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    })),
    nextToken,
  };
}

async function BatchGetImage(world: World, input: BatchGetImageRequest) {
  const repository = requireRepository(world, input.repositoryName);
  const images = [];
  const failures = [];
  for (const id of input.imageIds ?? []) {
    const image = await world.images.find(repository, id);
    if (image) {
      images.push({
        registryId: world.accountId,
        repositoryName: repository.name,
        imageId: { imageDigest: image.digest, imageTag: id.imageTag },
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
      });
    } else {
      failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
    }
  }
  return { images, failures };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own request type
type Handler = (world: World, input: any) => unknown;

const OPERATIONS: Record<string, Handler> = {
  GetAuthorizationToken,
  DescribeRepositories,
  CreateRepository,
  PutLifecyclePolicy,
  GetLifecyclePolicy,
  DescribeImages,
  BatchGetImage,
};

export function ecrOperation(operation: string): Handler | undefined {
  return Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
}
