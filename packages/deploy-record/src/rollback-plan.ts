import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  type ECSClient,
  type ServiceRevision,
} from '@aws-sdk/client-ecs';
import { errorMessage, UserError } from '@ecs-actions/action-kit';
import { short } from './changelog.js';
import type { DeployTag } from './deploy-tags.js';
import {
  rollbackFromDeployTags,
  rollbackFromServiceDeployments,
  type ServiceDeploymentFacts,
} from './rollback-target.js';

/** Where a rollback plan reads the deploy history: ECS and ECR (the deploy role), and the deployed/<env>/* tags. */
export interface RollbackPlanSources {
  ecs: ECSClient;
  ecr: ECRClient;
  /** The environment's deploy tags; throws when the token cannot read them. */
  deployTags(): Promise<DeployTag[]>;
}

export interface RollbackPlanRequest {
  environment: string;
  cluster: string;
  service: string;
  /** The container whose image the plan names (the one the template renders the image into). */
  container: string;
}

export type RollbackPlan =
  /** Deploy an existing task-definition revision as it is (rollback.yml's task-definition). */
  | {
      kind: 'revision';
      source: 'service-deployments';
      taskDefinitionArn: string;
      /** The container's image as ECS resolved it when that revision went live. */
      image?: string;
      digest?: string;
      /** The full commit when a deploy tag names it, else the short one the image is tagged with. */
      commit?: string;
      currentTaskDefinitionArn: string;
      deploymentArn: string;
      notes: string[];
    }
  /** Render the image of an earlier deploy's commit from the template (rollback.yml's image). */
  | {
      kind: 'image';
      source: 'deploy-tags';
      image: string;
      digest: string;
      commit: string;
      run: number;
      currentCommit: string;
      currentRun: number;
      notes: string[];
    }
  | { kind: 'none'; reason: string; notes: string[] };

/** Full pages of ListServiceDeployments read at most: 1,000 SUCCESSFUL deployments reach back far enough. */
const MAX_PAGES = 10;
const COMMIT_TAG = /^[0-9a-f]{7,40}$/;

/**
 * What a one-click rollback of the environment deploys, read before anything changes: the revision of the previous
 * successful deploy from ECS's service-deployment history, else the image of the previous `deployed/<env>/*` tag's
 * commit. Reads only; the caller prints it and deploys it (or stops, in a dry run).
 */
export async function planRollback(sources: RollbackPlanSources, request: RollbackPlanRequest): Promise<RollbackPlan> {
  const notes: string[] = [];
  let tags: DeployTag[] | undefined;
  const readTags = async () => {
    if (tags) return tags;
    try {
      tags = await sources.deployTags();
    } catch (error) {
      notes.push(`deployed/${request.environment}/* tags not readable: ${errorMessage(error)}`);
      tags = [];
    }
    return tags;
  };

  let history: ServiceDeploymentFacts[] | undefined;
  try {
    history = await serviceDeploymentHistory(sources.ecs, request);
  } catch (error) {
    // A role without ecs:ListServiceDeployments or ecs:DescribeServiceRevisions, or a service older than the API:
    // the tags still say what ran. A service that does not exist fails below, on DescribeServices.
    notes.push(`service-deployment history not readable (${errorMessage(error)}); using the deploy tags`);
  }
  const target = history && rollbackFromServiceDeployments(history);
  if (target?.source === 'service-deployments') {
    const image = imageOf(target.images, request.container);
    const commit = image && (await commitOf(sources.ecr, image, await readTags(), notes));
    return {
      kind: 'revision',
      source: 'service-deployments',
      taskDefinitionArn: target.taskDefinitionArn,
      image: image?.uri,
      digest: image?.digest,
      commit,
      currentTaskDefinitionArn: target.currentTaskDefinitionArn,
      deploymentArn: target.deploymentArn,
      notes,
    };
  }
  if (history) notes.push('no earlier successful service deployment ran another revision; using the deploy tags');

  const tagTarget = rollbackFromDeployTags(await readTags(), request.environment);
  if (tagTarget?.source !== 'deploy-tags') {
    return {
      kind: 'none',
      reason:
        `no earlier successful deploy of ${request.environment} found (service deployments or ` +
        `deployed/${request.environment}/* tags): give rollback.yml a task-definition or an image`,
      notes,
    };
  }
  const repository = await currentRepository(sources.ecs, request);
  const tag = short(tagTarget.commit);
  const digest = await digestOfTag(sources.ecr, repository.name, tag);
  if (digest === undefined) {
    return {
      kind: 'none',
      reason:
        `deployed/${request.environment}/${tagTarget.run} is commit ${tag}, but ${repository.name} holds no image ` +
        `tagged ${tag} (build-push-digest's default tag): give rollback.yml the image`,
      notes,
    };
  }
  return {
    kind: 'image',
    source: 'deploy-tags',
    image: `${repository.uri}@${digest}`,
    digest,
    commit: tagTarget.commit,
    run: tagTarget.run,
    currentCommit: tagTarget.currentCommit,
    currentRun: tagTarget.currentRun,
    notes,
  };
}

