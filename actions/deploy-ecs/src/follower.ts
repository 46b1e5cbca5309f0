import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Clock } from '@ecs-actions/action-kit';
import type { CancelReport, CancelRequest } from './cancel.js';
import type { PaceState } from './pacing.js';
import type { RollbackResult } from './rollback.js';
import type { Logger, ServiceRef } from './service.js';
import { waitForDeployment, type WaitResult } from './waiter.js';

/** What a follower needs to follow one deployment of one service to its end. */
export interface FollowRequest extends ServiceRef {
  ecs: ECSClient;
  clock: Clock;
  log: Logger;
  region: string;
  /** The deployment UpdateService started (`ecs-svc/…`), or the unfinished one being followed. */
  deploymentId: string;
  /** When UpdateService was called (epoch ms): the deployment to follow was created after it. */
  startedAt: number;
  timeoutMs: number;
  /** This many failed tasks of the deployment (see isFailedTask) fail it, with or without a circuit breaker. */
  maxFailedTasks: number;
  /** Event ids already printed (or there before the deploy); shared so a later wait prints no event twice. */
  seenEventIds: Set<string>;
  /** Ends the wait early (cancelled run). */
  signal?: AbortSignal;
  /**
   * The client the follower polls with: one attempt per call, as the follower backs off and jitters throttled polls
   * itself (the SDK's quick retries would spend the account's bucket again while it is empty). `ecs` unless set.
   */
  pollEcs?: ECSClient;
  /** Milliseconds between polls, by time waited so far; the follower's own pacing unless set (tests). */
  interval?: (elapsedMs: number, state?: PaceState) => number;
}

/**
 * Follows one deployment until it completes, fails, is rolled back or times out, printing one line per change.
 * There is one implementation per way a deployment can be followed, chosen once before the wait: DescribeServices
 * (the service's `deployments[]`: every account, every region), and ECS's service-deployments API
 * (ListServiceDeployments and DescribeServiceDeployments: status, lifecycle stage, traffic weights, circuit breaker
 * and alarm counts, rollback reason), and for a CODE_DEPLOY service CodeDeploy (codedeploy.ts), which also starts
 * the deployment, rolls back and settles a cancel its own way; nothing else in deploy-ecs asks which follower it has.
 */
export interface DeploymentFollower {
  /** Named in the log, the outputs (`followed-with`) and the summary. */
  readonly name: string;
  follow(request: FollowRequest): Promise<WaitResult>;
  /**
   * Rolls the followed deployment back while it is still in flight with the deployment system's own rollback
   * (ECS StopServiceDeployment ROLLBACK) and follows that rollback. Undefined when the follower has none, or
   * returns undefined when it cannot here: the caller then puts the previous revision back with UpdateService.
   */
  rollBackInFlight?(request: FollowRequest, waited: WaitResult): Promise<InFlightRollback | undefined>;
  /** Starts the deployment of a revision and returns its id; UpdateService unless set (CodeDeploy: CreateDeployment). */
  start?(request: { taskDefinitionArn: string; log: Logger }): Promise<string>;
  /**
   * deploy-ecs's own rollback once the deployment ended (or could not be rolled back in flight): puts the previous
   * revision back and waits for it; UpdateService unless set (CodeDeploy: a deployment of the previous revision).
   */
  rollBack?(
    request: FollowRequest & { onStarted?: (deploymentId: string) => void },
    previousTaskDefinitionArn: string,
  ): Promise<RollbackResult>;
  /** What a cancel does with the deployment in flight; settleCancel (UpdateService back) unless set. */
  settleCancel?(request: CancelRequest): Promise<CancelReport>;
}

/** The outcome of a rollback the deployment system ran itself. */
export interface InFlightRollback {
  status: 'rolled-back' | 'failed';
  /** How it was asked for; StopServiceDeployment unless set. */
  method?: RollbackResult['method'];
  /** The deployment that rolled back; the service's PRIMARY deployment unless set. */
  deploymentId?: string;
  /** One sentence for the log and the error line. */
  message: string;
  wait: WaitResult;
}

/** Follows the deployment through DescribeServices: what deploy-ecs always did, and the fallback of the others. */
export const describeServicesFollower: DeploymentFollower = {
  name: 'DescribeServices',
  follow: (request) => waitForDeployment(request),
};
