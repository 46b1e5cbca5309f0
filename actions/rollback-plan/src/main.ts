import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { code, group, printForeign, setOutputs, UserError, type RunDependencies } from '@ecs-actions/action-kit';
import { createAwsClient } from '@ecs-actions/aws';
import { describeRollbackPlan, listDeployTags, planRollback, type RollbackPlan } from '@ecs-actions/deploy-record';
import { readInputs } from './inputs.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Finds what a one-click rollback of the environment deploys and prints it before anything changes. It only reads:
 * rollback.yml deploys the plan in a later job, or stops here in a dry run.
 */
export async function run({ context }: RunDependencies): Promise<void> {
  const env = process.env;
  const inputs = readInputs(env);
  const { signal } = context;
  const ecs = createAwsClient(ECSClient, { region: inputs.region, action: 'rollback-plan', signal });
  const ecr = createAwsClient(ECRClient, { region: inputs.region, action: 'rollback-plan', signal });
  const octokit = getOctokit(inputs.token, env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {});

  const plan = await group(`What a rollback of ${inputs.environment} deploys`, async () => {
    const result = await planRollback(
      { ecs, ecr, deployTags: () => listDeployTags(octokit, inputs.repository, inputs.environment) },
      inputs,
    );
    // AWS and GitHub error text is foreign.
    for (const note of result.notes) printForeign(`Note: ${note}`);
    return result;
  });
  const sentence = describeRollbackPlan(plan, inputs.environment);
  printForeign(sentence);
  setOutputs(outputsOf(plan, sentence));
  await core.summary.addRaw(summaryOf(plan, inputs.environment), true).write();
  if (plan.kind === 'none') throw new UserError(sentence);
}

function outputsOf(plan: RollbackPlan, sentence: string) {
  const commit = plan.kind === 'none' ? undefined : plan.commit;
  return {
    found: plan.kind !== 'none',
    source: plan.kind === 'none' ? '' : plan.source,
    'task-definition': plan.kind === 'revision' ? plan.taskDefinitionArn : '',
    image: plan.kind === 'image' ? plan.image : '',
    digest: plan.kind === 'none' ? '' : (plan.digest ?? ''),
    commit: commit ?? '',
    // The smoke test compares the full SHA the service reports: a short one from an image tag cannot be checked.
    version: commit && FULL_SHA.test(commit) ? commit : '',
    plan: sentence,
  };
}

function summaryOf(plan: RollbackPlan, environment: string): string {
  const heading = `<h3>Rollback plan for ${environment}</h3>`;
  if (plan.kind === 'none') return `${heading}\n<p>Nothing to go back to: ${code(plan.reason)}</p>\n`;
  const rows: Array<[string, string]> =
    plan.kind === 'revision'
      ? [
          ['Goes to', code(plan.taskDefinitionArn)],
          ['Runs now', code(plan.currentTaskDefinitionArn)],
          ['Image', code(plan.image ?? 'not known')],
          ['Found in', `ECS service deployment ${code(plan.deploymentArn)}`],
        ]
      : [
          ['Goes to', `${code(plan.image)}, rendered from the template`],
          ['Runs now', `commit ${code(plan.currentCommit)} (deployed/${environment}/${plan.currentRun})`],
          ['Found in', `deployed/${environment}/${plan.run}`],
        ];
  rows.push(['Commit', code(plan.commit ?? 'not known')]);
  const table = rows.map(([name, value]) => `<tr><th>${name}</th><td>${value}</td></tr>`).join('\n');
  const notes = plan.notes.map((note) => `<li>${code(note)}</li>`).join('\n');
  return `${heading}\n<table>\n${table}\n</table>\n${notes ? `<ul>\n${notes}\n</ul>\n` : ''}`;
}
