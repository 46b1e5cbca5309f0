import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChangelog, changelogLines } from '@ecs-actions/deploy-record';
import { sampleImageUri, SAMPLE_IMAGE_DIGEST, startLoopbackAws } from '@ecs-actions/loopback-aws';
import { gitCommitSource, RehearsalDeployRecord } from '../src/deploy-record.js';

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

describe('RehearsalDeployRecord', () => {
  it("prints the rollback plan from the loopback: the seeded deploy's image, found through its tag", async () => {
    const aws = await startLoopbackAws({ stepMs: 10, throttle: false });
    try {
      const previous = '1a2b3c4d'.repeat(5);
      const current = '9f8e7d6c'.repeat(5);
      const record = new RehearsalDeployRecord(aws, previous);
      record.record('prod', current);
      const lines: string[] = [];

      // The seeded service has one service deployment: the plan comes from the tags and the image ECR holds.
      await record.print('prod', current, false, (line) => lines.push(line));

      expect(lines.at(-1)).toBe(
        `Rollback plan for prod: would go to image ${sampleImageUri(aws.accountId, aws.region)} ` +
          `(${SAMPLE_IMAGE_DIGEST}, commit 1a2b3c4), rendered from the template as deployed/prod/1; prod runs ` +
          'commit 9f8e7d6 (deployed/prod/2) now',
      );
    } finally {
      await aws.close();
    }
  });
});
