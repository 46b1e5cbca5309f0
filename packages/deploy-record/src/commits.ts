/** One commit a deploy brings, as a reviewer reads it: short SHA, title, author, pull request. */
export interface CommitEntry {
  sha: string;
  title: string;
  author: string;
  pullRequest?: number;
}

/** The commits from one revision to another, oldest first, as GitHub's compare API returns them. */
export interface Comparison {
  commits: CommitEntry[];
  /** All the commits between the two, even those the answer left out. */
  totalCommits: number;
  compareUrl: string;
}

/**
 * Where the commits between two deploys come from. One seam, chosen once: GitHub's compare API on a runner
 * (./github.ts), a local git history in the rehearsal (packages/rehearsal).
 */
export interface CommitSource {
  compare(base: string, head: string): Promise<Comparison>;
}

/** `Fix the cache (#123)` (a squash merge) or `Merge pull request #123 from ...`: the pull request's number. */
export function pullRequestOf(title: string): number | undefined {
  const match = /\(#(\d+)\)\s*$/.exec(title) ?? /^Merge pull request #(\d+)\b/.exec(title);
  return match ? Number(match[1]) : undefined;
}

/** The first line of a commit message, at most 120 characters. */
export function titleOf(message: string): string {
  const first = message.split('\n', 1)[0]!.trim();
  return first.length > 120 ? `${first.slice(0, 119)}…` : first;
}
