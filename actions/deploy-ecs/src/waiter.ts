import type { Deployment, ECSClient, Service, ServiceDeployment, ServiceEvent } from '@aws-sdk/client-ecs';
import { errorMessage, isDeadline, poll, type Clock } from '@ecs-actions/action-kit';
import { isTransientAwsError } from '@ecs-actions/aws';
import { revisionLabel } from '@ecs-actions/taskdef';
import { STOPPED_TASKS_LIMIT, describeTasks, isFailedTask, listStoppedTasks } from './diagnose.js';
import { describeService, primaryDeployment, type Logger, type ServiceRef } from './service.js';
import { Timeline } from './timeline.js';

export interface WaitOptions extends ServiceRef {
  ecs: ECSClient;
  /**
   * One attempt per call, for the DescribeServices polls: a throttled or failing poll waits for the next one, spaced
   * by this wait's own back-off on `clock`, not by the SDK's retries (see FollowRequest.pollEcs). `ecs` unless set.
   */
  pollEcs?: ECSClient;
  clock: Clock;
  log: Logger;
  region: string;
  /** The deployment to follow, from UpdateService. */
  deploymentId: string;
  timeoutMs: number;
  /** This many failed tasks of the deployment (see isFailedTask) fail it, with or without a circuit breaker. */
  maxFailedTasks: number;
  /** When the deploy began (epoch ms, default: when the wait begins); tasks stopped before it are not counted. */
  startedAt?: number;
  /** Event ids already printed (or there before the deploy); shared so a rollback wait prints no event twice. */
  seenEventIds: Set<string>;
  /** Milliseconds between DescribeServices calls, by time waited so far. */
  interval?: (elapsedMs: number) => number;
  /** [0, 1), for the back-off's jitter; Math.random unless set (tests pin it). */
  random?: () => number;
  /**
   * Cancel or deadline (the ECS client should be bound to the same one). A cancel ends the wait with the
   * CancelledError; a deadline ends it as a `timeout` naming the call that did not answer.
   */
  signal?: AbortSignal;
  /** The whole budget, for the timeout message, when `timeoutMs` is what is left of it. */
  budgetMs?: number;
  /** Where the phases seen are drawn for the summary's gantt; a new one unless set. */
  timeline?: Timeline;
}

export type WaitOutcome =
  /** The deployment is the only one left and steady. */
  | { result: 'completed'; deployment: Deployment }
  /** ECS marked the rollout FAILED (and is not rolling back by itself), or the service went away. */
  | { result: 'failed'; reason: string }
  /** The deployment is gone or no longer PRIMARY: the circuit breaker (or another deploy) replaced it. */
  | { result: 'replaced'; reason: string; replacedBy?: Deployment }
  | { result: 'tasks-stopped'; reason: string }
  | { result: 'timeout'; reason: string }
  /** ECS rolled the deployment back and the rollback succeeded (circuit breaker, alarm, hook, StopServiceDeployment). */
  | { result: 'rolled-back'; reason: string; by?: 'CodeDeploy'; message?: string }
  /** A PAUSE hook holds the deployment, and the wait was asked to stop there (`wait-until: paused`). */
  | { result: 'paused'; reason: string; serviceDeploymentArn: string; hookId: string; stage: string };

export interface WaitResult {
  outcome: WaitOutcome;
  elapsedMs: number;
  /** The last description of the service, for the summary's events. */
  service?: Service;
  /** The stopped tasks of the deployment seen at the last check. */
  stoppedTaskArns: string[];
  /** Those of them that count as failed (see isFailedTask). */
  failedTaskArns: string[];
  /** The follower that produced this result, when it fell back from another one. */
  followedWith?: string;
  /** The service deployment followed (service-deployments API only). */
  serviceDeploymentArn?: string;
  serviceDeployment?: ServiceDeployment;
  /** What was seen over time, for the summary's gantt. */
  timeline?: Timeline;
  /** The tasks of the new revision are started by this (a CodeDeploy task set), not by the deployment id. */
  tasksStartedBy?: string;
  /** The rollback deployment the deployment system ran itself (CodeDeploy), when it did. */
  rollbackDeploymentId?: string;
}

/** 1 s for the first minute (completion is reported within 2 s), then 2 s: at most one DescribeServices a second. */
export function defaultInterval(elapsedMs: number): number {
  return elapsedMs < 60_000 ? 1000 : 2000;
}

