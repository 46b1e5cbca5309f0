import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ECSClient,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { errorMessage, poll } from '@ecs-actions/action-kit';
import { isAwsAuthError, isAwsError, isTransientAwsError } from '@ecs-actions/aws';
import { FailedTasks, PollCalls } from './poll-calls.js';
import {
  describeServicesFollower,
  type DeploymentFollower,
  type FollowRequest,
  type InFlightRollback,
} from './follower.js';
import { budgetInterval } from './pacing.js';
import { describeService, primaryDeployment } from './service.js';
import { Timeline } from './timeline.js';
import type { WaitOutcome, WaitResult } from './waiter.js';

/**
 * Follows a deployment through ECS's service-deployments API: ListServiceDeployments finds the deployment this
 * UpdateService created (Service.currentServiceDeployment can be stale, so the newest IN_PROGRESS one created
 * after the update is taken, as ecspresso does), DescribeServiceDeployments follows its status, lifecycle stage,
 * traffic weights, circuit-breaker and alarm counts and rollback reason. Where the API is denied or absent, it
 * says so once and follows through DescribeServices instead.
 */

/** ECS's clock and the runner's differ a little: a deployment created this long before the update still counts. */
const CLOCK_SKEW_MS = 30_000;
/** How long a deployment UpdateService just started may be missing from ListServiceDeployments. */
const NOT_LISTED_GRACE_MS = 15_000;
/** Stopped tasks are counted after a change of the deployment, and at least this often. */
const STOPPED_TASKS_CHECK_MS = 10_000;
/** Error codes that mean "this account, role or region has no service-deployments API for us". */
const UNAVAILABLE = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnknownOperationException',
  'InvalidAction',
  'UnsupportedFeatureException',
]);

export interface ServiceDeploymentsOptions {
  /** Stop at a PAUSE hook AWAITING_ACTION (`wait-until: paused`) instead of waiting through it. */
  stopAtPause?: boolean;
  /** Jitter source; Math.random unless set. */
  random?: () => number;
}

function unavailable(error: unknown): boolean {
  const code = isAwsAuthError(error) ? error.code : undefined;
  return (code !== undefined && UNAVAILABLE.has(code)) || isAwsError(error, ...UNAVAILABLE);
}

export function serviceDeploymentsFollower(options: ServiceDeploymentsOptions = {}): DeploymentFollower {
  return {
    name: 'service deployments',
    async follow(request) {
      let arn: string | undefined;
      try {
        arn = await findServiceDeployment(request);
      } catch (error) {
        if (!unavailable(error)) throw error;
        const notice = request.log.notice ?? request.log.info;
        notice(
          `The ECS service-deployments API is not available here (${errorMessage(error)}); following the ` +
            'deployment through DescribeServices instead (allow ecs:ListServiceDeployments and ' +
            'ecs:DescribeServiceDeployments for stages, traffic weights and rollback reasons).',
        );
        return { ...(await describeServicesFollower.follow(request)), followedWith: describeServicesFollower.name };
      }
      if (!arn) {
        request.log.warning(
          `No service deployment created after the update was listed within ${NOT_LISTED_GRACE_MS / 1000} s; ` +
            'following the deployment through DescribeServices instead.',
        );
        return { ...(await describeServicesFollower.follow(request)), followedWith: describeServicesFollower.name };
      }
      request.log.info(`Service deployment ${arn}`);
      return followServiceDeployment(request, arn, options);
    },
    async rollBackInFlight(request, waited) {
      const arn = waited.serviceDeploymentArn;
      if (!arn) return undefined;
      try {
        await request.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
      } catch (error) {
        // Finished meanwhile (ConflictException), or not allowed: the caller rolls back with UpdateService.
        if (!isAwsError(error, 'ConflictException', 'InvalidParameterException') && !unavailable(error)) throw error;
        request.log.warning(`StopServiceDeployment ROLLBACK was refused (${errorMessage(error)}); using UpdateService`);
        return undefined;
      }
      request.log.info(`Asked ECS to roll back ${arn} (StopServiceDeployment ROLLBACK)`);
      const wait = await followServiceDeployment(request, arn, { ...options, stopAtPause: false }, waited.timeline);
      return inFlightResult(wait);
    },
  };
}

