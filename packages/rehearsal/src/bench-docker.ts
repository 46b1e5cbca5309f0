/**
 * `npm run bench -- --docker`: zero downtime, measured. The sample service runs as real containers behind the real
 * listener; a bounded load generator sends GET /api/projects through the listener during a rolling deploy (previous
 * release -> HEAD, by the deploy-ecs bundle) and during the rollback (HEAD -> the previous revision), and the bench
 * reports what every request got, with an SVG chart of requests per second by outcome and the phases marked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { demoCluster, SAMPLE_SERVICE, type ServiceRecord } from '@ecs-actions/loopback-aws';
import { awsEnvironment, renderTable } from './bench.js';
import { renderChart, type Phase } from './chart.js';
import { runCleanups, startDockerRehearsal, type Cleanups, type DockerRehearsal } from './docker-rehearsal.js';
import { generateLoad, perSecond, summarizeLoad, type LoadSummary } from './load.js';
import { repositoryRoot, runBundle } from './run-bundle.js';
import { execFileSync } from 'node:child_process';

const RATE = 50;
const CONNECTIONS = 20;
/** The load never runs longer than this, whatever the rollout does. */
const MAX_SECONDS = 150;
/** Load keeps running this long after the last old task stopped, to see the service settle. */
const TAIL_MS = 3_000;
const LEAD_MS = 2_000;

interface Measurement {
  name: string;
  summary: LoadSummary;
  phases: Phase[];
  deployExitCode: number;
  deployStatus: string;
  svg: string;
}

/** When each phase of the rollout happened, from the task records and a 50 ms sample of target health. */
async function measure(
  rehearsal: DockerRehearsal,
  name: string,
  taskDefinition: string,
  log: (line: string) => void,
): Promise<Measurement & { taskDefinitionArn: string; previousArn: string }> {
  const { aws } = rehearsal;
  const service = aws.state.services.get(`${demoCluster('dev')}/${SAMPLE_SERVICE}`) as ServiceRecord;
  const old = service.tasks.filter((task) => task.lastStatus === 'RUNNING');
  const oldDeployment = service.deployments[0]!.id;
  const url = `${rehearsal.listeners.dev}/api/projects`;
  const abort = new AbortController();
  const started = Date.now();
  log(`${name}: ${RATE} requests/s over ${CONNECTIONS} keep-alive connections to ${url} (at most ${MAX_SECONDS} s)`);
  const load = generateLoad({
    url,
    ratePerSecond: RATE,
    connections: CONNECTIONS,
    maxRequests: RATE * MAX_SECONDS,
    maxDurationMs: MAX_SECONDS * 1000,
    signal: abort.signal,
  });
  let newHealthyAt: number | undefined;
  const sampler = setInterval(() => {
    const fresh = service.tasks.filter((task) => task.deploymentId !== oldDeployment && task.lastStatus === 'RUNNING');
    if (
      newHealthyAt === undefined &&
      fresh.length >= service.desiredCount &&
      fresh.every((task) => task.targetState === 'healthy')
    ) {
      newHealthyAt = Date.now();
    }
  }, 50);
  try {
    await new Promise((done) => setTimeout(done, LEAD_MS));
    const deploy = await runBundle('deploy-ecs', {
      inputs: {
        cluster: demoCluster('dev'),
        service: SAMPLE_SERVICE,
        'task-definition': taskDefinition,
        'expected-account-id': aws.accountId,
        rollback: 'false',
      },
      env: awsEnvironment(aws),
      timeoutMs: 5 * 60_000,
    });
    // deploy-ecs returns when ECS reports the rollout complete; ECS has stopped the old tasks by then.
    const deadline = started + MAX_SECONDS * 1000;
    while (Date.now() < deadline && old.some((task) => task.lastStatus !== 'STOPPED')) {
      await new Promise((done) => setTimeout(done, 100));
    }
    await new Promise((done) => setTimeout(done, TAIL_MS));
    abort.abort();
    const samples = await load;
    const second = (at: number | undefined) => (at === undefined ? undefined : (at - started) / 1000);
    const phases: Phase[] = [];
    const add = (label: string, at: number | undefined) => {
      const atSecond = second(at);
      if (atSecond !== undefined) phases.push({ label, atSecond });
    };
    add('new tasks healthy', newHealthyAt);
    add('old targets draining', Math.min(...old.map((task) => task.stoppingAt ?? Infinity)));
    add('old tasks sent SIGTERM', Math.min(...old.map((task) => task.stopRequestedAt ?? Infinity)));
    add('old tasks stopped', Math.max(...old.map((task) => task.stoppedAt ?? -Infinity)));
    const validPhases = phases.filter((phase) => Number.isFinite(phase.atSecond));
    const summary = summarizeLoad(samples);
    const failed = summary.non2xx + summary.connectionErrors;
    const svg = renderChart({
      title: `Zero downtime: ${name} on real containers`,
      subtitle: `${summary.sent} requests at ${RATE}/s over ${CONNECTIONS} connections; ${failed} failed (${summary.non2xx} non-2xx, ${summary.connectionErrors} connection errors); p50 ${summary.p50Ms.toFixed(0)} ms, p99 ${summary.p99Ms.toFixed(0)} ms`,
      buckets: perSecond(samples, started),
      phases: validPhases,
    });
    return {
      name,
      summary,
      phases: validPhases,
      deployExitCode: deploy.exitCode,
      deployStatus: deploy.outputs.status ?? '',
      svg,
      taskDefinitionArn: deploy.outputs['task-definition-arn'] ?? '',
      previousArn: deploy.outputs['previous-task-definition-arn'] ?? '',
    };
  } finally {
    clearInterval(sampler);
    abort.abort();
  }
}