/** A throttled or failing ECS API gets more room after each failed poll, up to this (before the ±50% jitter). */
const MAX_BACKOFF_MS = 5000;
/** Stopped tasks are counted after any change in the deployment or its events, and at least this often. */
const STOPPED_TASKS_CHECK_MS = 10_000;
/** How long a deployment UpdateService just returned may be missing from DescribeServices before it counts as gone. */
const NOT_LISTED_GRACE_MS = 15_000;
/** After the circuit breaker marks a rollout FAILED with rollback on, ECS starts the rollback within moments. */
const ECS_ROLLBACK_GRACE_MS = 60_000;

/**
 * Follows one deployment until it completes or fails, printing each new service event once and one line per
 * change of the deployment's counts. Throttling and 5xx never end the wait; credential errors end it at once.
 */
export async function waitForDeployment(options: WaitOptions): Promise<WaitResult> {
  const { ecs, clock, log, deploymentId, maxFailedTasks, seenEventIds } = options;
  const pollEcs = options.pollEcs ?? ecs;
  const random = options.random ?? Math.random;
  const baseInterval = options.interval ?? defaultInterval;
  const started = clock.now();
  let service: Service | undefined;
  let stoppedTaskArns: string[] = [];
  let failedTaskArns: string[] = [];
  const since = options.startedAt ?? started;
  // Whether each stopped task counts as failed, decided once per task when ECS reports its stop time.
  const failedByArn = new Map<string, boolean>();
  let failingApiCalls = 0;
  let lastState: string | undefined;
  let lastStoppedCheck = started;
  let failedSince: number | undefined;
  let seen = false;
  const timeline = options.timeline ?? new Timeline();

  const elapsed = () => `${Math.round((clock.now() - started) / 1000)}s`;

  async function ridingOut<T>(call: () => Promise<T>, what: string): Promise<T | undefined> {
    try {
      const value = await call();
      failingApiCalls = 0;
      return value;
    } catch (error) {
      if (!isTransientAwsError(error)) throw error;
      if (failingApiCalls === 0) log.warning(`${what} failed (${errorMessage(error)}); still waiting, with back-off`);
      failingApiCalls++;
      return undefined;
    }
  }

  async function attempt(): Promise<WaitOutcome | undefined> {
    const described = await ridingOut(() => describeService(pollEcs, options, options.region), 'DescribeServices');
    if (!described) return undefined;
    service = described;
    const newEvents = printNewEvents(service.events ?? [], seenEventIds, log);

    if (service.status !== 'ACTIVE') return { result: 'failed', reason: `the service is ${service.status}` };
    const deployment = service.deployments?.find((candidate) => candidate.id === deploymentId);
    if (!deployment && !seen && clock.now() - started < NOT_LISTED_GRACE_MS) {
      // DescribeServices is eventually consistent: right after UpdateService it may not list the deployment yet.
      return undefined;
    }
    seen ||= deployment !== undefined;
    timeline.observeService(service, deploymentId, clock.now());
    if (!deployment || deployment.status !== 'PRIMARY') return replaced(service, deployment);

    const state = describeDeployment(deployment);
    const changed = state !== lastState || newEvents > 0;
    if (state !== lastState)
      log.info(`[${elapsed()}] ${deploymentId} (${revisionLabel(deployment.taskDefinition)}): ${state}`);
    lastState = state;

    if (isSteady(service, deployment)) return { result: 'completed', deployment };
    if (deployment.rolloutState === 'FAILED') {
      const reason = `ECS marked the rollout FAILED: ${deployment.rolloutStateReason?.replace(/\.$/, '') ?? 'no reason given'}`;
      failedSince ??= clock.now();
      if (!ecsRollsBack(service) || clock.now() - failedSince >= ECS_ROLLBACK_GRACE_MS)
        return { result: 'failed', reason };
      // ECS is about to roll back: counting stopped tasks now would start a second rollback next to its own.
      return undefined;
    }

    if (changed || clock.now() - lastStoppedCheck >= STOPPED_TASKS_CHECK_MS) {
      lastStoppedCheck = clock.now();
      const arns = await ridingOut(
        () => listStoppedTasks(ecs, options.cluster, deploymentId, STOPPED_TASKS_LIMIT),
        'ListTasks',
      );
      if (arns) {
        stoppedTaskArns = arns;
        await classifyStoppedTasks(arns.filter((arn) => !failedByArn.has(arn)));
        failedTaskArns = arns.filter((arn) => failedByArn.get(arn) === true);
      }
      if (failedTaskArns.length >= maxFailedTasks) {
        return {
          result: 'tasks-stopped',
          reason: `${plural(failedTaskArns.length, 'task')} of deployment ${deploymentId} stopped (max-failed-tasks is ${maxFailedTasks})`,
        };
      }
    }
    return undefined;
  }

  async function classifyStoppedTasks(arns: string[]): Promise<void> {
    if (arns.length === 0) return;
    const tasks = await ridingOut(() => describeTasks(ecs, options.cluster, arns), 'DescribeTasks');
    // A task still stopping has no stop time yet: it is looked at again on the next check.
    for (const task of tasks ?? []) if (task.stoppedAt) failedByArn.set(task.taskArn, isFailedTask(task, since));
  }

  let polled;
  try {
    polled = await poll({
      clock,
      timeoutMs: options.timeoutMs,
      // Jittered: deploys throttled together (one account's bucket) do not poll again together.
      interval: (elapsedMs) =>
        failingApiCalls === 0
          ? baseInterval(elapsedMs)
          : Math.round(Math.min(baseInterval(elapsedMs) * 2 ** failingApiCalls, MAX_BACKOFF_MS) * (0.5 + random())),
      attempt,
      signal: options.signal,
    });
  } catch (error) {
    if (!isDeadline(error)) throw error;
    // The deadline passed mid-call (an endpoint that stopped answering, say): a timeout, so the rollback still runs.
    const reason = `the deployment did not complete within ${formatMinutes(options.budgetMs ?? options.timeoutMs)} (${error.message})`;
    timeline.end(clock.now());
    return {
      outcome: { result: 'timeout', reason },
      elapsedMs: clock.now() - started,
      service,
      stoppedTaskArns,
      failedTaskArns,
      timeline,
    };
  }
  const outcome: WaitOutcome = polled.done
    ? polled.value
    : {
        result: 'timeout',
        reason: `the deployment did not complete within ${formatMinutes(options.budgetMs ?? options.timeoutMs)}`,
      };
  timeline.end(clock.now());
  return { outcome, elapsedMs: polled.elapsedMs, service, stoppedTaskArns, failedTaskArns, timeline };
}