function inFlightResult(wait: WaitResult): InFlightRollback {
  const { outcome } = wait;
  if (outcome.result === 'rolled-back') {
    return { status: 'rolled-back', message: `ECS rolled the deployment back (${outcome.reason})`, wait };
  }
  const why = outcome.result === 'completed' ? 'the deployment completed before the rollback began' : outcome.reason;
  return { status: 'failed', message: `ECS's rollback did not complete: ${why}`, wait };
}

/** Resumes a deployment held by a PAUSE hook: ContinueServiceDeployment with CONTINUE or ROLLBACK. */
export async function continueServiceDeployment(
  ecs: ECSClient,
  serviceDeploymentArn: string,
  hookId: string,
  action: 'CONTINUE' | 'ROLLBACK',
): Promise<void> {
  await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId, action }));
}

/** The newest deployment created after the update: IN_PROGRESS or PENDING first, else one that already ended. */
async function findServiceDeployment(request: FollowRequest): Promise<string | undefined> {
  const { clock } = request;
  const ecs = request.pollEcs ?? request.ecs;
  const random = Math.random;
  const after = new Date(request.startedAt - CLOCK_SKEW_MS);
  const list = async (status?: Array<'PENDING' | 'IN_PROGRESS'>) => {
    const response = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: request.cluster,
        service: request.service,
        createdAt: { after },
        ...(status ? { status } : {}),
      }),
    );
    const newest = [...(response.serviceDeployments ?? [])].sort(
      (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
    );
    return newest[0]?.serviceDeploymentArn;
  };
  const found = await poll({
    clock,
    signal: request.signal,
    timeoutMs: NOT_LISTED_GRACE_MS,
    // 1 to 2 s: parallel deploys that updated together do not list in step.
    interval: () => Math.round(1000 + 1000 * random()),
    // A deployment that already finished is not IN_PROGRESS any more: then the newest created after the update.
    attempt: async () => {
      try {
        return (await list(['PENDING', 'IN_PROGRESS'])) ?? (await list());
      } catch (error) {
        // Throttled (many deploys in one account) or a 5xx: list again on the next attempt.
        if (isTransientAwsError(error)) return undefined;
        throw error;
      }
    },
  });
  return found.done ? found.value : undefined;
}

/** One line for each change: `IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT: production 10%, test 100%; 2/2 running`. */
export function describeServiceDeployment(deployment: ServiceDeployment): string {
  const target = deployment.targetServiceRevision;
  const parts = [
    `${deployment.status ?? 'UNKNOWN'}${deployment.lifecycleStage ? ` ${deployment.lifecycleStage}` : ''}`,
  ];
  const counts = `${target?.runningTaskCount ?? 0}/${target?.requestedTaskCount ?? 0} running, ${target?.pendingTaskCount ?? 0} pending`;
  const strategy = deployment.deploymentConfiguration?.strategy ?? 'ROLLING';
  const weights =
    strategy === 'ROLLING'
      ? ''
      : `; production ${target?.requestedProductionTrafficWeight ?? 0}%, test ${target?.requestedTestTrafficWeight ?? 0}%`;
  const source = (deployment.sourceServiceRevisions ?? []).reduce(
    (sum, revision) => sum + (revision.runningTaskCount ?? 0),
    0,
  );
  const breaker = deployment.deploymentCircuitBreaker;
  const failures =
    breaker && breaker.status !== 'DISABLED' && (breaker.failureCount ?? 0) > 0
      ? `; circuit breaker ${breaker.failureCount}/${breaker.threshold} failed tasks`
      : '';
  const alarms = deployment.alarms?.triggeredAlarmNames?.length
    ? `; alarms in ALARM: ${deployment.alarms.triggeredAlarmNames.join(', ')}`
    : '';
  const hooks = (deployment.lifecycleHookDetails ?? [])
    .filter((hook) => hook.status !== 'SUCCEEDED')
    .map((hook) => `; hook ${hook.hookId} ${hook.status}`)
    .join('');
  return `${parts[0]}: new ${counts}, old ${source} running${weights}${failures}${alarms}${hooks}`;
}

