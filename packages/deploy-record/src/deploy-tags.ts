import type { Octokit, Repository } from './github.js';

/** `deployed/<environment>/<run number>`: the record of one successful deploy, on the commit it deployed. */
export interface DeployTag {
  environment: string;
  run: number;
  sha: string;
}

const TAG = /^(?:refs\/tags\/)?deployed\/([\w.-]+)\/(\d+)$/;

export function deployTagName(environment: string, run: number): string {
  return `deployed/${environment}/${run}`;
}

export function parseDeployTag(ref: string, sha: string): DeployTag | undefined {
  const match = TAG.exec(ref);
  return match ? { environment: match[1]!, run: Number(match[2]), sha } : undefined;
}

/** The environment's deploy tags, newest (highest run number) first. */
export function environmentTags(tags: DeployTag[], environment: string): DeployTag[] {
  return tags.filter((tag) => tag.environment === environment).sort((a, b) => b.run - a.run);
}

/** The newest deploy to the environment before run `beforeRun` (all of them when undefined). */
export function previousDeploy(tags: DeployTag[], environment: string, beforeRun?: number): DeployTag | undefined {
  return environmentTags(tags, environment).find((tag) => beforeRun === undefined || tag.run < beforeRun);
}

/** Lists `deployed/<environment>/*` through the matching-refs API (lightweight tags point at the commit). */
export async function listDeployTags(octokit: Octokit, repository: Repository, environment: string) {
  const refs = await octokit.paginate(octokit.rest.git.listMatchingRefs, {
    ...repository,
    ref: `tags/deployed/${environment}/`,
    per_page: 100,
  });
  return refs.flatMap((ref) => parseDeployTag(ref.ref, ref.object.sha) ?? []);
}

/** Tags the deployed commit; an existing tag of the same name (a re-run of the job) is left as it is. */
export async function createDeployTag(
  octokit: Octokit,
  repository: Repository,
  tag: DeployTag,
): Promise<'created' | 'exists'> {
  try {
    await octokit.rest.git.createRef({
      ...repository,
      ref: `refs/tags/${deployTagName(tag.environment, tag.run)}`,
      sha: tag.sha,
    });
    return 'created';
  } catch (error) {
    if ((error as { status?: number }).status === 422) return 'exists';
    throw error;
  }
}
