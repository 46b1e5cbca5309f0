import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import nock from 'nock';
import { FakeClock, runAction } from '@ecs-actions/action-kit';
import { runnerCommands } from '@ecs-actions/action-kit/testing';
import { run } from '../src/main.js';
import { installFakeDocker, type FakeDocker } from './fake-docker.js';
import {
  COMMIT,
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
  repositoryFound,
  tagAbsent,
} from './harness.js';

let sandbox: Sandbox;
let docker: FakeDocker;
let clock: FakeClock;

beforeEach(() => {
  sandbox = new Sandbox();
  docker = installFakeDocker();
  clock = new FakeClock();
  sandbox.inputs({ repository: REPOSITORY });
});

afterEach(() => {
  docker.remove();
  sandbox.restore();
  expect(nock.pendingMocks()).toEqual([]);
});

const SHORT_SHA = COMMIT.slice(0, 7);
const CREATED = '2026-01-01T00:00:00Z';

/** ECR answers for a push of the default tag into an existing repository with immutable tags. */
function happyEcr(): void {
  authorizationToken();
  repositoryFound('IMMUTABLE');
  tagAbsent(SHORT_SHA);
  imageFound(DIGEST, [SHORT_SHA]);
}

async function runMain(): Promise<void> {
  await runAction(() => run({ clock }));
}

function errorLines(): string[] {
  return sandbox.stdout.split('\n').filter((line) => line.startsWith('::error::'));
}

function buildCall() {
  return docker.calls().find((call) => call.argv[0] === 'buildx' && call.argv[1] === 'build');
}

