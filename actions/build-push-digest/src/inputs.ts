import { existsSync, statSync } from 'node:fs';
import {
  checkHttpUrl,
  getBoolean,
  getChoice,
  getInteger,
  getKeyValues,
  getList,
  getOptional,
  getRequired,
  inputError,
} from '@ecs-actions/action-kit';

export const CACHE_MODES = ['auto', 'gha', 'none'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** The action's inputs, keyed by their names in action.yml. */
export interface Inputs {
  repository: string;
  context: string;
  dockerfile?: string;
  /** Tags only (`abc1234`, `v1.2.3`); the registry and repository come from ECR. */
  tags: string[];
  'build-args': Map<string, string>;
  platforms: string[];
  target?: string;
  labels: Map<string, string>;
  /** buildx `--network` for RUN steps: `default`, `none`, `host` or a network name; the builder's default unless set. */
  network?: string;
  push: boolean;
  cache: CacheMode;
  provenance: boolean;
  sbom: boolean;
  'create-repository': boolean;
  'keep-images': number;
  region?: string;
}

// ECR's own rule for repository names (2 to 256 characters, lowercase path components).
const REPOSITORY_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PLATFORM_PATTERN = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const COMMIT_PATTERN = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
// A git repository over https or ssh (`git@host:path` or ssh://), optionally with #ref[:subdir], as buildx takes it.
const GIT_CONTEXT = /^(?:https:\/\/[^\s@/]+\/\S+|ssh:\/\/[\w.-]+@[^\s/]+\/\S+|git@[\w.-]+:\S+)$/;
const CONTEXT_FORM =
  'expected the build context folder (such as .), a git URL over https or ssh (https://github.com/org/repo.git#main, ' +
  'git@github.com:org/repo.git)';

/** Reads and checks every input; a wrong value fails here, before Docker or AWS is called. */
export function readInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  return {
    repository: readRepository(),
    context: readContext(),
    dockerfile: readDockerfile(),
    tags: readTags(env),
    'build-args': getKeyValues('build-args', { keyName: 'NAME', valueName: 'VALUE' }),
    platforms: readPlatforms(),
    target: readTarget(),
    labels: getKeyValues('labels', { keyName: 'KEY', valueName: 'VALUE' }),
    network: readNetwork(),
    push: getBoolean('push', true),
    cache: getChoice('cache', CACHE_MODES, 'auto'),
    provenance: getBoolean('provenance', false),
    sbom: getBoolean('sbom', false),
    'create-repository': getBoolean('create-repository', false),
    'keep-images': getInteger('keep-images', { min: 1, max: 10_000, default: 30 }),
    region: getOptional('region'),
  };
}

function readRepository(): string {
  const repository = getRequired('repository');
  if (/\.amazonaws\.com|[:@]/.test(repository)) {
    throw inputError(
      'repository',
      `"${repository}" is a repository URI or image reference; expected only the ECR repository name, such as team/web`,
    );
  }
  if (repository.length < 2 || repository.length > 256 || !REPOSITORY_PATTERN.test(repository)) {
    throw inputError(
      'repository',
      `"${repository}" is not an ECR repository name; expected 2 to 256 lowercase letters, digits and . _ - /, such as team/web`,
    );
  }
  return repository;
}

function readContext(): string {
  const context = getOptional('context') ?? '.';
  // buildx reads `-` from standard input, which an action step does not have: the build would get no Dockerfile.
  if (context === '-') {
    throw inputError('context', `"-" (standard input) is not available to an action step; ${CONTEXT_FORM}`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@')) {
    if (context.startsWith('https://')) checkHttpUrl('context', context, { expected: CONTEXT_FORM, http: 'loopback' });
    if (GIT_CONTEXT.test(context)) return context;
    throw inputError('context', `"${context}" is not a git URL over https or ssh; ${CONTEXT_FORM}`);
  }
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw inputError('context', `directory "${context}" does not exist; ${CONTEXT_FORM}`);
  }
  return context;
}

function readDockerfile(): string | undefined {
  const dockerfile = getOptional('dockerfile');
  if (dockerfile === undefined) return undefined;
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw inputError(
      'dockerfile',
      `file "${dockerfile}" does not exist; expected a path from the workspace root, such as services/web/Dockerfile`,
    );
  }
  return dockerfile;
}

function readTags(env: NodeJS.ProcessEnv): string[] {
  const tags = getList('tags');
  if (tags.length === 0) {
    const commit = env.GITHUB_SHA?.trim() ?? '';
    if (!COMMIT_PATTERN.test(commit)) {
      throw inputError(
        'tags',
        'is empty and GITHUB_SHA does not hold a commit SHA to derive the default tag from; set tags, such as v1.2.3',
      );
    }
    return [commit.slice(0, 7)];
  }
  for (const tag of tags) {
    if (!TAG_PATTERN.test(tag)) {
      throw inputError(
        'tags',
        `"${tag}" is not an image tag; expected letters, digits, _ . - (at most 128, not starting with . or -), such as v1.2.3; the repository comes from 'repository'`,
      );
    }
  }
  return [...new Set(tags)];
}

function readPlatforms(): string[] {
  const platforms = getList('platforms');
  for (const platform of platforms) {
    if (!PLATFORM_PATTERN.test(platform)) {
      throw inputError(
        'platforms',
        `"${platform}" is not a platform; expected os/arch such as linux/amd64 or linux/arm64`,
      );
    }
  }
  return [...new Set(platforms)];
}

// Docker's rule for network names; `default`, `none` and `host` are the modes buildx itself names.
const NETWORK_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function readNetwork(): string | undefined {
  const network = getOptional('network');
  if (network !== undefined && !NETWORK_PATTERN.test(network)) {
    throw inputError(
      'network',
      `"${network}" is not a network mode; expected default, none, host or a Docker network name (letters, digits, _ . -)`,
    );
  }
  return network;
}

function readTarget(): string | undefined {
  const target = getOptional('target');
  if (target !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) {
    throw inputError('target', `"${target}" is not a build stage name; expected the name after AS in the Dockerfile`);
  }
  return target;
}
