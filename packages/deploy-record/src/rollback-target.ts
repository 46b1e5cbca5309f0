import type { DeployTag } from './deploy-tags.js';
import { environmentTags } from './deploy-tags.js';

/** One entry of a service's deployment history (ListServiceDeployments + DescribeServiceDeployments). */
export interface ServiceDeploymentFacts {
  arn: string;
  /** PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ... */
  status: string;
  createdAt: Date;
  /** The task definition of the deployment's target service revision. */
  taskDefinitionArn: string;
  /** The revision's images as `<container>=<image>@<digest>` (DescribeServiceRevisions' containerImages). */
  images?: string[];
}

export type RollbackTarget =
  | {
      source: 'service-deployments';
      taskDefinitionArn: string;
      images: string[];
      /** The deployment that put the target revision live, and the one live now. */
      deploymentArn: string;
      currentDeploymentArn: string;
      currentTaskDefinitionArn: string;
    }
  | { source: 'deploy-tags'; commit: string; run: number; currentCommit: string; currentRun: number };

/**
 * The revision a one-click rollback goes back to: the newest SUCCESSFUL deployment before the live revision (that of
 * the newest SUCCESSFUL deployment) first went live. A deployment ECS rolled back (ROLLBACK_SUCCESSFUL,
 * ROLLBACK_FAILED), or that was stopped or failed, never ran as the service's revision, so it is skipped. So is one
 * undone by a deployment back to a revision that ran before it (deploy-ecs's rollback after failed checks, an
 * earlier rollback.yml): rolling back twice goes further back, never forward to the revision just undone.
 */
export function rollbackFromServiceDeployments(history: ServiceDeploymentFacts[]): RollbackTarget | undefined {
  const oldestFirst = history
    .filter((deployment) => deployment.status === 'SUCCESSFUL')
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const current = oldestFirst.at(-1);
  if (current === undefined) return undefined;
  const firstLive = oldestFirst.findIndex((deployment) => deployment.taskDefinitionArn === current.taskDefinitionArn);
  const target = oldestFirst[firstLive - 1];
  if (target === undefined) return undefined;
  return {
    source: 'service-deployments',
    taskDefinitionArn: target.taskDefinitionArn,
    images: target.images ?? [],
    deploymentArn: target.arn,
    currentDeploymentArn: current.arn,
    currentTaskDefinitionArn: current.taskDefinitionArn,
  };
}

/**
 * Without a service-deployment history: the commit deployed before the live commit (that of the newest
 * `deployed/<env>/*` tag) was first deployed, skipping a re-deploy and a commit undone by a rollback to an older one.
 */
export function rollbackFromDeployTags(tags: DeployTag[], environment: string): RollbackTarget | undefined {
  const oldestFirst = environmentTags(tags, environment).reverse();
  const current = oldestFirst.at(-1);
  if (current === undefined) return undefined;
  const target = oldestFirst[oldestFirst.findIndex((tag) => tag.sha === current.sha) - 1];
  if (target === undefined) return undefined;
  return {
    source: 'deploy-tags',
    commit: target.sha,
    run: target.run,
    currentCommit: current.sha,
    currentRun: current.run,
  };
}
