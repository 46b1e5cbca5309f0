import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobSummary, UserError, link, runAction, setOutputs, formatDuration } from '../src/index.js';

let stdout: string;
let stderr: string;
beforeEach(() => {
  stdout = '';
  stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
});
afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
});

describe('runAction', () => {
  it('reports a user error as one ::error:: line with exit code 1 and no stack', async () => {
    await runAction(async () => {
      throw new UserError("Input 'cluster': is required but was not set");
    });
    expect(process.exitCode).toBe(1);
    expect(stdout).toBe("::error::Input 'cluster': is required but was not set\n");
    expect(stderr).toBe('');
  });

  it('reports a bug with its stack', async () => {
    await runAction(async () => {
      throw new TypeError('cannot read properties of undefined');
    });
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/^TypeError: cannot read properties of undefined\n\s+at /);
    expect(stdout).toMatch(
      /::error::Unexpected error, this is a bug in ecs-actions.*cannot read properties of undefined/,
    );
  });

  it('leaves the exit code alone when main succeeds', async () => {
    await runAction(async () => undefined);
    expect(process.exitCode).toBeUndefined();
  });
});

describe('setOutputs', () => {
  it('writes strings, numbers and JSON to GITHUB_OUTPUT and skips undefined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kit-'));
    const file = join(dir, 'output');
    writeFileSync(file, '');
    process.env.GITHUB_OUTPUT = file;
    try {
      setOutputs({ status: 'succeeded', 'duration-seconds': 42, images: { web: 'x@sha256:1' }, skipped: undefined });
    } finally {
      delete process.env.GITHUB_OUTPUT;
    }
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^status<<ghadelimiter_.*\nsucceeded\n/m);
    expect(text).toMatch(/duration-seconds<<ghadelimiter_.*\n42\n/);
    expect(text).toContain('{"web":"x@sha256:1"}');
    expect(text).not.toContain('skipped');
  });
});

describe('JobSummary', () => {
  it('writes a heading, facts, a table and details to the step summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kit-'));
    const file = join(dir, 'summary.md');
    writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
    try {
      await new JobSummary()
        .heading('deploy-ecs: succeeded')
        .facts([['Service', 'web']])
        .table(['Container', 'Image'], [['web', 'repo@sha256:abc']])
        .details('Service events', '<pre>steady state</pre>')
        .paragraph(link('console <1>', 'https://example.test/?a=1&b=2'))
        .write();
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h2>deploy-ecs: succeeded</h2>');
    expect(html).toContain('<td><b>Service</b></td><td>web</td>');
    expect(html).toContain('<th>Container</th><th>Image</th>');
    expect(html).toContain('<details><summary>Service events</summary><pre>steady state</pre></details>');
    expect(html).toContain('<a href="https://example.test/?a=1&amp;b=2">console &lt;1&gt;</a>');
  });

  it('does nothing outside a runner', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    await expect(new JobSummary().heading('x').write()).resolves.toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('prints seconds, then minutes and seconds', () => {
    expect(formatDuration(4_200)).toBe('4s');
    expect(formatDuration(125_000)).toBe('2m 05s');
  });
});
