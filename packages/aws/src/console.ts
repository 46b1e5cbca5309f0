/*
 * Links into the AWS console for job summaries, log lines and Slack messages. The console has one host per
 * partition, with the region as a subdomain.
 */

/** The console host of the region's partition: GovCloud and China have their own. */
export function consoleHost(region: string): string {
  if (region.startsWith('us-gov-')) return 'console.amazonaws-us-gov.com';
  if (region.startsWith('cn-')) return 'console.amazonaws.cn';
  return 'console.aws.amazon.com';
}

/** The last part of an ARN (`arn:...:service/prod/web` gives `web`), or the name itself. */
export function shortName(nameOrArn: string): string {
  return nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);
}

/** A page of the ECS console (v2), e.g. `task-definitions/web/42`. */
export function ecsConsoleUrl(region: string, path: string): string {
  return `https://${region}.${consoleHost(region)}/ecs/v2/${path}?region=${region}`;
}

/** A tab of a service's page: `deployments`, or `health` (health and metrics). Cluster and service may be ARNs. */
export function ecsServiceConsoleUrl(
  region: string,
  cluster: string,
  service: string,
  tab: 'deployments' | 'health',
): string {
  const path = `clusters/${encodeURIComponent(shortName(cluster))}/services/${encodeURIComponent(shortName(service))}`;
  return ecsConsoleUrl(region, `${path}/${tab}`);
}

/** A task definition revision's page. */
export function ecsTaskDefinitionConsoleUrl(region: string, family: string, revision: number): string {
  return ecsConsoleUrl(region, `task-definitions/${encodeURIComponent(family)}/${revision}`);
}
