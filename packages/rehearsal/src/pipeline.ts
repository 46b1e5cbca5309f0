// @ts-expect-error plain JavaScript shared with .github/workflows/deploy-environment.yml
import { revisionName } from '../../../.github/scripts/deploy-steps.mjs';
import type { BundleRun } from './run-bundle.js';
import { environmentResult, rehearsalVariables, REHEARSAL_REPOSITORY, runRehearsalWorkflow } from './workflow-run.js';

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
  /** The test listener: set, the environment deploys with test-before-production (TEST_BASE_URL). */
  testBaseUrl?: string;
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
  /** Where `.github/workflows/` is read from: the repository, or a copy with an edit (the edit test). */
  workflowRoot?: string;
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
 * One environment's deploy: .github/workflows/deploy-environment.yml itself, run by the workflow executor
 * (@ecs-actions/workflow-runner) against the loopback AWS, with the request as its inputs. The steps, their
 * conditions and the decisions between them (.github/scripts) are the workflow's; nothing here repeats them.
 */
export async function deployEnvironment(
  target: RehearsalTarget,
  request: DeployRequest,
  log: Logger,
  job: JobOptions = {},
): Promise<EnvironmentResult> {
  const run = await runRehearsalWorkflow({
    workflow: 'deploy-environment.yml',
    workflowRoot: job.workflowRoot,
    inputs: deployInputs(request),
    variables: rehearsalVariables({ [request.environment]: target }),
    target,
    version: request.version ?? '',
    log,
    environmentOf: () => request.environment,
    cancel: job.cancel && { environment: request.environment, at: job.cancel },
  });
  return environmentResult(
    request.environment,
    run.jobs.find((candidate) => candidate.path === 'deploy'),
  );
}

/** deploy-environment.yml's inputs for a request, as a caller's `with:` would give them. */
export function deployInputs(request: DeployRequest): Record<string, string> {
  const inputs: Record<string, string | undefined> = {
    environment: request.environment,
    image: request.image,
    'task-definition': request.taskDefinition,
    version: request.version,
    template: request.template ?? (request.image ? DEFAULT_TEMPLATE : undefined),
    'vars-file': request.varsFile ?? `sample-service/deploy/${request.environment}.env`,
    container: request.container,
    'migrate-command': request.migrateCommand,
    'ecs-actions-repository': REHEARSAL_REPOSITORY,
    'ecs-actions-ref': request.version || 'HEAD',
  };
  return Object.fromEntries(
    Object.entries(inputs).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export { revisionName };
