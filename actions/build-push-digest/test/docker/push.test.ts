import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { randomBytes } from 'node:crypto';
import { runAction } from '@ecs-actions/action-kit';
import {
  REPOSITORY_ROOT,
  SAMPLE_DOCKERFILE,
  describeWithDocker,
  nodeImage,
  registryAddress,
  registryManifestDigest,
} from '@ecs-actions/docker-test';
import { startLoopbackAws, type LoopbackAws } from '@ecs-actions/loopback-aws';
import { run } from '../../src/main.js';
import { Sandbox } from '../harness.js';

// The real action (its code, as the bundle runs it) with the real docker and buildx, against the loopback AWS whose
// ECR is the real registry on 127.0.0.1: the digest it outputs must be the one the registry and ECR answer.
describeWithDocker('build-push-digest with a real engine and registry', () => {
  const registry = registryAddress();
  const repository = `ecs-actions-test/build-push-digest-${randomBytes(4).toString('hex')}`;
  const seconds: number[] = [];
  let aws: LoopbackAws;

  beforeAll(async () => {
    aws = await startLoopbackAws({ registry, seed: false });
  });

  afterAll(async () => {
    await aws?.close();
    if (seconds.length) {
      process.stdout.write(
        `build-push-digest on sample-service: first build ${seconds[0]?.toFixed(1)} s, ` +
          `second build of unchanged source ${seconds[1]?.toFixed(1) ?? '-'} s\n`,
      );
    }
  });

  /** Runs the action once in the repository root, as a workflow whose workspace is this repository would. */
  async function buildAndPush(tag: string, inputs: Record<string, string> = {}) {
    const sandbox = new Sandbox();
    try {
      process.chdir(REPOSITORY_ROOT);
      Object.assign(process.env, { AWS_ENDPOINT_URL: aws.url });
      sandbox.inputs({
        repository,
        dockerfile: SAMPLE_DOCKERFILE,
        tags: tag,
        network: 'host',
        'build-args': `NODE_IMAGE=${nodeImage()}`,
        ...inputs,
      });
      const started = Date.now();
      await runAction(() => run());
      seconds.push((Date.now() - started) / 1000);
      const log = `${sandbox.stdout}\n${sandbox.stderr}`;
      return { exitCode: process.exitCode, outputs: sandbox.outputs(), log };
    } finally {
      sandbox.restore();
    }
  }

  async function ecrDigest(tag: string): Promise<string | undefined> {
    const ecr = new ECRClient({
      endpoint: aws.url,
      region: aws.region,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    const { imageDetails } = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
    );
    return imageDetails?.[0]?.imageDigest;
  }

  it("outputs the digest that the registry's Docker-Content-Digest and ECR DescribeImages answer", async () => {
    const { exitCode, outputs, log } = await buildAndPush('first', { 'create-repository': 'true' });
    expect({ exitCode, error: log.split('\n').filter((line) => line.startsWith('::error::')) }).toEqual({
      exitCode: undefined,
      error: [],
    });
    const registryDigest = await registryManifestDigest(registry, repository, 'first');
    expect(outputs.digest).toBe(registryDigest);
    expect(await ecrDigest('first')).toBe(registryDigest);
    expect(outputs.image).toBe(`${registry}/${repository}@${registryDigest}`);
    expect(outputs.registry).toBe(registry);
    expect(log).toContain(`Logged in to ${registry}`);
  }, 900_000);

  it('builds unchanged source again from the layer cache', async () => {
    const { exitCode, outputs, log } = await buildAndPush('second');
    expect(exitCode).toBeUndefined();
    expect(outputs.digest).toBe(await registryManifestDigest(registry, repository, 'second'));
    // Both `npm ci` steps (the slow part) come from the cache.
    const cachedInstalls = log.split('\n').filter((line) => /^#\d+ CACHED/.test(line)).length;
    expect(cachedInstalls).toBeGreaterThanOrEqual(2);
    expect(log).not.toMatch(/RUN npm ci[^\n]*\n#\d+ \d+\.\d+ added \d+ packages/);
  }, 900_000);
});
