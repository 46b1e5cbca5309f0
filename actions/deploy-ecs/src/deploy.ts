import { UpdateServiceCommand, type ECSClient, type ServiceEvent } from '@aws-sdk/client-ecs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { errorMessage, isCancelled, type Clock } from '@ecs-actions/action-kit';
import { sendWithBackoff } from '@ecs-actions/aws';
import { deniedGroups, deniedNotice, formatTaskLogs, readTaskLogs, type TaskLogs } from '@ecs-actions/logs';
import { revisionLabel } from '@ecs-actions/taskdef';
import { describeStoppedTask, describeStoppedTasks, diagnoseStoppedTasks, type StoppedTask } from './diagnose.js';
import { defaultMaxFailedTasks } from './inputs.js';
import type { ServiceBefore } from './preflight.js';
import type { TargetTaskDefinition } from './register.js';
import { followRollback, rollBack, type RollbackResult } from './rollback.js';
import { primaryDeployment, type Logger, type ServiceRef } from './service.js';
import { describeServicesFollower, type DeploymentFollower, type FollowRequest } from './follower.js';
import type { DeployPhases } from './phases.js';
import type { WaitResult } from './waiter.js';

export type DeployStatus = 'succeeded' | 'unchanged' | 'rolled-back' | 'failed' | 'started' | 'cancelled' | 'paused';

/** Folds a phase of the log; `core.group` on a runner. */
export type Group = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export interface DeployContext {
  ecs: ECSClient;
  /** One attempt per call, for the calls that back off themselves: the follower's polls (see FollowRequest.pollEcs) and UpdateService; `ecs` unless set. */
  pollEcs?: ECSClient;
  clock: Clock;
  log: Logger;
  group: Group;
  region: string;
  /** How the deployment is followed; DescribeServices unless set (see DeploymentFollower). */
  follower?: DeploymentFollower;
  /** Deadlines and cancel, phase by phase; the ECS client reads its signal. No deadline unless set (tests). */
  phases?: DeployPhases;
  /** Milliseconds between polls; each follower's own pacing unless set (tests against the loopback). */
  interval?: FollowRequest['interval'];
  /** Reads the failed tasks' last log lines; none are read unless set (log-lines: 0). */
  logs?: TaskLogReader;
}

/** The failed tasks' container log lines: a CloudWatch Logs client and how many lines per container. */
export interface TaskLogReader {
  client: CloudWatchLogsClient;
  lines: number;
  notice(message: string): void;
}

export interface DeployRequest extends ServiceRef {
  before: ServiceBefore;
  target: TargetTaskDefinition;
  wait: boolean;
  timeoutMs: number;
  rollback: boolean;
  maxFailedTasks?: number;
  forceNewDeployment: boolean;
  desiredCount?: number;
}

export interface DeployResult {
  status: DeployStatus;
  deploymentId?: string;
  /** What went wrong, in one sentence, when the rollout failed. */
  failure?: string;
  rollback?: RollbackResult;
  stoppedTasks: StoppedTask[];
  stoppedTaskCount: number;
  /** The service's most recent events, newest first. */
  events: ServiceEvent[];
  /** The follower that watched the deployment (DeploymentFollower.name). */
  followedWith?: string;
  /** The rollback deployment under way or done, and who started it. */
  rollbackDeploymentId?: string;
  rollbackBy?: 'this run' | 'ECS' | 'CodeDeploy';
  /** The service deployment followed (service-deployments API), and the hook holding it when paused. */
  serviceDeploymentArn?: string;
  hookId?: string;
  /** What the follower saw over time, for the summary's gantt. */
  timeline?: WaitResult['timeline'];
  /** The last log lines of the reported stopped tasks' essential containers (log-lines). */
  taskLogs?: TaskLogs[];
}

const SUMMARY_EVENTS = 10;

/**
 * Moves the service to the target revision, waits, and on failure diagnoses and rolls back. Fills in `result` as
 * it goes, so that outputs and summary tell what happened even when an error ends the run half-way.
 */
