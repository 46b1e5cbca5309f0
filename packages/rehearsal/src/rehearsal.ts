import {
  DEMO_ENVIRONMENTS,
  demoCluster,
  sampleImageUri,
  SAMPLE_SERVICE,
  startLoopbackAws,
  type DemoEnvironment,
  type LoopbackAws,
  type ScenarioName,
} from '@ecs-actions/loopback-aws';
import { startSampleService, type SampleService } from '../../../sample-service/test/support/start-service.js';
import {
  deployEnvironment,
  revisionName,
  type DeployRequest,
  type EnvironmentResult,
  type JobCancel,
  type JobOptions,
  type Logger,
  type RehearsalTarget,
} from './pipeline.js';
import { startSlackReceiver, type SlackReceiver } from './slack-receiver.js';
import { environmentResult, rehearsalVariables, runRehearsalWorkflow } from './workflow-run.js';

/** What `npm run demo -- --scenario <name>` can show; all but `completes` end with the pipeline failing. */
export const REHEARSAL_SCENARIOS = {
  completes: { description: 'dev, staging and prod all succeed with one digest', loopback: undefined },
  'circuit-breaker-rollback': {
    description: 'the new tasks crash; the ECS circuit breaker rolls back; deploy-ecs reports rolled-back',
    loopback: 'circuit-breaker-rollback',
  },
  'tasks-keep-stopping': {
    description: 'no circuit breaker and the new tasks keep stopping: deploy-ecs detects it and rolls back itself',
    loopback: 'tasks-keep-stopping',
  },
  'targets-unhealthy': {
    description: 'ECS completes but the load balancer never sees healthy targets: verify-targets fails, rollback',
    loopback: 'targets-unhealthy',
  },
  'wrong-digest': {
    description: 'ECS completes but the tasks run another digest: verify-targets fails, rollback',
    loopback: 'wrong-digest',
  },
  'smoke-fails': {
    description: 'the rollout completes but the service reports another version: smoke-test fails, rollback',
    loopback: undefined,
  },
  'migration-fails': {
    description: 'the migration task exits with code 1: the deploy stops before deploy-ecs, no traffic changes',
    loopback: 'migration-fails',
  },
  'blue-green': {
    description: 'native BLUE_GREEN in dev: green scales up, takes test then production traffic, bakes; success',
    loopback: 'blue-green',
  },
  'blue-green-alarm-rollback': {
    description: 'native BLUE_GREEN in dev: the 5xx alarm fires during bake time, ECS shifts traffic back; rolled-back',
    loopback: 'blue-green-alarm-rollback',
  },
  canary: {
    description: 'native CANARY in dev: 10% of production traffic for a minute, then all of it; success',
    loopback: 'canary',
  },
  linear: {
    description: 'native LINEAR in dev: production traffic moves 25% at a time; success',
    loopback: 'linear',
  },
  'stop-deployment-rollback': {
    description:
      'rolling, new tasks keep stopping: deploy-ecs rolls back in flight with StopServiceDeployment ROLLBACK',
    loopback: 'stop-deployment-rollback',
  },
  'pause-hook': {
    description:
      'native BLUE_GREEN with a PAUSE hook in dev (test-before-production): deploy-ecs stops at POST_TEST_TRAFFIC_SHIFT, ' +
      'verify-targets (listener: test) and smoke-test check green through the test listener, deploy-ecs continues it ' +
      'to production; success',
    loopback: 'pause-hook',
    testBeforeProduction: true,
  },
  codedeploy: {
    description:
      'CODE_DEPLOY services: deploy-ecs creates CodeDeploy deployments (canary 10%, then all traffic); dev -> prod succeed',
    loopback: 'codedeploy',
  },
  'codedeploy-rollback': {
    description:
      'CODE_DEPLOY in dev: the 5xx alarm fails the deployment after the traffic moved, CodeDeploy rolls back; rolled-back',
    loopback: 'codedeploy-rollback',
  },
  cancelled: {
    description:
      'the dev job is cancelled mid-rollout: deploy-ecs starts the rollback within the grace period; cancelled',
    loopback: undefined,
    cancel: { step: 'Deploy to ECS', line: /^Deployment ecs-svc\/\S+ started/ },
  },
  'cancelled-during-verify': {
    description: 'the dev job is cancelled while verify-targets waits: the completed rollout is kept, unverified',
    loopback: 'targets-unhealthy',
    cancel: { step: 'Verify load balancer targets', line: /: \d+ of \d+ healthy and verified/ },
  },
} as const satisfies Record<
  string,
  {
    description: string;
    loopback: ScenarioName | undefined;
    cancel?: JobCancel;
    /** dev deploys with test-before-production (the environment variables TEST_BEFORE_PRODUCTION, TEST_BASE_URL). */
    testBeforeProduction?: boolean;
  }
>;

