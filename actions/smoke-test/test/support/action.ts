import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, jest } from '@jest/globals';
import { isUserError } from '@ecs-actions/action-kit';
import type { SmokeTestReport } from '../../src/report.js';

/**
 * A runner's view of one step: INPUT_* variables in, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files and the log out.
 * Registers its hooks in the calling test file.
 */
export function actionEnvironment() {
  const saved = { ...process.env };
  let folder = '';
  let stdout: string[] = [];

  // @actions/core keeps the summary file path of its first write, so every test of a file shares one folder.
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'smoke-test-runner-'));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
    process.env.RUNNER_TEMP = folder;
    process.env.GITHUB_OUTPUT = join(folder, 'output');
    process.env.GITHUB_STEP_SUMMARY = join(folder, 'summary.md');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
    writeFileSync(process.env.GITHUB_STEP_SUMMARY, '');
    stdout = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });

  const outputs = (): Record<string, string> => {
    const text = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8');
    return Object.fromEntries(
      [...text.matchAll(/^(\S+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((match) => [match[1]!, match[3]!]),
    );
  };

  return {
    folder: () => folder,
    setInputs(inputs: Record<string, string>): void {
      for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
    },
    /** The outputs the step set, read from the GITHUB_OUTPUT file as the runner would. */
    outputs,
    report: (): SmokeTestReport => JSON.parse(readFileSync(outputs().report!, 'utf8')) as SmokeTestReport,
    summary: () => readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8'),
    lines: () => stdout.join('').split('\n'),
    /** The message of the user error the step failed with. */
    async failure(promise: Promise<void>): Promise<string> {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isUserError(error)).toBe(true);
      return (error as Error).message;
    },
  };
}
