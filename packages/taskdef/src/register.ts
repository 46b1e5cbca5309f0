import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { UserError, parseImageReference } from '@ecs-actions/action-kit';
import { awsMessageOf, isAwsError, isAwsRequestRefused, sendWithBackoff, type BackoffOptions } from '@ecs-actions/aws';
import { isSameTaskDefinition } from './compare.js';
import { fromDescribedTaskDefinition } from './prepare.js';
import { revisionLabel } from './revision.js';

/** Where the registration reports what it did. */
export interface RevisionLogger {
  info(message: string): void;
}

/** The revision a service is moved to, or a one-off task runs. */
export interface TargetTaskDefinition {
  taskDefinitionArn: string;
  /** How it was obtained: registered from the file, an identical revision reused, or named by the input. */
  origin: 'registered' | 'reused' | 'existing';
  images: ContainerImage[];
  /** The revision's containers (names, essential flags), for checks such as run-task's command overrides. */
  containerDefinitions: ContainerDefinition[];
  networkMode?: string;
}

export interface ContainerImage {
  container: string;
  image: string;
  /** `sha256:…` when the image is pinned by digest. */
  digest?: string;
}

export function containerImages(containers: ContainerDefinition[] | undefined): ContainerImage[] {
  return (containers ?? []).map((container) => ({
    container: container.name ?? 'container',
    image: container.image ?? '',
    digest: parseImageReference(container.image ?? '')?.digest,
  }));
}

/**
 * Registers the file's task definition, unless the newest ACTIVE revision of its family has the same content:
 * then that revision is reused, so a re-run does not pile up identical revisions.
 */
export async function registerIfChanged(
  ecs: ECSClient,
  taskDefinition: RegisterTaskDefinitionCommandInput,
  log: RevisionLogger,
  /** Where the file came from, starting the message when ECS refuses it: `Input 'task-definition': web.json`. */
  source?: string,
  /**
   * RegisterTaskDefinition on this one-attempt client with sendWithBackoff (throttling waited out within the
   * signal, 5xx bounded), as parallel deploys in one account need; `ecs` and its SDK retries unless set.
   */
  backoff?: BackoffOptions & { ecs: ECSClient },
): Promise<TargetTaskDefinition> {
  const family = taskDefinition.family!;
  const images = containerImages(taskDefinition.containerDefinitions);
  let latest;
  try {
    // With a family and no revision, DescribeTaskDefinition returns the newest ACTIVE revision.
    latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
  } catch (error) {
    if (!isAwsError(error, 'ClientException')) throw error;
    log.info(`Family ${family} has no active revision yet (${awsMessageOf(error)})`);
  }
  const current = latest?.taskDefinition;
  if (
    current?.taskDefinitionArn &&
    isSameTaskDefinition(fromDescribedTaskDefinition(current, latest?.tags), taskDefinition)
  ) {
    log.info(`${revisionLabel(current.taskDefinitionArn)} already has this content: reusing it, nothing registered`);
    return {
      taskDefinitionArn: current.taskDefinitionArn,
      origin: 'reused',
      images,
      containerDefinitions: taskDefinition.containerDefinitions ?? [],
      networkMode: taskDefinition.networkMode,
    };
  }
  const register = () => (backoff?.ecs ?? ecs).send(new RegisterTaskDefinitionCommand(taskDefinition));
  const registering = backoff ? sendWithBackoff('RegisterTaskDefinition', register, backoff) : register();
  const registered = await registering.catch((error: unknown) => {
    // ECS refusing the file is the input's fault: quote AWS and name the input, never a bug.
    if (source !== undefined && isAwsRequestRefused(error))
      throw new UserError(`${source}: ${error.message}`, { cause: error });
    throw error;
  });
  const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
  if (!taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no taskDefinitionArn');
  log.info(
    `Registered ${revisionLabel(taskDefinitionArn)}` +
      (current?.taskDefinitionArn ? ` (the newest revision was ${revisionLabel(current.taskDefinitionArn)})` : ''),
  );
  return {
    taskDefinitionArn,
    origin: 'registered',
    images,
    containerDefinitions: taskDefinition.containerDefinitions ?? [],
    networkMode: taskDefinition.networkMode,
  };
}

/** Looks up a revision named by `family:revision` or ARN; registers nothing. */
export async function describeExisting(
  ecs: ECSClient,
  reference: string,
  log: RevisionLogger,
  /** What the revision is for, in the log line: `Deploying` (deploy-ecs) or `Running` (run-task). */
  purpose: 'Deploying' | 'Running' = 'Deploying',
): Promise<TargetTaskDefinition> {
  let response;
  try {
    response = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }));
  } catch (error) {
    if (!isAwsError(error, 'ClientException')) throw error;
    throw new UserError(
      `Input 'task-definition': ECS has no task definition ${reference} (${awsMessageOf(error)}); ` +
        'expected an existing family:revision or task definition ARN in this account and region.',
      { cause: error },
    );
  }
  const found = response.taskDefinition;
  if (!found?.taskDefinitionArn) throw new Error(`DescribeTaskDefinition returned no task definition for ${reference}`);
  if (found.status !== 'ACTIVE') {
    throw new UserError(
      `Input 'task-definition': ${revisionLabel(found.taskDefinitionArn)} is ${found.status}; ECS does not ` +
        (purpose === 'Deploying' ? 'move a service to' : 'start new tasks from') +
        ' a deregistered revision. Use an ACTIVE revision or register this one again.',
    );
  }
  log.info(`${purpose} existing revision ${revisionLabel(found.taskDefinitionArn)}: nothing registered`);
  return {
    taskDefinitionArn: found.taskDefinitionArn,
    origin: 'existing',
    images: containerImages(found.containerDefinitions),
    containerDefinitions: found.containerDefinitions ?? [],
    networkMode: found.networkMode,
  };
}