export type RehearsalScenario = keyof typeof REHEARSAL_SCENARIOS;

export interface RehearsalOptions {
  scenario: RehearsalScenario;
  stepMs: number;
  /** The commit the image was built from; the sample service reports it (or another one in `smoke-fails`). */
  version: string;
  log: Logger;
  /** How long verify-targets waits for targets that never become right (20 s unless set). */
  verifyTimeoutSeconds?: number;
  /** How long smoke-test waits for the service to report the expected version (30 s unless set). */
  smokeTimeoutSeconds?: number;
  /** Where `.github/workflows/` is read from (a copy with an edit, in the edit test); the repository unless set. */
  workflowRoot?: string;
}

export interface Rehearsal {
  aws: LoopbackAws;
  slack: SlackReceiver;
  service: SampleService;
  serviceUrl: string;
  runPipeline(): Promise<EnvironmentResult[]>;
  stop(): Promise<void>;
}

const CORS_ORIGIN = 'https://app.example.test';
/** The sample service's migration command, as a caller of deploy-environment.yml passes migrate-command. */
export const MIGRATE_COMMAND = '["node","sample-service/dist/migrate.js"]';

/** Starts the loopback AWS, the local Slack receiver and the sample service; `runPipeline` deploys dev -> prod. */
export async function startRehearsal(options: RehearsalOptions): Promise<Rehearsal> {
  const scenario = REHEARSAL_SCENARIOS[options.scenario];
  const aws = await startLoopbackAws({ stepMs: options.stepMs, log: (line) => options.log(`   [aws] ${line}`) });
  const slack = await startSlackReceiver();
  // In `smoke-fails` the running service reports an older commit than the one being deployed.
  const reportedVersion = options.scenario === 'smoke-fails' ? 'f'.repeat(40) : options.version;
  let service: SampleService;
  try {
    service = await startSampleService({
      env: { GIT_SHA: reportedVersion, BUILD_TIME: new Date().toISOString(), CORS_ORIGIN },
    });
  } catch (error) {
    await Promise.all([aws.close(), slack.close()]);
    throw error;
  }

  const cancel: JobCancel | undefined = 'cancel' in scenario ? scenario.cancel : undefined;
  const target: RehearsalTarget = {
    awsUrl: aws.url,
    accountId: aws.accountId,
    region: aws.region,
    slackApiUrl: slack.url,
    serviceUrl: service.url,
    corsOrigin: CORS_ORIGIN,
    cluster: demoCluster as (environment: string) => string,
    service: SAMPLE_SERVICE,
    verifyTimeoutSeconds: options.verifyTimeoutSeconds ?? 20,
    smokeTimeoutSeconds: options.smokeTimeoutSeconds ?? 30,
  };
  const runPipeline = () =>
    runPipelineWorkflow({
      aws,
      target,
      image: sampleImageUri(aws.accountId, aws.region),
      version: options.version,
      log: options.log,
      loopbackScenario: scenario.loopback,
      // Like the failure, the cancel is staged in the first environment.
      cancel,
      testBeforeProduction: 'testBeforeProduction' in scenario && scenario.testBeforeProduction,
      workflowRoot: options.workflowRoot,
    });

  return {
    aws,
    slack,
    service,
    serviceUrl: service.url,
    runPipeline,
    stop: async () => {
      await Promise.allSettled([service.stop(), aws.close(), slack.close()]);
    },
  };
}

/**
 * `.github/workflows/pipeline.yml` itself, through the workflow executor: the test and CodeQL jobs and the image
 * build are declared stand-ins (they need the service's own CI and a Docker engine; the simulated ECR already holds
 * the image), then dev -> staging -> prod are the pipeline's calls of deploy-environment.yml, in its needs order.
 * The loopback scenario is staged in dev: promotion stops where the workflow's needs stop it.
 */
