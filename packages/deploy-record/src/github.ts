import { getOctokit } from '@actions/github';
import { pullRequestOf, titleOf, type CommitSource, type Comparison } from './commits.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repository {
  owner: string;
  repo: string;
}

/** The commits between two deploys from GitHub's compare API (`GET /repos/{owner}/{repo}/compare/{base}...{head}`). */
export function githubCommitSource(octokit: Octokit, repository: Repository): CommitSource {
  return {
    async compare(base: string, head: string): Promise<Comparison> {
      // One page: the newest 20 are shown, and total_commits counts the rest.
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        ...repository,
        basehead: `${base}...${head}`,
        per_page: 100,
      });
      return {
        totalCommits: data.total_commits,
        compareUrl: data.html_url,
        commits: data.commits.map((commit) => {
          const title = titleOf(commit.commit.message);
          return {
            sha: commit.sha,
            title,
            author: commit.author?.login ?? commit.commit.author?.name ?? 'unknown',
            pullRequest: pullRequestOf(title),
          };
        }),
      };
    },
  };
}

/** The HTTP status of an octokit error, if it is one. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
