import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChangelog, changelogLines } from '@ecs-actions/deploy-record';
import { gitCommitSource } from '../src/deploy-record.js';

let repo: string;
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Ann',
      GIT_AUTHOR_EMAIL: 'ann@example.com',
      GIT_COMMITTER_NAME: 'Ann',
      GIT_COMMITTER_EMAIL: 'ann@example.com',
    },
  }).trim();
const commit = (message: string) => {
  writeFileSync(join(repo, 'file.txt'), message);
  git('add', 'file.txt');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
};

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'rehearsal-git-'));
  git('init', '-q');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('gitCommitSource', () => {
  it('answers the compare of two deploys from the local history, oldest first, as GitHub does', async () => {
    const base = commit('First deploy');
    const fix = commit('Fix the health check (#7)\n\nThe body is not the title.');
    const head = commit('Merge pull request #9 from acme/cache');

    const comparison = await gitCommitSource(repo, 'https://github.com/acme/web').compare(base, head);

    expect(comparison).toEqual({
      totalCommits: 2,
      compareUrl: `https://github.com/acme/web/compare/${base}...${head}`,
      commits: [
        { sha: fix, author: 'Ann', title: 'Fix the health check (#7)', pullRequest: 7 },
        { sha: head, author: 'Ann', title: 'Merge pull request #9 from acme/cache', pullRequest: 9 },
      ],
    });
    const changelog = await buildChangelog(gitCommitSource(repo), { base, head });
    expect(changelogLines(changelog)[0]).toBe(
      `2 commit(s) since ${base.slice(0, 7)}: https://github.com/org/ecs-actions/compare/${base}...${head}`,
    );
  });

  it('gives a changelog that says why the commits are not listed when git knows no such commit', async () => {
    const head = commit('Only commit');

    const changelog = await buildChangelog(gitCommitSource(repo), { base: 'a'.repeat(40), head });

    expect(changelog).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('git') });
  });
});
