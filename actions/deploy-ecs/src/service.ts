import { DescribeServicesCommand, type Deployment, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { UserError } from '@ecs-actions/action-kit';
import { isAwsError } from '@ecs-actions/aws';

/** Where the service lives, as the user named it (name or ARN). */
export interface ServiceRef {
  cluster: string;
  service: string;
}

/** One line a log can print for the user: the waiter, pre-flight and rollback all write through it. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  /** A notice annotation on a runner (a fallback the user may want to fix); info unless set. */
  notice?(message: string): void;
}

export async function describeService(ecs: ECSClient, ref: ServiceRef, region: string): Promise<Service> {
  let response;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }));
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFoundException')) {
      throw new UserError(
        `Cluster '${ref.cluster}' was not found in ${region}; check the cluster input and the region.`,
        { cause: error },
      );
    }
    throw error;
  }
  const service = response.services?.[0];
  if (!service) {
    const reason = response.failures?.[0]?.reason ?? 'MISSING';
    throw new UserError(
      `Service '${ref.service}' was not found in cluster '${ref.cluster}' (${region}): ${reason}. ` +
        'Check the service and cluster inputs; deploy-ecs updates an existing service, it does not create one.',
    );
  }
  return service;
}

export function primaryDeployment(service: Service): Deployment | undefined {
  return service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
}
