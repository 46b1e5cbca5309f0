import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { DEMO_ENVIRONMENTS, OTHER_IMAGE_DIGEST, SAMPLE_IMAGE_DIGEST } from '@ecs-actions/loopback-aws';
import {
  afterCancel,
  RUNNER_GRACE_MS,
  startRehearsal,
  type Rehearsal,
  type RehearsalScenario,
} from '@ecs-actions/rehearsal';

/*
 * The committed bundles, run as a runner runs them, against the loopback AWS, the local Slack receiver and the real
 * sample service: the same chain as deploy-environment.yml, for each scenario the local rehearsal can show.
 */

const VERSION = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const started: Rehearsal[] = [];
afterAll(async () => {
  await Promise.all(started.map((rehearsal) => rehearsal.stop()));
});

async function rehearse(scenario: RehearsalScenario, stepMs = 40) {
  const lines: string[] = [];
  const rehearsal = await startRehearsal({
    scenario,
    stepMs,
    version: VERSION,
    log: (line) => lines.push(line),
    verifyTimeoutSeconds: 6,
    smokeTimeoutSeconds: 5,
  });
  started.push(rehearsal);
  const results = await rehearsal.runPipeline();
  return { rehearsal, results, lines, log: lines.join('\n') };
}

/** The revision the service runs: its only deployment's (a rollout still in progress shows both). */
function runningRevision(rehearsal: Rehearsal, environment: string): string {
  rehearsal.aws.advance();
  const service = rehearsal.aws.state.services.get(`demo-${environment}/sample-service`);
  return (service?.deployments ?? [])
    .map((deployment) => deployment.taskDefinitionArn.replace(/^.*task-definition\//, ''))
    .join(', ');
}

function lastSlackText(rehearsal: Rehearsal): string {
  const message = rehearsal.slack.messages.at(-1);
  return JSON.stringify(message?.body ?? {});
}

// Each scenario runs six to eight real processes against real servers.
jest.setTimeout(120_000);

describe('the local rehearsal of the pipeline', () => {
  it('promotes one digest through dev, staging and prod', async () => {
    const { rehearsal, results, log } = await rehearse('completes');
    expect(results.map((result) => [result.environment, result.status])).toEqual(
      DEMO_ENVIRONMENTS.map((environment) => [environment, 'succeeded']),
    );
    for (const environment of DEMO_ENVIRONMENTS) {
      expect(runningRevision(rehearsal, environment)).toBe(`sample-service-${environment}:2`);
    }
    expect(new Set(results.map((result) => result.digest))).toEqual(new Set([SAMPLE_IMAGE_DIGEST]));
    expect(rehearsal.slack.messages.map((message) => message.method)).toEqual(
      DEMO_ENVIRONMENTS.flatMap(() => ['chat.postMessage', 'chat.update']),
    );
    expect(log).not.toMatch(/^\s+ERROR:/m);
    // Each environment migrates first, from the revision it then deploys.
    for (const environment of DEMO_ENVIRONMENTS) {
      expect(log).toContain(`── ${environment} · Run the migration (run-task)`);
    }
    expect(log).toMatch(/web: exit 0/);
    // The steps are deploy-environment.yml's, in its order: the rehearsal runs the file. Without
    // test-before-production the paused deploy and its test-listener checks are skipped by their if:.
    const steps = results[0]!.steps;
    expect(steps.find((step) => step.name === 'Deploy to ECS, paused before production traffic')?.outcome).toBe(
      'skipped',
    );
    expect(
      steps
        .filter((step) => step.outcome !== 'skipped')
        .map((step) => step.name)
        .slice(0, 8),
    ).toEqual([
      'Check out the service',
      'Check out ecs-actions',
      'Check the inputs',
      'Configure AWS credentials (OIDC)',
      'Notify Slack (started)',
      'Render the task definition',
      'Run the migration',
      'Deploy to ECS',
    ]);
    expect(log).toContain('stand-in for job "Build and push the image (once)"');
    expect(log).toContain('environment "prod" (job prod/deploy): approved');
  });

  it('stops before deploy-ecs when the migration fails, saying why, with no traffic changed', async () => {
    const { rehearsal, results, log } = await rehearse('migration-fails');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      environment: 'dev',
      status: 'failed',
      reason: 'the migration (run-task) failed, exit codes {"web":1}; deploy-ecs did not run and no traffic changed',
      failure: { step: 'Run the migration' },
    });
    expect(results[0]!.steps.find((step) => step.name === 'Deploy to ECS')?.outcome).toBe('skipped');
    expect(log).toContain('Essential container web exited 1');
    expect(runningRevision(rehearsal, 'dev')).toBe('sample-service-dev:1');
    expect(lastSlackText(rehearsal)).toMatch(/migration/);
  });

  it('reports a circuit-breaker rollback as rolled-back and stops promotion', async () => {
    const { rehearsal, results, log } = await rehearse('circuit-breaker-rollback');
    expect(results.map((result) => [result.environment, result.status])).toEqual([['dev', 'rolled-back']]);
    expect(runningRevision(rehearsal, 'dev')).toBe('sample-service-dev:1');
    expect(log).toMatch(/exit code 1|exitCode 1|exited with 1/i);
    expect(lastSlackText(rehearsal)).toMatch(/rolled back/i);
  });

  it('rolls back a service without circuit breaker whose new tasks keep stopping', async () => {
    const { rehearsal, results } = await rehearse('tasks-keep-stopping');
    expect(results.map((result) => [result.environment, result.status])).toEqual([['dev', 'rolled-back']]);
    expect(runningRevision(rehearsal, 'dev')).toBe('sample-service-dev:1');
  });

  it('rolls back when the load balancer never sees healthy targets after a completed rollout', async () => {
    const { rehearsal, results, log } = await rehearse('targets-unhealthy');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      status: 'rolled-back',
      reason: 'verify-targets failed after the rollout completed; rolled back to sample-service-dev:1',
    });
    expect(log).toMatch(/Target\.ResponseCodeMismatch/);
    expect(runningRevision(rehearsal, 'dev')).toBe('sample-service-dev:1');
    expect(lastSlackText(rehearsal)).toMatch(/verify-targets/);
  });

  it('rolls back when the tasks run another digest than the one built', async () => {
    const { rehearsal, results, log } = await rehearse('wrong-digest');
    expect(results[0]).toMatchObject({
      status: 'rolled-back',
      reason: 'verify-targets failed after the rollout completed; rolled back to sample-service-dev:1',
    });
    expect(log).toContain(OTHER_IMAGE_DIGEST);
    expect(runningRevision(rehearsal, 'dev')).toBe('sample-service-dev:1');
  });

  it('rolls back when the smoke test finds another version', async () => {
    const { rehearsal, results, log } = await rehearse('smoke-fails');
    expect(results[0]).toMatchObject({
      status: 'rolled-back',
      reason: 'smoke-test failed after the rollout completed; rolled back to sample-service-dev:1',
    });
    expect(log).toContain(VERSION);
    expect(runningRevision(rehearsal, 'dev')).toBe('sample-service-dev:1');
    expect(lastSlackText(rehearsal)).toMatch(/smoke-test/);
  });

  it('cancelled mid-rollout: deploy-ecs rolls back, the outcome and final Slack steps say cancelled, the previous revision serves', async () => {
    // Slower steps than the other scenarios: the cancel must land while the rollout is still in progress.
    const { rehearsal, results } = await rehearse('cancelled', 150);
    expect(results.map((result) => [result.environment, result.status])).toEqual([['dev', 'cancelled']]);
    const steps = Object.fromEntries(results[0]!.steps.map((step) => [step.name, step]));
    expect(steps['Deploy to ECS']?.outcome).toBe('cancelled');
    const deploy = steps['Deploy to ECS']!.run!;
    expect(deploy.signals.map((sent) => sent.signal)).toEqual(['SIGINT']);
    expect(deploy.durationMs - deploy.signals[0]!.atMs).toBeLessThan(RUNNER_GRACE_MS.sigint);
    expect(deploy.outputs.status).toBe('cancelled');
    // The runner skips the steps without always(); the final Slack message still goes out.
    expect(
      ['Verify load balancer targets', 'Smoke test', 'Roll back after failed checks'].map(
        (name) => steps[name]?.outcome,
      ),
    ).toEqual(['skipped', 'skipped', 'skipped']);
    expect(steps['Notify Slack (final)']?.outcome).toBe('success');
    expect(deploy.outputs['cancel-result']).toBe('rollback-started');
    expect(results[0]!.reason).toMatch(
      /^cancelled during deploy-ecs; the rollout of sample-service-dev:2 is being rolled back to sample-service-dev:1: .*; rollback to sample-service-dev:1 started as deployment ecs-svc\/\S+ \(not waited for\) \(see the deploy-ecs summary\)$/,
    );
    expect(rehearsal.slack.messages.map((message) => message.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(lastSlackText(rehearsal)).toMatch(/cancelled.*rollback to sample-service-dev:1 started/);

    const after = await afterCancel(rehearsal.aws, results[0]!, { log: () => undefined });
    expect(after).toEqual({
      serving: 'sample-service-dev:1',
      message: expect.stringMatching(/^dev was cancelled and rolled back: sample-service-dev:1 serves again/),
    });
  });

  it('cancelled during verify-targets: keeps the completed rollout, reports it unverified and does not roll back', async () => {
    const { rehearsal, results } = await rehearse('cancelled-during-verify');
    expect(results[0]).toMatchObject({
      environment: 'dev',
      status: 'cancelled',
      reason:
        'cancelled during verify-targets after the rollout completed: sample-service-dev:2 is live but unverified; run rollback.yml to go back to sample-service-dev:1',
    });
    const steps = Object.fromEntries(results[0]!.steps.map((step) => [step.name, step]));
    expect(steps['Verify load balancer targets']?.outcome).toBe('cancelled');
    expect(steps['Verify load balancer targets']?.run?.outputs['healthy-count']).toBe('0');
    expect([steps['Smoke test']?.outcome, steps['Roll back after failed checks']?.outcome]).toEqual([
      'skipped',
      'skipped',
    ]);
    expect(lastSlackText(rehearsal)).toMatch(/live but unverified/);
    const after = await afterCancel(rehearsal.aws, results[0]!, { log: () => undefined });
    expect(after.serving).toBe('sample-service-dev:2');
    expect(rehearsal.aws.requests.filter((request) => request.operation === 'UpdateService')).toHaveLength(1);
  });
});