export async function rollOut(context: DeployContext, request: DeployRequest, result: DeployResult): Promise<void> {
  const { ecs, log, group } = context;
  const { before, target } = request;

  const sameCount = request.desiredCount === undefined || request.desiredCount === before.desiredCount;
  const primary = before.primary;
  const label = revisionLabel(target.taskDefinitionArn);
  let existing: string | undefined;
  let forceNewDeployment = request.forceNewDeployment;
  if (primary?.taskDefinitionArn === target.taskDefinitionArn && sameCount && !request.forceNewDeployment) {
    if (before.settled) {
      log.info(`${before.serviceName} already runs ${label}: nothing to deploy`);
      Object.assign(result, { status: 'unchanged', deploymentId: primary.id });
      return;
    }
    // A re-run after a failed, cancelled or still running rollout of the same revision must not claim `unchanged`.
    if (primary.rolloutState === 'FAILED' || !primary.id) {
      const why = primary.rolloutStateReason ? `: ${primary.rolloutStateReason.replace(/\.$/, '')}` : '';
      log.info(
        `The rollout of ${label} in deployment ${primary.id ?? ''} FAILED${why}; starting a new deployment of it`,
      );
      forceNewDeployment = true;
    } else {
      existing = primary.id;
      log.info(`Deployment ${existing} of ${label} has not completed yet: following it instead of starting another`);
    }
  }

  const { phases } = context;
  const startedAt = existing ? (primary?.createdAt?.getTime() ?? context.clock.now()) : context.clock.now();
  phases?.enter('update');
  const starter = context.follower?.start;
  const deploymentId =
    existing ??
    (starter
      ? await group('Create deployment', () => starter({ taskDefinitionArn: target.taskDefinitionArn, log }))
      : await group('Update service', () => updateService(context, { ...request, forceNewDeployment })));
  result.deploymentId = deploymentId;
  phases?.enter('wait');
  phases?.context.standing(
    `deployment ${deploymentId} of ${label} ${existing ? 'was under way' : 'started'}; not yet steady ` +
      `(the previous revision is ${revisionLabel(before.previousTaskDefinitionArn)})`,
  );
  if (!request.wait) {
    log.info(`wait is false: deployment ${deploymentId} ${existing ? 'is' : 'started'}, its outcome is not checked`);
    result.status = 'started';
    return;
  }

  const desired = request.desiredCount ?? before.desiredCount;
  const waitOptions = {
    ecs,
    clock: context.clock,
    log,
    region: context.region,
    cluster: request.cluster,
    service: request.service,
    // The rollout's deadline counts from the start of the run (pre-flight included).
    timeoutMs: phases ? phases.rolloutRemaining() : request.timeoutMs,
    budgetMs: request.timeoutMs,
    maxFailedTasks: request.maxFailedTasks ?? defaultMaxFailedTasks(desired),
    seenEventIds: before.eventIds,
    startedAt,
    signal: phases?.signal,
  };
  const follower = context.follower ?? describeServicesFollower;
  result.followedWith = follower.name;
  const followRequest: FollowRequest = {
    ...waitOptions,
    deploymentId,
    interval: context.interval,
    pollEcs: context.pollEcs,
  };
  const waited = await group(`Waiting for deployment ${deploymentId}`, () => follower.follow(followRequest));
  await finishWait(context, request, result, followRequest, follower, waited);
}

/**
 * Reports what the wait found and, when the deployment failed, diagnoses its stopped tasks and rolls back: with the
 * follower's own in-flight rollback (StopServiceDeployment ROLLBACK) while the deployment is still moving, else
 * with UpdateService to the previous revision. Also used by the `continue` mode after ContinueServiceDeployment.
 */