/** The circuit breaker or a CloudWatch alarm rolls a FAILED rollout back by itself when its rollback is on. */
export function ecsRollsBack(service: Service): boolean {
  const configuration = service.deploymentConfiguration;
  const alarms = configuration?.alarms;
  return (
    configuration?.deploymentCircuitBreaker?.rollback === true || (alarms?.enable === true && alarms.rollback === true)
  );
}

function replaced(service: Service, deployment: Deployment | undefined): WaitOutcome {
  const replacedBy = primaryDeployment(service);
  const by = replacedBy
    ? `deployment ${replacedBy.id} (${revisionLabel(replacedBy.taskDefinition)}) replaced it`
    : 'no deployment replaced it';
  const how = deployment ? `is no longer PRIMARY (${deployment.status})` : 'is gone';
  const why = deployment?.rolloutStateReason ? `: ${deployment.rolloutStateReason.replace(/\.$/, '')}` : '';
  return { result: 'replaced', replacedBy, reason: `the deployment ${how}${why}; ${by}` };
}

/** Steady: the deployment is the only one left, its rollout COMPLETED (when ECS reports one) and all tasks run. */
function isSteady(service: Service, deployment: Deployment): boolean {
  const live = (service.deployments ?? []).filter((candidate) => candidate.status !== 'INACTIVE');
  if (live.length !== 1) return false;
  if (deployment.rolloutState !== undefined && deployment.rolloutState !== 'COMPLETED') return false;
  return (deployment.runningCount ?? 0) === (deployment.desiredCount ?? 0);
}

export function describeDeployment(deployment: Deployment): string {
  const parts = [
    `${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running`,
    `${deployment.pendingCount ?? 0} pending`,
  ];
  if (deployment.failedTasks) parts.push(`${deployment.failedTasks} failed`);
  if (deployment.rolloutState) parts.push(`rollout ${deployment.rolloutState}`);
  return parts.join(', ');
}

/** Prints events not seen before, oldest first (ECS lists them newest first); returns how many. */
function printNewEvents(events: ServiceEvent[], seen: Set<string>, log: Logger): number {
  const fresh = events.filter((event) => event.id && !seen.has(event.id)).reverse();
  for (const event of fresh) {
    seen.add(event.id!);
    const at = event.createdAt ? `${event.createdAt.toISOString().slice(11, 19)}Z ` : '';
    log.info(`${at}${event.message ?? ''}`);
  }
  return fresh.length;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  return Number.isInteger(minutes) ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${ms / 1000} s`;
}
