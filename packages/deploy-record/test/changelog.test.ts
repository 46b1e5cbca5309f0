import { afterEach, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import nock from 'nock';
import {
  buildChangelog,
  changelogLines,
  changelogMarkdown,
  changelogSlack,
  githubCommitSource,
  type Changelog,
} from '../src/index.js';

const BASE = 'a'.repeat(40);
const HEAD = 'f'.repeat(40);
const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
const COMPARE_URL = `https://github.com/acme/web/compare/${BASE}...${HEAD}`;

function source() {
  return githubCommitSource(getOctokit(TOKEN), { owner: 'acme', repo: 'web' });
}

/** GitHub's compare answer for `count` commits, oldest first, as the API lists them. */
function comparison(count: number) {
  return {
    html_url: COMPARE_URL,
    status: 'ahead',
    ahead_by: count,
    behind_by: 0,
    total_commits: count,
    commits: Array.from({ length: count }, (_, index) => ({
      sha: index.toString(16).padEnd(40, '0'),
      commit: {
        message: index % 2 === 0 ? `Change ${index} (#${100 + index})\n\nWhy it matters.` : `Change ${index}`,
        author: { name: `Author ${index}`, email: `a${index}@example.com`, date: '2026-01-01T00:00:00Z' },
      },
      author: index % 3 === 0 ? null : { login: `dev${index}` },
    })),
  };
}

function expectCompare(status: number, body: object): nock.Scope {
  return nock('https://api.github.com')
    .get(`/repos/acme/web/compare/${BASE}...${HEAD}`)
    .query({ per_page: '100' })
    .matchHeader('authorization', `token ${TOKEN}`)
    .reply(status, body);
}

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
});

describe('buildChangelog', () => {
  it('asks nothing and says so when no earlier deploy to the environment is recorded', async () => {
    const changelog = await buildChangelog(source(), { head: HEAD });

    expect(changelog).toEqual({ kind: 'first', head: HEAD });
    expect(changelogLines(changelog)).toEqual([
      'No earlier deploy recorded for this environment: fffffff is the first',
    ]);
    expect(changelogSlack(changelog)).toBe('First recorded deploy to this environment.');
  });

  it('lists the newest 20 of more than 20 commits, newest first, counts the rest and links the comparison', async () => {
    expectCompare(200, comparison(25));

    const changelog = await buildChangelog(source(), { base: BASE, head: HEAD });

    expect(changelog).toMatchObject({ kind: 'commits', total: 25, compareUrl: COMPARE_URL });
    const { commits } = changelog as Extract<Changelog, { kind: 'commits' }>;
    expect(commits).toHaveLength(20);
    expect(commits[0]).toEqual({
      sha: (24).toString(16).padEnd(40, '0'),
      title: 'Change 24 (#124)',
      author: 'Author 24',
      pullRequest: 124,
    });
    expect(commits[1]).toEqual({
      sha: (23).toString(16).padEnd(40, '0'),
      title: 'Change 23',
      author: 'dev23',
    });
    expect(commits.at(-1)!.title).toBe('Change 5');
    const lines = changelogLines(changelog);
    expect(lines[0]).toBe(`25 commit(s) since aaaaaaa: ${COMPARE_URL}`);
    expect(lines.at(-1)).toBe('  … and 5 more');
    const slack = changelogSlack(changelog).split('\n');
    expect(slack[0]).toBe('• `1800000` Change 24 (#124) (Author 24) #124');
    expect(slack.slice(-2)).toEqual(['… and 5 more', `<${COMPARE_URL}|Compare aaaaaaa...fffffff>`]);
    const markdown = changelogMarkdown(changelog, 'https://github.com/acme/web');
    expect(markdown).toContain('What this deploy brings: 25 commit(s) since <code>aaaaaaa</code>');
    expect(markdown).toContain('<a href="https://github.com/acme/web/pull/124">#124</a>');
    expect(markdown).toContain(`<a href="${COMPARE_URL}">Compare aaaaaaa...fffffff</a>`);
  });

  it('fails soft, naming the permission, when the token may not read the commits (403)', async () => {
    expectCompare(403, { message: 'Resource not accessible by integration', status: '403' });

    const changelog = await buildChangelog(source(), { base: BASE, head: HEAD });

    expect(changelog).toEqual({
      kind: 'unavailable',
      base: BASE,
      head: HEAD,
      reason:
        "the workflow's token may not read this repository's commits (HTTP 403); give the job `permissions: contents: read`",
    });
    expect(changelogMarkdown(changelog)).toContain('Commits since <code>aaaaaaa</code> not listed');
  });

  it('escapes commit titles in the job summary and in Slack', async () => {
    const body = comparison(1);
    body.commits[0]!.commit.message = 'Allow <script> & "quotes"';
    expectCompare(200, body);

    const changelog = await buildChangelog(source(), { base: BASE, head: HEAD });

    expect(changelogMarkdown(changelog)).toContain('Allow &lt;script&gt; &amp; &quot;quotes&quot;');
    expect(changelogSlack(changelog)).toContain('Allow &lt;script&gt; &amp; "quotes"');
  });
});
