import { createHash } from 'node:crypto';
import {
  BatchGetDeploymentTargetsCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type ECSTarget,
} from '@aws-sdk/client-codedeploy';
import type { Service } from '@aws-sdk/client-ecs';
import { UserError, errorMessage, inputError, poll } from '@ecs-actions/action-kit';
import { isAwsError } from '@ecs-actions/aws';
import { revisionLabel } from '@ecs-actions/taskdef';
import { appSpecFor } from './appspec.js';
import { cancelReporter, type CancelReport, type CancelRequest } from './cancel.js';
import type { CodeDeployTarget } from './codedeploy-preflight.js';
import { FailedTasks, PollCalls } from './poll-calls.js';
import type { DeploymentFollower, FollowRequest, InFlightRollback } from './follower.js';
import { budgetInterval } from './pacing.js';
import type { RollbackResult } from './rollback.js';
import { describeService } from './service.js';
import type { WaitOutcome, WaitResult } from './waiter.js';

/**
 * Deploys and follows a CODE_DEPLOY service through CodeDeploy: CreateDeployment with the AppSpec of the revision,
 * then GetDeployment and the deployment's ECS target (lifecycle events, task sets and their traffic weights) until
 * it ends. A Failed or Stopped deployment that CodeDeploy rolled back is `rolled-back` once its rollback deployment
 * succeeded. deploy-ecs's own rollback of a deployment in flight (timeout, failed tasks, cancel) is StopDeployment
 * with autoRollbackEnabled; after a deployment ended without CodeDeploy's rollback, it deploys the previous
 * revision with another CodeDeployment.
 */

const ENDED = new Set(['Succeeded', 'Failed', 'Stopped']);
/** A Failed deployment CodeDeploy rolls back names its rollback deployment within moments. */
const ROLLBACK_NAMED_GRACE_MS = 15_000;
/** Stopped tasks of the green task set are counted after a change, and at least this often. */
const STOPPED_TASKS_CHECK_MS = 10_000;

export function codeDeployConsoleUrl(region: string, deploymentId: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`;
}

export function codeDeployFollower(codedeploy: CodeDeployClient, target: CodeDeployTarget): DeploymentFollower {
  const follower: DeploymentFollower = {
    name: 'CodeDeploy',

    async start(request) {
      return createDeployment(codedeploy, target, request.taskDefinitionArn, request.log);
    },

    follow: (request) => followDeployment(codedeploy, request, target),

    async rollBackInFlight(request, waited) {
      const stopped = await stopDeployment(codedeploy, request.deploymentId, request.log);
      if (!stopped) return undefined;
      // Stopping: green's failed tasks are what the rollback answers, not a reason to roll back again.
      const wait = await followDeployment(codedeploy, request, target, {
        alreadyWaitedMs: waited.elapsedMs,
        countTasks: false,
      });
      return inFlightResult(wait, request.deploymentId);
    },

    async rollBack(request, previousTaskDefinitionArn) {
      const deploymentId = await createDeployment(codedeploy, target, previousTaskDefinitionArn, request.log);
      request.onStarted?.(deploymentId);
      const wait = await followDeployment(
        codedeploy,
        { ...request, deploymentId, startedAt: request.clock.now() },
        target,
      );
      const previous = revisionLabel(previousTaskDefinitionArn);
      if (wait.outcome.result === 'completed') {
        const message = `the service is on ${previous} again (CodeDeploy deployment ${deploymentId})`;
        request.log.info(`Rolled back: ${message}`);
        return { status: 'rolled-back', method: 'CreateDeployment', deploymentId, wait, message } as RollbackResult;
      }
      const message = `the rollback to ${previous} (CodeDeploy deployment ${deploymentId}) did not complete: ${wait.outcome.reason}`;
      request.log.warning(message);
      return { status: 'failed', method: 'CreateDeployment', deploymentId, wait, message } as RollbackResult;
    },

    settleCancel: (request) => settleCodeDeployCancel(codedeploy, request),
  };
  return follower;
}

async function createDeployment(
  codedeploy: CodeDeployClient,
  target: CodeDeployTarget,
  taskDefinitionArn: string,
  log: FollowRequest['log'],
): Promise<string> {
  const content = JSON.stringify(appSpecFor(target.appSpec, taskDefinitionArn));
  let deploymentId: string | undefined;
  try {
    ({ deploymentId } = await codedeploy.send(
      new CreateDeploymentCommand({
        applicationName: target.application,
        deploymentGroupName: target.deploymentGroup,
        description: `deploy-ecs: ${revisionLabel(taskDefinitionArn)}`,
        revision: {
          revisionType: 'AppSpecContent',
          appSpecContent: { content, sha256: createHash('sha256').update(content).digest('hex') },
        },
      }),
    ));
  } catch (error) {
    if (isAwsError(error, 'DeploymentLimitExceededException')) {
      throw new UserError(
        `CodeDeploy refused a new deployment: ${errorMessage(error)}. Wait for it to end (or stop it) and run again.`,
        { cause: error },
      );
    }
    if (isAwsError(error, 'InvalidRevisionException', 'RevisionDoesNotExistException')) {
      throw inputError(
        'codedeploy-appspec',
        `CodeDeploy refused the AppSpec from ${target.appSpecSource}: ${errorMessage(error)}`,
      );
    }
    throw error;
  }
  if (!deploymentId) throw new Error('CreateDeployment returned no deployment id');
  log.info(`CodeDeploy deployment ${deploymentId} started: ${revisionLabel(taskDefinitionArn)}`);
  return deploymentId;
}

/** StopDeployment with CodeDeploy's rollback; false when the deployment had ended already. */
async function stopDeployment(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  log: FollowRequest['log'],
): Promise<boolean> {
  try {
    await codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
  } catch (error) {
    if (!isAwsError(error, 'DeploymentAlreadyCompletedException')) throw error;
    log.warning(`StopDeployment was refused (${errorMessage(error)})`);
    return false;
  }
  log.info(`Asked CodeDeploy to stop ${deploymentId} and roll it back (StopDeployment, autoRollbackEnabled)`);
  return true;
}

function inFlightResult(wait: WaitResult, deploymentId: string): InFlightRollback {
  const { outcome } = wait;
  if (outcome.result === 'rolled-back')
    return {
      status: 'rolled-back',
      method: 'StopDeployment',
      deploymentId: wait.rollbackDeploymentId ?? deploymentId,
      message: `stopped with StopDeployment; ${outcome.message ?? `CodeDeploy rolled the deployment back (${outcome.reason})`}`,
      wait,
    };
  const why = outcome.result === 'completed' ? 'the deployment completed before it could be stopped' : outcome.reason;
  return {
    status: 'failed',
    method: 'StopDeployment',
    deploymentId,
    message: `CodeDeploy's rollback did not complete: ${why}`,
    wait,
  };
}

