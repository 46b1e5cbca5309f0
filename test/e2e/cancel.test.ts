import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  OTHER_IMAGE_DIGEST,
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type ScenarioName,
} from '@ecs-actions/loopback-aws';
import { RUNNER_GRACE_MS, runBundle, type BundleRun } from '@ecs-actions/rehearsal';

/*
 * The committed deploy-ecs bundle, cancelled as GitHub's runner cancels a step: SIGINT, SIGTERM 7.5 s later, SIGKILL
 * 2.5 s after that, mid-rollout against the loopback AWS. Nothing is mocked.
 */

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
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

/** Runs the bundle and cancels it, as the runner would, at the first line that matches `when`. */
async function deployAndCancel(
  server: LoopbackAws,
  taskDefinition: string,
  when: RegExp,
  options: {
    inputs?: Record<string, string>;
    graceMs?: { sigint: number; sigterm: number };
    atCancel?: () => void;
  } = {},
): Promise<BundleRun> {
  const cancel = new AbortController();
  return runBundle('deploy-ecs', {
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': taskDefinition, ...options.inputs },
    env: {
      AWS_ENDPOINT_URL: server.url,
      AWS_REGION: server.region,
      AWS_ACCESS_KEY_ID: 'AKIDREHEARSAL',
      AWS_SECRET_ACCESS_KEY: 'rehearsal-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
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

/** Milliseconds from the first signal to the exit. */
function exitAfterSignal(run: BundleRun): number {
  return run.durationMs - run.signals[0]!.atMs;
}

/** Waits until the service's only deployment runs `revision` (`sample-service-dev:1`). */
async function settlesOn(server: LoopbackAws, revision: string, timeoutMs = 15_000): Promise<string[]> {
  const started = Date.now();
  let revisions: string[] = [];
  while (Date.now() - started < timeoutMs) {
    server.advance();
    const service = server.state.services.get(SERVICE_KEY);
    revisions = (service?.deployments ?? [])
      .filter((deployment) => deployment.status !== 'INACTIVE')
      .map((deployment) => deployment.taskDefinitionArn.replace(/^.*task-definition\//, ''));
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
