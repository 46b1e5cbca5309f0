import { describe, expect, it } from '@jest/globals';
import { rollbackFromDeployTags, rollbackFromServiceDeployments, type ServiceDeploymentFacts } from '../src/index.js';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012';
const revision = (n: number) => `${ARN}:task-definition/web:${n}`;
let minute = 0;
/** One deployment, each created a minute after the one before. */
function deployment(id: number, status: string, taskRevision: number): ServiceDeploymentFacts {
  minute += 1;
  return {
    arn: `${ARN}:service-deployment/prod/web/d${id}`,
    status,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
    taskDefinitionArn: revision(taskRevision),
    images: [
      `web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:${String(taskRevision).repeat(64).slice(0, 64)}`,
    ],
  };
}

describe('rollbackFromServiceDeployments', () => {
  it('chooses the last SUCCESSFUL deployment before the live one, skipping those ECS rolled back', () => {
    const history = [
      deployment(1, 'SUCCESSFUL', 40),
      deployment(2, 'SUCCESSFUL', 41),
      deployment(3, 'ROLLBACK_SUCCESSFUL', 42),
      deployment(4, 'ROLLBACK_FAILED', 43),
      deployment(5, 'STOPPED', 44),
      deployment(6, 'SUCCESSFUL', 45),
    ];

    // ListServiceDeployments answers newest first: the order given must not matter.
    const target = rollbackFromServiceDeployments([...history].reverse());

    expect(target).toEqual({
      source: 'service-deployments',
      taskDefinitionArn: revision(41),
      images: history[1]!.images,
      deploymentArn: history[1]!.arn,
      currentDeploymentArn: history[5]!.arn,
      currentTaskDefinitionArn: revision(45),
    });
  });

  it('takes the live deployment to be the newest SUCCESSFUL one, not a newer one still in progress', () => {
    const history = [
      deployment(1, 'SUCCESSFUL', 40),
      deployment(2, 'SUCCESSFUL', 41),
      deployment(3, 'IN_PROGRESS', 42),
    ];

    expect(rollbackFromServiceDeployments(history)).toMatchObject({
      taskDefinitionArn: revision(40),
      currentTaskDefinitionArn: revision(41),
    });
  });

  it('skips earlier deployments of the live revision, such as a forced redeploy', () => {
    const history = [deployment(1, 'SUCCESSFUL', 40), deployment(2, 'SUCCESSFUL', 41), deployment(3, 'SUCCESSFUL', 41)];

    expect(rollbackFromServiceDeployments(history)).toMatchObject({ taskDefinitionArn: revision(40) });
  });

  it('skips a deployment undone by a deployment back to the revision before it, so a second rollback goes further back', () => {
    // 42 failed its checks after the rollout and deploy-ecs put 41 back: going "back" to 42 would undo that rollback.
    const history = [
      deployment(1, 'SUCCESSFUL', 40),
      deployment(2, 'SUCCESSFUL', 41),
      deployment(3, 'SUCCESSFUL', 42),
      deployment(4, 'SUCCESSFUL', 41),
    ];

    expect(rollbackFromServiceDeployments(history)).toMatchObject({
      taskDefinitionArn: revision(40),
      deploymentArn: history[0]!.arn,
      currentDeploymentArn: history[3]!.arn,
    });
  });

  it('finds nothing when no earlier SUCCESSFUL deployment ran another revision', () => {
    expect(rollbackFromServiceDeployments([])).toBeUndefined();
    expect(rollbackFromServiceDeployments([deployment(1, 'SUCCESSFUL', 40)])).toBeUndefined();
    expect(
      rollbackFromServiceDeployments([deployment(1, 'ROLLBACK_SUCCESSFUL', 39), deployment(2, 'SUCCESSFUL', 40)]),
    ).toBeUndefined();
  });
});

describe('rollbackFromDeployTags', () => {
  const sha = (char: string) => char.repeat(40);

  it('chooses the commit of the deploy before the newest tag of the environment', () => {
    const tags = [
      { environment: 'prod', run: 7, sha: sha('a') },
      { environment: 'prod', run: 12, sha: sha('c') },
      { environment: 'staging', run: 11, sha: sha('d') },
      { environment: 'prod', run: 9, sha: sha('b') },
    ];

    expect(rollbackFromDeployTags(tags, 'prod')).toEqual({
      source: 'deploy-tags',
      commit: sha('b'),
      run: 9,
      currentCommit: sha('c'),
      currentRun: 12,
    });
  });

  it('skips an earlier tag of the same commit (a re-deploy)', () => {
    const tags = [
      { environment: 'prod', run: 3, sha: sha('a') },
      { environment: 'prod', run: 4, sha: sha('b') },
      { environment: 'prod', run: 5, sha: sha('b') },
    ];

    expect(rollbackFromDeployTags(tags, 'prod')).toMatchObject({ commit: sha('a'), run: 3 });
  });

  it('skips a commit undone by a rollback to an older one', () => {
    const tags = [
      { environment: 'prod', run: 3, sha: sha('a') },
      { environment: 'prod', run: 4, sha: sha('b') },
      { environment: 'prod', run: 5, sha: sha('c') },
      { environment: 'prod', run: 6, sha: sha('b') },
    ];

    expect(rollbackFromDeployTags(tags, 'prod')).toMatchObject({ commit: sha('a'), run: 3, currentRun: 6 });
  });

  it('finds nothing with fewer than two deploys of the environment', () => {
    expect(rollbackFromDeployTags([{ environment: 'prod', run: 3, sha: sha('a') }], 'prod')).toBeUndefined();
  });
});
