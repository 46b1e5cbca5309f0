import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ECRClient } from '@aws-sdk/client-ecr';
import { FakeClock } from '@ecs-actions/action-kit';
import { createAwsClient } from '@ecs-actions/aws';
import { confirmPushedImage, describeRegistry, findOrCreateRepository, getRegistryLogin } from '../src/ecr.js';
import {
  DIGEST,
  PASSWORD,
  REGISTRY,
  REPOSITORY,
  REPOSITORY_URI,
  Sandbox,
  TOKEN,
  authorizationToken,
  ecr,
  ecrError,
  imageFound,
} from './harness.js';

let sandbox: Sandbox;
let client: ECRClient;

beforeEach(() => {
  sandbox = new Sandbox();
  client = createAwsClient(ECRClient, { action: 'build-push-digest' });
});

afterEach(() => {
  sandbox.restore();
  expect(nock.pendingMocks()).toEqual([]);
});

const repository = { name: REPOSITORY, uri: REPOSITORY_URI, tagMutability: 'IMMUTABLE', created: false };

describe('getRegistryLogin', () => {
  it('decodes the password, masks it and the token, and takes the registry from the proxy endpoint', async () => {
    authorizationToken();
    await expect(getRegistryLogin(client)).resolves.toEqual({ registry: REGISTRY, password: PASSWORD });
    expect(sandbox.stdout).toBe(`::add-mask::${TOKEN}\n::add-mask::${PASSWORD}\n`);
  });
});

describe('findOrCreateRepository', () => {
  it('uses the repository another job created at the same moment', async () => {
    ecrError('DescribeRepositories', { repositoryNames: [REPOSITORY] }, 'RepositoryNotFoundException', 'missing');
    ecrError(
      'CreateRepository',
      {
        repositoryName: REPOSITORY,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: 'IMMUTABLE',
        encryptionConfiguration: { encryptionType: 'AES256' },
      },
      'RepositoryAlreadyExistsException',
      'already exists',
    );
    ecr('DescribeRepositories', { repositoryNames: [REPOSITORY] }, 200, {
      repositories: [{ repositoryName: REPOSITORY, repositoryUri: REPOSITORY_URI, imageTagMutability: 'MUTABLE' }],
    });
    await expect(
      findOrCreateRepository(client, { name: REPOSITORY, create: true, keepImages: 30, registry: REGISTRY }),
    ).resolves.toEqual({ name: REPOSITORY, uri: REPOSITORY_URI, tagMutability: 'MUTABLE', created: false });
  });

  it('leaves an existing repository’s settings alone even with create-repository', async () => {
    ecr('DescribeRepositories', { repositoryNames: [REPOSITORY] }, 200, {
      repositories: [{ repositoryName: REPOSITORY, repositoryUri: REPOSITORY_URI, imageTagMutability: 'MUTABLE' }],
    });
    await expect(
      findOrCreateRepository(client, { name: REPOSITORY, create: true, keepImages: 30, registry: REGISTRY }),
    ).resolves.toMatchObject({ created: false });
  });

  it('translates a missing permission into the IAM action to add', async () => {
    ecrError(
      'DescribeRepositories',
      { repositoryNames: [REPOSITORY] },
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/ci/gha is not authorized to perform: ecr:DescribeRepositories',
    );
    await expect(
      findOrCreateRepository(client, { name: REPOSITORY, create: false, keepImages: 30, registry: REGISTRY }),
    ).rejects.toThrow(
      /^Access denied calling ECR DescribeRepositories .* needs IAM permission ecr:DescribeRepositories/,
    );
  });
});

describe('confirmPushedImage', () => {
  it('waits for ECR to list a fresh push and returns its size and push time', async () => {
    const clock = new FakeClock();
    ecrError(
      'DescribeImages',
      { repositoryName: REPOSITORY, imageIds: [{ imageDigest: DIGEST }] },
      'ImageNotFoundException',
      'not yet',
      2,
    );
    imageFound(DIGEST, ['0123456', 'latest'], 1536);
    await expect(confirmPushedImage(client, { repository, digest: DIGEST, tags: ['0123456'], clock })).resolves.toEqual(
      {
        digest: DIGEST,
        tags: ['0123456', 'latest'],
        sizeInBytes: 1536,
        pushedAt: new Date('2026-01-01T00:00:05Z'),
      },
    );
    expect(clock.sleeps).toEqual([1000, 1000]);
  });
});

describe('describeRegistry', () => {
  it('names the account and region of an ECR registry', () => {
    expect(describeRegistry(REGISTRY)).toBe('account 123456789012 (eu-west-1)');
    expect(describeRegistry('registry.example.com')).toBe('registry.example.com');
  });
});