/** How close the end is: poll fast only when it is near (see pacing.ts). */
function closeness(deployment: ServiceDeployment): { near: boolean; approaching: boolean } {
  const target = deployment.targetServiceRevision;
  const stage = deployment.lifecycleStage;
  if (deployment.status !== 'IN_PROGRESS') return { near: true, approaching: false };
  if (stage === 'CLEAN_UP' || stage === 'POST_PRODUCTION_TRAFFIC_SHIFT') return { near: true, approaching: false };
  if (stage !== undefined) return { near: false, approaching: false };
  // Rolling: once every new task runs, ECS drains the old ones (the deregistration delay), then completes.
  const allNewRunning = (target?.runningTaskCount ?? 0) >= (target?.requestedTaskCount ?? 1);
  const oldRunning = (deployment.sourceServiceRevisions ?? []).reduce(
    (sum, revision) => sum + (revision.runningTaskCount ?? 0),
    0,
  );
  return { near: allNewRunning && oldRunning === 0, approaching: allNewRunning && oldRunning > 0 };
}

/** Follows a known service deployment to its end (the `continue` mode, and after StopServiceDeployment). */
export async function followServiceDeployment(
  request: FollowRequest,
  arn: string,
  options: ServiceDeploymentsOptions,
  timeline = new Timeline(),
): Promise<WaitResult> {
  const { ecs, clock, log, deploymentId, maxFailedTasks } = request;
  const started = clock.now();
  const random = options.random ?? Math.random;
  const calls = new PollCalls(log);
  const ridingOut = <T>(call: () => Promise<T>, what: string) => calls.ride(call, what);
  const failed = new FailedTasks(ecs, request.cluster, request.startedAt, calls, clock);
  let near = false;
  let approaching = false;
  let lastLine: string | undefined;
  let last: ServiceDeployment | undefined;
  const elapsed = () => `${Math.round((clock.now() - started) / 1000)}s`;

  /**
   * Whether DescribeServices shows the rolling deployment ended or changed: ours is no longer the only PRIMARY one
   * running every task, or its rollout left IN_PROGRESS. Near the end of a rolling deployment this cheap check takes
   * the place of DescribeServiceDeployments, whose bucket (20/s per account) many deploys ending together share;
   * DescribeServices has a bucket of its own.
   */
  async function serviceShowsChange(): Promise<boolean> {
    const service = await ridingOut(
      () => describeService(request.pollEcs ?? ecs, request, request.region),
      'DescribeServices',
    );
    if (!service) return false;
    const live = (service.deployments ?? []).filter((candidate) => candidate.status !== 'INACTIVE');
    const ours = live.find((candidate) => candidate.id === deploymentId);
    if (!ours || ours.status !== 'PRIMARY' || live.length === 1) return true;
    return ours.rolloutState !== 'IN_PROGRESS' || (ours.runningCount ?? 0) < (ours.desiredCount ?? 0);
  }

  async function attempt(): Promise<WaitOutcome | undefined> {
    const rollingEnd = near && last?.status === 'IN_PROGRESS' && last.lifecycleStage === undefined;
    if (rollingEnd && !(await serviceShowsChange())) return undefined;
    const response = await ridingOut(
      () => (request.pollEcs ?? ecs).send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })),
      'DescribeServiceDeployments',
    );
    if (!response) return undefined;
    const deployment = response.serviceDeployments?.[0];
    if (!deployment)
      return {
        result: 'failed',
        reason: `service deployment ${arn} is gone (${response.failures?.[0]?.reason ?? 'MISSING'})`,
      };
    last = deployment;
    timeline.observe(deployment, clock.now());
    ({ near, approaching } = closeness(deployment));
    const line = describeServiceDeployment(deployment);
    const changed = line !== lastLine;
    if (changed) log.info(`[${elapsed()}] ${line}`);
    lastLine = line;

    const status = deployment.status ?? '';
    const reason = deployment.rollback?.reason ?? deployment.statusReason ?? 'no reason given';
    if (status === 'SUCCESSFUL') return completed();
    if (status === 'ROLLBACK_SUCCESSFUL') return { result: 'rolled-back', reason: trimDot(reason) };
    if (status === 'ROLLBACK_FAILED') return { result: 'failed', reason: `ECS's rollback FAILED: ${trimDot(reason)}` };
    if (status === 'STOPPED') return stopped(trimDot(deployment.statusReason ?? 'no reason given'));
    if (status === 'ROLLBACK_REQUESTED' || status === 'ROLLBACK_IN_PROGRESS') return undefined;

    const paused = (deployment.lifecycleHookDetails ?? []).find((hook) => hook.status === 'AWAITING_ACTION');
    if (paused && options.stopAtPause) {
      return {
        result: 'paused',
        serviceDeploymentArn: arn,
        hookId: paused.hookId ?? '',
        stage: deployment.lifecycleStage ?? '',
        reason: `hook ${paused.hookId} awaits action at ${deployment.lifecycleStage}`,
      };
    }
    if (changed || clock.now() - failed.checkedAt >= STOPPED_TASKS_CHECK_MS) {
      await failed.count(deploymentId);
      const { failedTaskArns } = failed;
      if (failedTaskArns.length >= maxFailedTasks) {
        return {
          result: 'tasks-stopped',
          reason: `${failedTaskArns.length} task${failedTaskArns.length === 1 ? '' : 's'} of deployment ${deploymentId} stopped (max-failed-tasks is ${maxFailedTasks})`,
        };
      }
    }
    return undefined;
  }

  /** The service as it ends: its PRIMARY deployment and latest events, for the summary and the rollback check. */
  async function completed(): Promise<WaitOutcome> {
    const service = await describeService(ecs, request, request.region);
    finalService = service;
    const primary = primaryDeployment(service);
    if (!primary) return { result: 'failed', reason: 'the service has no PRIMARY deployment' };
    return { result: 'completed', deployment: primary };
  }

  async function stopped(reason: string): Promise<WaitOutcome> {
    const service = await describeService(ecs, request, request.region);
    finalService = service;
    const primary = primaryDeployment(service);
    // Superseded by another UpdateService: not ours to roll back.
    if (primary && primary.id !== deploymentId && !/circuit breaker|alarm/i.test(reason)) {
      return { result: 'replaced', replacedBy: primary, reason: `the service deployment was STOPPED: ${reason}` };
    }
    return { result: 'failed', reason: `ECS STOPPED the deployment: ${reason}` };
  }

  let finalService: Awaited<ReturnType<typeof describeService>> | undefined;
  const polled = await poll({
    clock,
    signal: request.signal,
    timeoutMs: request.timeoutMs,
    interval: (elapsedMs) =>
      (request.interval ?? budgetInterval)(elapsedMs, { near, approaching, throttled: calls.throttled, random }),
    attempt,
  });
  const outcome: WaitOutcome = polled.done
    ? polled.value
    : {
        result: 'timeout',
        reason: `the deployment did not complete within ${Math.round(request.timeoutMs / 60_000)} minutes`,
      };
  if (!finalService && outcome.result !== 'paused') {
    finalService = await describeService(ecs, request, request.region).catch(() => undefined);
  }
  if (last) timeline.observe(last, clock.now(), true);
  return {
    outcome,
    elapsedMs: polled.elapsedMs,
    service: finalService,
    stoppedTaskArns: failed.stoppedTaskArns,
    failedTaskArns: failed.failedTaskArns,
    serviceDeploymentArn: arn,
    serviceDeployment: last,
    timeline,
    followedWith: 'service deployments',
  };
}

function trimDot(text: string): string {
  return text.replace(/\.$/, '');
}
