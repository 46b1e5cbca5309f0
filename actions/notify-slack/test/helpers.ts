import { afterEach, beforeEach, expect, jest } from '@jest/globals';
import nock from 'nock';
import { FakeClock, runAction, type RunContext } from '@ecs-actions/action-kit';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetryPolicy } from '../src/http.js';
import { run } from '../src/main.js';

export const WEBHOOK_HOST = 'https://hooks.slack.com';
export const WEBHOOK_PATH = '/services/T0001/B0002/s3cretW3bhookPath0123';
export const WEBHOOK_URL = `${WEBHOOK_HOST}${WEBHOOK_PATH}`;
export const BOT_TOKEN = 'xoxb-1111-2222-s3cretBotToken';
export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const DIGEST = 'sha256:' + 'ab12cd34ef56'.repeat(5) + 'abcd';
export const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@${DIGEST}`;
export const TASK_DEFINITION_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42';

/** What a runner sets; passed to run() so the machine's own GITHUB_* never leak into a test. */
export const RUN_ENV: NodeJS.ProcessEnv = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: SHA,
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_NUMBER: '57',
  GITHUB_ACTOR: 'octocat',
};

export const RUN_URL = 'https://github.com/acme/shop/actions/runs/9876543210';
export const COMMIT_URL = `https://github.com/acme/shop/commit/${SHA}`;

/** Fast retries: the waits are virtual (FakeClock), only the request timeout is real. */
export const TEST_POLICY: RetryPolicy = {
  maxAttempts: 4,
  requestTimeoutMs: 5_000,
  backoffMs: 1_000,
  maxRetryAfterMs: 30_000,
};

export interface Captured {
  stdout: string;
  stderr: string;
  /** Outputs written to GITHUB_OUTPUT. */
  outputs(): Record<string, string>;
  summary(): string;
}

/** Sets `INPUT_<NAME>` for each input, as the runner does (upper case, dashes kept). */
export function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

function clearInputs(): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  delete process.env.GITHUB_OUTPUT;
  delete process.env.GITHUB_STEP_SUMMARY;
  process.exitCode = undefined;
}

// @actions/core remembers the summary file of its first write, so one file per test file, emptied per test.
const outputDir = mkdtempSync(join(tmpdir(), 'notify-slack-'));

/**
 * Registers the hooks every step test needs: before each test the inputs are cleared, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY point at emptied files and stdout/stderr are captured; after it every expected request
 * must have been made. Returns what the running test's step printed and wrote.
 */
export function captureEachTest(): Captured {
  const outputFile = join(outputDir, 'output');
  const summaryFile = join(outputDir, 'summary.md');
  const captured: Captured = {
    stdout: '',
    stderr: '',
    outputs: () => parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: () => readFileSync(summaryFile, 'utf8'),
  };
  beforeEach(() => {
    clearInputs();
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    process.env.GITHUB_OUTPUT = outputFile;
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    captured.stdout = '';
    captured.stderr = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((captured.stdout += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((captured.stderr += String(chunk)), true));
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    jest.restoreAllMocks();
    clearInputs();
  });
  return captured;
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1]!] = match[3]!;
  return outputs;
}

export interface StepOptions {
  clock?: FakeClock;
  policy?: Partial<RetryPolicy>;
  /** Added to RUN_ENV. */
  env?: NodeJS.ProcessEnv;
  /** The run's cancel signal; a test cancels it where the runner would send SIGINT. */
  context?: RunContext;
}

/** Runs the action as the runner would, with a fake clock; returns the clock to read its waits. */
export async function runStep(options: StepOptions = {}): Promise<FakeClock> {
  const clock = options.clock ?? new FakeClock();
  const policy = { ...TEST_POLICY, ...options.policy };
  await runAction(() => run({ clock, policy, env: { ...RUN_ENV, ...options.env }, context: options.context }));
  return clock;
}

/** Everything the step printed except `::add-mask::` lines, which the runner consumes and never shows. */
export function visibleLog(captured: Captured): string {
  return (captured.stdout + captured.stderr)
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}
