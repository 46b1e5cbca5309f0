import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { BatchGetImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithDocker, dockerOk, registryAddress, registryManifestDigest } from '@ecs-actions/docker-test';
import { startLoopbackAws, type LoopbackAws } from '../../src/index.js';
import { clientsFor } from '../clients.js';

describeWithDocker('ECR backed by the real registry', () => {
  const registry = registryAddress();
  const repository = `ecs-actions-test/ecr-${randomBytes(4).toString('hex')}`;
  let aws: LoopbackAws;
  let ecr: ReturnType<typeof clientsFor>['ecr'];
  let context: string;

  // A one-file image from scratch: pushing it takes a second and needs no base image.
  async function push(tag: string, content: string): Promise<void> {
    await writeFile(join(context, 'content.txt'), content);
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY content.txt /content.txt\n');
    await dockerOk(
      [
        'buildx',
        'build',
        '--network',
        'host',
        '--provenance=false',
        '--tag',
        `${registry}/${repository}:${tag}`,
        '--push',
        '.',
      ],
      { cwd: context, timeoutMs: 120_000 },
    );
  }

  beforeAll(async () => {
    context = await mkdtemp(join(tmpdir(), 'ecr-registry-'));
    aws = await startLoopbackAws({ stepMs: 20, registry });
    aws.seedRepository(repository);
    ecr = clientsFor(aws).ecr;
    await push('one', 'first image');
  }, 180_000);

  afterAll(async () => {
    await aws?.close();
    await rm(context, { recursive: true, force: true });
  });

  it("names the registry in the repository's URI", async () => {
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    expect(repositories?.[0]?.repositoryUri).toBe(`${registry}/${repository}`);
  });

  it("answers DescribeImages with the registry's Docker-Content-Digest for a tag", async () => {
    const digest = await registryManifestDigest(registry, repository, 'one');
    const { imageDetails } = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: 'one' }] }),
    );
    expect(imageDetails).toEqual([
      expect.objectContaining({ imageDigest: digest, imageTags: ['one'], repositoryName: repository }),
    ]);
    expect(imageDetails![0].imageSizeInBytes).toBeGreaterThan(0);
  });

  it('answers BatchGetImage with the manifest the digest is the hash of', async () => {
    const digest = await registryManifestDigest(registry, repository, 'one');
    const { images, failures } = await ecr.send(
      new BatchGetImageCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] }),
    );
    expect(failures).toEqual([]);
    const manifest = images![0].imageManifest!;
    expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(digest);
  });

  it('lists a moved tag on the new image and leaves the old one untagged', async () => {
    const before = await registryManifestDigest(registry, repository, 'one');
    await push('two', 'second image');
    await push('one', 'second image');
    const after = await registryManifestDigest(registry, repository, 'one');
    expect(after).not.toBe(before);
    const { imageDetails } = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, filter: { tagStatus: 'TAGGED' } }),
    );
    expect(imageDetails).toEqual([expect.objectContaining({ imageDigest: after, imageTags: ['one', 'two'] })]);
    const { imageDetails: old } = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: before }] }),
    );
    expect(old).toEqual([expect.objectContaining({ imageDigest: before })]);
    expect(old![0].imageTags).toBeUndefined();
  }, 120_000);

  it('answers ImageNotFoundException for a tag the registry does not have', async () => {
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: 'never-pushed' }] })),
    ).rejects.toMatchObject({ name: 'ImageNotFoundException' });
  });
});
