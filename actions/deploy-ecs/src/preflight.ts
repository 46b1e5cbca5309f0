import type { Deployment, DeploymentCircuitBreaker, ECSClient, Service } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { UserError } from '@ecs-actions/action-kit';
import { revisionLabel } from '@ecs-actions/taskdef';
import { deploymentPlan, planLines, type DeploymentPlan } from './plan.js';
import { describeService, primaryDeployment, type Logger, type ServiceRef } from './service.js';
import { describeDeployment } from './waiter.js';

/** What the service looked like before the deploy changed anything. */
export interface ServiceBefore {
  serviceName: string;
  /** As DescribeServices returns it: its account is the one the service, and so the deploy, lives in. */
  serviceArn?: string;
  desiredCount: number;
  /**
   * What a rollback goes back to: the task definition of the newest deployment whose rollout COMPLETED (the PRIMARY
   * one when it did), or the PRIMARY one when none did.
   */
  previousTaskDefinitionArn: string;
  previousDeploymentId?: string;
  /** The PRIMARY deployment as it was, finished or not. */
  primary?: {
    id?: string;
    taskDefinitionArn: string;
    rolloutState?: string;
    rolloutStateReason?: string;
    createdAt?: Date;
  };
  /** The PRIMARY deployment COMPLETED and is the only one: the service really runs its revision. */
  settled: boolean;
  circuitBreaker: DeploymentCircuitBreaker;
  /** Events already on the service: the waiter prints only newer ones. */
  eventIds: Set<string>;
  /** Strategy, stages, bake time, traffic steps and hooks of the next deployment. */
  plan: DeploymentPlan;
  /** A CODE_DEPLOY service as described: CodeDeploy deploys it (see codeDeployPreflight for its plan). */
  codeDeployService?: Service;
}

/** Fails, naming both accounts, when the credentials are not for the account the workflow expects. */
export async function checkAccount(sts: STSClient, expectedAccountId: string): Promise<string> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const account = identity.Account ?? 'unknown';
  if (account !== expectedAccountId) {
    throw new UserError(
      `The AWS credentials belong to account ${account}, but expected-account-id is ${expectedAccountId}; ` +
        'nothing was changed. Check role-to-assume in aws-actions/configure-aws-credentials for this environment.',
    );
  }
  return account;
}

/** Checks, before any change, that the service can be deployed by this action, and records the rollback target. */
export async function preflight(ecs: ECSClient, ref: ServiceRef, region: string, log: Logger): Promise<ServiceBefore> {
  const service = await describeService(ecs, ref, region);
  const name = service.serviceName ?? ref.service;
  if (service.status !== 'ACTIVE') {
    throw new UserError(
      `Service '${name}' in cluster '${ref.cluster}' is ${service.status}, not ACTIVE: it is being deleted or was ` +
        'deleted. Create it again or point the service input at an active service.',
    );
  }
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller === 'CODE_DEPLOY') return codeDeployBefore(service, name, log);
  if (controller !== 'ECS') {
    throw new UserError(
      `Service '${name}' uses the ${controller} deployment controller, which deploy-ecs does not deploy; it ` +
        'deploys services with the ECS controller (rolling, blue/green, linear, canary) or CODE_DEPLOY.',
    );
  }
  const primary = primaryDeployment(service);
  const primaryTaskDefinitionArn = primary?.taskDefinition ?? service.taskDefinition;
  if (!primaryTaskDefinitionArn) {
    throw new UserError(`Service '${name}' reports no task definition; ECS returned an incomplete description.`);
  }
  const deployments = (service.deployments ?? []).filter((deployment) => deployment.status !== 'INACTIVE');
  const settled = primary !== undefined && deployments.length === 1 && isFinished(primary);
  const rollbackDeployment = lastFinished(deployments);
  const previousTaskDefinitionArn = rollbackDeployment?.taskDefinition ?? primaryTaskDefinitionArn;
  const circuitBreaker = service.deploymentConfiguration?.deploymentCircuitBreaker ?? {
    enable: false,
    rollback: false,
  };
  log.info(
    `Service ${name}: ${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks running; circuit breaker ` +
      `${circuitBreaker.enable ? `on${circuitBreaker.rollback ? ' with rollback' : ' without rollback'}` : 'off'}`,
  );
  const plan = deploymentPlan(service);
  for (const line of planLines(plan)) log.info(line);
  // The deployments as they are: a PRIMARY deployment whose rollout is not COMPLETED does not run its revision yet.
  for (const deployment of deployments) log.info(`  ${describeDeploymentBefore(deployment)}`);
  if (!settled && deployments.length > 1) {
    log.warning(
      `Service '${name}' is still rolling out ${primary?.id ?? 'a deployment'} (${deployments.length - 1} older ` +
        'deployment(s) draining).',
    );
  }
  if (!rollbackDeployment) {
    log.warning(
      `No deployment of service '${name}' has completed: the rollback target is the PRIMARY deployment's ` +
        `${revisionLabel(primaryTaskDefinitionArn)}, which may not be a working revision.`,
    );
  } else if (rollbackDeployment !== primary) {
    log.warning(
      `The PRIMARY deployment ${primary?.id ?? ''} (${revisionLabel(primaryTaskDefinitionArn)}) has not completed` +
        `${primary?.rolloutState ? ` (rollout ${primary.rolloutState})` : ''}: the rollback target is ` +
        `${revisionLabel(previousTaskDefinitionArn)}, of the last completed deployment ${rollbackDeployment.id ?? ''}.`,
    );
  }
  return {
    serviceName: name,
    serviceArn: service.serviceArn,
    desiredCount: service.desiredCount ?? 0,
    previousTaskDefinitionArn,
    previousDeploymentId: rollbackDeployment?.id ?? primary?.id,
    primary: primary && {
      id: primary.id,
      taskDefinitionArn: primaryTaskDefinitionArn,
      rolloutState: primary.rolloutState,
      rolloutStateReason: primary.rolloutStateReason,
      createdAt: primary.createdAt,
    },
    settled,
    circuitBreaker,
    eventIds: new Set((service.events ?? []).flatMap((event) => (event.id ? [event.id] : []))),
    plan,
  };
}

