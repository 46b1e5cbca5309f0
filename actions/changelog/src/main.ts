import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { errorMessage, foreignLine, group, printForeign, setOutputs } from '@ecs-actions/action-kit';
import {
  buildChangelog,
  changelogLines,
  changelogMarkdown,
  changelogSlack,
  githubCommitSource,
  httpStatus,
  listDeployTags,
  previousDeploy,
  unavailableChangelog,
  type DeployTag,
} from '@ecs-actions/deploy-record';
import { readInputs } from './inputs.js';

/**
 * Lists the commits this deploy brings since the previous deploy to the environment (the newest
 * deployed/<environment>/<run> tag below this run), into the job summary and a Slack text. Never fails the deploy
 * for GitHub's sake: a token without access gives a summary that says so.
 */
export async function run(): Promise<void> {
  const env = process.env;
  const inputs = readInputs(env);
  const octokit = getOctokit(inputs.token, env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {});
  const { environment, repository } = inputs;

  const history = await group(`Deploys of ${environment}`, async (): Promise<DeployTag[] | string> => {
    try {
      return await listDeployTags(octokit, repository, environment);
    } catch (error) {
      const status = httpStatus(error);
      if (status === undefined || status < 400) throw error;
      const reason =
        `could not list the deployed/${environment}/* tags (HTTP ${status}: ${foreignLine(errorMessage(error))})` +
        (status === 403 || status === 401 ? '; give the job `permissions: contents: read`' : '');
      core.warning(`Commits not listed: ${reason}`);
      return reason;
    }
  });
  const previous = typeof history === 'string' ? undefined : previousDeploy(history, environment, inputs['run-number']);
  if (typeof history !== 'string') {
    core.info(
      previous
        ? `Previous deploy of ${environment}: deployed/${environment}/${previous.run} at ${previous.sha}`
        : `No earlier deployed/${environment}/* tag`,
    );
  }

  const changelog = await group('What this deploy brings', async () => {
    const result =
      typeof history === 'string'
        ? unavailableChangelog(inputs.commit, history)
        : await buildChangelog(githubCommitSource(octokit, repository), { base: previous?.sha, head: inputs.commit });
    // Commit titles and authors are foreign text.
    for (const line of changelogLines(result)) printForeign(line);
    if (result.kind === 'unavailable' && typeof history !== 'string')
      core.warning(`Commits not listed: ${result.reason}`);
    return result;
  });

  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  setOutputs({
    'previous-commit': previous?.sha ?? '',
    'previous-run': previous?.run ?? '',
    'commit-count': changelog.kind === 'commits' ? changelog.total : '',
    'compare-url': changelog.kind === 'commits' ? changelog.compareUrl : '',
    slack: changelogSlack(changelog),
  });
  await core.summary
    .addRaw(changelogMarkdown(changelog, `${server}/${repository.owner}/${repository.repo}`), true)
    .write();
}
