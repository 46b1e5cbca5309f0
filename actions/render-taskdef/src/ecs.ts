import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { UserError } from '@ecs-actions/action-kit';
import { awsMessageOf, isAwsError } from '@ecs-actions/aws';
import { fromDescribedTaskDefinition } from '@ecs-actions/taskdef';

export interface RegisteredRevision {
  /** `family:revision` */
  name: string;
  arn: string;
  taskDefinition: RegisterTaskDefinitionCommandInput;
}

/**
 * A registered revision with its tags, as RegisterTaskDefinition input. Given a family, ECS returns its newest
 * ACTIVE revision.
 */
export async function describeRevision(ecs: ECSClient, taskDefinition: string): Promise<RegisteredRevision> {
  let response;
  try {
    response = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
  } catch (error) {
    if (isAwsError(error, 'ClientException')) {
      throw new UserError(
        `Task definition "${taskDefinition}" was not found in ${await ecs.config.region()} (${awsMessageOf(error)}); ` +
          'check the family name and region, or register a first revision from a template',
        { cause: error },
      );
    }
    throw error;
  }
  const described = response.taskDefinition;
  if (!described?.taskDefinitionArn)
    throw new Error(`DescribeTaskDefinition ${taskDefinition} returned no task definition`);
  return {
    name: `${described.family}:${described.revision}`,
    arn: described.taskDefinitionArn,
    taskDefinition: fromDescribedTaskDefinition(described, response.tags),
  };
}

export type RunningRevision = { found: true; revision: RegisteredRevision } | { found: false; reason: string };

/** The revision a service runs now; a service that does not exist yet (a first deploy) is not an error. */
export async function describeRunningRevision(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<RunningRevision> {
  let response;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFoundException')) {
      throw new UserError(
        `Input 'cluster': cluster "${cluster}" was not found in ${await ecs.config.region()}; check the name and region`,
        { cause: error },
      );
    }
    throw error;
  }
  const described = response.services?.[0];
  if (described?.status === 'INACTIVE') {
    return { found: false, reason: `service "${service}" in cluster "${cluster}" is INACTIVE (deleted)` };
  }
  if (!described?.taskDefinition) {
    const failure = response.failures?.[0]?.reason;
    const why =
      failure === 'MISSING' || failure === undefined ? 'does not exist' : `could not be described (${failure})`;
    return { found: false, reason: `service "${service}" in cluster "${cluster}" ${why}` };
  }
  return { found: true, revision: await describeRevision(ecs, described.taskDefinition) };
}
