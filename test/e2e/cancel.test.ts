import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OTHER_IMAGE_DIGEST,
  SAMPLE_IMAGE_DIGEST,
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type ScenarioName,
} from '@ecs-actions/loopback-aws';
import { RUNNER_GRACE_MS, runBundle, serviceRevisions, type BundleRun } from '@ecs-actions/rehearsal';

/*
 * The committed bundles, cancelled as GitHub's runner cancels a step: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s
 * after that: deploy-ecs mid-rollout against the loopback AWS, verify-targets while it polls, smoke-test against a
 * real HTTP server on 127.0.0.1. Nothing is mocked.
 */

let aws: LoopbackAws | undefined;
let service: Server | undefined;
afterEach(async () => {
  await aws?.close();
  await new Promise((resolve) => (service ? service.close(resolve).closeAllConnections() : resolve(undefined)));
  aws = service = undefined;
});
jest.setTimeout(60_000);

const SERVICE_KEY = 'demo-dev/sample-service';

async function loopback(scenario: ScenarioName): Promise<{ aws: LoopbackAws; next: string }> {
  aws = await startLoopbackAws({ scenario, stepMs: 100 });
  const next = aws.seedTaskDefinition(
    sampleTaskDefinition(aws.state, 'dev', sampleImageUri(aws.accountId, aws.region, OTHER_IMAGE_DIGEST)),
  );
  return { aws, next: next.arn };
}

/** How the runner's cancel goes: its waits after SIGINT and SIGTERM, and what happens as it starts. */
interface CancelOptions {
  graceMs?: { sigint: number; sigterm: number };
  atCancel?: () => void;
}

/** Runs an action's bundle and cancels it, as the runner would, at the first line that matches `when`. */
async function runAndCancel(
  action: string,
  inputs: Record<string, string>,
  when: RegExp,
  options: CancelOptions & { env?: Record<string, string> } = {},
): Promise<BundleRun> {
  const cancel = new AbortController();
  return runBundle(action, {
    inputs,
    env: options.env,
    cancel: cancel.signal,
    graceMs: options.graceMs,
    timeoutMs: 30_000,
    onLine: (line) => {
      if (!cancel.signal.aborted && when.test(line)) {
        options.atCancel?.();
        cancel.abort();
      }
    },
  });
}

/** The environment a step gets for the loopback AWS. */
function awsEnvironment(server: LoopbackAws): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: server.url,
    AWS_REGION: server.region,
    AWS_ACCESS_KEY_ID: 'AKIDREHEARSAL',
    AWS_SECRET_ACCESS_KEY: 'rehearsal-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** deploy-ecs of `taskDefinition` to the dev service, cancelled at the first line that matches `when`. */
async function deployAndCancel(
  server: LoopbackAws,
  taskDefinition: string,
  when: RegExp,
  options: CancelOptions & { inputs?: Record<string, string> } = {},
): Promise<BundleRun> {
  return runAndCancel(
    'deploy-ecs',
    { cluster: 'demo-dev', service: 'sample-service', 'task-definition': taskDefinition, ...options.inputs },
    when,
    { ...options, env: awsEnvironment(server) },
  );
}

/** Milliseconds from the first signal to the exit. */
function exitAfterSignal(run: BundleRun): number {
  return run.durationMs - run.signals[0]!.atMs;
}

