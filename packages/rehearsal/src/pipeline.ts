import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
// @ts-expect-error plain JavaScript shared with .github/workflows/deploy-environment.yml
import { decideOutcome, planDeploy, revisionName } from '../../../.github/scripts/deploy-steps.mjs';
import { readableLine } from './log-lines.js';
import { repositoryRoot, runBundle, stopAllSteps, type BundleRun } from './run-bundle.js';

/** Where the rehearsal deploys: the loopback AWS, the local Slack receiver and the running sample service. */
export interface RehearsalTarget {
  awsUrl: string;
  accountId: string;
  region: string;
  slackApiUrl: string;
  /** The "deployed" sample service the smoke test checks. */
  serviceUrl: string;
  corsOrigin?: string;
  cluster(environment: string): string;
  service: string;
  /** Seconds verify-targets waits before it reports the targets that never became right. */
  verifyTimeoutSeconds?: number;
  /** Seconds smoke-test waits for the service to answer (and to report the expected version). */
  smokeTimeoutSeconds?: number;
}

export interface DeployRequest {
  environment: string;
  /** Digest-pinned image, or undefined with `taskDefinition` set. */
  image?: string;
  taskDefinition?: string;
  version?: string;
  template?: string;
  varsFile?: string;
  container?: string;
  /** The migration, as deploy-environment.yml's migrate-command: a JSON array run by run-task before deploy-ecs. */
  migrateCommand?: string;
}

export interface StepRecord {
  name: string;
  run?: BundleRun;
  /** As `steps.<id>.outcome`: `cancelled` for the step the runner was running when the job was cancelled. */
  outcome: 'success' | 'failure' | 'skipped' | 'cancelled';
}

/**
 * The job cancelled as GitHub cancels it (Cancel pressed, or the job's timeout-minutes ran out), at the first line
 * the named step prints that matches `line`: the runner sends that step SIGINT, then SIGTERM 7.5 s later; the
 * steps after it run only when their condition has always() (the outcome and the final Slack message).
 */
export interface JobCancel {
  step: string;
  line: RegExp;
}

export interface JobOptions {
  cancel?: JobCancel;
}

export interface EnvironmentResult {
  environment: string;
  status: string;
  reason: string;
  previousTaskDefinitionArn: string;
  /** The revision deploy-ecs rolled out (before any rollback). */
  deployedTaskDefinitionArn: string;
  /** The revision the service runs at the end. */
  taskDefinitionArn: string;
  digest: string;
  durationMs: number;
  steps: StepRecord[];
  /** The first step that failed and the first error it printed. */
  failure?: { step: string; error: string };
}

export type Logger = (line: string) => void;

const DEFAULT_TEMPLATE = 'sample-service/deploy/taskdef.template.json';

/**
 * One environment's deploy, step for step as deploy-environment.yml runs it: notify (started) -> render ->
 * migrate (run-task, when a migrate command is given) -> deploy -> verify targets -> smoke test -> roll back if a
 * check failed after the rollout -> notify (final).
 * The decisions between steps come from the same module the workflow runs.
 */