/** SUCCESSFUL deployments with their revisions' task definitions and images (ListServiceDeployments, DescribeServiceRevisions). */
async function serviceDeploymentHistory(
  ecs: ECSClient,
  request: RollbackPlanRequest,
): Promise<ServiceDeploymentFacts[]> {
  const deployments: Array<{ arn: string; createdAt: Date; revisionArn: string }> = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: request.cluster,
        service: request.service,
        status: ['SUCCESSFUL'],
        maxResults: 100,
        nextToken,
      }),
    );
    for (const entry of answer.serviceDeployments ?? []) {
      if (entry.serviceDeploymentArn && entry.createdAt && entry.targetServiceRevisionArn) {
        deployments.push({
          arn: entry.serviceDeploymentArn,
          createdAt: entry.createdAt,
          revisionArn: entry.targetServiceRevisionArn,
        });
      }
    }
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  const revisions = new Map<string, ServiceRevision>();
  const arns = [...new Set(deployments.map((deployment) => deployment.revisionArn))];
  // DescribeServiceRevisions takes at most 20 ARNs.
  for (let start = 0; start < arns.length; start += 20) {
    const answer = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns.slice(start, start + 20) }),
    );
    for (const revision of answer.serviceRevisions ?? []) revisions.set(revision.serviceRevisionArn!, revision);
  }
  return deployments.flatMap((deployment) => {
    const revision = revisions.get(deployment.revisionArn);
    if (!revision?.taskDefinition) return [];
    return [
      {
        arn: deployment.arn,
        status: 'SUCCESSFUL',
        createdAt: deployment.createdAt,
        taskDefinitionArn: revision.taskDefinition,
        images: (revision.containerImages ?? []).map(
          (image) => `${image.containerName}=${withDigest(image.image ?? '', image.imageDigest)}`,
        ),
      },
    ];
  });
}

/** `<registry>/<repository>@sha256:...` from the image a revision names and the digest ECS resolved. */
function withDigest(image: string, digest: string | undefined): string {
  const name = image.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/:[^:/]+$/, '');
  return digest ? `${name}@${digest}` : image;
}

interface ImageReference {
  uri: string;
  digest?: string;
  /** The repository name in ECR, when the image is in a registry. */
  repository?: string;
}

function parseImage(uri: string): ImageReference {
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(uri)?.[1];
  const name = uri.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/:[^:/]+$/, '');
  const slash = name.indexOf('/');
  const host = slash === -1 ? '' : name.slice(0, slash);
  return { uri, digest, repository: /[.:]/.test(host) ? name.slice(slash + 1) : undefined };
}

