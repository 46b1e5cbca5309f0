// What other actions and workflows reuse: the waiter, the rollback and the pre-flight checks.
export { waitForDeployment, defaultInterval } from './waiter.js';
export type { WaitOptions, WaitOutcome, WaitResult } from './waiter.js';
export { describeServicesFollower } from './follower.js';
export type { DeploymentFollower, FollowRequest, InFlightRollback } from './follower.js';
export { rollBack, followRollback } from './rollback.js';
export type { RollbackOptions, RollbackResult } from './rollback.js';
export { preflight, checkAccount } from './preflight.js';
export type { ServiceBefore } from './preflight.js';
export { listStoppedTasks, describeStoppedTasks, describeStoppedTask } from './diagnose.js';
export type { StoppedTask } from './diagnose.js';
export type { Logger, ServiceRef } from './service.js';
export { rollOut } from './deploy.js';
export type { DeployContext, DeployRequest, DeployResult } from './deploy.js';
export { serviceDeploymentsFollower } from './service-deployments.js';
export { budgetInterval } from './pacing.js';
