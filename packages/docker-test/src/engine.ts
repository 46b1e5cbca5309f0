import { spawnSync } from 'node:child_process';
import { describe, it } from '@jest/globals';

export interface DockerEngine {
  reachable: boolean;
  /** `unix:///...` or `the default socket`. */
  host: string;
  /** The engine's version when reachable, else why not. */
  detail: string;
}

export const START_ENGINE_HINT = 'start one with `source scripts/ci-docker.sh` (as root), then run the tests again';

let detected: DockerEngine | undefined;

/** Asks the engine once per test file (synchronously, so that a suite can choose describe or skip). */
export function dockerEngine(): DockerEngine {
  if (detected) return detected;
  const host = process.env.DOCKER_HOST || 'the default socket';
  const answer = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const version = answer.stdout?.trim();
  if (answer.status === 0 && version) {
    detected = { reachable: true, host, detail: `Docker ${version}` };
  } else {
    const reason = answer.error
      ? answer.error.message
      : (answer.stderr?.trim().split('\n').at(-1) ?? `exit ${answer.status}`);
    detected = { reachable: false, host, detail: reason };
  }
  return detected;
}

/** True on CI: GitHub Actions and `.ci/run` set CI=true. There an unreachable engine fails the run. */
export function onCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1)$/i.test(env.CI ?? '');
}

/**
 * A describe block that needs a Docker engine. With an engine it runs. Without one it is a failure on CI (the
 * suites must run there), and locally one line says how to start the engine and the block is skipped.
 */
export function describeWithDocker(name: string, body: () => void): void {
  const engine = dockerEngine();
  if (engine.reachable) {
    describe(name, body);
    return;
  }
  const why = `no Docker engine answers at ${engine.host} (${engine.detail})`;
  if (onCi()) {
    describe(name, () => {
      it('has a Docker engine to run on (CI=true: the Docker suites must not be skipped)', () => {
        throw new Error(`${why}; .ci/run sources scripts/ci-docker.sh to start one`);
      });
    });
    return;
  }
  process.stderr.write(`Docker suite "${name}" skipped: ${why}; ${START_ENGINE_HINT}\n`);
  describe.skip(name, body);
}
