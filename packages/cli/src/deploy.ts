import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ECSClient } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';
import { createAwsClient } from '@ecs-actions/aws';
import { checkAccount, preflight } from '@ecs-actions/deploy-ecs';
import {
  loadVariableStore,
  localStandIns,
  readableLine,
  runWorkflow,
  type Interception,
  type JobRun,
  type StepAboutToRun,
  type VariableStore,
} from '@ecs-actions/workflow-runner';
import type { CliOptions } from './args.js';
import { git } from './git.js';
import { resolveRepository } from './repository.js';

/** The ecs-actions checkout the workflow's `.ecs-actions` stands for: this repository. */
export const ecsActionsRoot = fileURLToPath(new URL('../../..', import.meta.url));
// The workflow's ecs-actions-repository input; the service's own repository is resolveRepository's.
const ECS_ACTIONS_REPOSITORY = 'org/ecs-actions';

export interface DeployIo {
  /** The service's working tree (actions/checkout) and where the workflows are read from. */
  cwd: string;
  log(line: string): void;
  /** Asks a yes/no question on the terminal; undefined when there is no terminal. */
  confirm?(question: string): Promise<boolean>;
  signal?: AbortSignal;
}

export interface DeployOutcome {
  status: string;
  reason: string;
  job?: JobRun;
  dryRun: boolean;
  /** A rollback to the previous successful deploy: the plan rollback.yml's plan job printed. */
  plan?: string;
}

/** A rollback with neither a revision nor an image: rollback.yml finds the previous successful deploy. */
export function isPlannedRollback(options: CliOptions): boolean {
  return options.command === 'rollback' && !options.image && !options.taskDefinition;
}

/** The steps a dry run leaves out: a message is a change for the people who read it, run-task and deploy-ecs change AWS. */
function dryRunIntercept(step: StepAboutToRun): Interception {
  const action = step.uses?.split('/').at(-1);
  if (action === 'notify-slack') return { skip: 'dry run: no Slack message' };
  if (action === 'changelog') return { skip: 'dry run' };
  if (action === 'run-task' || action === 'deploy-ecs')
    return { stop: `dry run: "${step.name}" would be the first change` };
  return undefined;
}

function workflowInputs(options: CliOptions, version: string): Record<string, string | boolean> {
  if (isPlannedRollback(options)) {
    const inputs: Record<string, string | boolean> = { environment: options.environment, 'dry-run': options.dryRun };
    if (options.version) inputs.version = options.version;
    return inputs;
  }
  const inputs: Record<string, string | undefined> = {
    environment: options.environment,
    image: options.image,
    'task-definition': options.taskDefinition,
    version,
    template: options.template ?? (options.image ? 'sample-service/deploy/taskdef.template.json' : undefined),
    'vars-file': options.varsFile ?? `sample-service/deploy/${options.environment}.env`,
    'migrate-command': options.migrateCommand,
    'ecs-actions-repository': ECS_ACTIONS_REPOSITORY,
    'ecs-actions-ref': git(ecsActionsRoot, 'rev-parse', 'HEAD') || 'HEAD',
  };
  return Object.fromEntries(Object.entries(inputs).filter((entry): entry is [string, string] => Boolean(entry[1])));
}