export async function zeroDowntimeBench(options: { out: string; cleanups: Cleanups }): Promise<number> {
  const log = (line: string) => console.log(line);
  const registry = process.env.ECS_ACTIONS_REGISTRY;
  const databaseServerUrl = process.env.ECS_ACTIONS_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!registry || !databaseServerUrl) {
    log(
      '--docker needs `source scripts/ci-docker.sh` (engine, registry) and `source scripts/ci-postgres.sh` (TEST_DATABASE_URL).',
    );
    return 2;
  }
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const rehearsal = await startDockerRehearsal({
    scenario: 'completes',
    version: git('rev-parse', 'HEAD'),
    previousVersion: git('rev-parse', 'HEAD~1'),
    stepMs: 100,
    log: (line) => {
      // Only the loopback's target and container lines: the service events would drown the figures.
      if (!line.startsWith('   [aws]') || /target|container/.test(line)) log(line);
    },
    databaseServerUrl,
    registry,
    nodeImage: process.env.ECS_ACTIONS_NODE_IMAGE,
    environments: ['dev'],
    // All the load comes from one client address (the listener's X-Forwarded-For says 127.0.0.1): the per-client
    // rate limit (100 a minute) would answer 429 to the bench itself, so this environment lifts it.
    extraEnvironment: { RATE_LIMIT_MAX: '1000000' },
    cleanups: options.cleanups,
  });
  try {
    const built = await rehearsal.build();
    log(`Built and pushed ${built.image}`);
    const headDefinition = await rehearsal.renderTaskDefinition('dev', built.image);
    const deploy = await measure(rehearsal, 'rolling deploy', headDefinition, log);
    const rollback = await measure(rehearsal, 'rollback', deploy.previousArn, log);
    const results = [deploy, rollback];
    const dir = resolve(repositoryRoot, options.out);
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const result of results) {
      const file = join(dir, `zero-downtime-${result.name.replace(/\s+/g, '-')}.svg`);
      writeFileSync(file, result.svg);
      files.push(file);
    }
    const json = join(dir, 'zero-downtime.json');
    writeFileSync(
      json,
      `${JSON.stringify({ generatedAt: new Date().toISOString(), loadAverage: loadavg(), rate: RATE, connections: CONNECTIONS, results: results.map(({ svg: _svg, ...rest }) => rest) }, null, 2)}\n`,
    );
    log('');
    log('Zero downtime (goal: 0 failed requests across a successful deploy and across a rollback)');
    log(
      renderTable(
        ['', 'deploy-ecs', 'Requests sent', '2xx', 'non-2xx', 'Connection errors', 'p50 ms', 'p99 ms', 'Goal 0 failed'],
        results.map((result) => {
          const failed = result.summary.non2xx + result.summary.connectionErrors;
          return [
            result.name,
            `${result.deployStatus || '?'} (exit ${result.deployExitCode})`,
            String(result.summary.sent),
            String(result.summary.ok),
            String(result.summary.non2xx),
            String(result.summary.connectionErrors),
            result.summary.p50Ms.toFixed(1),
            result.summary.p99Ms.toFixed(1),
            failed === 0 ? 'met' : `MISSED (${failed} failed)`,
          ];
        }),
      ),
    );
    for (const result of results) {
      if (Object.keys(result.summary.failures).length > 0) {
        log(
          `${result.name} failures: ${Object.entries(result.summary.failures)
            .map(([what, count]) => `${count}x ${what}`)
            .join(', ')}`,
        );
      }
      log(
        `${result.name} phases: ${result.phases.map((phase) => `${phase.label} at ${phase.atSecond.toFixed(1)} s`).join(', ')}`,
      );
    }
    log(
      `Charts: ${files.join(', ')}; figures: ${json}; load average ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
    );
    return results.every((result) => result.deployExitCode === 0) ? 0 : 1;
  } finally {
    await runCleanups(options.cleanups);
  }
}
