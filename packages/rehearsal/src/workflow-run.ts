import { join } from 'node:path';
import {
  localStandIns,
  runWorkflow,
  type ActionStandIn,
  type JobRun,
  type RunWorkflowOptions,
  type StepRun,
  type VariableStore,
  type WorkflowRun,
} from '@ecs-actions/workflow-runner';
import { readableLine } from './log-lines.js';
import { repositoryRoot, stopAllSteps, type BundleRun } from './run-bundle.js';
import type { EnvironmentResult, JobCancel, Logger, RehearsalTarget, StepRecord } from './pipeline.js';

/** The repository the rehearsal stands for on GitHub (ecs-actions-repository of the workflow files). */
export const REHEARSAL_REPOSITORY = 'org/ecs-actions';
const SLACK_TOKEN = 'xoxb-rehearsal-token';

/** vars and secrets as the repository and its GitHub environments would hold them for the loopback AWS. */
export function rehearsalVariables(targets: Record<string, RehearsalTarget>): VariableStore {
  const any = Object.values(targets)[0]!;
  const environments: VariableStore['environments'] = {};
  for (const [environment, target] of Object.entries(targets)) {
    environments[environment] = {
      vars: {
        ECS_CLUSTER: target.cluster(environment),
        BASE_URL: target.serviceUrl,
        ...(target.corsOrigin ? { CORS_ORIGIN: target.corsOrigin } : {}),
        ...(target.testBaseUrl ? { TEST_BEFORE_PRODUCTION: 'true', TEST_BASE_URL: target.testBaseUrl } : {}),
      },
    };
  }
  return {
    vars: {
      AWS_REGION: any.region,
      AWS_ACCOUNT_ID: any.accountId,
      AWS_DEPLOY_ROLE_ARN: `arn:aws:iam::${any.accountId}:role/ecs-actions-deploy`,
      AWS_BUILD_ROLE_ARN: `arn:aws:iam::${any.accountId}:role/ecs-actions-build`,
      ECS_SERVICE: any.service,
      SLACK_CHANNEL: 'C0REHEARSAL',
      SLACK_API_URL: any.slackApiUrl,
      VERIFY_TIMEOUT_SECONDS: String(any.verifyTimeoutSeconds ?? 30),
      SMOKE_TIMEOUT_SECONDS: String(any.smokeTimeoutSeconds ?? 30),
    },
    secrets: { SLACK_BOT_TOKEN: SLACK_TOKEN },
    environments,
  };
}

