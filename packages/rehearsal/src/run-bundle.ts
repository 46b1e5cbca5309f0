import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inputVariable, parseCommandFile, runStepProcess, RUNNER_GRACE_MS } from '@ecs-actions/workflow-runner';

export const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface BundleRun {
  action: string;
  exitCode: number;
  outputs: Record<string, string>;
  /** The job summary (HTML/Markdown) the step wrote. */
  summary: string;
  /** Every line the step printed, stdout and stderr interleaved. */
  lines: string[];
  /** `::error::` messages. */
  errors: string[];
  durationMs: number;
  /** Signals the step was sent, with milliseconds since it started. */
  signals: Array<{ signal: NodeJS.Signals; atMs: number }>;
}

export interface RunBundleOptions {
  /** Inputs by their action.yml names; undefined and empty values are left unset, as a runner does. */
  inputs: Record<string, string | number | boolean | undefined>;
  /** Extra environment (AWS_ENDPOINT_URL, credentials, GITHUB_* context). */
  env?: Record<string, string | undefined>;
  /** Called with each line as it is printed. */
  onLine?: (line: string) => void;
  /** Kill the step after this long. */
  timeoutMs?: number;
  /** The job's RUNNER_TEMP, shared by its steps (a rendered file must outlive the step that wrote it). */
  runnerTemp?: string;
  /** Stops the step (SIGTERM, as a runner cancelling a job does) when aborted. */
  signal?: AbortSignal;
  /**
   * Cancels the step as GitHub's runner does when aborted (actions/runner ProcessInvoker.cs): SIGINT, then SIGTERM
   * `graceMs.sigint` later, then SIGKILL `graceMs.sigterm` after that.
   */
  cancel?: AbortSignal;
  /** The runner's waits after SIGINT and after SIGTERM; 7.5 s and 2.5 s unless set (a test of a second signal). */
  graceMs?: { sigint: number; sigterm: number };
  /**
   * Runs the action's entry point from source (`actions/<action>/src/index.ts` through tsx) instead of the
   * committed bundle: a test of a change that the bundles, rebuilt on main, do not hold yet.
   */
  fromSource?: boolean;
  /** The step's working directory (the job's workspace); the repository root unless set. */
  cwd?: string;
}

export { RUNNER_GRACE_MS, inputVariable };

/** One controller for everything a rehearsal runs: aborting it stops the step in flight (Ctrl-C, SIGTERM). */
export const stopAllSteps = new AbortController();

/** Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks. */
export const parseOutputFile = (text: string): Record<string, string> => parseCommandFile(text);

/** An action's entry file in the source tree. */
export function sourceEntry(action: string): string {
  return join(repositoryRoot, 'actions', action, 'src', 'index.ts');
}

/**
 * Runs `dist/<action>/index.js` the way a GitHub runner runs a node24 action: inputs as INPUT_* variables,
 * fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, RUNNER_TEMP, and nothing inherited from the caller's INPUT_*.
 */
export async function runBundle(action: string, options: RunBundleOptions): Promise<BundleRun> {
  const signal = options.signal ?? stopAllSteps.signal;
  if (signal.aborted) throw new Error(`${action} not started: the rehearsal is stopping`);
  const work = mkdtempSync(join(tmpdir(), `rehearsal-${action}-`));
  const outputFile = join(work, 'output');
  const summaryFile = join(work, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('INPUT_') && !key.startsWith('GITHUB_')) env[key] = value;
  }
  Object.assign(env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: options.runnerTemp ?? work,
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: action,
  });
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  for (const [name, value] of Object.entries(options.inputs)) {
    if (value !== undefined && value !== '') env[inputVariable(name)] = String(value);
  }

  const lines: string[] = [];
  const run = await runStepProcess({
    command: process.execPath,
    args: options.fromSource
      ? ['--import', pathToFileURL(join(repositoryRoot, 'node_modules/tsx/dist/loader.mjs')).href, sourceEntry(action)]
      : [join(repositoryRoot, 'dist', action, 'index.js')],
    cwd: options.cwd ?? repositoryRoot,
    env,
    onLine: (line) => {
      lines.push(line);
      options.onLine?.(line);
    },
    cancel: options.cancel,
    grace: options.graceMs,
    terminate: signal,
    killAfterMs: options.timeoutMs,
  });

  const result: BundleRun = {
    action,
    exitCode: run.exitCode,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    lines,
    errors: lines.filter((line) => line.startsWith('::error')).map((line) => line.replace(/^::error[^:]*::/, '')),
    durationMs: run.durationMs,
    signals: run.signals,
  };
  rmSync(work, { recursive: true, force: true });
  return result;
}
