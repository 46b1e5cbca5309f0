import { describe, expect, it } from '@jest/globals';
// @ts-expect-error plain JavaScript shared with the workflows; its behaviour is what this file pins down
import { decideOutcome, planDeploy, revisionName } from '../../.github/scripts/deploy-steps.mjs';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/sample-service@${DIGEST}`;
const PREVIOUS = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-dev:7';
const DEPLOYED = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-dev:8';

describe('planDeploy (deploy-environment.yml "Check the inputs")', () => {
  it('builds render-taskdef vars that pin the environment, image, account and region', () => {
    expect(
      planDeploy({
        IMAGE,
        TEMPLATE: 'deploy/taskdef.json',
        ENVIRONMENT: 'dev',
        ACCOUNT_ID: '123456789012',
        REGION: 'eu-west-1',
      }),
    ).toEqual({
      mode: 'image',
      digest: DIGEST,
      vars: `ENVIRONMENT=dev\nIMAGE=${IMAGE}\nACCOUNT_ID=123456789012\nREGION=eu-west-1`,
    });
  });
  it('deploys an existing revision without rendering', () => {
    expect(planDeploy({ TASK_DEFINITION: 'sample-service-dev:7' })).toEqual({ mode: 'revision', digest: '', vars: '' });
  });
  it('refuses both an image and a revision', () => {
    expect(() => planDeploy({ IMAGE, TASK_DEFINITION: 'x:1', TEMPLATE: 't' })).toThrow(
      /exactly one of the inputs 'image'/,
    );
  });
  it('refuses neither', () => {
    expect(() => planDeploy({})).toThrow(/exactly one of the inputs 'image'/);
  });
  it('refuses an image pinned by tag', () => {
    expect(() => planDeploy({ IMAGE: 'repo/sample-service:latest', TEMPLATE: 't' })).toThrow(
      `input 'image': "repo/sample-service:latest" is not pinned by digest; expected <registry>/<repository>@sha256:<64 hex>`,
    );
  });
  it('needs a template with an image', () => {
    expect(() => planDeploy({ IMAGE })).toThrow(/input 'template' is required/);
  });
});

describe('decideOutcome (deploy-environment.yml "Summarise the outcome")', () => {
  const base = { DEPLOYED, PREVIOUS };
  it('reports success when the rollout and both checks passed', () => {
    expect(
      decideOutcome({
        ...base,
        DEPLOY_OUTCOME: 'success',
        DEPLOY_STATUS: 'succeeded',
        VERIFY_OUTCOME: 'success',
        SMOKE_OUTCOME: 'success',
      }),
    ).toEqual({
      status: 'succeeded',
      'notify-status': 'success',
      reason: '',
      'rolled-back-to': '',
      'task-definition-arn': DEPLOYED,
    });
  });
  it('reports unchanged as deploy-ecs did', () => {
    expect(decideOutcome({ ...base, DEPLOY_OUTCOME: 'success', DEPLOY_STATUS: 'unchanged' }).status).toBe('unchanged');
  });
  it('reports a rollback after verify-targets failed, naming the check and the revision', () => {
    expect(
      decideOutcome({
        ...base,
        DEPLOY_OUTCOME: 'success',
        DEPLOY_STATUS: 'succeeded',
        VERIFY_OUTCOME: 'failure',
        SMOKE_OUTCOME: 'skipped',
        ROLLBACK_OUTCOME: 'success',
        ROLLBACK_TASK_DEFINITION: PREVIOUS,
      }),
    ).toEqual({
      status: 'rolled-back',
      'notify-status': 'rolled-back',
      reason: 'verify-targets failed after the rollout completed; rolled back to sample-service-dev:7',
      'rolled-back-to': PREVIOUS,
      'task-definition-arn': PREVIOUS,
    });
  });
  it('reports a rollback after smoke-test failed', () => {
    expect(
      decideOutcome({
        ...base,
        DEPLOY_OUTCOME: 'success',
        DEPLOY_STATUS: 'succeeded',
        VERIFY_OUTCOME: 'success',
        SMOKE_OUTCOME: 'failure',
        ROLLBACK_OUTCOME: 'success',
      }).reason,
    ).toBe('smoke-test failed after the rollout completed; rolled back to sample-service-dev:7');
  });
  it('never reports success when the rollback after a failed check failed too', () => {
    const outcome = decideOutcome({
      ...base,
      DEPLOY_OUTCOME: 'success',
      DEPLOY_STATUS: 'succeeded',
      SMOKE_OUTCOME: 'failure',
      ROLLBACK_OUTCOME: 'failure',
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/rollback to sample-service-dev:7 did not finish/);
  });
  it('passes on deploy-ecs rolling back by itself', () => {
    expect(decideOutcome({ ...base, DEPLOY_OUTCOME: 'failure', DEPLOY_STATUS: 'rolled-back' })).toMatchObject({
      status: 'rolled-back',
      'rolled-back-to': PREVIOUS,
      'task-definition-arn': PREVIOUS,
    });
  });
  it('does not claim a rollback was tried when deploy-ecs changed nothing and a check failed', () => {
    const outcome = decideOutcome({
      ...base,
      PREVIOUS: DEPLOYED,
      DEPLOY_OUTCOME: 'success',
      DEPLOY_STATUS: 'unchanged',
      VERIFY_OUTCOME: 'failure',
      SMOKE_OUTCOME: 'skipped',
      ROLLBACK_OUTCOME: 'skipped',
    });
    expect(outcome).toMatchObject({ status: 'failed', 'notify-status': 'failure', 'rolled-back-to': '' });
    expect(outcome.reason).toBe(
      'verify-targets failed on sample-service-dev:8, which the service already ran before this deploy (deploy-ecs: unchanged); nothing to roll back to: fix forward, or run rollback.yml with an earlier revision',
    );
  });
  it('says nothing was deployed when a step before deploy-ecs failed', () => {
    expect(decideOutcome({ ...base, DEPLOY_OUTCOME: 'skipped' })).toMatchObject({
      status: 'failed',
      reason: 'nothing was deployed: a step before deploy-ecs failed (see the log)',
    });
  });
  describe('when the paused deploy-ecs of test-before-production (step start) ended the job', () => {
    // The final deploy-ecs is skipped after it, so its outputs are empty: only the start step's say what happened.
    const start = {
      START_DEPLOYED: DEPLOYED,
      START_PREVIOUS: PREVIOUS,
      DEPLOY_OUTCOME: 'skipped',
    };
    it('says the rollout was rolled back before the pause, never that nothing was deployed', () => {
      expect(
        decideOutcome({
          ...start,
          START_OUTCOME: 'failure',
          START_STATUS: 'rolled-back',
          START_DEPLOYMENT_ID: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/demo/web/a1',
        }),
      ).toEqual({
        status: 'rolled-back',
        'notify-status': 'rolled-back',
        reason:
          "deploy-ecs (wait-until: paused): the rollout of sample-service-dev:8 was rolled back to sample-service-dev:7 before the pause; the checks on the test listener and the production traffic shift did not run (see the step 'start')",
        'rolled-back-to': PREVIOUS,
        'task-definition-arn': PREVIOUS,
      });
    });
    it('says it failed after its deployment started, and what the service runs', () => {
      const outcome = decideOutcome({
        ...start,
        START_OUTCOME: 'failure',
        START_STATUS: 'failed',
        START_DEPLOYMENT_ID: 'ecs-svc/2',
      });
      expect(outcome).toMatchObject({ status: 'failed', 'notify-status': 'failure', 'task-definition-arn': DEPLOYED });
      expect(outcome.reason).toBe(
        "deploy-ecs (wait-until: paused) failed (status failed) after deployment ecs-svc/2 started, before the pause; the checks on the test listener and the production traffic shift did not run (see the step 'start')",
      );
    });
    it('says it failed before any deployment started (a refused input), the service on its revision', () => {
      const outcome = decideOutcome({ ...start, START_OUTCOME: 'failure', START_STATUS: '' });
      expect(outcome).toMatchObject({ status: 'failed', 'task-definition-arn': PREVIOUS });
      expect(outcome.reason).toMatch(/^deploy-ecs \(wait-until: paused\) failed before any deployment started, /);
    });
    it("reads the start step's cancel-result when the run was cancelled during it", () => {
      const outcome = decideOutcome({
        ...start,
        JOB_STATUS: 'cancelled',
        START_OUTCOME: 'cancelled',
        START_STATUS: 'cancelled',
        START_DEPLOYMENT_ID: 'ecs-svc/2',
        START_CANCEL_RESULT: 'rollback-started',
        START_CANCEL_DETAIL: 'D',
      });
      expect(outcome).toMatchObject({ status: 'cancelled', 'task-definition-arn': PREVIOUS });
      expect(outcome.reason).toMatch(
        /^cancelled during deploy-ecs; the rollout of sample-service-dev:8 is being rolled back to sample-service-dev:7: D /,
      );
    });
    it('still blames an earlier step when the start step was skipped', () => {
      expect(decideOutcome({ ...start, START_OUTCOME: 'skipped' }).reason).toBe(
        'nothing was deployed: a step before deploy-ecs failed (see the log)',
      );
    });
  });
  it('stops at a failed migration, saying deploy-ecs did not run and why', () => {
    const outcome = decideOutcome({
      ...base,
      MIGRATE_OUTCOME: 'failure',
      MIGRATE_STATUS: 'failed',
      MIGRATE_EXIT_CODES: '{"web":1}',
      DEPLOY_OUTCOME: 'skipped',
    });
    expect(outcome).toMatchObject({
      status: 'failed',
      'notify-status': 'failure',
      reason: 'the migration (run-task) failed, exit codes {"web":1}; deploy-ecs did not run and no traffic changed',
      'rolled-back-to': '',
    });
  });
  it('deploys after a migration that succeeded, as without one', () => {
    expect(
      decideOutcome({ ...base, MIGRATE_OUTCOME: 'success', DEPLOY_OUTCOME: 'success', DEPLOY_STATUS: 'succeeded' })
        .status,
    ).toBe('succeeded');
  });
  it('reports failed when deploy-ecs failed', () => {
    expect(decideOutcome({ ...base, DEPLOY_OUTCOME: 'failure', DEPLOY_STATUS: 'failed' }).status).toBe('failed');
  });
  it('reports a deploy-ecs cancel as cancelled, naming the rollback it started', () => {
    expect(
      decideOutcome({
        ...base,
        JOB_STATUS: 'cancelled',
        DEPLOY_OUTCOME: 'cancelled',
        DEPLOY_STATUS: 'cancelled',
        DEPLOYMENT_ID: 'ecs-svc/2',
        DEPLOY_CANCEL_RESULT: 'rollback-started',
        DEPLOY_CANCEL_DETAIL: 'deployment ecs-svc/2 was PRIMARY; rollback to web:7 started as deployment ecs-svc/3',
      }),
    ).toEqual({
      status: 'cancelled',
      'notify-status': 'cancelled',
      reason:
        'cancelled during deploy-ecs; the rollout of sample-service-dev:8 is being rolled back to sample-service-dev:7: deployment ecs-svc/2 was PRIMARY; rollback to web:7 started as deployment ecs-svc/3 (see the deploy-ecs summary)',
      'rolled-back-to': '',
      'task-definition-arn': PREVIOUS,
    });
  });
  // What deploy-ecs's cancel left decides the message and what the service runs: never a rollback it did not start.
  it.each([
    [
      'rollback-continues',
      /^cancelled during deploy-ecs; the rollout of sample-service-dev:8 is being rolled back to sample-service-dev:7: D /,
      'previous',
    ],
    [
      'completed',
      /^cancelled during deploy-ecs after the rollout completed: sample-service-dev:8 is live but unverified; run rollback\.yml to go back to sample-service-dev:7$/,
      'deployed',
    ],
    [
      'left-in-progress',
      /^cancelled during deploy-ecs; the rollout of sample-service-dev:8 was left in progress \(on-cancel: leave\): D /,
      'deployed',
    ],
    ['needs-attention', /^cancelled during deploy-ecs; the service needs attention: D /, 'deployed'],
    [
      'nothing-changed',
      /^cancelled before deploy-ecs changed anything: the service runs sample-service-dev:7$/,
      'previous',
    ],
    [
      '',
      /^cancelled during deploy-ecs after deployment ecs-svc\/2 of sample-service-dev:8 started; deploy-ecs did not report what it left: check the service/,
      'deployed',
    ],
  ])('reads deploy-ecs cancel-result %j', (cancelResult, reason, runs) => {
    const outcome = decideOutcome({
      ...base,
      JOB_STATUS: 'cancelled',
      DEPLOY_OUTCOME: 'cancelled',
      DEPLOY_STATUS: 'cancelled',
      DEPLOYMENT_ID: 'ecs-svc/2',
      DEPLOY_CANCEL_RESULT: cancelResult,
      DEPLOY_CANCEL_DETAIL: cancelResult ? 'D (detail)' : '',
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.reason).toMatch(reason);
    expect(outcome['task-definition-arn']).toBe(runs === 'previous' ? PREVIOUS : base.DEPLOYED);
  });
  it('says nothing changed when deploy-ecs was cancelled before UpdateService', () => {
    expect(decideOutcome({ ...base, DEPLOY_OUTCOME: 'cancelled', DEPLOY_STATUS: 'cancelled' }).reason).toBe(
      'cancelled before deploy-ecs changed anything: the service runs sample-service-dev:7',
    );
  });
  it('keeps a completed rollout whose checks were cancelled, and reports it unverified, never succeeded', () => {
    const outcome = decideOutcome({
      ...base,
      JOB_STATUS: 'cancelled',
      DEPLOY_OUTCOME: 'success',
      DEPLOY_STATUS: 'succeeded',
      VERIFY_OUTCOME: 'success',
      SMOKE_OUTCOME: 'cancelled',
    });
    expect(outcome).toMatchObject({
      status: 'cancelled',
      'notify-status': 'cancelled',
      'task-definition-arn': DEPLOYED,
    });
    expect(outcome.reason).toBe(
      'cancelled during smoke-test after the rollout completed: sample-service-dev:8 is live but unverified; run rollback.yml to go back to sample-service-dev:7',
    );
  });
  it('shortens an ARN to family:revision', () => {
    expect(revisionName(DEPLOYED)).toBe('sample-service-dev:8');
  });
});