/** The stand-ins of the third-party actions the workflow files use, on the loopback AWS. */
export function rehearsalStandIns(target: RehearsalTarget): Record<string, ActionStandIn> {
  return {
    ...localStandIns({
      workingTree: repositoryRoot,
      aws: {
        description: `the loopback AWS at ${target.awsUrl} (its fixed test credentials; no role is assumed)`,
        env: {
          AWS_ENDPOINT_URL: target.awsUrl,
          AWS_ACCESS_KEY_ID: 'AKIDREHEARSAL',
          AWS_SECRET_ACCESS_KEY: 'rehearsal-secret',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    }),
    'actions/github-script': {
      description:
        'not run: there is no GitHub API here, so the deployed/<environment>/<run> tag is not created (the record job)',
      run: ({ env, log }) => log(`would tag ${env.COMMIT ?? '?'} as deployed/${env.ENVIRONMENT ?? '?'}/<run>`),
    },
  };
}

/** `github` as the workflow sees it: this repository at the version being deployed. */
export function rehearsalGithub(version: string): Record<string, string> {
  return {
    repository: REHEARSAL_REPOSITORY,
    repository_owner: 'org',
    sha: version,
    ref: 'refs/heads/main',
    ref_name: 'main',
    event_name: 'push',
    run_id: '1',
    run_number: '1',
    actor: 'rehearsal',
    // No GitHub API here (a closed port): the changelog step cannot read the tags and says so; it never fails
    // the deploy. The token is a placeholder that opens nothing.
    api_url: 'http://127.0.0.1:9',
    token: 'rehearsal-token-without-github',
  };
}

export interface RehearsalRunOptions {
  workflow: string;
  /** Where `.github/workflows/` is read from: the repository, or a copy with an edit (the edit test). */
  workflowRoot?: string;
  inputs?: RunWorkflowOptions['inputs'];
  variables: VariableStore;
  target: RehearsalTarget;
  version: string;
  log: Logger;
  jobStandIns?: RunWorkflowOptions['jobStandIns'];
  /** The environment a job path deploys (`dev/deploy` -> dev); the cancel and the log lines name it. */
  environmentOf(jobPath: string): string;
  /** A job cancelled at a line of one of its steps, in this environment only. */
  cancel?: { environment: string; at: JobCancel };
  onJobStarted?(jobPath: string): void;
}

/** Runs a workflow file of the repository through the executor, printing as the rehearsal always has. */
export async function runRehearsalWorkflow(options: RehearsalRunOptions): Promise<WorkflowRun> {
  const root = options.workflowRoot ?? repositoryRoot;
  const cancel = new AbortController();
  const onStop = () => cancel.abort();
  stopAllSteps.signal.addEventListener('abort', onStop, { once: true });
  const current = new Map<string, { name: string; uses?: string }>();
  try {
    return await runWorkflow({
      workflow: join(root, '.github/workflows', options.workflow),
      repositoryRoot: root,
      inputs: options.inputs,
      variables: options.variables,
      github: rehearsalGithub(options.version),
      standIns: rehearsalStandIns(options.target),
      jobStandIns: options.jobStandIns,
      signal: cancel.signal,
      // The rehearsal grants every environment's approval (prod's required reviewers too); the executor prints it.
      approve: () => true,
      observer: {
        jobStarted: (job) => options.onJobStarted?.(job.path),
        stepStarted: (job, step) => {
          current.set(job.path, step);
          if (!stopAllSteps.signal.aborted)
            options.log(`── ${options.environmentOf(job.path)} · ${step.name} (${actionLabel(step.uses)})`);
        },
        line: (job, line) => {
          const readable = readableLine(line);
          if (readable !== undefined) options.log(`   ${readable}`);
          const at = options.cancel?.at;
          const step = current.get(job.path);
          if (
            at &&
            !cancel.signal.aborted &&
            options.environmentOf(job.path) === options.cancel!.environment &&
            step?.name === at.step &&
            at.line.test(line)
          ) {
            options.log(
              `   ⏹ The job is cancelled (Cancel pressed, or timeout-minutes ran out): the runner sends ${actionLabel(step.uses)} SIGINT`,
            );
            cancel.abort();
          }
        },
      },
    });
  } finally {
    stopAllSteps.signal.removeEventListener('abort', onStop);
  }
}

/** `./.ecs-actions/deploy-ecs` -> deploy-ecs; a third-party action by its name; a script as `run`. */
function actionLabel(uses: string | undefined): string {
  if (uses === undefined) return 'run';
  if (uses.startsWith('./')) return uses.split('/').at(-1)!;
  return `${uses.replace(/@.*$/, '')}, stand-in`;
}

function bundleRun(step: StepRun): BundleRun {
  return {
    action: step.uses ?? 'run',
    exitCode: step.exitCode ?? 0,
    outputs: step.outputs,
    summary: step.summary,
    lines: step.lines,
    errors: step.errors,
    durationMs: step.durationMs,
    signals: step.signals,
  };
}

/** What the rehearsal reports of one environment, read from the steps deploy-environment.yml ran. */
export function environmentResult(environment: string, job: JobRun | undefined): EnvironmentResult {
  const steps: StepRecord[] = (job?.steps ?? []).map((step) => ({
    name: step.name,
    outcome: step.outcome,
    run: step.outcome === 'skipped' ? undefined : bundleRun(step),
  }));
  const byId = (id: string) => job?.steps.find((step) => step.id === id);
  const outputs = (id: string) => byId(id)?.outputs ?? {};
  const failed = job?.steps.find((step) => step.outcome === 'failure');
  const outcome = outputs('outcome');
  return {
    environment,
    status: outcome.status || (job?.result === 'cancelled' ? 'cancelled' : 'failed'),
    reason: outcome.reason || (failed?.errors[0] ?? ''),
    previousTaskDefinitionArn: outputs('deploy')['previous-task-definition-arn'] ?? '',
    deployedTaskDefinitionArn: outputs('deploy')['task-definition-arn'] ?? '',
    taskDefinitionArn: outcome['task-definition-arn'] ?? '',
    digest: outputs('plan').digest ?? '',
    durationMs: job?.durationMs ?? 0,
    steps,
    failure: failed && { step: failed.name, error: failed.errors[0] ?? `exit ${failed.exitCode}` },
  };
}
