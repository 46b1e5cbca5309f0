import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
}

/** How long GitHub's runner waits after SIGINT, then after SIGTERM, before it kills a cancelled step. */
export const RUNNER_GRACE_MS = { sigint: 7_500, sigterm: 2_500 };

/** One controller for everything a rehearsal runs: aborting it stops the step in flight (Ctrl-C, SIGTERM). */
export const stopAllSteps = new AbortController();

/** The environment variable a runner sets for an input: `INPUT_` + the name upper-cased, spaces as `_`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const [, name, delimiter] = block;
      const value: string[] = [];
      while (++index < lines.length && lines[index] !== delimiter) value.push(lines[index]!);
      outputs[name!] = value.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
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

  const started = Date.now();
  const lines: string[] = [];
  const child = spawn(process.execPath, [join(repositoryRoot, 'dist', action, 'index.js')], {
    env,
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        options.onLine?.(line);
      }
    });
    stream.on('end', () => {
      if (pending) {
        lines.push(pending);
        options.onLine?.(pending);
      }
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
  const signals: BundleRun['signals'] = [];
  const send = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signals.push({ signal: name, atMs: Date.now() - started });
    child.kill(name);
  };
  const stop = () => send('SIGTERM');
  signal.addEventListener('abort', stop, { once: true });
  const grace = options.graceMs ?? RUNNER_GRACE_MS;
  const runnerTimers: NodeJS.Timeout[] = [];
  const cancel = () => {
    send('SIGINT');
    runnerTimers.push(setTimeout(() => send('SIGTERM'), grace.sigint));
    runnerTimers.push(setTimeout(() => send('SIGKILL'), grace.sigint + grace.sigterm));
  };
  if (options.cancel?.aborted) cancel();
  else options.cancel?.addEventListener('abort', cancel, { once: true });
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  signal.removeEventListener('abort', stop);
  options.cancel?.removeEventListener('abort', cancel);
  runnerTimers.forEach(clearTimeout);
  if (timer) clearTimeout(timer);

  const result: BundleRun = {
    action,
    exitCode,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    lines,
    errors: lines.filter((line) => line.startsWith('::error')).map((line) => line.replace(/^::error[^:]*::/, '')),
    durationMs: Date.now() - started,
    signals,
  };
  rmSync(work, { recursive: true, force: true });
  return result;
}
