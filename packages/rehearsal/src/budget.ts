import { ECSClient } from '@aws-sdk/client-ecs';
import { systemClock } from '@ecs-actions/action-kit';
import { createAwsClient } from '@ecs-actions/aws';
import { preflight, rollOut, serviceDeploymentsFollower, type DeployResult } from '@ecs-actions/deploy-ecs';
import { sampleImageUri, sampleTaskDefinition, startLoopbackAws, type LoopbackAws } from '@ecs-actions/loopback-aws';
import { describeExisting } from '@ecs-actions/taskdef';

/**
 * The API budget: 1, 20 and 100 deploys of different services in parallel in one account, each the real deploy-ecs
 * path (pre-flight, UpdateService, the service-deployments follower with its pacing) in this process, against a
 * loopback AWS that enforces ECS's token buckets. Reports failures, how soon each deploy saw its deployment end
 * (p50/p95), API calls per second in total and per bucket, and throttles, with the goals beside them.
 */

const CLUSTER = 'bench';
/** One step of 2.5 s: a rolling update of two tasks takes about 30 s in the loopback. */
const STEP_MS = 2500;

export interface BudgetRun {
  deploys: number;
  failures: number;
  detectionMs: { p50: number; p95: number; max: number };
  rolloutMs: { p50: number };
  callsPerSecond: { total: number; describeServices: number; serviceDeployments: number; updateService: number };
  throttles: number;
  /** The throttled requests by operation, so that a figure can be attributed to its bucket. */
  throttlesByOperation: Record<string, number>;
  /** Describe calls (DescribeServices, DescribeServiceDeployments) per second of one deploy's rollout, on average. */
  describePerDeploySecond: number;
}

const quiet = { info: () => {}, warning: () => {}, notice: () => {} };
const group = <T>(_name: string, fn: () => Promise<T>) => fn();

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function seed(aws: LoopbackAws, count: number): Promise<string[]> {
  const image = sampleImageUri(aws.accountId, aws.region);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    const family = { ...sampleTaskDefinition(aws.state, 'dev', image), family: name };
    aws.seedTaskDefinition(family);
    aws.seedService({ cluster: CLUSTER, name, taskDefinition: name, desiredCount: 2, targetGroup: false });
    names.push(name);
  }
  return names;
}

/** Runs `count` deploys at once; each deploy a new revision of its own service. */
export async function budgetRun(count: number): Promise<BudgetRun> {
  const aws = await startLoopbackAws({ stepMs: STEP_MS, seed: false });
  const savedEnv = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  try {
    const services = await seed(aws, count);
    const image = sampleImageUri(aws.accountId, aws.region);
    const revisions = services.map(
      (name) =>
        aws.seedTaskDefinition({
          ...sampleTaskDefinition(aws.state, 'dev', image),
          family: name,
          cpu: '512',
          memory: '1024',
        }).arn,
    );
    const started = Date.now();
    const results = await Promise.all(
      services.map(async (service, index) => {
        // One client per deploy, as one runner each would have.
        const ecs = createAwsClient(ECSClient, { action: 'deploy-ecs' });
        // As deploy-ecs's main.ts: the follower polls with one attempt per call and backs off itself.
        const pollEcs = createAwsClient(ECSClient, { action: 'deploy-ecs', maxAttempts: 1 });
        const ref = { cluster: CLUSTER, service };
        const result: DeployResult = { status: 'failed', stoppedTasks: [], stoppedTaskCount: 0, events: [] };
        try {
          const before = await preflight(ecs, ref, aws.region, quiet);
          const target = await describeExisting(ecs, revisions[index], quiet);
          await rollOut(
            {
              ecs,
              pollEcs,
              clock: systemClock,
              log: quiet,
              group,
              region: aws.region,
              follower: serviceDeploymentsFollower(),
            },
            { ...ref, before, target, wait: true, timeoutMs: 10 * 60_000, rollback: false, forceNewDeployment: false },
            result,
          );
        } catch (error) {
          result.failure = String(error);
        }
        return { service, result, endedAt: Date.now() };
      }),
    );
    const ended = Date.now();
    const detections: number[] = [];
    const rollouts: number[] = [];
    let failures = 0;
    for (const { service, result, endedAt } of results) {
      const record = aws.state.services.get(`${CLUSTER}/${service}`)?.serviceDeployments[0];
      if (result.status !== 'succeeded' || record?.status !== 'SUCCESSFUL' || record.finishedAt === undefined) {
        failures++;
        continue;
      }
      detections.push(endedAt - record.finishedAt);
      rollouts.push(record.finishedAt - record.createdAt);
    }
    const window = (ended - started) / 1000;
    const ecsRequests = aws.requests.filter((request) => request.service === 'ecs' && request.time >= started);
    const rate = (operations: string[]) =>
      ecsRequests.filter((request) => operations.includes(request.operation)).length / window;
    const throttled = ecsRequests.filter((request) => request.error === 'ThrottlingException');
    const describes = rate(['DescribeServices', 'DescribeServiceDeployments']);
    return {
      deploys: count,
      failures,
      detectionMs: { p50: percentile(detections, 50), p95: percentile(detections, 95), max: Math.max(...detections) },
      rolloutMs: { p50: percentile(rollouts, 50) },
      callsPerSecond: {
        total: ecsRequests.length / window,
        describeServices: rate(['DescribeServices', 'ListServices']),
        serviceDeployments: rate(['DescribeServiceDeployments', 'ListServiceDeployments']),
        updateService: rate(['UpdateService']),
      },
      throttles: throttled.length,
      throttlesByOperation: Object.fromEntries(
        [...new Set(throttled.map((request) => request.operation))]
          .sort()
          .map((operation) => [operation, throttled.filter((request) => request.operation === operation).length]),
      ),
      describePerDeploySecond: describes / count,
    };
  } finally {
    process.env = savedEnv;
    await aws.close();
  }
}