/** `Install Succeeded` lines, one per change of a lifecycle event, and one for each change of the traffic weights. */
function targetLines(target: ECSTarget, seen: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const event of target.lifecycleEvents ?? []) {
    const name = event.lifecycleEventName ?? '?';
    const status = event.status ?? 'Unknown';
    if (seen.get(name) === status || (status === 'Pending' && !seen.has(name))) continue;
    seen.set(name, status);
    const diagnostics = event.diagnostics?.message
      ? `: ${event.diagnostics.errorCode ?? ''} ${event.diagnostics.message}`
      : '';
    lines.push(`${name} ${status}${diagnostics}`);
  }
  const sets = target.taskSetsInfo ?? [];
  const traffic = sets
    .map(
      (set) =>
        `${set.taskSetLabel ?? '?'} ${set.identifer ?? ''} ${set.trafficWeight ?? 0}% (${set.runningCount ?? 0}/${set.desiredCount ?? 0} running)`,
    )
    .join(', ');
  if (traffic && seen.get('traffic') !== traffic) {
    seen.set('traffic', traffic);
    lines.push(`production traffic: ${traffic}`);
  }
  return lines;
}

/** Follows one CodeDeploy deployment, and the rollback deployment CodeDeploy starts for it, to the end. */
async function followDeployment(
  codedeploy: CodeDeployClient,
  request: FollowRequest,
  target: CodeDeployTarget,
  { alreadyWaitedMs = 0, countTasks = true }: { alreadyWaitedMs?: number; countTasks?: boolean } = {},
): Promise<WaitResult> {
  const { ecs, clock, log, maxFailedTasks } = request;
  const started = clock.now();
  const random = Math.random;
  const seen = new Map<string, string>();
  let deploymentId = request.deploymentId;
  let rollingBack: { failed: DeploymentInfo; reason: string } | undefined;
  let targetId: string | undefined;
  let greenTaskSet: string | undefined;
  let lastStatus: string | undefined;
  let endedAt: number | undefined;
  let near = false;
  let greenStarting = false;
  const calls = new PollCalls(log);
  const ridingOut = <T>(call: () => Promise<T>, what: string) => calls.ride(call, what);
  const failed = new FailedTasks(ecs, request.cluster, request.startedAt, calls, clock);
  const elapsed = () => `${Math.round((clock.now() - started + alreadyWaitedMs) / 1000)}s`;

  async function attempt(): Promise<WaitOutcome | undefined> {
    const response = await ridingOut(
      () => codedeploy.send(new GetDeploymentCommand({ deploymentId })),
      'GetDeployment',
    );
    const info = response?.deploymentInfo;
    if (!info) return undefined;
    const status = info.status ?? 'Unknown';
    let changed = false;
    if (status !== lastStatus) {
      lastStatus = status;
      changed = true;
      const error = info.errorInformation;
      log.info(
        `[${elapsed()}] ${rollingBack ? 'rollback ' : ''}${deploymentId} ${status}${error?.message ? ` (${error.code}: ${error.message})` : ''}`,
      );
      if (status === 'Ready')
        log.info('  waiting for the traffic to be rerouted (ContinueDeployment) before the wait time runs out');
    }
    targetId ??= (
      await ridingOut(
        () => codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId })),
        'ListDeploymentTargets',
      )
    )?.targetIds?.[0];
    if (targetId) {
      const targets = await ridingOut(
        () => codedeploy.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: [targetId!] })),
        'BatchGetDeploymentTargets',
      );
      const ecsTarget = targets?.deploymentTargets?.[0]?.ecsTarget;
      if (ecsTarget) {
        for (const line of targetLines(ecsTarget, seen)) {
          log.info(`[${elapsed()}]   ${line}`);
          changed = true;
        }
        const green = ecsTarget.taskSetsInfo?.find((set) => set.taskSetLabel === 'Green')?.identifer;
        if (!rollingBack && green && green !== greenTaskSet) {
          greenTaskSet = green;
          changed = true;
        }
        const greenSet = ecsTarget.taskSetsInfo?.find((set) => set.identifer === greenTaskSet);
        greenStarting = greenSet !== undefined && (greenSet.runningCount ?? 0) < (greenSet.desiredCount ?? 0);
        near = (ecsTarget.lifecycleEvents ?? []).some(
          (event) => event.lifecycleEventName === 'AllowTraffic' && event.status === 'Succeeded',
        );
      }
    }

    if (rollingBack) {
      if (status === 'Succeeded')
        return {
          result: 'rolled-back',
          by: 'CodeDeploy',
          reason: rollingBack.reason,
          message: `CodeDeploy's rollback deployment ${deploymentId} succeeded: the original task set serves again`,
        };
      if (ENDED.has(status))
        return {
          result: 'failed',
          reason: `CodeDeploy's rollback ${deploymentId} ${status}: ${info.errorInformation?.message ?? 'no reason given'} (the deployment had failed: ${rollingBack.reason})`,
        };
      return undefined;
    }
    if (status === 'Succeeded') return completed();
    if (status === 'Failed' || status === 'Stopped') {
      const error = info.errorInformation;
      const reason = `CodeDeploy deployment ${deploymentId} ${status}${error?.code ? ` (${error.code})` : ''}: ${trimDot(error?.message ?? 'no reason given')}`;
      const rollbackId = info.rollbackInfo?.rollbackDeploymentId;
      if (rollbackId) {
        log.info(`CodeDeploy rolls ${deploymentId} back in deployment ${rollbackId}`);
        rollingBack = { failed: info, reason };
        deploymentId = rollbackId;
        lastStatus = undefined;
        seen.clear();
        targetId = undefined;
        return undefined;
      }
      endedAt ??= clock.now();
      // The rollback deployment may be named a moment later; a Stopped one was stopped by this run, with rollback.
      const expectRollback = target.rollsBackOnFailure || status === 'Stopped';
      if (expectRollback && clock.now() - endedAt < ROLLBACK_NAMED_GRACE_MS) return undefined;
      return { result: 'failed', reason };
    }
    // While green's tasks start, a crash loop shows in no CodeDeploy field: its stopped tasks are counted each poll.
    const due = changed || greenStarting || clock.now() - failed.checkedAt >= STOPPED_TASKS_CHECK_MS;
    if (countTasks && greenTaskSet && due) {
      await failed.count(greenTaskSet);
      const { failedTaskArns } = failed;
      if (failedTaskArns.length >= maxFailedTasks) {
        return {
          result: 'tasks-stopped',
          reason: `${failedTaskArns.length} task${failedTaskArns.length === 1 ? '' : 's'} of the green task set ${greenTaskSet} stopped (max-failed-tasks is ${maxFailedTasks})`,
        };
      }
    }
    return undefined;
  }

  let finalService: Service | undefined;
  async function completed(): Promise<WaitOutcome> {
    finalService = await describeService(ecs, request, request.region);
    const primary = finalService.taskSets?.find((set) => set.status === 'PRIMARY');
    return {
      result: 'completed',
      deployment: { id: deploymentId, status: 'PRIMARY', taskDefinition: primary?.taskDefinition },
    };
  }

  const polled = await poll({
    clock,
    signal: request.signal,
    timeoutMs: request.timeoutMs,
    interval: (elapsedMs) =>
      (request.interval ?? budgetInterval)(elapsedMs, { near, throttled: calls.throttled, random }),
    attempt,
  });
  const outcome: WaitOutcome = polled.done
    ? polled.value
    : {
        result: 'timeout',
        reason: `CodeDeploy deployment ${deploymentId} did not complete within ${Math.round(request.timeoutMs / 60_000)} minutes`,
      };
  finalService ??= await describeService(ecs, request, request.region).catch(() => undefined);
  return {
    outcome,
    elapsedMs: polled.elapsedMs,
    service: finalService,
    stoppedTaskArns: failed.stoppedTaskArns,
    failedTaskArns: failed.failedTaskArns,
    followedWith: 'CodeDeploy',
    tasksStartedBy: greenTaskSet,
    rollbackDeploymentId: rollingBack ? deploymentId : undefined,
  };
}

