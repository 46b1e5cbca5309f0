import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { DIGEST_PATTERN, UserError, type Clock } from '@ecs-actions/action-kit';
import { lastLine, type BuildxInfo, type DockerResult, type DockerSession } from './docker.js';
import type { CacheMode } from './inputs.js';

/** What the image says about where it came from: OCI labels and the GIT_SHA / BUILD_TIME build arguments. */
export interface Revision {
  sha: string;
  /** RFC 3339, to the second. */
  created: string;
  /** `https://github.com/<owner>/<repo>`, when the runner says. */
  source?: string;
}

export function describeRevision(env: NodeJS.ProcessEnv, clock: Clock): Revision {
  const sha = env.GITHUB_SHA?.trim() ?? '';
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(sha)) {
    throw new UserError(
      'GITHUB_SHA does not hold a commit SHA; run this action in a GitHub Actions workflow (the image is labelled ' +
        'with the commit it was built from).',
    );
  }
  const created = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const source = env.GITHUB_REPOSITORY
    ? `${(env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}`
    : undefined;
  return { sha, created, source };
}

/**
 * The GitHub Actions cache scope to use, or undefined for no cache. `auto` caches only where it can work:
 * on a GitHub runner (which gives actions the cache token) with a builder that can export a cache.
 */
export function chooseCache(
  mode: CacheMode,
  env: NodeJS.ProcessEnv,
  buildx: BuildxInfo,
  scope: string,
): string | undefined {
  if (mode === 'none') return undefined;
  const onRunner = Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL));
  if (mode === 'gha') {
    if (!onRunner) {
      throw new UserError(
        "Input 'cache': gha needs ACTIONS_RUNTIME_TOKEN and ACTIONS_CACHE_URL (or ACTIONS_RESULTS_URL), which a " +
          'GitHub Actions runner gives to actions; outside one set cache: auto or none',
      );
    }
    core.info(`Layer cache: GitHub Actions cache, scope ${scope}`);
    return scope;
  }
  if (!onRunner) {
    core.info('Layer cache off: not on a GitHub Actions runner (no ACTIONS_RUNTIME_TOKEN / ACTIONS_CACHE_URL)');
    return undefined;
  }
  if (buildx.driver !== undefined && buildx.driver !== 'docker') {
    core.info(`Layer cache: GitHub Actions cache, scope ${scope}`);
    return scope;
  }
  const builder = buildx.driver ? `uses the ${buildx.driver} driver, which cannot export a cache` : 'names no driver';
  core.info(
    `Layer cache off: the current buildx builder ${builder}. Add docker/setup-buildx-action before this step to ` +
      'cache layers in the GitHub Actions cache.',
  );
  return undefined;
}

export interface BuildRequest {
  context: string;
  dockerfile?: string;
  target?: string;
  platforms: string[];
  /** Full references, `<registry>/<repository>:<tag>`. */
  references: string[];
  /** The user's labels and build arguments; a key they share with an automatic one replaces it. */
  labels: Map<string, string>;
  buildArgs: Map<string, string>;
  /** `--network` for RUN steps; the builder's default unless set. */
  network?: string;
  revision: Revision;
  push: boolean;
  /** GitHub Actions cache scope; undefined builds without a cache. */
  cacheScope?: string;
  provenance: boolean;
  sbom: boolean;
  metadataFile: string;
}

/** The exact `docker buildx build` argument list. */
export function buildxArguments(request: BuildRequest): string[] {
  const { revision } = request;
  const labels = new Map([
    ['org.opencontainers.image.revision', revision.sha],
    ['org.opencontainers.image.created', revision.created],
    ...(revision.source ? [['org.opencontainers.image.source', revision.source] as [string, string]] : []),
    ...request.labels,
  ]);
  const buildArgs = new Map([['GIT_SHA', revision.sha], ['BUILD_TIME', revision.created], ...request.buildArgs]);
  const args = ['buildx', 'build'];
  // Without push the image stays with the builder: nothing leaves the runner and no registry is involved.
  args.push(...(request.push ? ['--push'] : ['--output', 'type=image,push=false']));
  args.push('--metadata-file', request.metadataFile);
  for (const reference of request.references) args.push('--tag', reference);
  for (const [key, value] of labels) args.push('--label', `${key}=${value}`);
  for (const [name, value] of buildArgs) args.push('--build-arg', `${name}=${value}`);
  if (request.platforms.length) args.push('--platform', request.platforms.join(','));
  if (request.target) args.push('--target', request.target);
  if (request.network) args.push('--network', request.network);
  if (request.dockerfile) args.push('--file', request.dockerfile);
  if (request.cacheScope) {
    args.push('--cache-from', `type=gha,scope=${request.cacheScope}`);
    args.push('--cache-to', `type=gha,mode=max,scope=${request.cacheScope}`);
  }
  args.push(`--provenance=${request.provenance}`, `--sbom=${request.sbom}`, request.context);
  return args;
}