/** The container's image among `name=image` entries; the only image when the container is not named. */
function imageOf(images: string[], container: string): ImageReference | undefined {
  const entries = images.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]);
  const chosen = entries.find(([name]) => name === container) ?? (entries.length === 1 ? entries[0] : undefined);
  return chosen && parseImage(chosen[1]!);
}

/**
 * The commit an image was built from: build-push-digest tags it with the short commit SHA, and the deploy tag of
 * that commit gives the full one. Undefined (with a note) when neither says.
 */
async function commitOf(
  ecr: ECRClient,
  image: ImageReference,
  tags: DeployTag[],
  notes: string[],
): Promise<string | undefined> {
  if (!image.repository || !image.digest) return undefined;
  let imageTags: string[];
  try {
    const answer = await ecr.send(
      new DescribeImagesCommand({ repositoryName: image.repository, imageIds: [{ imageDigest: image.digest }] }),
    );
    imageTags = answer.imageDetails?.[0]?.imageTags ?? [];
  } catch (error) {
    notes.push(`the image's tags are not readable, so its commit is not known: ${errorMessage(error)}`);
    return undefined;
  }
  const commits = imageTags.filter((tag) => COMMIT_TAG.test(tag));
  for (const commit of commits) {
    const full = tags.find((tag) => tag.sha.startsWith(commit));
    if (full) return full.sha;
  }
  if (commits[0] !== undefined) return commits[0];
  notes.push(`no tag of ${image.repository}@${image.digest} names a commit (tags: ${imageTags.join(', ') || 'none'})`);
  return undefined;
}

/** The ECR repository of the image the service runs now: the earlier commit's image is looked for in it. */
async function currentRepository(ecs: ECSClient, request: RollbackPlanRequest): Promise<{ name: string; uri: string }> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: request.cluster, services: [request.service] }),
  );
  const taskDefinition = services?.[0]?.taskDefinition;
  if (!taskDefinition) {
    throw new UserError(`Service ${request.service} not found in cluster ${request.cluster}`);
  }
  const { taskDefinition: definition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  const containers = definition?.containerDefinitions ?? [];
  const container = containers.find((entry) => entry.name === request.container) ?? containers[0];
  const image = parseImage(container?.image ?? '');
  if (!image.repository) {
    throw new UserError(
      `The image of container ${container?.name ?? request.container} (${container?.image ?? 'none'}) is not in a ` +
        'registry repository: give rollback.yml the image',
    );
  }
  return { name: image.repository, uri: image.uri.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/:[^:/]+$/, '') };
}

async function digestOfTag(ecr: ECRClient, repository: string, tag: string): Promise<string | undefined> {
  try {
    const answer = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
    );
    return answer.imageDetails?.[0]?.imageDigest;
  } catch (error) {
    if (error instanceof Error && error.name === 'ImageNotFoundException') return undefined;
    throw error;
  }
}

/** The plan as one line, printed before anything changes: `Rollback plan for prod: would go to ... (digest, commit)`. */
export function describeRollbackPlan(plan: RollbackPlan, environment: string): string {
  if (plan.kind === 'none') return `Rollback plan for ${environment}: nothing to go back to; ${plan.reason}`;
  const commit = plan.commit ? `commit ${short(plan.commit)}` : 'commit not known';
  if (plan.kind === 'revision') {
    return (
      `Rollback plan for ${environment}: would go to ${revisionName(plan.taskDefinitionArn)} ` +
      `(${plan.digest ?? 'digest not known'}, ${commit}), the revision of the previous successful deployment; ` +
      `${environment} runs ${revisionName(plan.currentTaskDefinitionArn)} now`
    );
  }
  return (
    `Rollback plan for ${environment}: would go to image ${plan.image} (${plan.digest}, ${commit}), rendered from ` +
    `the template as deployed/${environment}/${plan.run}; ${environment} runs commit ${short(plan.currentCommit)} ` +
    `(deployed/${environment}/${plan.currentRun}) now`
  );
}

/** `family:revision` from a task-definition ARN. */
function revisionName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