/** Waits until the service's only deployment runs `revision` (`sample-service-dev:1`). */
async function settlesOn(server: LoopbackAws, revision: string, timeoutMs = 15_000): Promise<string[]> {
  const started = Date.now();
  let revisions: string[] = [];
  while (Date.now() - started < timeoutMs) {
    revisions = serviceRevisions(server, 'dev');
    if (revisions.length === 1 && revisions[0] === revision) return revisions;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return revisions;
}

describe('deploy-ecs cancelled by the runner', () => {
  it('without circuit breaker, its tasks crashing: exits within the grace period, cancelled, and the service goes back', async () => {
    const { aws: server, next } = await loopback('tasks-keep-stopping');
    // max-failed-tasks high: the cancel, not the failure detection, ends this rollout.
    const run = await deployAndCancel(server, next, /^Deployment ecs-svc\/\S+ started/, {
      inputs: { 'max-failed-tasks': '50' },
    });

    expect(run.signals.map((sent) => sent.signal)).toEqual(['SIGINT']);
    expect(exitAfterSignal(run)).toBeLessThan(RUNNER_GRACE_MS.sigint);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      status: 'cancelled',
      'deployment-id': expect.stringMatching(/^ecs-svc\//),
      'previous-task-definition-arn': expect.stringContaining('sample-service-dev:1'),
    });
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Cancelled \(SIGINT\) while waiting for the deployment: deployment ecs-svc\/\S+ of sample-service-dev:2 was PRIMARY .*; rollback to sample-service-dev:1 started as deployment ecs-svc\/\S+ \(not waited for\)\. Follow it at https:/,
      ),
    ]);
    expect(run.summary).toContain('⏹️ cancelled');
    expect(await settlesOn(server, 'sample-service-dev:1')).toEqual(['sample-service-dev:1']);
  });

  it('lets the circuit breaker’s rollback go on and says so', async () => {
    const { aws: server, next } = await loopback('circuit-breaker-rollback');
    // Through the DescribeServices follower, which sees ECS's rollback deployment while it runs; the loopback's
    // service-deployment record goes from IN_PROGRESS to ROLLBACK_SUCCESSFUL between two of its slower polls.
    server.failNext('ListServiceDeployments', { code: 'AccessDeniedException', message: 'not authorized', times: 5 });
    const run = await deployAndCancel(server, next, /Waiting for rollback deployment/);

    expect(exitAfterSignal(run)).toBeLessThan(RUNNER_GRACE_MS.sigint);
    expect(run.outputs).toMatchObject({ status: 'cancelled' });
    expect(run.errors[0]).toMatch(
      /^Cancelled \(SIGINT\) during the rollback: .*ECS’s rollback deployment ecs-svc\/\S+ to sample-service-dev:1 .*the rollback goes on \(not waited for\)/,
    );
    expect(server.requests.filter((request) => request.operation === 'UpdateService')).toHaveLength(1);
    expect(await settlesOn(server, 'sample-service-dev:1')).toEqual(['sample-service-dev:1']);
  });

  it('lets its own rollback go on when cancelled during it', async () => {
    const { aws: server, next } = await loopback('tasks-keep-stopping');
    // Through the DescribeServices follower, whose rollback is an UpdateService to the previous revision (the
    // service-deployments follower rolls back with StopServiceDeployment instead).
    server.failNext('ListServiceDeployments', { code: 'AccessDeniedException', message: 'not authorized', times: 5 });
    const run = await deployAndCancel(server, next, /^Rollback deployment ecs-svc\/\S+ started/, {
      inputs: { 'max-failed-tasks': '1' },
    });

    expect(exitAfterSignal(run)).toBeLessThan(RUNNER_GRACE_MS.sigint);
    expect(run.outputs).toMatchObject({ status: 'cancelled' });
    expect(run.errors[0]).toMatch(/this run’s rollback deployment ecs-svc\/\S+ to sample-service-dev:1 .*goes on/);
    // Its own rollback, and no second one from the cancel.
    expect(server.requests.filter((request) => request.operation === 'UpdateService')).toHaveLength(2);
    expect(await settlesOn(server, 'sample-service-dev:1')).toEqual(['sample-service-dev:1']);
  });

  it('ends at once on a second signal, saying where things stand', async () => {
    const { aws: server, next } = await loopback('tasks-keep-stopping');
    const run = await deployAndCancel(server, next, /^Deployment ecs-svc\/\S+ started/, {
      inputs: { 'max-failed-tasks': '50' },
      // The final phase's DescribeServices hangs; the second signal comes 500 ms after the first.
      atCancel: () => server.stopAnswering({ operations: ['DescribeServices'] }),
      graceMs: { sigint: 500, sigterm: 2_500 },
    });

    expect(run.signals.map((sent) => sent.signal)).toEqual(['SIGINT', 'SIGTERM']);
    expect(run.durationMs - run.signals[1]!.atMs).toBeLessThan(1000);
    expect(run.errors.at(-1)).toMatch(
      /^Cancelled \(SIGINT\); stopped at once by a second signal \(SIGTERM\)\. Where things stand: deployment ecs-svc\/\S+ of sample-service-dev:2 started; not yet steady/,
    );
  });
});