describe('build-push-digest', () => {
  it('builds once, pushes to ECR and outputs the digest that ECR confirmed', async () => {
    happyEcr();
    await runMain();
    expect(errorLines()).toEqual([]);
    expect(process.exitCode).toBeUndefined();
    expect(sandbox.outputs()).toEqual({
      digest: DIGEST,
      image: `${REGISTRY}/${REPOSITORY}@${DIGEST}`,
      tags: `${REPOSITORY_URI}:${SHORT_SHA}`,
      registry: REGISTRY,
      'repository-uri': REPOSITORY_URI,
    });
  });

  it('runs docker buildx build with OCI labels, GIT_SHA and BUILD_TIME and no attestations', async () => {
    happyEcr();
    await runMain();
    expect(docker.calls().map((call) => call.argv.slice(0, 2))).toEqual([
      ['buildx', 'version'],
      ['buildx', 'inspect'],
      ['login', '--username'],
      ['buildx', 'build'],
    ]);
    expect(buildCall()?.argv).toEqual([
      'buildx',
      'build',
      '--push',
      '--metadata-file',
      expect.stringMatching(new RegExp(`^${sandbox.runnerTemp}/build-push-digest-[^/]+/metadata\\.json$`)),
      '--tag',
      `${REPOSITORY_URI}:${SHORT_SHA}`,
      '--label',
      `org.opencontainers.image.revision=${COMMIT}`,
      '--label',
      `org.opencontainers.image.created=${CREATED}`,
      '--label',
      'org.opencontainers.image.source=https://github.com/acme/web',
      '--build-arg',
      `GIT_SHA=${COMMIT}`,
      '--build-arg',
      `BUILD_TIME=${CREATED}`,
      '--provenance=false',
      '--sbom=false',
      '.',
    ]);
  });

  it('passes every build input through and uses the GitHub Actions cache on a runner', async () => {
    Object.assign(process.env, { ACTIONS_RUNTIME_TOKEN: 'runtime-token', ACTIONS_CACHE_URL: 'https://cache.example/' });
    sandbox.inputs({
      tags: 'v1.2.3\nlatest',
      'build-args': 'NODE_ENV=production',
      labels: 'team=payments',
      platforms: 'linux/amd64,linux/arm64',
      target: 'runtime',
      dockerfile: 'Dockerfile',
      sbom: 'true',
    });
    authorizationToken();
    repositoryFound('MUTABLE');
    imageFound(DIGEST, ['latest', 'v1.2.3']);
    await runMain();
    expect(errorLines()).toEqual([]);
    expect(buildCall()?.argv.slice(5)).toEqual([
      '--tag',
      `${REPOSITORY_URI}:v1.2.3`,
      '--tag',
      `${REPOSITORY_URI}:latest`,
      '--label',
      `org.opencontainers.image.revision=${COMMIT}`,
      '--label',
      `org.opencontainers.image.created=${CREATED}`,
      '--label',
      'org.opencontainers.image.source=https://github.com/acme/web',
      '--label',
      'team=payments',
      '--build-arg',
      `GIT_SHA=${COMMIT}`,
      '--build-arg',
      `BUILD_TIME=${CREATED}`,
      '--build-arg',
      'NODE_ENV=production',
      '--platform',
      'linux/amd64,linux/arm64',
      '--target',
      'runtime',
      '--file',
      'Dockerfile',
      '--cache-from',
      `type=gha,scope=${REPOSITORY}`,
      '--cache-to',
      `type=gha,mode=max,scope=${REPOSITORY}`,
      '--provenance=false',
      '--sbom=true',
      '.',
    ]);
    expect(sandbox.outputs().tags).toBe(`${REPOSITORY_URI}:v1.2.3\n${REPOSITORY_URI}:latest`);
  });

  it('gives the ECR password to docker login on standard input only, masked, never in an argument or log line', async () => {
    happyEcr();
    await runMain();
    const calls = docker.calls();
    const login = calls.find((call) => call.argv[0] === 'login');
    expect(login?.argv).toEqual(['login', '--username', 'AWS', '--password-stdin', REGISTRY]);
    expect(login?.stdin).toBe(PASSWORD);
    for (const call of calls) {
      expect(call.argv.join(' ')).not.toContain(PASSWORD);
      expect(call.argv.join(' ')).not.toContain(TOKEN);
    }
    // The only lines holding a secret are the runner's mask registrations, which the runner never shows.
    expect(sandbox.logLines().filter((line) => line.includes(PASSWORD))).toEqual([`::add-mask::${PASSWORD}`]);
    expect(sandbox.logLines().filter((line) => line.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`]);
    expect(sandbox.summary()).not.toContain(PASSWORD);
    expect(JSON.stringify(sandbox.outputs())).not.toContain(PASSWORD);
  });

  it('runs every docker call with a Docker config of its own and removes it after the step', async () => {
    happyEcr();
    await runMain();
    const configs = new Set(docker.calls().map((call) => call.dockerConfig));
    expect(configs.size).toBe(1);
    const [config] = [...configs];
    expect(config).toMatch(new RegExp(`^${sandbox.runnerTemp}/build-push-digest-[^/]+/docker-config$`));
    expect(config).not.toBe(sandbox.userDockerConfig);
    expect(existsSync(config!)).toBe(false);
  });

  it('writes a job summary with the repository, tags, digest, size and push time', async () => {
    happyEcr();
    await runMain();
    const summary = sandbox.summary();
    expect(summary).toContain('Image pushed to ECR');
    expect(summary).toContain(`<code>${REPOSITORY_URI}</code>`);
    expect(summary).toContain(`<code>${REPOSITORY_URI}:${SHORT_SHA}</code>`);
    expect(summary).toContain(`<code>${DIGEST}</code>`);
    expect(summary).toContain('46.0 MiB');
    expect(summary).toContain('2026-01-01T00:00:05Z');
  });

  it('prints what the build prints as it comes, but no line of it issues a workflow command', async () => {
    process.env.FAKE_DOCKER_BUILD = 'prints-commands';
    happyEcr();
    await runMain();
    expect(process.exitCode).toBeUndefined();
    expect(sandbox.stdout).toContain('#7 0.211 ::add-mask::not-a-secret\n');
    expect(sandbox.stdout).toContain('::notice::last\n');
    expect(sandbox.stderr).not.toContain('from the build');
    const names = runnerCommands(sandbox.stdout).map((command) => command.name);
    expect(names.filter((name) => !['group', 'endgroup', 'add-mask', 'stop-commands'].includes(name))).toEqual([]);
    // The masks are the action's own: the ECR token and its password.
    expect(runnerCommands(sandbox.stdout).filter((command) => command.name === 'add-mask')).toEqual([
      expect.objectContaining({ data: TOKEN }),
      expect.objectContaining({ data: PASSWORD }),
    ]);
    expect(sandbox.outputs().digest).toBe(DIGEST);
  });

  it('reports a denied push with the IAM action the role lacks, and removes the Docker config', async () => {
    process.env.FAKE_DOCKER_BUILD = 'denied';
    authorizationToken();
    repositoryFound('IMMUTABLE');
    tagAbsent(SHORT_SHA);
    await runMain();
    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      expect.stringMatching(
        new RegExp(`^::error::ECR denied the push to ${REPOSITORY_URI}: the role lacks ecr:InitiateLayerUpload\\. `),
      ),
    ]);
    expect(existsSync(buildCall()!.dockerConfig!)).toBe(false);
    expect(sandbox.outputs()).toEqual({});
    expect(sandbox.summary()).toContain('Image build or push failed');
  });

  it('fails when ECR does not hold the pushed digest, after a short wait', async () => {
    authorizationToken();
    repositoryFound('IMMUTABLE');
    tagAbsent(SHORT_SHA);
    ecrError(
      'DescribeImages',
      { repositoryName: REPOSITORY, imageIds: [{ imageDigest: DIGEST }] },
      'ImageNotFoundException',
      'The image does not exist within the repository',
      11,
    );
    await runMain();
    expect(errorLines()).toEqual([
      `::error::buildx reported pushing ${DIGEST} but ECR repository '${REPOSITORY}' has no image with that digest ` +
        'after 10s. The push did not complete: read the end of the build log above and run the job again.',
    ]);
    expect(clock.sleeps).toEqual(Array(10).fill(1000));
    expect(sandbox.outputs()).toEqual({});
  });

  it('fails when the pushed image does not carry the requested tags', async () => {
    authorizationToken();
    repositoryFound('MUTABLE');
    ecr(
      'DescribeImages',
      { repositoryName: REPOSITORY, imageIds: [{ imageDigest: DIGEST }] },
      200,
      { imageDetails: [{ repositoryName: REPOSITORY, imageDigest: DIGEST, imageTags: [] }] },
      11,
    );
    await runMain();
    expect(errorLines()).toEqual([
      expect.stringContaining(
        `::error::ECR image ${DIGEST.slice(7, 19)} in '${REPOSITORY}' does not carry the tag(s) ${SHORT_SHA} (it carries no tags)`,
      ),
    ]);
  });

  it('fails with its own message when buildx is missing, before any AWS call', async () => {
    process.env.FAKE_DOCKER_BUILDX = 'missing';
    await runMain();
    expect(errorLines()).toEqual([
      "::error::Docker buildx is not available: `docker buildx version` failed (docker: 'buildx' is not a docker command). " +
        'Add docker/setup-buildx-action before this step, or install the buildx plugin on the runner.',
    ]);
    expect(docker.calls().map((call) => call.argv)).toEqual([['buildx', 'version']]);
  });

  it('names the missing repository and how to create it', async () => {
    authorizationToken();
    ecrError(
      'DescribeRepositories',
      { repositoryNames: [REPOSITORY] },
      'RepositoryNotFoundException',
      `The repository with name '${REPOSITORY}' does not exist in the registry with id '123456789012'`,
    );
    await runMain();
    expect(errorLines()).toEqual([
      `::error::ECR repository '${REPOSITORY}' does not exist in account 123456789012 (eu-west-1). Create it ` +
        '(Terraform, CloudFormation or the console), or set create-repository: true to let this action create it ' +
        'with scan on push, immutable tags, encryption at rest and a lifecycle policy keeping the newest ' +
        'keep-images images.',
    ]);
    expect(buildCall()).toBeUndefined();
  });

  it('creates a missing repository with scan on push, immutable tags, encryption and a lifecycle policy', async () => {
    sandbox.inputs({ 'create-repository': 'true', 'keep-images': '50' });
    authorizationToken();
    ecrError(
      'DescribeRepositories',
      { repositoryNames: [REPOSITORY] },
      'RepositoryNotFoundException',
      'does not exist',
    );
    ecr(
      'CreateRepository',
      {
        repositoryName: REPOSITORY,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: 'IMMUTABLE',
        encryptionConfiguration: { encryptionType: 'AES256' },
      },
      200,
      { repository: { repositoryName: REPOSITORY, repositoryUri: REPOSITORY_URI, imageTagMutability: 'IMMUTABLE' } },
    );
    ecr(
      'PutLifecyclePolicy',
      {
        repositoryName: REPOSITORY,
        lifecyclePolicyText:
          '{"rules":[{"rulePriority":1,"description":"Keep the newest 50 images","selection":{"tagStatus":"any",' +
          '"countType":"imageCountMoreThan","countNumber":50},"action":{"type":"expire"}}]}',
      },
      200,
      { repositoryName: REPOSITORY, registryId: '123456789012' },
    );
    tagAbsent(SHORT_SHA);
    imageFound(DIGEST, [SHORT_SHA]);
    await runMain();
    expect(errorLines()).toEqual([]);
    expect(sandbox.outputs()['repository-uri']).toBe(REPOSITORY_URI);
    expect(sandbox.summary()).toContain('(created by this run)');
  });

  it('refuses before building when an immutable repository already has the tag', async () => {
    const existing = `sha256:${'cd'.repeat(32)}`;
    authorizationToken();
    repositoryFound('IMMUTABLE');
    ecr('DescribeImages', { repositoryName: REPOSITORY, imageIds: [{ imageTag: SHORT_SHA }] }, 200, {
      imageDetails: [{ repositoryName: REPOSITORY, imageDigest: existing, imageTags: [SHORT_SHA] }],
    });
    await runMain();
    expect(errorLines()).toEqual([
      `::error::Tag '${SHORT_SHA}' already exists in ECR repository '${REPOSITORY}' (image ${existing}) and the ` +
        `repository's tags are immutable, so the push would fail. If this commit was already built, deploy ` +
        `${REPOSITORY_URI}@${existing}; otherwise push under another tag (input tags).`,
    ]);
    expect(buildCall()).toBeUndefined();
  });

  it('builds without AWS and claims no digest when push is false', async () => {
    sandbox.inputs({ push: 'false' });
    // No ECR answer is prepared: any AWS request would fail the test (the network is disabled).
    await runMain();
    expect(errorLines()).toEqual([]);
    expect(docker.calls().map((call) => call.argv[0] + ' ' + call.argv[1])).toEqual([
      'buildx version',
      'buildx inspect',
      'buildx build',
    ]);
    expect(buildCall()?.argv.slice(2, 7)).toEqual([
      '--output',
      'type=image,push=false',
      '--metadata-file',
      expect.any(String),
      '--tag',
    ]);
    expect(buildCall()?.argv[7]).toBe(`${REPOSITORY}:${SHORT_SHA}`);
    expect(sandbox.outputs()).toEqual({ tags: `${REPOSITORY}:${SHORT_SHA}` });
    expect(sandbox.summary()).toContain('Image built, not pushed');
    expect(sandbox.summary()).not.toContain(DIGEST);
  });

  /** Digests buildx could write that are not `sha256:<64 lowercase hex>`. */
  const MALFORMED_DIGESTS: Array<[string, string]> = [
    ['63 hex digits', `sha256:${'ab'.repeat(31)}a`],
    ['65 hex digits', `${DIGEST}0`],
    ['upper-case hex', `sha256:${'AB'.repeat(32)}`],
    ['another algorithm', `sha512:${'ab'.repeat(64)}`],
    ['no algorithm', 'ab'.repeat(32)],
  ];

  it.each(MALFORMED_DIGESTS)('fails after a push whose digest has %s, before asking ECR for it', async (_, digest) => {
    process.env.FAKE_DOCKER_DIGEST = digest;
    authorizationToken();
    repositoryFound('IMMUTABLE');
    tagAbsent(SHORT_SHA);
    // No DescribeImages answer: confirming a malformed digest in ECR would fail the test.
    await runMain();
    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      `::error::docker buildx build succeeded but its metadata file has no image digest (containerimage.digest is ` +
        `${JSON.stringify(digest)}); update buildx with docker/setup-buildx-action before this step.`,
    ]);
    expect(sandbox.outputs()).toEqual({});
  });

  it.each(MALFORMED_DIGESTS)('without push, does not report a digest that has %s', async (_, digest) => {
    process.env.FAKE_DOCKER_DIGEST = digest;
    sandbox.inputs({ push: 'false' });
    await runMain();
    expect(errorLines()).toEqual([]);
    expect(sandbox.stdout).toContain('Built the image; not pushed (push: false), so the digest outputs stay empty');
    expect(sandbox.stdout).not.toContain(digest);
    expect(sandbox.outputs()).toEqual({ tags: `${REPOSITORY}:${SHORT_SHA}` });
  });

  it('without push, names the well-formed digest it built', async () => {
    sandbox.inputs({ push: 'false' });
    await runMain();
    expect(sandbox.stdout).toContain(`Built ${DIGEST}; not pushed (push: false), so the digest outputs stay empty`);
  });

  it('rejects a bad input before calling Docker or AWS', async () => {
    sandbox.inputs({ tags: 'team/web:v1' });
    await runMain();
    expect(errorLines()).toEqual([
      `::error::Input 'tags': "team/web:v1" is not an image tag; expected letters, digits, _ . - (at most 128, not ` +
        `starting with . or -), such as v1.2.3; the repository comes from 'repository'`,
    ]);
    expect(docker.calls()).toEqual([]);
  });
});