/**
 * Runs the build (its log streams to the job log) and returns the digest from the metadata file.
 * Without push a builder may keep no image, so no digest is required then.
 */
export async function buildImage(
  docker: DockerSession,
  request: BuildRequest & { push: true },
): Promise<{ digest: string }>;
export async function buildImage(docker: DockerSession, request: BuildRequest): Promise<{ digest?: string }>;
export async function buildImage(docker: DockerSession, request: BuildRequest): Promise<{ digest?: string }> {
  const result = await docker.run(buildxArguments(request));
  if (result.exitCode !== 0) throw explainBuildFailure(result, request);
  const metadata = await readMetadata(request.metadataFile);
  const digest = metadata?.['containerimage.digest'];
  const valid = typeof digest === 'string' && DIGEST_PATTERN.test(digest);
  if (!request.push) return { digest: valid ? digest : undefined };
  if (metadata === undefined) {
    throw new UserError(
      'docker buildx build succeeded but wrote no readable --metadata-file; update buildx with ' +
        'docker/setup-buildx-action before this step.',
    );
  }
  if (!valid) {
    throw new UserError(
      `docker buildx build succeeded but its metadata file has no image digest (containerimage.digest is ` +
        `${JSON.stringify(digest)}); update buildx with docker/setup-buildx-action before this step.`,
    );
  }
  return { digest };
}

async function readMetadata(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const PUSH_REFUSED =
  /^denied:|not authorized to perform|no basic auth credentials|(?:failed to push|unexpected status).*\b(?:401|403)\b/im;
const IMMUTABLE_TAG = /cannot be overwritten because the (?:repository is immutable|tag is immutable)|tag invalid/i;
const DOCKER_DRIVER = /not supported (?:for|with) the docker driver|docker driver.*not supported/i;
const HOST_NETWORK_REFUSED = /network\.host is not allowed|entitlement network\.host/i;
const NO_BRIDGE = /network bridge not found/i;

/** One clear message per way a build or push fails; Docker's own reason is quoted. */
export function explainBuildFailure(result: DockerResult, request: Pick<BuildRequest, 'references'>): UserError {
  const text = `${result.stderr}\n${result.stdout}`;
  const reason = errorLine(result);
  const repository = request.references[0]?.replace(/:[^:/]+$/, '') ?? 'the repository';
  if (IMMUTABLE_TAG.test(text)) {
    return new UserError(
      `ECR refused a tag for ${repository}: the tag already exists and the repository's tags are immutable. ` +
        `Push under a tag unique to this build (input tags). Docker said: ${reason}`,
    );
  }
  if (PUSH_REFUSED.test(text)) {
    const action = /not authorized to perform:?\s*(ecr:\w+)/.exec(text)?.[1];
    return new UserError(
      `ECR denied the push to ${repository}` +
        (action ? `: the role lacks ${action}. ` : '. ') +
        'The role needs ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ' +
        'ecr:CompleteLayerUpload and ecr:PutImage on the repository (see docs/iam/build-role-policy.json). ' +
        `Docker said: ${reason}`,
    );
  }
  if (HOST_NETWORK_REFUSED.test(text)) {
    return new UserError(
      'The buildx builder refused network: host (the network.host entitlement). Create the builder with ' +
        "docker/setup-buildx-action and buildkitd-flags: --allow-insecure-entitlement network.host, or leave 'network' " +
        `unset. Docker said: ${reason}`,
    );
  }
  if (NO_BRIDGE.test(text)) {
    return new UserError(
      "The Docker engine has no bridge network for the build's RUN steps; set network: host (an engine started with " +
        `--bridge=none, such as scripts/ci-docker.sh's). Docker said: ${reason}`,
    );
  }
  if (DOCKER_DRIVER.test(text)) {
    return new UserError(
      'The current buildx builder uses the docker driver, which cannot do what this build asks (cache export, ' +
        'several platforms or attestations). Add docker/setup-buildx-action before this step to get a ' +
        `docker-container builder. Docker said: ${reason}`,
    );
  }
  return new UserError(
    `docker buildx build failed (exit ${result.exitCode}): ${reason || 'no error message'}. ` +
      'The failing step is in the build log above.',
  );
}

/** buildx ends a failed build with `ERROR: ...`; fall back to its last line. */
function errorLine(result: DockerResult): string {
  const lines = result.stderr.split('\n').map((line) => line.trim());
  const error = lines.filter((line) => /^(?:ERROR|error):/.test(line)).at(-1);
  return error ?? lastLine(result);
}