export async function finishWait(
  context: DeployContext,
  request: Pick<DeployRequest, 'cluster' | 'service' | 'before' | 'target' | 'rollback' | 'timeoutMs'>,
  result: DeployResult,
  followRequest: FollowRequest & { budgetMs?: number },
  follower: DeploymentFollower,
  waited: WaitResult,
): Promise<void> {
  const { ecs, log, group, phases } = context;
  const { before, target } = request;
  const { deploymentId, startedAt } = followRequest;
  const waitOptions = followRequest;
  const label = revisionLabel(target.taskDefinitionArn);
  const sameRevision = before.previousTaskDefinitionArn === target.taskDefinitionArn;
  result.followedWith = waited.followedWith ?? follower.name;
  result.serviceDeploymentArn = waited.serviceDeploymentArn;
  result.timeline = waited.timeline;
  result.events = latestEvents(waited);
  const { outcome } = waited;
  if (outcome.result === 'completed') {
    log.info(`Deployment ${deploymentId} completed: ${label} is live`);
    result.status = 'succeeded';
    return;
  }
  if (outcome.result === 'paused') {
    log.info(
      `Deployment ${deploymentId} is paused at ${outcome.stage}: hook ${outcome.hookId} awaits action. Test the new ` +
        'revision on the test listener, then run deploy-ecs with continue: continue (or rollback), ' +
        `service-deployment-arn: ${outcome.serviceDeploymentArn} and hook-id: ${outcome.hookId}.`,
    );
    Object.assign(result, {
      status: 'paused',
      hookId: outcome.hookId,
      serviceDeploymentArn: outcome.serviceDeploymentArn,
    });
    return;
  }
  const rolledBackBy = outcome.result === 'rolled-back' ? (outcome.by ?? 'ECS') : undefined;
  result.failure = rolledBackBy ? `${rolledBackBy} rolled the deployment back: ${outcome.reason}` : outcome.reason;
  log.warning(`Deployment ${deploymentId} failed: ${result.failure}`);

  phases?.startDiagnosis();
  await group('Stopped tasks of the new deployment', async () => {
    try {
      // Listed afresh: the waiter's list may be seconds old and stops counting at max-failed-tasks.
      const startedBy = waited.tasksStartedBy ?? deploymentId;
      const diagnosis = await diagnoseStoppedTasks(ecs, request.cluster, startedBy, startedAt).catch(
        async (error: unknown) => {
          if (waited.stoppedTaskArns.length === 0) throw error;
          log.warning(`Could not list the stopped tasks again (${errorMessage(error)}); using the last list`);
          const arns = waited.stoppedTaskArns;
          return { count: arns.length, tasks: await describeStoppedTasks(ecs, request.cluster, arns) };
        },
      );
      result.stoppedTaskCount = diagnosis.count;
      result.stoppedTasks = diagnosis.tasks;
      if (diagnosis.count === 0) log.info('No task of the new deployment stopped');
      for (const task of result.stoppedTasks) {
        log.info(describeStoppedTask(task));
        if (!context.logs) continue;
        // Why the container died is in its own last lines; reading them never changes the deploy's result.
        const taskLogs = await readTaskLogs(context.logs.client, task.taskArn, target.containerDefinitions, {
          lines: context.logs.lines,
          signal: phases?.signal,
        });
        (result.taskLogs ??= []).push(taskLogs);
        for (const line of formatTaskLogs(taskLogs, context.logs.lines)) log.info(`  ${line}`);
      }
      const denied = deniedGroups(result.taskLogs ?? []);
      if (context.logs && denied.length > 0) context.logs.notice(deniedNotice(denied));
      if (diagnosis.count > result.stoppedTasks.length)
        log.info(`… and ${diagnosis.count - result.stoppedTasks.length} more stopped task(s)`);
    } catch (error) {
      if (isCancelled(error)) throw error;
      // The diagnosis must never stand in the way of the rollback (nor its deadline: it has one of its own).
      log.warning(`Could not describe the stopped tasks: ${errorMessage(error)}`);
    }
  });

  phases?.startRollback();
  const rollbackOptions = {
    ...waitOptions,
    timeoutMs: request.timeoutMs,
    signal: phases?.signal,
    taskDefinitionArn: before.previousTaskDefinitionArn,
    onStarted: (rollbackId: string) => {
      result.rollbackDeploymentId = rollbackId;
      phases?.context.standing(
        `deployment ${deploymentId} of ${label} failed; rollback deployment ${rollbackId} to ` +
          `${revisionLabel(before.previousTaskDefinitionArn)} is under way`,
      );
    },
  };
  const inFlight = outcome.result === 'tasks-stopped' || outcome.result === 'timeout';
  if (outcome.result === 'rolled-back') {
    const by = outcome.by ?? 'ECS';
    const message =
      outcome.message ??
      `${by} rolled the deployment back itself (${outcome.reason}); the service runs the previous revision`;
    log.info(`Rolled back: ${message}`);
    result.rollbackBy = by;
    if (waited.rollbackDeploymentId) result.rollbackDeploymentId = waited.rollbackDeploymentId;
    result.rollback = {
      status: 'rolled-back',
      method: by,
      deploymentId: waited.rollbackDeploymentId ?? deploymentId,
      wait: waited,
      message,
    };
  } else if (outcome.result === 'replaced') {
    if (!outcome.replacedBy?.id) return;
    const replacement = outcome.replacedBy.id;
    result.rollbackBy = 'ECS';
    rollbackOptions.onStarted(replacement);
    result.rollback = await group(`Waiting for rollback deployment ${replacement}`, () =>
      followRollback({ ...rollbackOptions, deploymentId: replacement }),
    );
  } else if (!request.rollback) {
    log.warning('rollback is false: the service is left on the failed deployment');
    return;
  } else if (sameRevision) {
    log.warning(
      `The previous revision is ${revisionLabel(before.previousTaskDefinitionArn)} too: nothing to roll back to`,
    );
    return;
  } else {
    result.rollbackBy = 'this run';
    const ecsRollback =
      inFlight && follower.rollBackInFlight
        ? await group(`Rolling back deployment ${deploymentId} in flight (${follower.name})`, () =>
            follower.rollBackInFlight!({ ...followRequest, signal: phases?.signal ?? followRequest.signal }, waited),
          )
        : undefined;
    result.rollback = ecsRollback
      ? {
          ...ecsRollback,
          method: ecsRollback.method ?? 'StopServiceDeployment',
          deploymentId:
            ecsRollback.deploymentId ?? primaryDeployment(ecsRollback.wait.service ?? {})?.id ?? deploymentId,
        }
      : await group(`Rolling back to ${revisionLabel(before.previousTaskDefinitionArn)}`, () =>
          follower.rollBack
            ? follower.rollBack(
                { ...followRequest, signal: phases?.signal, onStarted: rollbackOptions.onStarted },
                before.previousTaskDefinitionArn,
              )
            : rollBack(rollbackOptions),
        );
    if (ecsRollback?.wait.timeline) result.timeline = ecsRollback.wait.timeline;
  }
  result.status = result.rollback.status;
  result.events = latestEvents(result.rollback.wait, result.events);
}

