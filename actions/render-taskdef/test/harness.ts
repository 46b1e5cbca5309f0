import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import nock from 'nock';
import { runAction } from '@ecs-actions/action-kit';
import { run } from '../src/main.js';

export const REGION = 'eu-west-1';
// @actions/core remembers the first GITHUB_STEP_SUMMARY path it sees, so every run in a test file shares one file.
const SUMMARY_FILE = join(mkdtempSync(join(tmpdir(), 'render-taskdef-summary-')), 'summary.md');
const ECS_ENDPOINT = `https://ecs.${REGION}.amazonaws.com`;

const savedEnvironment = { ...process.env };

/** Puts back the environment an ActionRun changed; call it after each test. */
export function restoreEnvironment(): void {
  process.env = { ...savedEnvironment };
}

/** One action run in a fresh working folder, with GITHUB_OUTPUT, the job summary and stdout captured. */
export class ActionRun {
  readonly dir = mkdtempSync(join(tmpdir(), 'render-taskdef-test-'));
  stdout = '';

  constructor() {
    for (const key of Object.keys(process.env)) {
      if (key.startsWith('INPUT_') || key.startsWith('GITHUB_') || key.startsWith('AWS_') || key === 'RUNNER_TEMP') {
        delete process.env[key];
      }
    }
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    process.env.AWS_REGION = REGION;
    writeFileSync(join(this.dir, 'output'), '');
    writeFileSync(SUMMARY_FILE, '');
    process.env.GITHUB_OUTPUT = join(this.dir, 'output');
    process.env.GITHUB_STEP_SUMMARY = SUMMARY_FILE;
    process.env.RUNNER_TEMP = join(this.dir);
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((this.stdout += String(chunk)), true));
    process.exitCode = undefined;
  }

  /** Writes a file in the working folder and returns its path. */
  file(name: string, content: string | object): string {
    const path = join(this.dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  }

  inputs(inputs: Record<string, string>): this {
    for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
    return this;
  }

  /** Runs the action as a runner would: a user error becomes an ::error:: line and exit code 1. */
  async run(): Promise<this> {
    await runAction(run);
    return this;
  }

  outputs(): Record<string, string> {
    const text = readFileSync(join(this.dir, 'output'), 'utf8');
    const result: Record<string, string> = {};
    for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm))
      result[match[1]!] = match[3]!;
    return result;
  }

  /** The rendered task definition the output `task-definition` points to. */
  rendered(): Record<string, unknown> {
    return JSON.parse(readFileSync(this.outputs()['task-definition']!, 'utf8')) as Record<string, unknown>;
  }

  summary(): string {
    return readFileSync(SUMMARY_FILE, 'utf8');
  }

  /** Lines of one workflow command, e.g. `error` or `warning`, without the `::error::` prefix. */
  commands(kind: string): string[] {
    const prefix = `::${kind}::`;
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .map((line) => line.slice(prefix.length));
  }
}

/** Expects one ECS call with this exact body, answered with `reply` (or an error when status >= 400). */
export function expectEcs(operation: string, body: object, reply: object, status = 200): void {
  nock(ECS_ENDPOINT)
    .post('/', body as nock.RequestBodyMatcher)
    .matchHeader('x-amz-target', `AmazonEC2ContainerServiceV20141113.${operation}`)
    .reply(status, reply, { 'content-type': 'application/x-amz-json-1.1' });
}
