import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker, dockerOk } from './cli.js';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SAMPLE_DOCKERFILE = 'sample-service/Dockerfile';
const DOCKERIGNORE = 'sample-service/Dockerfile.dockerignore';

/** The base image the Dockerfile's NODE_IMAGE selects: the local stand-in that ci-docker.sh builds. */
export function nodeImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.ECS_ACTIONS_NODE_IMAGE || 'ecs-actions/node:24-bookworm-slim';
}

/** The files the build context sends (the `!` entries of Dockerfile.dockerignore), relative to the root. */
export function contextFiles(root = REPOSITORY_ROOT): string[] {
  const included = readFileSync(join(root, DOCKERIGNORE), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1).replace(/\/$/, ''));
  const files: string[] = [SAMPLE_DOCKERFILE, DOCKERIGNORE];
  const walk = (path: string): void => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) walk(join(path, entry));
    } else {
      files.push(relative(root, full));
    }
  };
  for (const entry of included) walk(entry);
  return files;
}

/** A hash of what the image is built from: the context's files, the base image and the build arguments. */
export async function buildKey(buildArgs: Record<string, string>, root = REPOSITORY_ROOT): Promise<string> {
  const hash = createHash('sha256');
  for (const file of contextFiles(root))
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  const base = await docker(['image', 'inspect', '--format', '{{.Id}}', nodeImage()]);
  hash.update(`base ${base.stdout.trim()}\0`);
  for (const [name, value] of Object.entries(buildArgs).sort()) hash.update(`${name}=${value}\0`);
  return hash.digest('hex');
}

export interface SampleImage {
  /** `ecs-actions-test/sample-service:<key>` in the engine's image store. */
  reference: string;
  /** The GIT_SHA build argument baked in: /version must report it. */
  gitSha: string;
  /** Seconds the build took in this process, 0 when an earlier run had built it. */
  buildSeconds: number;
  sizeBytes: number;
}

/** A 40-hex stand-in commit derived from the build key, so that the same source gets the same cached image. */
function fakeCommit(key: string): string {
  return createHash('sha1').update(key).digest('hex');
}

/**
 * Builds sample-service/Dockerfile once per content: the image is tagged with the hash of its inputs, so later
 * test files and later runs reuse it, and a lock keeps two jest workers from building the same image at once.
 */
export async function buildSampleImage(options: { gitSha?: string } = {}): Promise<SampleImage> {
  const initialKey = await buildKey({ GIT_SHA: options.gitSha ?? '' });
  const gitSha = options.gitSha ?? fakeCommit(initialKey);
  const key = await buildKey({ GIT_SHA: gitSha });
  const reference = `ecs-actions-test/sample-service:${key.slice(0, 20)}`;
  const lock = join(tmpdir(), `ecs-actions-docker-build-${key.slice(0, 20)}.lock`);
  await acquire(lock);
  try {
    let buildSeconds = 0;
    if ((await docker(['image', 'inspect', reference])).exitCode !== 0) {
      const started = Date.now();
      await dockerOk(
        [
          'buildx',
          'build',
          '--network',
          'host',
          '--file',
          SAMPLE_DOCKERFILE,
          '--build-arg',
          `NODE_IMAGE=${nodeImage()}`,
          '--build-arg',
          `GIT_SHA=${gitSha}`,
          '--build-arg',
          'BUILD_TIME=2026-01-01T00:00:00Z',
          '--tag',
          reference,
          '--load',
          '.',
        ],
        { cwd: REPOSITORY_ROOT, timeoutMs: 600_000 },
      );
      buildSeconds = (Date.now() - started) / 1000;
    }
    const sizeBytes = Number(await dockerOk(['image', 'inspect', '--format', '{{.Size}}', reference]));
    return { reference, gitSha, buildSeconds, sizeBytes };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

// mkdir is atomic: the first worker builds, the others wait and then find the image. A lock older than the
// longest build is left from a killed run and is taken over.
async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + 660_000;
  for (;;) {
    try {
      await mkdir(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 600_000 || Date.now() > deadline) await rm(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
