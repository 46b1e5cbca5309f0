import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { runAction } from '@ecs-actions/action-kit';
import { run } from '../src/main.js';

const HEAD = 'f'.repeat(40);
const PREVIOUS = 'b'.repeat(40);
const OLDER = 'a'.repeat(40);
const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
const saved = { ...process.env };
let dir: string;
let stdout: string;
// @actions/core remembers the first GITHUB_STEP_SUMMARY it sees: one file for the suite, emptied before each test.
let summaryFile: string;
beforeAll(() => {
  summaryFile = join(mkdtempSync(join(tmpdir(), 'changelog-summary-')), 'summary.md');
});

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (/^(INPUT_|GITHUB_)/.test(key)) delete process.env[key];
  dir = mkdtempSync(join(tmpdir(), 'changelog-'));
  writeFileSync(join(dir, 'output'), '');
  writeFileSync(summaryFile, '');
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_SHA: HEAD,
    GITHUB_RUN_NUMBER: '42',
    INPUT_ENVIRONMENT: 'prod',
    INPUT_TOKEN: TOKEN,
  });
  stdout = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  process.exitCode = undefined;
});
afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  process.env = { ...saved };
  expect(nock.pendingMocks()).toEqual([]);
});

function outputs(): Record<string, string> {
  const text = readFileSync(join(dir, 'output'), 'utf8');
  const result: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) result[match[1]!] = match[3]!;
  return result;
}

function github(): nock.Scope {
  return nock('https://api.github.com').matchHeader('authorization', `token ${TOKEN}`);
}

function tags(refs: Array<[string, string]>): void {
  github()
    // Octokit encodes the ref's slashes in the path, as GitHub accepts them.
    .get('/repos/acme/web/git/matching-refs/tags%2Fdeployed%2Fprod%2F')
    .query({ per_page: '100' })
    .reply(
      200,
      refs.map(([ref, sha]) => ({ ref: `refs/tags/${ref}`, object: { sha, type: 'commit' } })),
    );
}

describe('changelog', () => {
  it('compares with the newest earlier deploy of the environment and writes the list to the summary and outputs', async () => {
    // Run 42's own tag (a re-run) and a newer run's tag are not "earlier".
    tags([
      ['deployed/prod/40', OLDER],
      ['deployed/prod/41', PREVIOUS],
      ['deployed/prod/42', HEAD],
      ['deployed/prod/43', HEAD],
    ]);
    github()
      .get(`/repos/acme/web/compare/${PREVIOUS}...${HEAD}`)
      .query({ per_page: '100' })
      .reply(200, {
        html_url: `https://github.com/acme/web/compare/${PREVIOUS}...${HEAD}`,
        total_commits: 1,
        commits: [
          {
            sha: HEAD,
            commit: { message: '::add-mask::x Fix the health check (#7)', author: { name: 'Ann' } },
            author: { login: 'ann' },
          },
        ],
      });

    await runAction(run);

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toEqual({
      'previous-commit': PREVIOUS,
      'previous-run': '41',
      'commit-count': '1',
      'compare-url': `https://github.com/acme/web/compare/${PREVIOUS}...${HEAD}`,
      slack: expect.stringContaining('• `fffffff` ::add-mask::x Fix the health check (#7) (ann) #7'),
    });
    expect(stdout).toContain(`Previous deploy of prod: deployed/prod/41 at ${PREVIOUS}`);
    // The commit title is foreign text: it never reaches the runner as a command.
    expect(stdout.split('\n').some((line) => /^\s*::add-mask::/.test(line))).toBe(false);
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('What this deploy brings: 1 commit(s) since <code>bbbbbbb</code>');
    expect(summary).toContain('<a href="https://github.com/acme/web/pull/7">#7</a>');
  });

  it('says this is the first recorded deploy when the environment has no earlier tag', async () => {
    tags([]);

    await runAction(run);

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toMatchObject({ 'previous-commit': '', slack: 'First recorded deploy to this environment.' });
    expect(readFileSync(summaryFile, 'utf8')).toContain('No earlier deploy to this environment is recorded');
  });

  it('does not fail the deploy when the token may not read the repository (403)', async () => {
    github()
      // Octokit encodes the ref's slashes in the path, as GitHub accepts them.
      .get('/repos/acme/web/git/matching-refs/tags%2Fdeployed%2Fprod%2F')
      .query({ per_page: '100' })
      .reply(403, { message: 'Resource not accessible by integration' });

    await runAction(run);

    expect(process.exitCode).toBeUndefined();
    expect(stdout).toContain('::warning::Commits not listed: could not list the deployed/prod/* tags (HTTP 403');
    expect(stdout).toContain('give the job `permissions: contents: read`');
    expect(outputs()).toMatchObject({ 'previous-commit': '', slack: expect.stringMatching(/^Commits not listed: /) });
  });

  it('refuses a commit that is not a full SHA before any GitHub call', async () => {
    process.env.INPUT_COMMIT = 'main';

    await runAction(run);

    expect(process.exitCode).toBe(1);
    expect(stdout).toContain(
      `::error::Input 'commit': "main" is not a full commit SHA; expected 40 hex digits (default: GITHUB_SHA)`,
    );
  });
});