const VERSION = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/**
 * A service on 127.0.0.1 whose health check passes and whose /version reports `reports`; every other path is
 * accepted and never answered (a check that hangs until the cancel ends it).
 */
async function startService(reports: string): Promise<string> {
  service = createServer((request, response) => {
    if (request.url === '/health')
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    else if (request.url === '/version')
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ gitSha: reports }));
  });
  await new Promise<void>((resolve) => service!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
}

describe('verify-targets and smoke-test cancelled by the runner', () => {
  it('verify-targets stops at SIGINT, within the grace period, with what the last poll saw in its outputs and summary', async () => {
    aws = await startLoopbackAws({ stepMs: 100 });
    const running = aws.state.services.get(SERVICE_KEY)!.deployments[0]!.taskDefinitionArn;
    // The tasks run SAMPLE_IMAGE_DIGEST: the targets never verify against another digest, so only the cancel ends it.
    const run = await runAndCancel(
      'verify-targets',
      {
        cluster: 'demo-dev',
        service: 'sample-service',
        'task-definition-arn': running,
        'expected-digests': OTHER_IMAGE_DIGEST,
        'timeout-seconds': '120',
      },
      /: \d+ of \d+ healthy and verified/,
      { env: awsEnvironment(aws) },
    );

    expect(run.signals.map((sent) => sent.signal)).toEqual(['SIGINT']);
    expect(exitAfterSignal(run)).toBeLessThan(RUNNER_GRACE_MS.sigint);
    expect(run.exitCode).toBe(1);
    // Both targets are healthy, but neither runs the expected digest.
    expect(run.outputs).toMatchObject({ 'healthy-count': '2', 'digest-verified': 'false' });
    const targets = JSON.parse(run.outputs.targets!) as Array<{ digest: string }>;
    expect(targets).toHaveLength(2);
    expect(targets.map((target) => target.digest)).toEqual([SAMPLE_IMAGE_DIGEST, SAMPLE_IMAGE_DIGEST]);
    expect(run.summary).toContain('The run was cancelled (SIGINT)');
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^The run was cancelled \(SIGINT\): targets not verified after \d+s\. sample-service-dev: 0 of 2/,
      ),
    ]);
  });

  it('smoke-test stops at SIGINT while it waits for the expected version, writing its report and summary', async () => {
    const baseUrl = await startService('f'.repeat(40));
    const run = await runAndCancel(
      'smoke-test',
      { 'base-url': baseUrl, 'expected-version': VERSION, 'timeout-seconds': '120' },
      /waiting for a1b2c3d4/,
    );

    expect(run.signals.map((sent) => sent.signal)).toEqual(['SIGINT']);
    expect(exitAfterSignal(run)).toBeLessThan(RUNNER_GRACE_MS.sigint);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ passed: 'false', report: expect.stringMatching(/\.json$/) });
    expect(run.summary).toContain('not run');
    expect(run.errors.at(-1)).toMatch(/^Cancelled \(SIGINT\) .*; partial report written to /);
  });

  it('smoke-test stops at SIGINT during a check that hangs, saying how many checks ran', async () => {
    const baseUrl = await startService(VERSION);
    const run = await runAndCancel(
      'smoke-test',
      { 'base-url': baseUrl, 'expected-version': VERSION, 'timeout-seconds': '120' },
      /^::group::Running \d+ checks/,
    );

    expect(run.signals.map((sent) => sent.signal)).toEqual(['SIGINT']);
    expect(exitAfterSignal(run)).toBeLessThan(RUNNER_GRACE_MS.sigint);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.errors.at(-1)).toMatch(/^Cancelled \(SIGINT\) after \d+ of \d+ checks; partial report written to /);
  });
});