/** `12 (UpdateService 10, DescribeServices 2)`, or `0`. */
function throttleCell(run: BudgetRun): string {
  const parts = Object.entries(run.throttlesByOperation).map(([operation, count]) => `${operation} ${count}`);
  return parts.length > 0 ? `${run.throttles} (${parts.join(', ')})` : String(run.throttles);
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The budget table: figures as measured, the goal beside each. */
export function budgetTable(runs: BudgetRun[]): string[] {
  const lines = [
    'deploys | failures | detection p50 / p95 (s) | rollout p50 (s) | ECS calls/s total | DescribeServices/s | ServiceDeployments/s | UpdateService/s | throttles (by operation) | describe calls/s per deploy',
  ];
  for (const run of runs) {
    lines.push(
      `${run.deploys} | ${run.failures} | ${fixed(run.detectionMs.p50 / 1000)} / ${fixed(run.detectionMs.p95 / 1000)} | ` +
        `${fixed(run.rolloutMs.p50 / 1000, 1)} | ${fixed(run.callsPerSecond.total)} | ${fixed(run.callsPerSecond.describeServices)} | ` +
        `${fixed(run.callsPerSecond.serviceDeployments)} | ${fixed(run.callsPerSecond.updateService)} | ${throttleCell(run)} | ` +
        `${fixed(run.describePerDeploySecond)}`,
    );
  }
  const one = runs.find((run) => run.deploys === 1);
  const hundred = runs.find((run) => run.deploys === 100);
  lines.push('Goals:');
  if (one) {
    lines.push(`  1 deploy: detection ≤ 2 s — measured p95 ${fixed(one.detectionMs.p95 / 1000)} s`);
    lines.push(
      `  a ~30 s rollout (measured ${fixed(one.rolloutMs.p50 / 1000, 1)} s) at ≤ 0.5 describe calls/s — measured ${fixed(one.describePerDeploySecond)}/s`,
    );
  }
  if (hundred) {
    lines.push(
      `  100 parallel: 0 failures — measured ${hundred.failures}; p95 detection ≤ 5 s — measured ${fixed(hundred.detectionMs.p95 / 1000)} s`,
    );
    lines.push(
      `  100 parallel within the buckets (sustained DescribeServices ≤ 20/s, Describe/ListServiceDeployments ≤ 20/s, UpdateService ≤ 5/s over the run, bursts 100/50/50) — measured ` +
        `${fixed(hundred.callsPerSecond.describeServices)}/s, ${fixed(hundred.callsPerSecond.serviceDeployments)}/s, ${fixed(hundred.callsPerSecond.updateService)}/s, ${throttleCell(hundred)} throttled`,
    );
  }
  return lines;
}