/** Runs deploy-environment.yml for one environment, as the manual and emergency path. */
export async function deploy(options: CliOptions, io: DeployIo): Promise<DeployOutcome> {
  const serverUrl = process.env.GITHUB_SERVER_URL || undefined;
  const repository = resolveRepository(options.repository, io.cwd, serverUrl);
  const variablesFile = resolve(io.cwd, options.variables);
  if (!existsSync(variablesFile))
    throw new Error(
      `--variables: ${variablesFile} does not exist; expected a YAML file of vars:, secrets: and environments: ` +
        '(the GitHub variables the workflow reads, see docs/setup.md)',
    );
  const variables = loadVariableStore(variablesFile);
  // An image deploy checks its version; the commit of the working tree unless given.
  const version = options.version ?? (options.image ? git(io.cwd, 'rev-parse', 'HEAD') : '');
  const planned = isPlannedRollback(options);
  // The plan job reads the deployed/<env>/* tags (rollback-plan's required token), as on GitHub.
  const token = process.env.GITHUB_TOKEN ?? '';
  if (planned && !token)
    throw new Error(
      'rollback without --task-definition or --image reads the deployed/<env>/* tags: set GITHUB_TOKEN ' +
        '(e.g. GITHUB_TOKEN=$(gh auth token)), or give the revision with --task-definition',
    );
  const file = `.github/workflows/${planned ? 'rollback.yml' : 'deploy-environment.yml'}`;
  const workflow = join(io.cwd, file);
  const local = existsSync(workflow) ? workflow : join(ecsActionsRoot, file);
  let plan: string | undefined;
  io.log(
    `ecs-actions ${options.command}: ${local} for ${options.environment} through the local workflow executor, ` +
      `with this machine's AWS credentials, as the GitHub repository ${repository}` +
      (options.dryRun ? ' (dry run: nothing is changed)' : ''),
  );
  const run = await runWorkflow({
    workflow: local,
    inputs: workflowInputs(options, version),
    variables,
    github: {
      repository,
      repository_owner: repository.split('/')[0]!,
      sha: version || git(io.cwd, 'rev-parse', 'HEAD'),
      event_name: 'workflow_dispatch',
      // The changelog reads GitHub; a token from the environment lets it, none leaves it to say it could not.
      token,
      ...(process.env.GITHUB_API_URL ? { api_url: process.env.GITHUB_API_URL } : {}),
      ...(serverUrl ? { server_url: serverUrl } : {}),
    },
    standIns: localStandIns({
      workingTree: io.cwd,
      repositories: { [ECS_ACTIONS_REPOSITORY]: ecsActionsRoot },
      // rollback.yml's rollback job names ecs-actions by github.repository: the service's, with --repository.
      paths: { '.ecs-actions': ecsActionsRoot },
    }),
    approve: async ({ job, environment }) => {
      // rollback.yml's plan job only reads; the question comes before the rollback job, with the plan printed.
      if (options.dryRun || environment !== 'prod' || options.yes || job === 'plan') return true;
      if (io.confirm === undefined)
        throw new Error('deploying to prod asks for confirmation: run it in a terminal, or pass --yes');
      return io.confirm(`Deploy to prod (${options.image ?? options.taskDefinition ?? plan})? [y/N] `);
    },
    intercept: options.dryRun ? dryRunIntercept : undefined,
    signal: io.signal,
    observer: {
      stepStarted: (_job, step) => io.log(`── ${step.name}`),
      stepFinished: (job, step) => {
        if (job.path === 'plan' && step.id === 'plan') plan = step.outputs.plan;
      },
      line: (_job, line) => {
        const readable = readableLine(line);
        if (readable !== undefined) io.log(`   ${readable}`);
      },
    },
  });
  if (planned) {
    const planJob = run.jobs.find((candidate) => candidate.path === 'plan');
    if (planJob?.result !== 'success') {
      const why = whyFailed(planJob);
      return { status: 'failed', reason: `no rollback plan (${why})`, job: planJob, dryRun: options.dryRun, plan };
    }
    if (options.dryRun) return { status: 'dry-run', reason: plan ?? '', job: planJob, dryRun: true, plan };
  }
  const job = run.jobs.find((candidate) => candidate.id === 'deploy');
  if (options.dryRun) {
    if (job?.result !== 'success') {
      const why = whyFailed(job);
      return { status: 'failed', reason: `the dry run stopped before pre-flight (${why})`, job, dryRun: true };
    }
    await dryRunPreflight(variables, options.environment, io);
    return { status: 'dry-run', reason: run.stopped ?? '', job, dryRun: true };
  }
  const outcome = job?.steps.find((step) => step.id === 'outcome')?.outputs ?? {};
  return {
    status: outcome.status || (job?.result === 'cancelled' ? 'cancelled' : 'failed'),
    reason: outcome.reason || (job?.steps.find((step) => step.outcome === 'failure')?.errors[0] ?? ''),
    job,
    dryRun: false,
    plan,
  };
}

/** The first failed step and its error, or the job's result. */
function whyFailed(job: JobRun | undefined): string {
  const failed = job?.steps.find((step) => step.outcome === 'failure');
  return failed ? `${failed.name}: ${failed.errors[0] ?? `exit ${failed.exitCode}`}` : `job ${job?.result}`;
}

/** deploy-ecs' own pre-flight checks, read-only: the account, the service, its deployments and strategy. */
async function dryRunPreflight(variables: VariableStore, environment: string, io: DeployIo): Promise<void> {
  const vars = { ...variables.vars, ...variables.environments?.[environment]?.vars };
  const region = vars.AWS_REGION;
  if (!vars.ECS_CLUSTER || !vars.ECS_SERVICE || !region)
    throw new Error(`the variables need AWS_REGION, ECS_CLUSTER and ECS_SERVICE for ${environment}`);
  io.log('── Pre-flight (deploy-ecs, read only)');
  const options = { region, action: 'cli' };
  if (vars.AWS_ACCOUNT_ID) {
    const account = await checkAccount(createAwsClient(STSClient, options), vars.AWS_ACCOUNT_ID);
    io.log(`   Credentials belong to account ${account}`);
  }
  const log = {
    info: (line: string) => io.log(`   ${line}`),
    warning: (line: string) => io.log(`   WARNING: ${line}`),
  };
  const before = await preflight(
    createAwsClient(ECSClient, options),
    { cluster: vars.ECS_CLUSTER, service: vars.ECS_SERVICE },
    region,
    log,
  );
  io.log(`   The service runs ${before.previousTaskDefinitionArn}; a deploy would roll back to it on failure`);
}
