import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunContext, isCancelled } from '@ecs-actions/action-kit';
import { DockerSession } from '../src/docker.js';
import { installFakeDocker, type FakeDocker } from './fake-docker.js';
import { REGISTRY, Sandbox } from './harness.js';

let sandbox: Sandbox;
let docker: FakeDocker;

beforeEach(() => {
  sandbox = new Sandbox();
  docker = installFakeDocker();
});

afterEach(() => {
  docker.remove();
  sandbox.restore();
});

function userConfig(config: object): void {
  writeFileSync(join(sandbox.userDockerConfig, 'config.json'), JSON.stringify(config));
}

function sessionConfig(session: DockerSession): Record<string, unknown> {
  return JSON.parse(readFileSync(join(session.configDir, 'config.json'), 'utf8')) as Record<string, unknown>;
}

describe('DockerSession', () => {
  it('keeps the user’s registry logins but not their credential store, which would keep the ECR password', async () => {
    userConfig({
      auths: { 'https://index.docker.io/v1/': { auth: 'dXNlcjpodWI=' } },
      credsStore: 'pass',
      credHelpers: { [REGISTRY]: 'ecr-login', 'gcr.io': 'gcloud' },
    });
    const session = await DockerSession.create();
    try {
      expect(sessionConfig(session)).toEqual({
        auths: { 'https://index.docker.io/v1/': { auth: 'dXNlcjpodWI=' } },
        credHelpers: { [REGISTRY]: 'ecr-login', 'gcr.io': 'gcloud' },
      });
      await session.login(REGISTRY, 'secret-password');
      const config = sessionConfig(session) as { credHelpers: object; auths: object };
      expect(config.credHelpers).toEqual({ 'gcr.io': 'gcloud' });
      expect(Object.keys(config.auths)).toEqual(['https://index.docker.io/v1/', REGISTRY]);
    } finally {
      await session.dispose();
    }
    expect(JSON.parse(readFileSync(join(sandbox.userDockerConfig, 'config.json'), 'utf8'))).toMatchObject({
      credsStore: 'pass',
    });
  });

  it('links the user’s buildx builders, CLI plugins and contexts, and removing the session leaves them intact', async () => {
    for (const folder of ['buildx', 'cli-plugins', 'contexts']) {
      mkdirSync(join(sandbox.userDockerConfig, folder));
      writeFileSync(join(sandbox.userDockerConfig, folder, 'keep'), folder);
    }
    const session = await DockerSession.create();
    for (const folder of ['buildx', 'cli-plugins', 'contexts']) {
      expect(lstatSync(join(session.configDir, folder)).isSymbolicLink()).toBe(true);
    }
    await session.checkBuildx();
    expect(docker.calls()[0]).toMatchObject({ dockerConfig: session.configDir, sawCliPlugins: true });
    await session.dispose();
    expect(existsSync(session.workDir)).toBe(false);
    for (const folder of ['buildx', 'cli-plugins', 'contexts']) {
      expect(readFileSync(join(sandbox.userDockerConfig, folder, 'keep'), 'utf8')).toBe(folder);
    }
  });

  it('starts from an empty config when the user has none', async () => {
    const session = await DockerSession.create();
    expect(sessionConfig(session)).toEqual({});
    expect(session.workDir.startsWith(`${sandbox.runnerTemp}/build-push-digest-`)).toBe(true);
    expect(lstatSync(session.workDir).mode & 0o777).toBe(0o700);
    await session.dispose();
  });

  it('reports the buildx version and the current builder’s driver', async () => {
    process.env.FAKE_DOCKER_DRIVER = 'docker';
    const session = await DockerSession.create();
    await expect(session.checkBuildx()).resolves.toEqual({ version: 'v0.19.3', driver: 'docker' });
    await session.dispose();
  });

  it('rejects a buildx too old for --provenance and --sbom', async () => {
    process.env.FAKE_DOCKER_BUILDX = 'old';
    const session = await DockerSession.create();
    await expect(session.checkBuildx()).rejects.toThrow(
      'Docker buildx v0.9.1 is too old: this action needs 0.10 or newer (for --provenance and --sbom).',
    );
    await session.dispose();
  });

  it('says so when the Docker CLI is not installed', async () => {
    process.env.PATH = sandbox.root;
    const session = await DockerSession.create();
    await expect(session.checkBuildx()).rejects.toThrow(/^The Docker CLI was not found on PATH/);
    await session.dispose();
  });

  it('warns when docker login stored the password outside the step’s config (a credential helper)', async () => {
    process.env.FAKE_DOCKER_LOGIN = 'helper';
    const session = await DockerSession.create();
    await session.login(REGISTRY, 'secret-password');
    await session.dispose();
    expect(sandbox.stdout).toContain(
      `::warning::docker login stored the ECR password for ${REGISTRY} outside this step's Docker config`,
    );
  });

  it('explains a failed docker login with Docker’s reason and never the password', async () => {
    process.env.FAKE_DOCKER_LOGIN = 'fail';
    const session = await DockerSession.create();
    const failure = session.login(REGISTRY, 'secret-password');
    await expect(failure).rejects.toThrow(
      `docker login to ${REGISTRY} failed (Error response from daemon: Get "https://${REGISTRY}/v2/": dial tcp: ` +
        `lookup ${REGISTRY}: no such host).`,
    );
    await expect(failure).rejects.not.toThrow(/secret-password/);
    await session.dispose();
  });

  it('stops a running buildx with SIGINT when the run is cancelled', async () => {
    process.env.FAKE_DOCKER_BUILD = 'hang';
    const session = await DockerSession.create();
    const context = new RunContext();
    session.signal = context.signal;
    try {
      setTimeout(() => context.cancel('SIGINT'), 300);
      const started = Date.now();
      const error = await session
        .run(['buildx', 'build', '--tag', 'web:1', '--metadata-file', join(session.workDir, 'm.json'), '.'], {
          silent: true,
        })
        .catch((caught: unknown) => caught);
      expect(isCancelled(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(existsSync(`${process.env.FAKE_DOCKER_LOG}.sigint`)).toBe(true);
    } finally {
      delete process.env.FAKE_DOCKER_BUILD;
      context.dispose();
      await session.dispose();
    }
  });
});
