import { afterEach, describe, expect, it } from '@jest/globals';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  sampleImageUri,
  sampleTaskDefinition,
  SAMPLE_IMAGE_DIGEST,
  SAMPLE_REPOSITORY,
  startLoopbackAws,
  type LoopbackAws,
  type ScenarioName,
} from '@ecs-actions/loopback-aws';
import { describeRollbackPlan, planRollback, type DeployTag, type RollbackPlanSources } from '../src/index.js';

const CLUSTER = 'demo-prod';
const SERVICE = 'sample-service';
const REQUEST = { environment: 'prod', cluster: CLUSTER, service: SERVICE, container: 'web' };
const PREVIOUS = '1a2b3c4d'.repeat(5);
const CURRENT = '9f8e7d6c'.repeat(5);
const TERMINAL = new Set(['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

async function start() {
  aws = await startLoopbackAws({ stepMs: 10, throttle: false });
  const config = {
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  };
  return { aws, ecs: new ECSClient(config), ecr: new ECRClient(config) };
}

function sources(ecs: ECSClient, ecr: ECRClient, tags: DeployTag[] | Error = []): RollbackPlanSources {
  return { ecs, ecr, deployTags: async () => (tags instanceof Error ? Promise.reject(tags) : tags) };
}

/** Deploys a new revision of prod's task definition and waits until ECS is done with it (whatever the outcome). */
async function deploy(loopback: LoopbackAws, ecs: ECSClient, scenario: ScenarioName = 'completes'): Promise<string> {
  loopback.setScenario(scenario);
  const input = sampleTaskDefinition(loopback.state, 'prod', sampleImageUri(loopback.accountId, loopback.region));
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(input as never));
  await ecs.send(
    new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: taskDefinition!.taskDefinitionArn }),
  );
  const service = loopback.state.services.get(`${CLUSTER}/${SERVICE}`)!;
  const deadline = Date.now() + 20_000;
  while (service.serviceDeployments.some((record) => !TERMINAL.has(record.status))) {
    if (Date.now() > deadline) throw new Error(`deployment never ended: ${service.serviceDeployments[0]!.status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    loopback.advance();
  }
  return taskDefinition!.taskDefinitionArn!;
}

/** build-push-digest tags each image with its commit's short SHA: the seeded image was built from PREVIOUS. */
function tagSeededImage(loopback: LoopbackAws, commit: string): void {
  loopback.seedImage({ repository: SAMPLE_REPOSITORY, tags: [commit.slice(0, 7)], label: 'sample-service 1.0.0' });
}

const tags = (...entries: Array<[number, string]>): DeployTag[] =>
  entries.map(([run, sha]) => ({ environment: 'prod', run, sha }));

describe('planRollback', () => {
  it('goes to the revision of the previous successful deployment, with its digest and commit', async () => {
    const { aws, ecs, ecr } = await start();
    const seeded = aws.state.services.get(`${CLUSTER}/${SERVICE}`)!.deployments[0]!.taskDefinitionArn;
    tagSeededImage(aws, PREVIOUS);
    const live = await deploy(aws, ecs);

    const plan = await planRollback(sources(ecs, ecr, tags([1, PREVIOUS], [2, CURRENT])), REQUEST);

    expect(plan).toMatchObject({
      kind: 'revision',
      source: 'service-deployments',
      taskDefinitionArn: seeded,
      currentTaskDefinitionArn: live,
      digest: SAMPLE_IMAGE_DIGEST,
      image: sampleImageUri(aws.accountId, aws.region),
      commit: PREVIOUS,
      notes: [],
    });
    expect(describeRollbackPlan(plan, 'prod')).toBe(
      `Rollback plan for prod: would go to sample-service-prod:1 (${SAMPLE_IMAGE_DIGEST}, commit 1a2b3c4), the ` +
        'revision of the previous successful deployment; prod runs sample-service-prod:2 now',
    );
  });

  it('skips a deployment ECS rolled back: the live revision is the one before it', async () => {
    const { aws, ecs, ecr } = await start();
    const seeded = aws.state.services.get(`${CLUSTER}/${SERVICE}`)!.deployments[0]!.taskDefinitionArn;
    const good = await deploy(aws, ecs);
    await deploy(aws, ecs, 'circuit-breaker-rollback');
    const statuses = aws.state.services.get(`${CLUSTER}/${SERVICE}`)!.serviceDeployments.map((entry) => entry.status);
    expect(statuses).toEqual(['ROLLBACK_SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL']);

    const plan = await planRollback(sources(ecs, ecr), REQUEST);

    expect(plan).toMatchObject({ kind: 'revision', taskDefinitionArn: seeded, currentTaskDefinitionArn: good });
  });

  it('finds nothing to go back to when the service has had one deploy and no tags say otherwise', async () => {
    const { ecs, ecr } = await start();

    const plan = await planRollback(sources(ecs, ecr, tags([1, CURRENT])), REQUEST);

    expect(plan.kind).toBe('none');
    expect(describeRollbackPlan(plan, 'prod')).toMatch(
      /^Rollback plan for prod: nothing to go back to; no earlier successful deploy of prod found .* give rollback\.yml a task-definition or an image$/,
    );
  });

  it('falls back to the deploy tags when the role may not read the service-deployment history', async () => {
    const { aws, ecs, ecr } = await start();
    tagSeededImage(aws, PREVIOUS);
    await deploy(aws, ecs);
    aws.failNext('ListServiceDeployments', { code: 'AccessDeniedException', message: 'not authorized' });

    const plan = await planRollback(sources(ecs, ecr, tags([4, PREVIOUS], [5, CURRENT])), REQUEST);

    expect(plan).toMatchObject({
      kind: 'image',
      source: 'deploy-tags',
      image: sampleImageUri(aws.accountId, aws.region),
      digest: SAMPLE_IMAGE_DIGEST,
      commit: PREVIOUS,
      run: 4,
      currentRun: 5,
    });
    expect(plan.notes).toEqual([expect.stringMatching(/^service-deployment history not readable .*not authorized/)]);
    expect(describeRollbackPlan(plan, 'prod')).toBe(
      `Rollback plan for prod: would go to image ${sampleImageUri(aws.accountId, aws.region)} ` +
        `(${SAMPLE_IMAGE_DIGEST}, commit 1a2b3c4), rendered from the template as deployed/prod/4; prod runs commit ` +
        '9f8e7d6 (deployed/prod/5) now',
    );
  });

  it('says which image is missing when the tagged commit has no image in the repository', async () => {
    const { ecs, ecr } = await start();

    const plan = await planRollback(sources(ecs, ecr, tags([4, PREVIOUS], [5, CURRENT])), REQUEST);

    expect(plan).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('sample-service holds no image tagged 1a2b3c4'),
    });
  });

  it('reads only: a plan changes nothing in ECS', async () => {
    const { aws, ecs, ecr } = await start();
    await deploy(aws, ecs);
    const before = aws.requests.length;

    await planRollback(sources(ecs, ecr, new Error('HTTP 403')), REQUEST);

    const operations = aws.requests.slice(before).map((request) => request.operation);
    expect(new Set(operations)).toEqual(
      new Set(['ListServiceDeployments', 'DescribeServiceRevisions', 'DescribeImages']),
    );
  });
});