export async function runPipelineWorkflow(options: {
  aws: LoopbackAws;
  target: RehearsalTarget;
  image: string;
  version: string;
  log: Logger;
  loopbackScenario: ScenarioName | undefined;
  cancel?: JobCancel;
  workflowRoot?: string;
  /** dev tests the new revision on the test listener before production traffic (the loopback scenario's hook). */
  testBeforeProduction?: boolean;
}): Promise<EnvironmentResult[]> {
  const { aws, log } = options;
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(options.image)?.[1] ?? '';
  const environmentOf = (path: string) => path.split('/')[0]!;
  const run = await runRehearsalWorkflow({
    workflow: 'pipeline.yml',
    workflowRoot: options.workflowRoot,
    variables: rehearsalVariables(
      Object.fromEntries(
        DEMO_ENVIRONMENTS.map((name) => [
          name,
          // The loopback's test listener reaches the same sample service as its production listener.
          options.testBeforeProduction && name === 'dev'
            ? { ...options.target, testBaseUrl: options.target.serviceUrl }
            : options.target,
        ]),
      ),
    ),
    target: options.target,
    version: options.version,
    log,
    environmentOf,
    cancel: options.cancel && { environment: 'dev', at: options.cancel },
    jobStandIns: {
      test: { description: "the service's lint, typecheck, tests and audit run in npm test, not in the rehearsal" },
      codeql: { description: 'CodeQL runs on GitHub only' },
      build: {
        description: `no Docker engine here: the simulated ECR already holds the image, as if build-push-digest had pushed it (${options.image})`,
        outputs: { image: options.image, digest },
      },
    },
    onJobStarted: (path) => {
      if (!path.endsWith('/deploy')) return;
      const environment = environmentOf(path);
      aws.setScenario(environment === 'dev' && options.loopbackScenario ? options.loopbackScenario : 'completes');
      log('');
      log(`══ ${environment}: deploying ${options.image}`);
    },
  });
  const results: EnvironmentResult[] = [];
  for (const environment of DEMO_ENVIRONMENTS) {
    const job = run.jobs.find((candidate) => candidate.path === `${environment}/deploy`);
    if (job === undefined || job.result === 'skipped') break;
    results.push(environmentResult(environment, job));
  }
  return results;
}

/**
 * dev -> staging -> prod, one deploy each, stopping at the first that does not succeed. The failure is staged in the
 * first environment (the loopback scenario is set for dev only): promotion must stop there.
 */
export async function promote(
  aws: LoopbackAws,
  loopbackScenario: ScenarioName | undefined,
  log: Logger,
  plan: (environment: string) => { target: RehearsalTarget; request: DeployRequest; job?: JobOptions },
): Promise<EnvironmentResult[]> {
  const results: EnvironmentResult[] = [];
  for (const environment of DEMO_ENVIRONMENTS) {
    aws.setScenario(environment === 'dev' && loopbackScenario ? loopbackScenario : 'completes');
    const { target, request, job } = plan(environment);
    log('');
    log(`══ ${environment}: deploying ${request.image ?? request.taskDefinition}`);
    const result = await deployEnvironment(target, request, log, job);
    results.push(result);
    if (result.status !== 'succeeded' && result.status !== 'unchanged') break;
  }
  return results;
}

function revisionChange(result: EnvironmentResult): string {
  const from = revisionName(result.previousTaskDefinitionArn) || '?';
  const deployed = revisionName(result.deployedTaskDefinitionArn) || '?';
  const now = revisionName(result.taskDefinitionArn) || '?';
  return now === deployed ? `${from} -> ${deployed}` : `${from} -> ${deployed} -> back to ${now}`;
}

/** The final table: environment, revision from -> to, digest, status, duration. */
export function formatTable(results: EnvironmentResult[]): string {
  const rows = [
    ['Environment', 'Revision', 'Digest', 'Status', 'Duration'],
    ...results.map((result) => [
      result.environment,
      revisionChange(result),
      result.digest ? `${result.digest.slice(0, 19)}…` : '',
      result.status,
      `${(result.durationMs / 1000).toFixed(1)}s`,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** The revisions of an environment's deployments, newest first (one once the service is steady). */
export function serviceRevisions(aws: LoopbackAws, environment: string): string[] {
  aws.advance();
  const service = aws.state.services.get(`${demoCluster(environment as DemoEnvironment)}/${SAMPLE_SERVICE}`);
  return (service?.deployments ?? []).map((deployment) => revisionName(deployment.taskDefinitionArn));
}

/**
 * After a cancelled job nobody watches the service: ECS goes on with whatever deploy-ecs left (its rollback, or a
 * completed rollout). Waits until the service is steady on one revision, then says which one serves, as a person
 * looking at the console after the cancel would.
 */
export async function afterCancel(
  aws: LoopbackAws,
  result: EnvironmentResult,
  options: { log: Logger; timeoutMs?: number; intervalMs?: number },
): Promise<{ serving: string; message: string }> {
  const previous = revisionName(result.previousTaskDefinitionArn);
  const deployed = revisionName(result.deployedTaskDefinitionArn);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let revisions = serviceRevisions(aws, result.environment);
  while (revisions.length !== 1 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    revisions = serviceRevisions(aws, result.environment);
  }
  const serving = revisions.length === 1 ? revisions[0]! : '';
  const message =
    serving === ''
      ? `${result.environment} was cancelled and is still not steady: deployments of ${revisions.join(', ')}; check the service`
      : serving === previous && deployed !== previous
        ? `${result.environment} was cancelled and rolled back: ${previous} serves again (the rollback deploy-ecs started at the cancel completed with nobody watching); ${deployed} was never verified`
        : `${result.environment} was cancelled after the rollout completed: ${serving} serves, unverified; run rollback.yml to go back to ${previous}`;
  options.log(message);
  return { serving, message };
}
