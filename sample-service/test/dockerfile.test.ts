import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { all, argsOf, dockerfile, dockerignore, finalStage, healthcheckScript } from './support/dockerfile.js';

// These read the Dockerfile and catch the regressions that matter for ECS without an engine; test/docker/image.test.ts
// builds the image and runs it when one is reachable.
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('sample-service/Dockerfile', () => {
  it('builds in several stages on node 24 alpine', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-alpine$/m);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage[0].args).toMatch(/^\$\{NODE_IMAGE\}( AS [\w-]+)?$/);
  });

  it('installs with npm ci for the sample-service workspace from the root lock file', () => {
    const runs = all.flatMap((stage) => argsOf(stage, 'RUN'));
    expect(runs.some((run) => /npm ci --workspace sample-service(?! .*--omit=dev)/.test(run))).toBe(true);
    const copies = all.flatMap((stage) => argsOf(stage, 'COPY'));
    expect(copies).toContain('package.json package-lock.json ./');
  });

  it('ships production dependencies only in the final stage', () => {
    const nodeModules = argsOf(finalStage, 'COPY').filter((copy) => copy.includes('node_modules'));
    expect(nodeModules.length).toBeGreaterThan(0);
    for (const copy of nodeModules) expect(copy).toMatch(/^--from=production-dependencies /);
    const productionStage = all.find((stage) => / AS production-dependencies$/.test(stage[0].args)) ?? [];
    expect(argsOf(productionStage, 'RUN').join(' ')).toMatch(/npm ci --workspace sample-service --omit=dev/);
    expect(argsOf(finalStage, 'COPY')).not.toContain('. .');
    expect(argsOf(finalStage, 'RUN')).toEqual([]);
  });

  it('runs as a non-root user', () => {
    const users = argsOf(finalStage, 'USER');
    expect(users.length).toBe(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const keywords = finalStage.map((instruction) => instruction.keyword);
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('CMD'));
  });

  it('checks /health with node, since alpine has no curl', () => {
    const [healthcheck] = argsOf(finalStage, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*\/health.*"\]$/);
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it('passes GIT_SHA and BUILD_TIME build arguments to the environment for /version', () => {
    expect(argsOf(finalStage, 'ARG')).toEqual(['GIT_SHA=unknown', 'BUILD_TIME=unknown']);
    const env = argsOf(finalStage, 'ENV').join(' ');
    expect(env).toContain('GIT_SHA=${GIT_SHA}');
    expect(env).toContain('BUILD_TIME=${BUILD_TIME}');
    expect(env).toContain('NODE_ENV=production');
  });

  it('exposes port 3000 and starts node directly so it receives SIGTERM', () => {
    expect(argsOf(finalStage, 'EXPOSE')).toEqual(['3000']);
    expect(argsOf(finalStage, 'CMD')).toEqual(['["node", "sample-service/dist/main.js"]']);
  });

  it('copies from the build context only files that exist and that Dockerfile.dockerignore lets through', () => {
    const included = dockerignore
      .split(/\r?\n/)
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    expect(dockerignore).toMatch(/^\*$/m);
    const contextSources = all
      .flatMap((stage) => argsOf(stage, 'COPY'))
      .filter((copy) => !copy.startsWith('--from='))
      .flatMap((copy) => copy.split(' ').slice(0, -1));
    expect(contextSources.length).toBeGreaterThan(0);
    for (const source of contextSources) {
      expect(existsSync(`${repositoryRoot}${source}`)).toBe(true);
      expect(included.some((entry) => source === entry || source.startsWith(`${entry}/`))).toBe(true);
    }
  });
});

describe('the HEALTHCHECK command', () => {
  it('asks /health on the address in HOST, where a container with host networking listens', async () => {
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/health' ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.7', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const check = spawn(process.execPath, ['-e', healthcheckScript()], {
        env: { HOST: '127.0.0.7', PORT: String(port) },
      });
      const status = await new Promise((resolve) => check.on('exit', resolve));
      expect(status).toBe(0);
    } finally {
      server.close();
    }
  });

  it('fails when nothing answers on the port', () => {
    // Port 9 (discard) on loopback: nothing listens, the probe must exit 1 rather than hang or pass.
    const check = spawnSync(process.execPath, ['-e', healthcheckScript()], { env: { PORT: '9' }, timeout: 10_000 });
    expect(check.status).toBe(1);
  });
});
