import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  buildSampleImage,
  containerLogs,
  containerState,
  describeWithDocker,
  dockerOk,
  freeLoopbackAddress,
  removeContainers,
  removeOrphanedContainers,
  runContainer,
  suiteLabel,
  waitForState,
  type SampleImage,
} from '@ecs-actions/docker-test';

// The task definition's stopTimeout (sample-service/deploy/taskdef.template.json): ECS sends SIGKILL after it.
const STOP_TIMEOUT_SECONDS = 30;
const PORT = 3000;

describeWithDocker('the sample-service image', () => {
  const suite = suiteLabel('sample-service-image');
  let image: SampleImage;
  let host: string;
  let container: string;

  beforeAll(async () => {
    await removeOrphanedContainers();
    image = await buildSampleImage();
    process.stdout.write(
      `sample-service image ${image.reference}: ${(image.sizeBytes / 1e6).toFixed(0)} MB` +
        (image.buildSeconds ? `, built in ${image.buildSeconds.toFixed(1)} s\n` : ' (built by an earlier run)\n'),
    );
    host = await freeLoopbackAddress(PORT);
    // Development settings run the embedded PostgreSQL (PGlite): no database to provide. The HEALTHCHECK itself is
    // the image's; only its interval is shortened so that the test does not wait 30 s for the first probe.
    container = await runContainer({
      image: image.reference,
      suite,
      env: { NODE_ENV: 'development', HOST: host, PORT: String(PORT) },
      options: ['--health-interval=1s', '--health-start-period=30s', `--stop-timeout=${STOP_TIMEOUT_SECONDS}`],
    });
  }, 600_000);

  afterAll(async () => {
    await removeContainers(suite);
  }, 60_000);

  it('passes its own HEALTHCHECK', async () => {
    const state = await waitForState(
      container,
      (current) => current.Health?.Status === 'healthy' || !current.Running,
      60_000,
    );
    expect(state.Health?.Status).toBe('healthy');
  }, 70_000);

  it('runs its process as uid 1000, not root', async () => {
    const status = await dockerOk(['exec', container, 'cat', '/proc/1/status']);
    expect(/^Uid:\s+(\d+)\s+(\d+)/m.exec(status)?.slice(1)).toEqual(['1000', '1000']);
  });

  it('reports the GIT_SHA build argument on /version', async () => {
    const response = await fetch(`http://${host}:${PORT}/version`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ service: 'sample-service', gitSha: image.gitSha });
  });

  it('exits 0 within stopTimeout on SIGTERM (docker stop)', async () => {
    const started = Date.now();
    await dockerOk(['stop', '--time', String(STOP_TIMEOUT_SECONDS), container], { timeoutMs: 60_000 });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`sample-service container stopped ${seconds.toFixed(2)} s after SIGTERM\n`);
    const state = await containerState(container);
    expect(state.ExitCode).toBe(0);
    expect(seconds).toBeLessThan(STOP_TIMEOUT_SECONDS);
    expect(await containerLogs(container)).toContain('shutdown complete');
  }, 60_000);

  it('refuses to start with production settings and no DATABASE_URL, saying why on its last line', async () => {
    const crashing = await runContainer({
      image: image.reference,
      suite,
      env: { HOST: await freeLoopbackAddress(PORT), PORT: String(PORT) },
    });
    const state = await waitForState(crashing, (current) => !current.Running && current.Status === 'exited', 30_000);
    expect(state.ExitCode).toBe(1);
    const lastLine = (await containerLogs(crashing)).trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(lastLine)).toMatchObject({
      level: 'fatal',
      msg: expect.stringContaining('DATABASE_URL is required when NODE_ENV=production'),
    });
  }, 40_000);
});
