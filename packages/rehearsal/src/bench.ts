/**
 * `npm run bench [-- --runs 5 --step-ms 100]`: runs the committed bundles against the loopback AWS and the real
 * sample service several times and prints, per measure, the median and the spread; raw samples, medians, spreads
 * and the machine go to .bench/results.json. These numbers are never asserted by a test: other work on the same
 * cores moves them, so the load average is printed with them.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { budgetRun, budgetTable, type BudgetRun } from './budget.js';
import {
  demoCluster,
  SAMPLE_SERVICE,
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type RecordedRequest,
  type ServiceRecord,
} from '@ecs-actions/loopback-aws';
import { startSampleService, type SampleService } from '../../../sample-service/test/support/start-service.js';
import { repositoryRoot, runBundle, stopAllSteps, type BundleRun, type RunBundleOptions } from './run-bundle.js';
import { zeroDowntimeBench } from './bench-docker.js';
import { runCleanups, type Cleanups } from './docker-rehearsal.js';

// ---- Pure helpers (tested in test/bench.test.ts) ----

export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
  p10: number;
  p90: number;
}

/** The value at `fraction` (0..1) of samples sorted ascending, interpolating between the two closest ranks. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = (sorted.length - 1) * fraction;
  const low = sorted[Math.floor(rank)]!;
  const high = sorted[Math.ceil(rank)]!;
  return low + (high - low) * (rank - Math.floor(rank));
}

export function summarize(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 0.5),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    p10: percentile(sorted, 0.1),
    p90: percentile(sorted, 0.9),
  };
}

/**
 * The loopback's step for measured run `run` (1..runs): spread from 1.1 to 1.9 times `baseMs`. A rollout takes a
 * fixed number of steps from UpdateService, and deploy-ecs polls at fixed times from it too, so with one step length
 * every run would end at the same point between two polls and measure that one phase; stretching the rollout by
 * `runs` even slices of about a poll interval makes the runs sample the whole interval.
 */
export function stepMsForRun(baseMs: number, run: number, runs: number): number {
  return Math.round(baseMs * (1 + (run - 0.5) / runs));
}

export interface PollingRate {
  /** DescribeServices calls after the UpdateService. */
  calls: number;
  /** From the UpdateService to the last DescribeServices. */
  windowMs: number;
  perSecond: number;
  /** Median time between two consecutive DescribeServices calls. */
  medianGapMs: number;
}

/** The calls deploy-ecs polls with: DescribeServiceDeployments (its follower), DescribeServices (the fallback). */
const POLLS = new Set(['DescribeServices', 'DescribeServiceDeployments']);

/** How often deploy-ecs asked DescribeServices while it waited: after its UpdateService, up to its last call. */
export function describeServicesRate(requests: RecordedRequest[]): PollingRate | undefined {
  const update = requests.findIndex((request) => request.operation === 'UpdateService');
  if (update < 0) return undefined;
  const polls = requests.slice(update + 1).filter((request) => POLLS.has(request.operation));
  if (polls.length < 2) return undefined;
  const windowMs = polls.at(-1)!.time - requests[update]!.time;
  const gaps = polls.slice(1).map((poll, index) => poll.time - polls[index]!.time);
  return {
    calls: polls.length,
    windowMs,
    perSecond: windowMs > 0 ? polls.length / (windowMs / 1000) : Number.POSITIVE_INFINITY,
    medianGapMs: summarize(gaps).median,
  };
}

/**
 * When the simulated ECS finished the rollout the service ended on: the moment its only deployment (the new one,
 * or the circuit breaker's rollback) reached COMPLETED. Undefined while the rollout has not finished.
 */
export function rolloutFinished(
  service: Pick<ServiceRecord, 'deployments'>,
): { at: number; deploymentId: string; taskDefinitionArn: string } | undefined {
  const [only, ...others] = service.deployments;
  if (!only || others.length > 0 || only.rolloutState !== 'COMPLETED') return undefined;
  return { at: only.updatedAt, deploymentId: only.id, taskDefinitionArn: only.taskDefinitionArn };
}

