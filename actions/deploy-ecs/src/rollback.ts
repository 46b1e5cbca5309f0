import { UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { UserError, errorMessage } from '@ecs-actions/action-kit';
import { isTransientAwsError, sendWithBackoff } from '@ecs-actions/aws';
import { revisionLabel } from '@ecs-actions/taskdef';
import { primaryDeployment } from './service.js';
import { waitForDeployment, type WaitOptions, type WaitResult } from './waiter.js';

/**
 * 5xx and network faults: sent again for longer than a deploy's UpdateService (45 to 90 s of back-off), as the
 * rollback keeps the service up and sending it again asks for the same revision.
 */
const ROLLBACK_SERVER_ERROR_RETRIES = 6;
/** A rollback replaced by another deployment of the same revision is followed this many times at most. */
const MAX_REPLACEMENTS_FOLLOWED = 3;

export interface RollbackOptions extends Omit<WaitOptions, 'deploymentId'> {
  /** The revision to go back to: the PRIMARY task definition before the deploy. */
  taskDefinitionArn: string;
  /** Told the rollback deployment's id as soon as it is known, so a cancel mid-rollback can say which it is. */
  onStarted?: (deploymentId: string) => void;
  /**
   * One attempt per call, for UpdateService, which backs off itself (sendWithBackoff), and the wait's DescribeServices
   * polls (see WaitOptions.pollEcs); `ecs` unless set.
   */
  pollEcs?: ECSClient;
}

export interface RollbackResult {
  /** `rolled-back` only when the service is stable on `taskDefinitionArn` again. */
  status: 'rolled-back' | 'failed';
  /**
   * How: UpdateService to the previous revision (deploy-ecs's own, also after a completed deployment), ECS's
   * in-flight rollback asked with StopServiceDeployment ROLLBACK, or ECS rolling back by itself (circuit breaker,
   * alarm, lifecycle hook); for a CODE_DEPLOY service, CodeDeploy's automatic rollback, StopDeployment with
   * autoRollbackEnabled (in flight), or a CodeDeploy deployment of the previous revision (CreateDeployment).
   */
  method: 'UpdateService' | 'StopServiceDeployment' | 'ECS' | 'CodeDeploy' | 'StopDeployment' | 'CreateDeployment';
  deploymentId: string;
  wait: WaitResult;
  /** One sentence for the log and the error line. */
  message: string;
}

/**
 * Puts the service back on a previous revision and waits until it is stable there, with the same waiter and
 * failure detection as the deploy. Registers nothing.
 */
export async function rollBack(options: RollbackOptions): Promise<RollbackResult> {
  const { ecs, log, cluster, service, taskDefinitionArn } = options;
  log.info(`Rolling back ${service} to ${revisionLabel(taskDefinitionArn)}`);
  const command = new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn });
  // The rollback is what keeps the service up: throttling is waited out until the rollback's deadline, with the
  // same jittered back-off as the deploy's UpdateService (on the one-attempt client, no SDK retries on top).
  const updateEcs = options.pollEcs ?? ecs;
  const response = await sendWithBackoff('UpdateService for the rollback', () => updateEcs.send(command), {
    clock: options.clock,
    signal: options.signal,
    warn: (message) => log.warning(message),
    serverErrorRetries: ROLLBACK_SERVER_ERROR_RETRIES,
  }).catch((error: unknown) => {
    if (!isTransientAwsError(error)) throw error;
    throw new UserError(
      `Could not start the rollback to ${revisionLabel(taskDefinitionArn)}: ECS kept failing (${errorMessage(error)})`,
      { cause: error },
    );
  });
  const deploymentId = response.service && primaryDeployment(response.service)?.id;
  if (!deploymentId) throw new Error('UpdateService returned no PRIMARY deployment for the rollback');
  log.info(`Rollback deployment ${deploymentId} started`);
  options.onStarted?.(deploymentId);
  return { ...(await followRollback({ ...options, deploymentId })), method: 'UpdateService' };
}

/**
 * Waits for a rollback deployment (the action's, or one the ECS circuit breaker started) and tells whether the
 * service ended stable on the previous revision.
 */
export async function followRollback(options: RollbackOptions & { deploymentId: string }): Promise<RollbackResult> {
  const { taskDefinitionArn } = options;
  const previous = revisionLabel(taskDefinitionArn);
  let { deploymentId } = options;
  let wait = await waitForDeployment(options);
  let waitedMs = wait.elapsedMs;
  for (let followed = 0; followed < MAX_REPLACEMENTS_FOLLOWED; followed++) {
    const { outcome } = wait;
    // ECS's own rollback (circuit breaker or alarm) may land after the action's and replace it with a deployment of
    // the same revision: that is still the rollback, so follow it rather than call the rollback failed.
    const replacement = outcome.result === 'replaced' ? outcome.replacedBy : undefined;
    if (!replacement?.id || replacement.taskDefinition !== taskDefinitionArn) break;
    options.log.info(`Deployment ${replacement.id} of ${previous} replaced ${deploymentId}: following it`);
    deploymentId = replacement.id;
    options.onStarted?.(deploymentId);
    wait = await waitForDeployment({ ...options, deploymentId, timeoutMs: Math.max(0, options.timeoutMs - waitedMs) });
    waitedMs += wait.elapsedMs;
  }
  const { outcome } = wait;
  if (outcome.result === 'completed' && outcome.deployment.taskDefinition === taskDefinitionArn) {
    const message = `the service is stable on ${previous} again (deployment ${deploymentId})`;
    options.log.info(`Rolled back: ${message}`);
    return { status: 'rolled-back', method: 'ECS', deploymentId, wait, message };
  }
  const why =
    outcome.result === 'completed'
      ? `deployment ${deploymentId} settled on ${revisionLabel(outcome.deployment.taskDefinition)}, not ${previous}`
      : outcome.reason;
  const message = `the rollback to ${previous} did not complete: ${why}`;
  options.log.warning(message);
  return { status: 'failed', method: 'ECS', deploymentId, wait, message };
}