async function updateService(context: DeployContext, request: DeployRequest): Promise<string> {
  const { log, clock } = context;
  const command = new UpdateServiceCommand({
    cluster: request.cluster,
    service: request.service,
    taskDefinition: request.target.taskDefinitionArn,
    forceNewDeployment: request.forceNewDeployment,
    ...(request.desiredCount !== undefined ? { desiredCount: request.desiredCount } : {}),
  });
  // UpdateService's bucket refills at 5/s per account: 100 deploys at once wait for a token (within the rollout's
  // deadline), on the one-attempt client so that no SDK retry resends it before the back-off.
  const ecs = context.pollEcs ?? context.ecs;
  const response = await sendWithBackoff('UpdateService', () => ecs.send(command), {
    clock,
    signal: context.phases?.signal,
    warn: (message) => log.warning(message),
  });
  const deploymentId = response.service && primaryDeployment(response.service)?.id;
  if (!deploymentId) throw new Error('UpdateService returned no PRIMARY deployment');
  log.info(`Deployment ${deploymentId} started: ${revisionLabel(request.target.taskDefinitionArn)}`);
  return deploymentId;
}

function latestEvents(waited: WaitResult, fallback: ServiceEvent[] = []): ServiceEvent[] {
  return waited.service?.events?.slice(0, SUMMARY_EVENTS) ?? fallback;
}
