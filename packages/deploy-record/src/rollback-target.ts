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
  /** The image digests of that revision, when known. */
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
 * The revision a one-click rollback goes back to: the newest SUCCESSFUL deployment before the live one (the newest
 * SUCCESSFUL) that ran another task definition. A deployment ECS rolled back (ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED),
 * or that was stopped or failed, never ran as the service's revision, so it is skipped.
 */
export function rollbackFromServiceDeployments(history: ServiceDeploymentFacts[]): RollbackTarget | undefined {
  const newestFirst = [...history].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const successful = newestFirst.filter((deployment) => deployment.status === 'SUCCESSFUL');
  const [current, ...earlier] = successful;
  if (current === undefined) return undefined;
  const target = earlier.find((deployment) => deployment.taskDefinitionArn !== current.taskDefinitionArn);
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

/** Without a service-deployment history: the commit of the deploy before the newest `deployed/<env>/*` tag. */
export function rollbackFromDeployTags(tags: DeployTag[], environment: string): RollbackTarget | undefined {
  const [current, ...earlier] = environmentTags(tags, environment);
  if (current === undefined) return undefined;
  const target = earlier.find((tag) => tag.sha !== current.sha);
  if (target === undefined) return undefined;
  return {
    source: 'deploy-tags',
    commit: target.sha,
    run: target.run,
    currentCommit: current.sha,
    currentRun: current.run,
  };
}

/** The plan, printed before anything changes. */
export function describeRollbackTarget(target: RollbackTarget | undefined, environment: string): string {
  if (target === undefined) {
    return (
      `No earlier successful deploy of ${environment} found (service deployments or deployed/${environment}/* ` +
      'tags): give rollback.yml a task-definition or an image'
    );
  }
  if (target.source === 'service-deployments') {
    const images = target.images.length > 0 ? `, image ${target.images.join(', ')}` : '';
    return (
      `Rollback plan for ${environment}: from ${target.currentTaskDefinitionArn} (live, ${target.currentDeploymentArn}) ` +
      `to ${target.taskDefinitionArn}${images}, the previous successful deployment ${target.deploymentArn}`
    );
  }
  return (
    `Rollback plan for ${environment}: from commit ${target.currentCommit.slice(0, 7)} (deployed/${environment}/` +
    `${target.currentRun}) to commit ${target.commit.slice(0, 7)} (deployed/${environment}/${target.run})`
  );
}
