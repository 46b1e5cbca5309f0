import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { OTHER_IMAGE_DIGEST, SAMPLE_IMAGE_DIGEST, startLoopbackAws, type LoopbackAws } from '../src/index.js';
import { clientsFor } from './clients.js';

let aws: LoopbackAws;
let ecr: ReturnType<typeof clientsFor>['ecr'];
beforeAll(async () => {
  aws = await startLoopbackAws({ stepMs: 20 });
  ecr = clientsFor(aws).ecr;
});
afterAll(() => aws.close());

describe('ECR', () => {
  it('hands out an authorization token for the account registry', async () => {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const [data] = authorizationData!;
    expect(data.proxyEndpoint).toBe('https://123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    expect(Buffer.from(data.authorizationToken!, 'base64').toString()).toMatch(/^AWS:.+/);
    expect(data.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('describes the seeded sample-service repository', async () => {
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sample-service'] }));
    expect(repositories).toEqual([
      expect.objectContaining({
        repositoryName: 'sample-service',
        registryId: '123456789012',
        repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/sample-service',
        repositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/sample-service',
      }),
    ]);
  });

  it('answers RepositoryNotFoundException for an unknown repository', async () => {
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['ghost'] }))).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
      message: "The repository with name 'ghost' does not exist in the registry with id '123456789012'",
    });
  });

  it('creates a repository once and refuses a second time', async () => {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: 'team/new-service', imageTagMutability: 'IMMUTABLE' }),
    );
    expect(repository).toMatchObject({ repositoryName: 'team/new-service', imageTagMutability: 'IMMUTABLE' });
    await expect(ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/new-service' }))).rejects.toMatchObject({
      name: 'RepositoryAlreadyExistsException',
    });
    await expect(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad Name' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('stores a lifecycle policy and rejects one without rules', async () => {
    const text = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 10 },
          action: { type: 'expire' },
        },
      ],
    });
    await expect(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'sample-service', lifecyclePolicyText: text })),
    ).resolves.toMatchObject({ repositoryName: 'sample-service', lifecyclePolicyText: text });
    await expect(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'sample-service', lifecyclePolicyText: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('finds an image by tag and by digest', async () => {
    const byTag = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'sample-service', imageIds: [{ imageTag: '1.0.0' }] }),
    );
    expect(byTag.imageDetails).toEqual([
      expect.objectContaining({ imageDigest: SAMPLE_IMAGE_DIGEST, imageTags: ['1.0.0'], registryId: '123456789012' }),
    ]);
    expect(byTag.imageDetails![0].imagePushedAt).toBeInstanceOf(Date);
    const byDigest = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'sample-service', imageIds: [{ imageDigest: OTHER_IMAGE_DIGEST }] }),
    );
    expect(byDigest.imageDetails![0].imageTags).toEqual(['0.9.0']);
  });

  it('answers ImageNotFoundException for an unknown tag', async () => {
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'sample-service', imageIds: [{ imageTag: '9.9.9' }] })),
    ).rejects.toMatchObject({
      name: 'ImageNotFoundException',
      message: expect.stringContaining("imageTag:'9.9.9'"),
    });
  });

  it('returns a manifest whose sha256 is the image digest, and lists the misses as failures', async () => {
    const { images, failures } = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'sample-service',
        imageIds: [{ imageTag: '1.0.0' }, { imageTag: 'missing' }],
      }),
    );
    const manifest = images![0].imageManifest!;
    expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(SAMPLE_IMAGE_DIGEST);
    expect(images![0].imageId).toEqual({ imageDigest: SAMPLE_IMAGE_DIGEST, imageTag: '1.0.0' });
    expect(failures).toEqual([
      { imageId: { imageTag: 'missing' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ]);
  });

  it('serves images seeded by a test', async () => {
    const image = aws.seedImage({ repository: 'worker', tags: ['2.0.0'] });
    const { imageDetails } = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'worker', imageIds: [{ imageTag: '2.0.0' }] }),
    );
    expect(imageDetails![0].imageDigest).toBe(image.digest);
  });
});

describe('ECR backed by a registry that does not answer', () => {
  it('answers ServerException naming the registry, and its proxy endpoint is the registry', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const backed = await startLoopbackAws({ stepMs: 20, registry: '127.0.0.1:9' });
    try {
      const client = clientsFor(backed).ecr;
      const { authorizationData } = await client.send(new GetAuthorizationTokenCommand({}));
      expect(authorizationData![0].proxyEndpoint).toBe('http://127.0.0.1:9');
      await expect(
        client.send(new DescribeImagesCommand({ repositoryName: 'sample-service', imageIds: [{ imageTag: '1.0.0' }] })),
      ).rejects.toMatchObject({
        name: 'ServerException',
        message: expect.stringContaining('The registry behind the loopback ECR (127.0.0.1:9) did not answer'),
      });
    } finally {
      await backed.close();
    }
  });
});
