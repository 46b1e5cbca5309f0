import * as core from '@actions/core';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  errorMessage,
  group,
  setOutputs,
  shortDigest,
  systemClock,
  type Clock,
  type RunContext,
} from '@ecs-actions/action-kit';
import { createAwsClient } from '@ecs-actions/aws';
import { buildImage, chooseCache, describeRevision, type BuildRequest, type Revision } from './build.js';
import { DockerSession } from './docker.js';
import { confirmPushedImage, findOrCreateRepository, getRegistryLogin, rejectExistingImmutableTags } from './ecr.js';
import { readInputs, type Inputs } from './inputs.js';
import { builtOnlySummary, failedSummary, formatSize, pushedSummary } from './summary.js';

export interface RunOptions {
  /** Injected by tests, so that waiting for ECR takes no real time. */
  clock?: Clock;
  /** Cancel signal and final phase, from runAction. */
  context?: RunContext;
}

export async function run(options: RunOptions = {}): Promise<void> {
  const env = process.env;
  const clock = options.clock ?? systemClock;
  const inputs = readInputs(env);
  const revision = describeRevision(env, clock);
  const docker = await DockerSession.create(env);
  // A cancel stops the buildx child; the partial summary below says so.
  docker.signal = options.context?.signal;
  try {
    await buildAndPush(inputs, revision, docker, env, clock);
  } catch (error) {
    // The summary is a courtesy: failing to write it must not hide the reason the step failed.
    await failedSummary(inputs.repository, error)
      .write()
      .catch((summaryError: unknown) => core.warning(`Job summary not written: ${errorMessage(summaryError)}`));
    throw error;
  } finally {
    await docker.dispose();
  }
}

async function buildAndPush(
  inputs: Inputs,
  revision: Revision,
  docker: DockerSession,
  env: NodeJS.ProcessEnv,
  clock: Clock,
): Promise<void> {
  const buildx = await group('Check Docker buildx', async () => {
    const info = await docker.checkBuildx();
    core.info(`buildx ${info.version}, current builder's driver: ${info.driver ?? 'unknown'}`);
    return info;
  });
  const cacheScope = chooseCache(inputs.cache, env, buildx, inputs.repository);
  const request = (references: string[]): BuildRequest => ({
    context: inputs.context,
    dockerfile: inputs.dockerfile,
    target: inputs.target,
    platforms: inputs.platforms,
    references,
    labels: inputs.labels,
    buildArgs: inputs['build-args'],
    network: inputs.network,
    revision,
    push: inputs.push,
    cacheScope,
    provenance: inputs.provenance,
    sbom: inputs.sbom,
    metadataFile: join(docker.workDir, 'metadata.json'),
  });

  if (!inputs.push) {
    // Build only (pull requests, forks): no AWS credentials needed, nothing leaves the runner.
    const references = inputs.tags.map((tag) => `${inputs.repository}:${tag}`);
    const { digest } = await group('Build (push: false)', () => buildImage(docker, request(references)));
    core.info(`Built ${digest ?? 'the image'}; not pushed (push: false), so the digest outputs stay empty`);
    setOutputs({ tags: references.join('\n') });
    await builtOnlySummary(inputs.repository, references, revision).write();
    return;
  }

  const ecr = createAwsClient(ECRClient, { region: inputs.region, action: 'build-push-digest' });
  const { login, repository } = await group('Prepare the ECR repository', async () => {
    const login = await getRegistryLogin(ecr);
    const repository = await findOrCreateRepository(ecr, {
      name: inputs.repository,
      create: inputs['create-repository'],
      keepImages: inputs['keep-images'],
      registry: login.registry,
    });
    await rejectExistingImmutableTags(ecr, repository, inputs.tags);
    core.info(`Repository ${repository.uri} (tags ${repository.tagMutability?.toLowerCase() ?? 'unknown'})`);
    return { login, repository };
  });
  await group(`Log in to ${login.registry}`, () => docker.login(login.registry, login.password));

  const references = inputs.tags.map((tag) => `${repository.uri}:${tag}`);
  const { digest } = await group(`Build and push ${references.join(', ')}`, () =>
    buildImage(docker, { ...request(references), push: true }),
  );
  const image = await group(`Confirm ${shortDigest(digest)} in ECR`, async () => {
    const image = await confirmPushedImage(ecr, { repository, digest, tags: inputs.tags, clock });
    const size = image.sizeInBytes === undefined ? '' : `, ${formatSize(image.sizeInBytes)}`;
    core.info(`ECR holds ${repository.uri}@${digest} tagged ${image.tags.join(', ')}${size}`);
    return image;
  });

  setOutputs({
    digest,
    image: `${repository.uri}@${digest}`,
    tags: references.join('\n'),
    registry: login.registry,
    'repository-uri': repository.uri,
  });
  await pushedSummary({ repository, references, image, revision, platforms: inputs.platforms }).write();
}
