import { UpdateServiceCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { DeadlineError, errorMessage, type Clock } from '@ecs-actions/action-kit';
import { ecsServiceConsoleUrl, sendWithBackoff } from '@ecs-actions/aws';
import { revisionLabel } from '@ecs-actions/taskdef';
import type { Phase } from './phases.js';
import { describeService, primaryDeployment, type Logger, type ServiceRef } from './service.js';
import { describeDeployment, ecsRollsBack } from './waiter.js';

export type OnCancel = 'rollback' | 'leave';

/**
 * What the service is left with after a cancel, as the `cancel-result` output: the workflow's outcome step reads
 * it, so its message says what really happened (a rollback started, one going on, a rollout left or completed).
 */
export type CancelResult =
  'nothing-changed' | 'rollback-started' | 'rollback-continues' | 'left-in-progress' | 'completed' | 'needs-attention';

/** What a cancel found and did, for the summary and the one error line. */
export interface CancelReport {
  /** The signal, e.g. SIGINT. */
  by: string;
  /** The phase the cancel interrupted. */
  phase: Phase;
  /** Where the deployment stood when the cancel came. */
  state: string;
  /** What this run did about it (or let go on). */
  action: string;
  /** The same, as one word for the workflow. */
  result: CancelResult;
  /** A rollback deployment this run started, or the one it let go on. */
  rollbackDeploymentId?: string;
  /** Where to follow the service. */
  followUrl?: string;
}

export interface CancelRequest extends ServiceRef {
  ecs: ECSClient;
  /**
   * One attempt per call, for the rollback's UpdateService, which backs off itself (sendWithBackoff);
   * `ecs` unless set.
   */
  pollEcs?: ECSClient;
  clock: Clock;
  log: Logger;
  /** The final phase's signal (the cancel signal has fired already): it aborts at a second signal or when time is up. */
  signal?: AbortSignal;
  /** Milliseconds left of the final phase when the cancel is settled. */
  finalPhaseMs: number;
  region: string;
  by: string;
  phase: Phase;
  onCancel: OnCancel;
  /** The PRIMARY deployment before this run. */
  beforePrimaryId?: string;
  previousTaskDefinitionArn?: string;
  taskDefinitionArn?: string;
  /** The deployment this run started or followed. */
  deploymentId?: string;
  /** A rollback deployment already under way (this run's, or ECS's that it was following). */
  rollbackDeploymentId?: string;
  /** Who started that rollback. */
  rollbackBy?: 'this run' | 'ECS' | 'CodeDeploy';
}

/** The outputs and the summary are written after the cancel is settled: its back-off ends this long before them. */
const FINAL_PHASE_RESERVE_MS = 1000;

/** How each phase reads after `Cancelled (SIGINT) `. */
export const CANCEL_PHASES: Record<Phase, string> = {
  'pre-flight': 'during pre-flight',
  register: 'while registering the task definition',
  update: 'during UpdateService',
  wait: 'while waiting for the deployment',
  diagnosis: 'while describing the stopped tasks',
  rollback: 'during the rollback',
  final: 'during the final phase',
};

/**
 * Builds the reports of one cancel: who cancelled and in which phase come from the request, `followUrl` is where
 * to follow the service unless a report names another place.
 */
export function cancelReporter(
  request: Pick<CancelRequest, 'by' | 'phase'>,
  followUrl: string,
): (
  result: CancelResult,
  state: string,
  action: string,
  rollbackDeploymentId?: string,
  followAt?: string,
) => CancelReport {
  return (result, state, action, rollbackDeploymentId, followAt = followUrl) => ({
    by: request.by,
    phase: request.phase,
    state,
    action,
    result,
    rollbackDeploymentId,
    followUrl: followAt,
  });
}

/**
 * Decides, within the final phase, what a cancel leaves behind: nothing to undo before UpdateService; a rollback
 * already under way (this run's or ECS's circuit breaker's) goes on; a rollout still in progress is rolled back
 * with UpdateService to the previous revision (on-cancel: rollback, not waited for) or left (on-cancel: leave).
 * The ECS clients must be bound to the final phase's signal.
 */
export async function settleCancel(request: CancelRequest): Promise<CancelReport> {
  const { log, phase } = request;
  const previous = revisionLabel(request.previousTaskDefinitionArn);
  const target = revisionLabel(request.taskDefinitionArn);
  const report = cancelReporter(
    request,
    ecsServiceConsoleUrl(request.region, request.cluster, request.service, 'deployments'),
  );
  const finalClock = clockWithDeadline(
    request.clock,
    request.finalPhaseMs - FINAL_PHASE_RESERVE_MS,
    'the final phase after the cancel',
  );

  if (!request.deploymentId && (phase === 'pre-flight' || phase === 'register')) {
    const runs = request.previousTaskDefinitionArn
      ? `the service still runs ${previous}`
      : 'the service was not touched';
    return report('nothing-changed', 'nothing was changed', runs);
  }

  let service: Service | undefined;
  try {
    service = await describeService(request.ecs, request, request.region);
  } catch (error) {
    log.warning(`Could not describe the service after the cancel: ${errorMessage(error)}`);
  }
  const primary = service && primaryDeployment(service);
  const ours = service?.deployments?.find((deployment) => deployment.id === request.deploymentId);
  const where = ours
    ? `deployment ${ours.id} of ${target} was ${ours.status} (${describeDeployment(ours)})`
    : request.deploymentId
      ? `deployment ${request.deploymentId} of ${target} had started`
      : `UpdateService to ${target} may or may not have been applied`;

  // A rollback under way goes on by itself: ECS finishes a deployment whether or not anyone watches it.
  const rollingBackTo = primary?.taskDefinition === request.previousTaskDefinitionArn;
  const newPrimary = primary?.id !== undefined && primary.id !== request.beforePrimaryId;
  if (primary && rollingBackTo && newPrimary && primary.id !== request.deploymentId) {
    const whose =
      request.rollbackDeploymentId === primary.id && request.rollbackBy === 'this run' ? 'this run’s' : 'ECS’s';
    return report(
      'rollback-continues',
      `${where}; ${whose} rollback deployment ${primary.id} to ${previous} was ${describeDeployment(primary)}`,
      `the rollback goes on (not waited for)`,
      primary.id,
    );
  }
  if (service && ours?.rolloutState === 'FAILED' && ecsRollsBack(service)) {
    return report(
      'rollback-continues',
      `${where}: ECS marked the rollout FAILED`,
      `ECS’s circuit breaker rolls it back to ${previous} by itself; that goes on (not waited for)`,
    );
  }
  if (primary && rollingBackTo && !newPrimary) {
    return report(
      'nothing-changed',
      `UpdateService had not been applied: the service still runs ${previous}`,
      'nothing to undo',
    );
  }
  if (ours && primary?.id === ours.id && ours.rolloutState === 'COMPLETED' && service?.deployments?.length === 1) {
    return report('completed', `${where}: the rollout had completed, ${target} is live`, 'nothing rolled back');
  }
  if (request.onCancel === 'leave') {
    return report(
      'left-in-progress',
      where,
      `left in progress (on-cancel: leave); ECS goes on with it` +
        (service && ecsRollsBack(service) ? ' and its circuit breaker rolls it back if it fails' : ''),
    );
  }
  if (!request.previousTaskDefinitionArn || request.previousTaskDefinitionArn === request.taskDefinitionArn) {
    return report('needs-attention', where, `nothing to roll back to: the previous revision is ${target} too`);
  }
  try {
    const command = new UpdateServiceCommand({
      cluster: request.cluster,
      service: request.service,
      taskDefinition: request.previousTaskDefinitionArn,
    });
    // Throttling is waited out as in the deploy, within the final phase: the cancel signal has fired already.
    const ecs = request.pollEcs ?? request.ecs;
    const response = await sendWithBackoff('UpdateService for the rollback', () => ecs.send(command), {
      clock: finalClock,
      signal: request.signal,
      warn: (message) => log.warning(message),
    });
    const rollbackId = response.service && primaryDeployment(response.service)?.id;
    log.info(`Cancelled: rollback deployment ${rollbackId ?? ''} to ${previous} started; not waiting for it`);
    return report(
      'rollback-started',
      where,
      `rollback to ${previous} started as deployment ${rollbackId ?? '?'} (not waited for)`,
      rollbackId,
    );
  } catch (error) {
    log.warning(`Could not start the rollback to ${previous}: ${errorMessage(error)}`);
    return report(
      'needs-attention',
      where,
      `the rollback to ${previous} could not be started (${errorMessage(error)}); the service needs attention`,
    );
  }
}

/**
 * The clock with a deadline `ms` from now on it: a sleep that would outlast it sleeps until then and rejects with
 * a DeadlineError. On the injected clock, so that a FakeClock runs the final phase's back-off in tests.
 */
function clockWithDeadline(clock: Clock, ms: number, what: string): Clock {
  const at = clock.now() + ms;
  return {
    now: () => clock.now(),
    async sleep(sleepMs, signal) {
      const left = at - clock.now();
      if (sleepMs <= left) return clock.sleep(sleepMs, signal);
      await clock.sleep(Math.max(0, left), signal);
      throw new DeadlineError(`The deadline passed: ${what}`, what);
    },
  };
}

/** The one line a cancelled deploy ends with. */
export function cancelLine(cancel: CancelReport): string {
  return `Cancelled (${cancel.by}) ${CANCEL_PHASES[cancel.phase]}: ${cancel.state}; ${cancel.action}. Follow it at ${cancel.followUrl}`;
}
