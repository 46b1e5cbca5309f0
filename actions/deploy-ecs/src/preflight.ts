import type { DeploymentCircuitBreaker, ECSClient } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { UserError } from '@ecs-actions/action-kit';
import { revisionLabel } from '@ecs-actions/taskdef';
import { describeService, primaryDeployment, type Logger, type ServiceRef } from './service.js';

/** What the service looked like before the deploy changed anything. */
export interface ServiceBefore {
  serviceName: string;
  desiredCount: number;
  /** The PRIMARY deployment's task definition: what a rollback goes back to. */
  previousTaskDefinitionArn: string;
  previousDeploymentId?: string;
  circuitBreaker: DeploymentCircuitBreaker;
  /** Events already on the service: the waiter prints only newer ones. */
  eventIds: Set<string>;
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
  if (controller !== 'ECS') {
    throw new UserError(
      `Service '${name}' uses the ${controller} deployment controller, which deploy-ecs does not support yet; ` +
        'it deploys services with the ECS (rolling update) controller.',
    );
  }
  const primary = primaryDeployment(service);
  const previousTaskDefinitionArn = primary?.taskDefinition ?? service.taskDefinition;
  if (!previousTaskDefinitionArn) {
    throw new UserError(`Service '${name}' reports no task definition; ECS returned an incomplete description.`);
  }
  const others = (service.deployments ?? []).filter((deployment) => deployment !== primary);
  if (others.length > 0) {
    log.warning(
      `Service '${name}' is still rolling out ${primary?.id ?? 'a deployment'} (${others.length} older ` +
        'deployment(s) draining); this deploy replaces it.',
    );
  }
  const circuitBreaker = service.deploymentConfiguration?.deploymentCircuitBreaker ?? {
    enable: false,
    rollback: false,
  };
  log.info(
    `Service ${name}: ${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks running ` +
      `${revisionLabel(previousTaskDefinitionArn)} (deployment ${primary?.id ?? 'unknown'}); circuit breaker ` +
      `${circuitBreaker.enable ? `on${circuitBreaker.rollback ? ' with rollback' : ' without rollback'}` : 'off'}`,
  );
  return {
    serviceName: name,
    desiredCount: service.desiredCount ?? 0,
    previousTaskDefinitionArn,
    previousDeploymentId: primary?.id,
    circuitBreaker,
    eventIds: new Set((service.events ?? []).flatMap((event) => (event.id ? [event.id] : []))),
  };
}