/**
 * A CODE_DEPLOY service has task sets, not deployments: the PRIMARY one serves production and is the rollback
 * target. Another task set means a CodeDeploy deployment is under way, which CodeDeploy would refuse to overlap.
 */
function codeDeployBefore(service: Service, name: string, log: Logger): ServiceBefore {
  const taskSets = service.taskSets ?? [];
  const primary = taskSets.find((set) => set.status === 'PRIMARY');
  const taskDefinitionArn = primary?.taskDefinition ?? service.taskDefinition;
  if (!taskDefinitionArn) {
    throw new UserError(`Service '${name}' reports no task definition; ECS returned an incomplete description.`);
  }
  log.info(
    `Service ${name} (CODE_DEPLOY): ${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks running; ` +
      `task sets ${taskSets.map((set) => `${set.id ?? '?'} ${set.status ?? ''} ${revisionLabel(set.taskDefinition)}`).join(', ') || 'none'}`,
  );
  if (taskSets.length > 1) {
    const others = taskSets.filter((set) => set !== primary);
    throw new UserError(
      `Service '${name}' has ${taskSets.length} task sets: a CodeDeploy deployment is under way ` +
        `(${others.map((set) => `${set.id ?? '?'} of ${revisionLabel(set.taskDefinition)}${set.externalId ? `, deployment ${set.externalId}` : ''}`).join('; ')}). ` +
        'Wait for it to end or stop it, then run again; nothing was changed.',
    );
  }
  return {
    serviceName: name,
    serviceArn: service.serviceArn,
    desiredCount: service.desiredCount ?? 0,
    previousTaskDefinitionArn: taskDefinitionArn,
    previousDeploymentId: primary?.id,
    primary: {
      id: primary?.id,
      taskDefinitionArn,
      rolloutState: 'COMPLETED',
      createdAt: primary?.createdAt,
    },
    settled: true,
    circuitBreaker: { enable: false, rollback: false },
    eventIds: new Set((service.events ?? []).flatMap((event) => (event.id ? [event.id] : []))),
    plan: deploymentPlan(service),
    codeDeployService: service,
  };
}

/** A rollout that finished: COMPLETED, or where ECS reports no rolloutState, all its tasks running. */
function isFinished(deployment: Deployment): boolean {
  if (deployment.rolloutState !== undefined) return deployment.rolloutState === 'COMPLETED';
  return (deployment.runningCount ?? 0) === (deployment.desiredCount ?? 0);
}

/** The newest finished deployment: the PRIMARY one if it finished, else the most recently created ACTIVE one. */
function lastFinished(deployments: Deployment[]): Deployment | undefined {
  const finished = deployments.filter(isFinished);
  const created = (deployment: Deployment) => deployment.createdAt?.getTime() ?? 0;
  return (
    finished.find((deployment) => deployment.status === 'PRIMARY') ??
    finished.sort((a, b) => created(b) - created(a))[0]
  );
}

/** `ecs-svc/2 PRIMARY web:42: 0/2 running, 0 pending, rollout FAILED (tasks failed to start)` */
function describeDeploymentBefore(deployment: Deployment): string {
  const reason = deployment.rolloutStateReason ? ` (${deployment.rolloutStateReason.replace(/\.$/, '')})` : '';
  return (
    `${deployment.id ?? 'deployment'} ${deployment.status ?? ''} ${revisionLabel(deployment.taskDefinition)}: ` +
    `${describeDeployment(deployment)}${reason}`
  );
}
