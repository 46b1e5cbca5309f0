import { afterEach, beforeEach, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one action step run in-process (through runAction) printed and wrote, for the running test. */
export interface StepHarness {
  /** The test's fresh working folder; GITHUB_OUTPUT is `<dir>/output`. */
  readonly dir: string;
  /** Everything the step wrote to stdout (workflow commands included). */
  readonly stdout: string;
  /** Sets `INPUT_<NAME>` for each input, as the runner does (upper case, dashes kept). */
  setInputs(inputs: Record<string, string>): void;
  /** The outputs the step wrote to GITHUB_OUTPUT. */
  outputs(): Record<string, string>;
  /** The job summary the step wrote. */
  summary(): string;
  /** The `::error::` lines, prefix included. */
  errorLines(): string[];
}

/**
 * Registers, in the calling test file, what a runner gives one step: before each test the INPUT_*, GITHUB_* and
 * AWS_* variables are cleared and dummy credentials set (region eu-west-1 unless given), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY point at empty files and stdout is captured; after it process.env and process.exitCode are
 * put back. Call it before the file's own beforeEach, which then runs after it.
 */
export function stepHarness(name: string, options: { region?: string } = {}): StepHarness {
  const saved = { ...process.env };
  // @actions/core remembers the first GITHUB_STEP_SUMMARY it sees: one file for the test file, emptied per test.
  const summaryFile = join(mkdtempSync(join(tmpdir(), `${name}-summary-`)), 'summary.md');
  let dir = '';
  let stdout = '';
  beforeEach(() => {
    for (const key of Object.keys(process.env)) {
      if (key.startsWith('INPUT_') || key.startsWith('GITHUB_') || key.startsWith('AWS_')) delete process.env[key];
    }
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    process.env.AWS_REGION = options.region ?? 'eu-west-1';
    dir = mkdtempSync(join(tmpdir(), `${name}-`));
    writeFileSync(join(dir, 'output'), '');
    writeFileSync(summaryFile, '');
    process.env.GITHUB_OUTPUT = join(dir, 'output');
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    stdout = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    process.exitCode = undefined;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
    process.env = { ...saved };
  });
  return {
    get dir() {
      return dir;
    },
    get stdout() {
      return stdout;
    },
    setInputs: (inputs) => {
      for (const [input, value] of Object.entries(inputs)) process.env[`INPUT_${input.toUpperCase()}`] = value;
    },
    outputs: () => {
      const text = readFileSync(join(dir, 'output'), 'utf8');
      const result: Record<string, string> = {};
      for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm))
        result[match[1]!] = match[3]!;
      return result;
    },
    summary: () => readFileSync(summaryFile, 'utf8'),
    errorLines: () => stdout.split('\n').filter((line) => line.startsWith('::error::')),
  };
}