/**
 * What a cancel leaves: a deployment that ended stays as it is; CodeDeploy's rollback under way goes on; one in
 * flight is stopped with CodeDeploy's rollback (on-cancel: rollback, not waited for) or left (on-cancel: leave).
 */
async function settleCodeDeployCancel(codedeploy: CodeDeployClient, request: CancelRequest): Promise<CancelReport> {
  const { log } = request;
  const report = cancelReporter(request, codeDeployConsoleUrl(request.region, request.deploymentId ?? ''));
  const previous = revisionLabel(request.previousTaskDefinitionArn);
  if (!request.deploymentId) {
    return report(
      'nothing-changed',
      'nothing was changed',
      request.previousTaskDefinitionArn ? `the service still runs ${previous}` : 'the service was not touched',
      undefined,
      `https://${request.region}.console.aws.amazon.com/codesuite/codedeploy/deployments?region=${request.region}`,
    );
  }
  const id = request.deploymentId;
  const target = revisionLabel(request.taskDefinitionArn);
  let info: DeploymentInfo | undefined;
  try {
    info = (await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo;
  } catch (error) {
    log.warning(`Could not read CodeDeploy deployment ${id} after the cancel: ${errorMessage(error)}`);
  }
  const status = info?.status ?? 'unknown';
  const where = `CodeDeploy deployment ${id} of ${target} was ${status}`;
  const rollbackId = info?.rollbackInfo?.rollbackDeploymentId;
  if (rollbackId)
    return report(
      'rollback-continues',
      `${where}; CodeDeploy's rollback deployment ${rollbackId} to ${previous} is under way`,
      'the rollback goes on (not waited for)',
      rollbackId,
    );
  if (status === 'Succeeded') return report('completed', `${where}: ${target} is live`, 'nothing rolled back');
  if (status === 'Failed' || status === 'Stopped')
    return report(
      'needs-attention',
      where,
      'nothing more to do: CodeDeploy did not roll it back; the service needs attention',
    );
  if (request.onCancel === 'leave')
    return report('left-in-progress', where, 'left in progress (on-cancel: leave); CodeDeploy goes on with it');
  try {
    await codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    log.info(
      `Cancelled: asked CodeDeploy to stop ${id} and roll it back (StopDeployment, autoRollbackEnabled); not waiting for it`,
    );
    return report(
      'rollback-started',
      where,
      `stopped with CodeDeploy's rollback to ${previous} (StopDeployment autoRollbackEnabled, not waited for)`,
    );
  } catch (error) {
    log.warning(`Could not stop ${id}: ${errorMessage(error)}`);
    return report(
      'needs-attention',
      where,
      `it could not be stopped (${errorMessage(error)}); the service needs attention`,
    );
  }
}

function trimDot(text: string): string {
  return text.replace(/\.$/, '');
}