export async function deployEnvironment(
  target: RehearsalTarget,
  request: DeployRequest,
  log: Logger,
  job: JobOptions = {},
): Promise<EnvironmentResult> {
  const runnerTemp = mkdtempSync(join(tmpdir(), `rehearsal-${request.environment}-`));
  try {
    return await runJob(target, request, log, runnerTemp, job);
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

async function runJob(
  target: RehearsalTarget,
  request: DeployRequest,
  log: Logger,
  runnerTemp: string,
  job: JobOptions,
): Promise<EnvironmentResult> {
  const started = Date.now();
  const cluster = target.cluster(request.environment);
  const template = request.template ?? DEFAULT_TEMPLATE;
  const plan = planDeploy({
    IMAGE: request.image ?? '',
    TASK_DEFINITION: request.taskDefinition ?? '',
    TEMPLATE: template,
    ENVIRONMENT: request.environment,
    ACCOUNT_ID: target.accountId,
    REGION: target.region,
  }) as { mode: 'image' | 'revision'; digest: string; vars: string };
  const env = {
    AWS_ENDPOINT_URL: target.awsUrl,
    AWS_REGION: target.region,
    AWS_ACCESS_KEY_ID: 'AKIDREHEARSAL',
    AWS_SECRET_ACCESS_KEY: 'rehearsal-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'org/ecs-actions',
    GITHUB_RUN_ID: '1',
    GITHUB_SHA: request.version ?? '',
    GITHUB_ACTOR: 'rehearsal',
    GITHUB_WORKFLOW: 'Pipeline (local rehearsal)',
  };
  const steps: StepRecord[] = [];
  const jobCancel = new AbortController();
  const step = async (
    name: string,
    action: string,
    inputs: Record<string, string | undefined>,
    condition: { always?: boolean } = {},
  ): Promise<StepRecord> => {
    // After a cancel the runner skips every step whose condition lacks always() or cancelled().
    if (jobCancel.signal.aborted && !condition.always) return skip(name);
    if (!stopAllSteps.signal.aborted) log(`── ${request.environment} · ${name} (${action})`);
    const cancelHere = job.cancel?.step === name ? job.cancel : undefined;
    const run = await runBundle(action, {
      inputs,
      env,
      runnerTemp,
      timeoutMs: 10 * 60_000,
      cancel: cancelHere && jobCancel.signal,
      onLine: (line) => {
        const readable = readableLine(line);
        if (readable !== undefined) log(`   ${readable}`);
        if (cancelHere && !jobCancel.signal.aborted && cancelHere.line.test(line)) {
          log(
            `   ⏹ The job is cancelled (Cancel pressed, or timeout-minutes ran out): the runner sends ${action} SIGINT`,
          );
          jobCancel.abort();
        }
      },
    });
    const cancelled = cancelHere !== undefined && run.signals.length > 0;
    const record: StepRecord = {
      name,
      run,
      outcome: cancelled ? 'cancelled' : run.exitCode === 0 ? 'success' : 'failure',
    };
    steps.push(record);
    return record;
  };
  const skip = (name: string): StepRecord => {
    steps.push({ name, outcome: 'skipped' });
    return { name, outcome: 'skipped', run: undefined };
  };
  const slack = {
    'bot-token': 'xoxb-rehearsal-token',
    channel: 'C0REHEARSAL',
    'slack-api-url': target.slackApiUrl,
    environment: request.environment,
    service: target.service,
    image: request.image,
    version: request.version,
    'deployment-url': target.serviceUrl,
  };

  const notifyStart = await step('Notify Slack (started)', 'notify-slack', { ...slack, status: 'started' });
  const render =
    plan.mode === 'image'
      ? await step('Render the task definition', 'render-taskdef', {
          template: isAbsolute(template) ? template : join(repositoryRoot, template),
          images: `${request.container ?? 'web'}=${request.image}`,
          'vars-file': request.varsFile ?? join(repositoryRoot, `sample-service/deploy/${request.environment}.env`),
          vars: plan.vars,
          cluster,
          service: target.service,
        })
      : skip('Render the task definition');
  const taskDefinition = render.run?.outputs['task-definition'] ?? request.taskDefinition;
  const migrate =
    request.migrateCommand === undefined || render.outcome === 'failure'
      ? skip('Run the migration')
      : await step('Run the migration', 'run-task', {
          cluster,
          service: target.service,
          'task-definition': taskDefinition,
          'command-overrides': `${request.container ?? 'web'}=${request.migrateCommand}`,
          'timeout-minutes': '5',
        });
  const deploy =
    render.outcome === 'failure' || migrate.outcome === 'failure'
      ? skip('Deploy to ECS')
      : await step('Deploy to ECS', 'deploy-ecs', {
          cluster,
          service: target.service,
          // The very revision the migration ran, as deploy-environment.yml passes it.
          'task-definition': migrate.run?.outputs['task-definition-arn'] || taskDefinition,
          'expected-account-id': target.accountId,
        });
  const deployed = deploy.outcome === 'success';
  const verify = deployed
    ? await step('Verify load balancer targets', 'verify-targets', {
        cluster,
        service: target.service,
        'task-definition-arn': deploy.run?.outputs['task-definition-arn'],
        'expected-digests': plan.digest,
        'timeout-seconds': String(target.verifyTimeoutSeconds ?? 30),
      })
    : skip('Verify load balancer targets');
  const smoke =
    verify.outcome === 'success'
      ? await step('Smoke test', 'smoke-test', {
          'base-url': target.serviceUrl,
          'expected-version': request.version,
          'cors-origin': target.corsOrigin,
          'timeout-seconds': String(target.smokeTimeoutSeconds ?? 30),
        })
      : skip('Smoke test');
  const needsRollback =
    deploy.run?.outputs.status === 'succeeded' && (verify.outcome === 'failure' || smoke.outcome === 'failure');
  const rollback = needsRollback
    ? await step('Roll back after failed checks', 'deploy-ecs', {
        cluster,
        service: target.service,
        'task-definition': deploy.run?.outputs['previous-task-definition-arn'],
        rollback: 'false',
      })
    : skip('Roll back after failed checks');

  const outcome = decideOutcome({
    JOB_STATUS: jobCancel.signal.aborted ? 'cancelled' : jobStatus(steps),
    MIGRATE_OUTCOME: migrate.outcome,
    MIGRATE_STATUS: migrate.run?.outputs.status ?? '',
    MIGRATE_EXIT_CODES: migrate.run?.outputs['exit-codes'] ?? '',
    DEPLOY_OUTCOME: deploy.outcome,
    DEPLOY_STATUS: deploy.run?.outputs.status ?? '',
    DEPLOYMENT_ID: deploy.run?.outputs['deployment-id'] ?? '',
    DEPLOYED: deploy.run?.outputs['task-definition-arn'] ?? '',
    PREVIOUS: deploy.run?.outputs['previous-task-definition-arn'] ?? '',
    VERIFY_OUTCOME: verify.outcome,
    SMOKE_OUTCOME: smoke.outcome,
    ROLLBACK_OUTCOME: rollback.outcome,
    ROLLBACK_TASK_DEFINITION: rollback.run?.outputs['task-definition-arn'] ?? '',
  }) as Record<string, string>;
  const failedStep = steps.find((record) => record.outcome === 'failure');
  const reason = outcome.reason || (failedStep?.run?.errors[0] ?? '');
  if (notifyStart.run?.outputs.ts) {
    await step(
      'Notify Slack (final)',
      'notify-slack',
      {
        ...slack,
        channel: notifyStart.run.outputs.channel,
        'message-ts': notifyStart.run.outputs.ts,
        status: render.outcome === 'failure' ? 'failure' : outcome['notify-status'],
        'task-definition-arn': outcome['task-definition-arn'],
        'duration-seconds': deploy.run?.outputs['duration-seconds'],
        'failure-reason': reason,
        'rolled-back-to': outcome['rolled-back-to'],
      },
      { always: true },
    );
  }
  return {
    environment: request.environment,
    status: render.outcome === 'failure' ? 'failed' : outcome.status!,
    reason,
    previousTaskDefinitionArn: deploy.run?.outputs['previous-task-definition-arn'] ?? '',
    deployedTaskDefinitionArn: deploy.run?.outputs['task-definition-arn'] ?? '',
    taskDefinitionArn: outcome['task-definition-arn'] ?? '',
    digest: plan.digest,
    durationMs: Date.now() - started,
    steps,
    failure: failedStep && {
      step: failedStep.name,
      error: failedStep.run?.errors[0] ?? `exit ${failedStep.run?.exitCode}`,
    },
  };
}

/** Steps whose failure does not fail the job (continue-on-error in deploy-environment.yml). */
const CONTINUE_ON_ERROR = new Set(['Verify load balancer targets', 'Smoke test']);

/** `job.status` as the outcome step sees it, for a job that was not cancelled. */
function jobStatus(steps: StepRecord[]): 'success' | 'failure' {
  return steps.some((record) => record.outcome === 'failure' && !CONTINUE_ON_ERROR.has(record.name))
    ? 'failure'
    : 'success';
}

export { revisionName };
