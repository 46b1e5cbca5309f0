import { DescribeServicesCommand, type Deployment, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { UserError } from '@ecs-actions/action-kit';

/** Where the service lives, as the user named it (name or ARN). */
export interface ServiceRef {
  cluster: string;
  service: string;
}

/** One line a log can print for the user: the waiter, pre-flight and rollback all write through it. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export async function describeService(ecs: ECSClient, ref: ServiceRef, region: string): Promise<Service> {
  let response;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }));
  } catch (error) {
    if ((error as Error).name === 'ClusterNotFoundException') {
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

/** The last part of a cluster or service ARN, or the name itself. */
export function shortName(nameOrArn: string): string {
  return nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);
}

function consoleServicePage(region: string, cluster: string, service: string, tab: string): string {
  // GovCloud and China have their own console hosts.
  const host = region.startsWith('us-gov-')
    ? 'console.amazonaws-us-gov.com'
    : region.startsWith('cn-')
      ? 'console.amazonaws.cn'
      : 'console.aws.amazon.com';
  const path = `clusters/${encodeURIComponent(shortName(cluster))}/services/${encodeURIComponent(shortName(service))}`;
  return `https://${region}.${host}/ecs/v2/${path}/${tab}?region=${region}`;
}

/** The service's Deployments tab in the ECS console. */
export function consoleDeploymentsUrl(region: string, cluster: string, service: string): string {
  return consoleServicePage(region, cluster, service, 'deployments');
}

/** The service's page (health and metrics) in the ECS console. */
export function consoleServiceUrl(region: string, cluster: string, service: string): string {
  return consoleServicePage(region, cluster, service, 'health');
}
