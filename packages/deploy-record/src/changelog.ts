import { errorMessage, escapeHtml as html } from '@ecs-actions/action-kit';
import type { CommitEntry, CommitSource } from './commits.js';
import { httpStatus } from './github.js';

/** At most this many commits are listed; the compare link shows them all. */
export const CHANGELOG_LIMIT = 20;

export type Changelog =
  /** No earlier deploy to this environment is recorded: nothing to compare with. */
  | { kind: 'first'; head: string }
  | {
      kind: 'commits';
      base: string;
      head: string;
      /** Newest first, at most CHANGELOG_LIMIT. */
      commits: CommitEntry[];
      /** Commits between the two deploys, listed or not. */
      total: number;
      compareUrl: string;
    }
  /** The commits could not be read (a token without contents: read, a deleted base): the deploy goes on. */
  | { kind: 'unavailable'; base?: string; head: string; reason: string };

/** When the deploy history itself cannot be read: the changelog says so rather than "first deploy". */
export function unavailableChangelog(head: string, reason: string): Changelog {
  return { kind: 'unavailable', head, reason };
}

export interface ChangelogRequest {
  /** The commit of the previous deploy to this environment, if one is recorded. */
  base?: string;
  head: string;
}

/** What this deploy brings since the previous deploy to the environment. Never throws for an API refusal. */
export async function buildChangelog(source: CommitSource, request: ChangelogRequest): Promise<Changelog> {
  const { base, head } = request;
  if (base === undefined) return { kind: 'first', head };
  try {
    const comparison = await source.compare(base, head);
    return {
      kind: 'commits',
      base,
      head,
      commits: comparison.commits.slice(-CHANGELOG_LIMIT).reverse(),
      total: comparison.totalCommits,
      compareUrl: comparison.compareUrl,
    };
  } catch (error) {
    const status = httpStatus(error);
    if (status === 403 || status === 401) {
      return {
        kind: 'unavailable',
        base,
        head,
        reason:
          `the workflow's token may not read this repository's commits (HTTP ${status}); give the job ` +
          '`permissions: contents: read`',
      };
    }
    if (status === 404) {
      return {
        kind: 'unavailable',
        base,
        head,
        reason: `GitHub knows no comparison of ${short(base)}...${short(head)} (HTTP 404): a commit is gone or the token cannot see the repository`,
      };
    }
    if (status !== undefined && status >= 500) {
      return { kind: 'unavailable', base, head, reason: `GitHub answered HTTP ${status}` };
    }
    if (status !== undefined) throw error;
    return { kind: 'unavailable', base, head, reason: errorMessage(error) };
  }
}

function since(base: string | undefined): string {
  return base ? `since ${short(base)} ` : '';
}

export function short(sha: string): string {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha;
}

function entryText(commit: CommitEntry): string {
  return `${short(commit.sha)} ${commit.title} (${commit.author})`;
}

/** Plain lines for the log: one per commit, newest first. */
export function changelogLines(changelog: Changelog): string[] {
  switch (changelog.kind) {
    case 'first':
      return [`No earlier deploy recorded for this environment: ${short(changelog.head)} is the first`];
    case 'unavailable':
      return [`Commits ${since(changelog.base)}not listed: ${changelog.reason}`];
    case 'commits': {
      if (changelog.total === 0) return [`No new commits since ${short(changelog.base)}`];
      const lines = [`${changelog.total} commit(s) since ${short(changelog.base)}: ${changelog.compareUrl}`];
      lines.push(...changelog.commits.map((commit) => `  ${entryText(commit)}`));
      const more = changelog.total - changelog.commits.length;
      if (more > 0) lines.push(`  … and ${more} more`);
      return lines;
    }
  }
}

/** The job summary's section: a short list a reviewer reads in seconds, with the compare link. */
export function changelogMarkdown(changelog: Changelog, repositoryUrl?: string): string {
  const link = (commit: CommitEntry) => {
    const sha = `<code>${short(commit.sha)}</code>`;
    return repositoryUrl ? `<a href="${html(`${repositoryUrl}/commit/${commit.sha}`)}">${sha}</a>` : sha;
  };
  const pr = (commit: CommitEntry) =>
    commit.pullRequest === undefined
      ? ''
      : repositoryUrl
        ? ` <a href="${html(`${repositoryUrl}/pull/${commit.pullRequest}`)}">#${commit.pullRequest}</a>`
        : ` #${commit.pullRequest}`;
  switch (changelog.kind) {
    case 'first':
      return `<h3>What this deploy brings</h3>\n<p>No earlier deploy to this environment is recorded: nothing to compare with.</p>\n`;
    case 'unavailable':
      return `<h3>What this deploy brings</h3>\n<p>Commits ${changelog.base ? `since <code>${short(changelog.base)}</code> ` : ''}not listed: ${html(changelog.reason)}.</p>\n`;
    case 'commits': {
      const more = changelog.total - changelog.commits.length;
      const items = changelog.commits.map(
        (commit) => `<li>${link(commit)} ${html(commit.title)} (${html(commit.author)})${pr(commit)}</li>`,
      );
      if (more > 0) items.push(`<li>… and ${more} more</li>`);
      const heading = `<h3>What this deploy brings: ${changelog.total} commit(s) since <code>${short(changelog.base)}</code></h3>`;
      const compare = `<p><a href="${html(changelog.compareUrl)}">Compare ${short(changelog.base)}...${short(changelog.head)}</a></p>`;
      return `${heading}\n${changelog.total === 0 ? '<p>No new commits.</p>' : `<ul>\n${items.join('\n')}\n</ul>`}\n${compare}\n`;
    }
  }
}

/** Slack mrkdwn for the final deployment message: one line per commit, newest first, and the compare link. */
export function changelogSlack(changelog: Changelog): string {
  const slack = (text: string) => text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char]!);
  switch (changelog.kind) {
    case 'first':
      return 'First recorded deploy to this environment.';
    case 'unavailable':
      return `Commits not listed: ${slack(changelog.reason)}.`;
    case 'commits': {
      if (changelog.total === 0) return 'No new commits since the previous deploy.';
      const lines = changelog.commits.map(
        (commit) =>
          `• \`${short(commit.sha)}\` ${slack(commit.title)} (${slack(commit.author)})` +
          (commit.pullRequest === undefined ? '' : ` #${commit.pullRequest}`),
      );
      const more = changelog.total - changelog.commits.length;
      if (more > 0) lines.push(`… and ${more} more`);
      lines.push(`<${changelog.compareUrl}|Compare ${short(changelog.base)}...${short(changelog.head)}>`);
      return lines.join('\n');
    }
  }
}