/** An aligned Markdown table. */
export function renderTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `| ${widths.map((width, column) => (row[column] ?? '').padEnd(width)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One measured quantity, its samples in run order, in `unit`. */
export interface Measure {
  label: string;
  unit: 's' | 'ms' | 'calls/s' | 'calls';
  samples: number[];
}

export function formatValue(value: number, unit: Measure['unit']): string {
  return value.toFixed(unit === 's' || unit === 'calls/s' ? 2 : 0);
}

/** A measure's table: label, median, min–max, p10–p90 and the samples in run order. */
export function measureTable(measures: Measure[]): string {
  return renderTable(
    ['', 'Median', 'Min–max', 'p10–p90', 'Samples (run order)'],
    measures.map(({ label, unit, samples }) => {
      const stats = summarize(samples);
      const format = (value: number) => formatValue(value, unit);
      return [
        `${label}, ${unit}`,
        format(stats.median),
        `${format(stats.min)}–${format(stats.max)}`,
        `${format(stats.p10)}–${format(stats.p90)}`,
        samples.map(format).join(' '),
      ];
    }),
  );
}

// ---- Measuring ----

const seconds = (ms: number) => formatValue(ms / 1000, 's');

const DEPLOY_SCENARIOS = ['completes', 'circuit-breaker-rollback'] as const;
type DeployScenario = (typeof DEPLOY_SCENARIOS)[number];
/** What deploy-ecs must report in each scenario, or the run measured something else. */
const EXPECTED = {
  completes: { exitCode: 0, status: 'succeeded' },
  'circuit-breaker-rollback': { exitCode: 1, status: 'rolled-back' },
} as const satisfies Record<DeployScenario, { exitCode: number; status: string }>;
const ENVIRONMENT = 'dev';
/** The commit the sample service reports and smoke-test expects. */
const VERSION = '0123456789abcdef0123456789abcdef01234567';
const CORS_ORIGIN = 'https://app.example.test';
/** A run that takes longer than this is stuck: kill it rather than hang the bench. */
const RUN_TIMEOUT_MS = 3 * 60_000;

interface DeployRun {
  stepMs: number;
  exitCode: number;
  status: string;
  /** Process start to exit. */
  durationMs: number;
  /** The rollout's end in the simulated ECS to the process exit. */
  exitAfterRolloutMs: number;
  /** The last DescribeServices to the process exit. */
  exitAfterLastPollMs: number;
  firstRequestMs: number;
  firstRequest: string;
  polling: PollingRate;
}

interface SmokeRun {
  exitCode: number;
  /** Process start to exit. */
  durationMs: number;
  /** From the action's report: its first request to the report, and the checks alone. */
  reportDurationMs: number;
  checksDurationMs: number;
  waitMs: number;
  checks: Record<string, number>;
}

/** Everything started and not yet stopped, so that an error or Ctrl-C stops it. */
const running = new Set<() => Promise<unknown>>();

async function tracked<T, R>(
  start: Promise<T>,
  stop: (value: T) => Promise<unknown>,
  use: (value: T) => Promise<R>,
): Promise<R> {
  const value = await start;
  const stopIt = () => stop(value);
  running.add(stopIt);
  try {
    return await use(value);
  } finally {
    running.delete(stopIt);
    await stopIt();
  }
}

/** Runs a bundle and returns when it started and exited on this clock (±1 ms of runBundle's own file handling). */
async function timedRun(action: string, options: RunBundleOptions) {
  const spawnedAt = Date.now();
  const run = await runBundle(action, { timeoutMs: RUN_TIMEOUT_MS, ...options });
  return { run, spawnedAt, exitedAt: Date.now() };
}

function failure(what: string, run: BundleRun): Error {
  const tail = run.lines.slice(-25).join('\n');
  return new Error(`${what}: exit ${run.exitCode}, status "${run.outputs.status ?? ''}"\n${tail}`);
}

function measureDeploy(scenario: DeployScenario, stepMs: number): Promise<DeployRun> {
  return tracked(
    startLoopbackAws({ stepMs, scenario }),
    (aws) => aws.close(),
    (aws) => deployOnce(aws, scenario),
  );
}

async function deployOnce(aws: LoopbackAws, scenario: DeployScenario): Promise<DeployRun> {
  // A revision the service has not run, so that deploy-ecs registers it and starts a rollout.
  const definition = sampleTaskDefinition(aws.state, ENVIRONMENT, sampleImageUri(aws.accountId, aws.region));
  const [container] = definition.containerDefinitions as Array<{ environment: Array<{ name: string; value: string }> }>;
  container!.environment.push({ name: 'BENCH', value: scenario });
  const work = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
  const file = join(work, 'taskdef.json');
  writeFileSync(file, JSON.stringify(definition, null, 2));
  const { run, spawnedAt, exitedAt } = await timedRun('deploy-ecs', {
    inputs: {
      cluster: demoCluster(ENVIRONMENT),
      service: SAMPLE_SERVICE,
      'task-definition': file,
      'expected-account-id': aws.accountId,
    },
    env: awsEnvironment(aws),
  }).finally(() => rmSync(work, { recursive: true, force: true }));

  const expected = EXPECTED[scenario];
  if (run.exitCode !== expected.exitCode || run.outputs.status !== expected.status) {
    throw failure(`deploy-ecs in "${scenario}" did not end ${expected.status}`, run);
  }
  aws.advance();
  const service = aws.state.services.get(`${demoCluster(ENVIRONMENT)}/${SAMPLE_SERVICE}`)!;
  const finished = rolloutFinished(service);
  const endsOn =
    scenario === 'completes' ? run.outputs['task-definition-arn'] : run.outputs['previous-task-definition-arn'];
  if (!finished || finished.taskDefinitionArn !== endsOn) {
    throw failure(`deploy-ecs exited in "${scenario}" but the service is not settled on ${endsOn}`, run);
  }
  const polling = describeServicesRate(aws.requests);
  const lastPoll = aws.requests.filter((request) => POLLS.has(request.operation)).at(-1);
  if (!polling || !lastPoll) throw failure(`deploy-ecs in "${scenario}" polled DescribeServices fewer than twice`, run);
  return {
    stepMs: aws.state.stepMs,
    exitCode: run.exitCode,
    status: run.outputs.status!,
    durationMs: exitedAt - spawnedAt,
    exitAfterRolloutMs: exitedAt - finished.at,
    exitAfterLastPollMs: exitedAt - lastPoll.time,
    firstRequestMs: aws.requests[0]!.time - spawnedAt,
    firstRequest: `${aws.requests[0]!.service} ${aws.requests[0]!.operation}`,
    polling,
  };
}

export function awsEnvironment(aws: LoopbackAws): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'org/ecs-actions',
    GITHUB_RUN_ID: '1',
  };
}

interface SmokeReport {
  durationMs: number;
  checksDurationMs: number;
  wait: { elapsedMs: number };
  checks: Array<{ name: string; outcome: string; durationMs: number }>;
}

async function measureSmoke(service: SampleService): Promise<SmokeRun> {
  // The report lives under RUNNER_TEMP, which runBundle removes unless it is ours.
  const runnerTemp = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  try {
    const { run, spawnedAt, exitedAt } = await timedRun('smoke-test', {
      inputs: {
        'base-url': service.url,
        'expected-version': VERSION,
        'cors-origin': CORS_ORIGIN,
        'timeout-seconds': 30,
      },
      runnerTemp,
    });
    if (run.exitCode !== 0 || run.outputs.passed !== 'true') throw failure('smoke-test did not pass', run);
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as SmokeReport;
    return {
      exitCode: run.exitCode,
      durationMs: exitedAt - spawnedAt,
      reportDurationMs: report.durationMs,
      checksDurationMs: report.checksDurationMs,
      waitMs: report.wait.elapsedMs,
      checks: Object.fromEntries(
        report.checks.filter((check) => check.outcome !== 'skip').map((check) => [check.name, check.durationMs]),
      ),
    };
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

function bundleSizes(): Array<{ action: string; bytes: number; kib: number }> {
  return readdirSync(join(repositoryRoot, 'dist'))
    .filter((action) => existsSync(join(repositoryRoot, 'dist', action, 'index.js')))
    .sort()
    .map((action) => {
      const bytes = statSync(join(repositoryRoot, 'dist', action, 'index.js')).size;
      return { action, bytes, kib: Math.round((bytes / 1024) * 10) / 10 };
    });
}

async function stopEverything(): Promise<void> {
  stopAllSteps.abort();
  await Promise.allSettled([...running].map((stop) => stop()));
}

interface Section {
  title: string;
  measures: Measure[];
}

/** What `npm run bench` reports, one section per measure of issue 11. */
function sections(deploys: Record<DeployScenario, DeployRun[]>, smokes: SmokeRun[]): Section[] {
  const perScenario = (label: string, unit: Measure['unit'], pick: (run: DeployRun) => number) =>
    DEPLOY_SCENARIOS.map((scenario) => ({
      label: `${scenario}${label}`,
      unit,
      samples: deploys[scenario].map(pick),
    }));
  const firstRequests = new Set(Object.values(deploys).flatMap((runs) => runs.map((run) => run.firstRequest)));
  const checkNames = Object.keys(smokes[0]?.checks ?? {});
  return [
    {
      title: '1. deploy-ecs: rollout finished in ECS (new deployment COMPLETED, or the rollback COMPLETED) -> exit',
      measures: [
        ...perScenario('', 's', (run) => run.exitAfterRolloutMs / 1000),
        ...perScenario(': last DescribeServices -> exit', 's', (run) => run.exitAfterLastPollMs / 1000),
        ...perScenario(': whole step (spawn -> exit)', 's', (run) => run.durationMs / 1000),
      ],
    },
    {
      title: '2. deploy-ecs: DescribeServices while waiting (UpdateService -> last DescribeServices)',
      measures: [
        ...perScenario('', 'calls/s', (run) => run.polling.perSecond),
        ...perScenario(': DescribeServices', 'calls', (run) => run.polling.calls),
        ...perScenario(': median gap between calls', 'ms', (run) => run.polling.medianGapMs),
      ],
    },
    {
      title: `3. deploy-ecs: process start -> first AWS request received (${[...firstRequests].join(', ')})`,
      measures: perScenario('', 'ms', (run) => run.firstRequestMs),
    },
    {
      title: '5. smoke-test, built-in checks against the sample service (expected-version = its GIT_SHA)',
      measures: [
        { label: 'process start -> exit', unit: 's', samples: smokes.map((run) => run.durationMs / 1000) },
        {
          label: 'first request -> report (its report)',
          unit: 's',
          samples: smokes.map((run) => run.reportDurationMs / 1000),
        },
        { label: 'waiting for the service to answer', unit: 'ms', samples: smokes.map((run) => run.waitMs) },
        { label: 'checks (run concurrently), wall', unit: 'ms', samples: smokes.map((run) => run.checksDurationMs) },
        ...checkNames.map((name) => ({
          label: `  ${name}`,
          unit: 'ms' as const,
          samples: smokes.flatMap((run) => run.checks[name] ?? []),
        })),
      ],
    },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      'step-ms': { type: 'string', default: '100' },
      out: { type: 'string', default: '.bench/results.json' },
      docker: { type: 'boolean', default: false },
      /** Only the API-budget section: 1, 20 and 100 parallel deploys in one account. */
      'budget-only': { type: 'boolean', default: false },
    },
  });
  if (values.docker) {
    const cleanups: Cleanups = [];
    running.add(() => runCleanups(cleanups));
    process.exitCode = await zeroDowntimeBench({ out: '.bench', cleanups });
    return;
  }
  if (values['budget-only']) {
    await budgetSection(values.out.replace(/\.json$/, '-budget.json'));
    return;
  }
  const runs = Number(values.runs);
  const stepMs = Number(values['step-ms']);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs "${values.runs}" is not a whole number from 1`);
  if (!Number.isFinite(stepMs) || stepMs <= 0)
    throw new Error(`--step-ms "${values['step-ms']}" is not a positive number of ms`);
  for (const action of ['deploy-ecs', 'smoke-test']) {
    if (!existsSync(join(repositoryRoot, 'dist', action, 'index.js'))) {
      throw new Error(`dist/${action}/index.js is missing: run "node scripts/build-bundles.mjs ${action}"`);
    }
  }
  const machine = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
  const log = (line: string) => console.log(line);
  log(`ecs-actions bench: ${runs} measured runs per measure after 1 warm-up run (not counted)`);
  const stepRange = `${stepMsForRun(stepMs, 1, runs)}–${stepMsForRun(stepMs, runs, runs)} ms`;
  log(
    `Loopback AWS stepMs (one rollout step: start a task, pass a health check, drain one...): ${stepMs} ms for the ` +
      `warm-up, ${stepRange} across the measured deploy-ecs runs, so that the rollouts end ` +
      `at different points between two DescribeServices polls`,
  );
  log(
    `Machine: node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadAverageAtStart.join(' ')}`,
  );

  const deploys = {} as Record<DeployScenario, DeployRun[]>;
  for (const scenario of DEPLOY_SCENARIOS) {
    deploys[scenario] = [];
    for (let index = 0; index <= runs; index++) {
      const run = await measureDeploy(scenario, index === 0 ? stepMs : stepMsForRun(stepMs, index, runs));
      const label = index === 0 ? 'warm-up' : `run ${index}/${runs}`;
      log(
        `deploy-ecs ${scenario} ${label} (stepMs ${run.stepMs}): ${run.status} in ${seconds(run.durationMs)} s, exit ` +
          `${seconds(run.exitAfterRolloutMs)} s after the rollout finished, first request after ${run.firstRequestMs} ms`,
      );
      if (index > 0) deploys[scenario].push(run);
    }
  }

  const smokes: SmokeRun[] = [];
  await tracked(
    startSampleService({ env: { GIT_SHA: VERSION, BUILD_TIME: new Date().toISOString(), CORS_ORIGIN } }),
    (service) => service.stop('SIGTERM', 5_000),
    async (service) => {
      for (let index = 0; index <= runs; index++) {
        const run = await measureSmoke(service);
        const label = index === 0 ? 'warm-up' : `run ${index}/${runs}`;
        log(`smoke-test ${label}: passed in ${seconds(run.durationMs)} s, checks ${run.checksDurationMs} ms`);
        if (index > 0) smokes.push(run);
      }
    },
  );
  const bundles = bundleSizes();

  const report = sections(deploys, smokes);
  const bundleTable = renderTable(
    ['Bundle', 'Bytes', 'KiB'],
    bundles.map((bundle) => [bundle.action, String(bundle.bytes), bundle.kib.toFixed(1)]),
  );
  log('');
  for (const section of report.slice(0, 3)) log(`${section.title}\n${measureTable(section.measures)}\n`);
  log(`4. Bundle sizes (dist/<action>/index.js)\n${bundleTable}\n`);
  for (const section of report.slice(3)) log(`${section.title}\n${measureTable(section.measures)}\n`);

  const results = {
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
    settings: {
      runs,
      warmUpRuns: 1,
      stepMs,
      deployStepMs: Array.from({ length: runs }, (_, index) => stepMsForRun(stepMs, index + 1, runs)),
    },
    measures: report.map((section) => ({
      title: section.title,
      measures: section.measures.map((measure) => ({ ...measure, ...summarize(measure.samples) })),
    })),
    bundles,
    runs: { deployEcs: deploys, smokeTest: smokes },
  };
  const out = resolve(repositoryRoot, values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`Raw samples, medians and spreads: ${values.out} (stepMs ${stepMs}; deploy-ecs runs ${stepRange})`);
  await budgetSection(values.out.replace(/\.json$/, '-budget.json'));
}

/** The API budget: 1, 20 and 100 parallel deploys of different services in one account (see budget.ts). */
async function budgetSection(file: string): Promise<void> {
  const log = (line: string) => console.log(line);
  log('');
  log('API budget: 1, 20 and 100 deploys of different services at once in one account (ECS token buckets enforced)');
  const runs: BudgetRun[] = [];
  for (const count of [1, 20, 100]) {
    log(`  ${count} parallel deploy(s)...`);
    runs.push(await budgetRun(count));
  }
  for (const line of budgetTable(runs)) log(line);
  const out = resolve(repositoryRoot, file);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(runs, null, 2)}\n`);
  log(`Budget figures: ${file}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the actions, the loopback AWS and the sample service...`);
      void stopEverything().finally(() => process.exit(130));
    });
  }
  try {
    await main();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    await stopEverything();
    process.exitCode = 1;
  }
}
