import { spawn } from 'node:child_process';

/** How long GitHub's runner waits after SIGINT, then after SIGTERM, before it kills a cancelled step. */
export const RUNNER_GRACE_MS = { sigint: 7_500, sigterm: 2_500 };

export interface StepProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onLine(line: string): void;
  /**
   * Cancels the process as actions/runner does (ProcessInvoker): SIGINT, then SIGTERM `grace.sigint` later, then
   * SIGKILL `grace.sigterm` after that.
   */
  cancel?: AbortSignal;
  grace?: { sigint: number; sigterm: number };
  /** Sends SIGTERM at once when aborted: the machine is shutting down, not a cancel with grace. */
  terminate?: AbortSignal;
  /** SIGKILL after this long: a last guard, not timeout-minutes (which is a cancel). */
  killAfterMs?: number;
}

export interface StepProcessResult {
  exitCode: number;
  /** Signals the process was sent, with milliseconds since it started. */
  signals: Array<{ signal: NodeJS.Signals; atMs: number }>;
  durationMs: number;
}

/** Runs one step's process, its stdout and stderr line by line, until it exits. */
export async function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  const started = Date.now();
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the final kill takes the whole tree (a script's `sleep` too), as the runner's does.
    detached: true,
  });
  const collect = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) options.onLine(line.replace(/\r$/, ''));
    });
    stream.on('end', () => {
      if (pending) options.onLine(pending);
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  const signals: StepProcessResult['signals'] = [];
  const send = (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signals.push({ signal, atMs: Date.now() - started });
    try {
      // SIGINT and SIGTERM go to the step's process, which may shut down in its own way; SIGKILL to all of it.
      if (signal === 'SIGKILL') process.kill(-child.pid!, signal);
      else child.kill(signal);
    } catch {
      // It has exited meanwhile.
    }
  };
  const grace = options.grace ?? RUNNER_GRACE_MS;
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  // A cancelled step leaves nothing behind: once its process has exited, what it started is killed too.
  child.on('exit', () => {
    if (!stopping) return;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Nothing left.
    }
  });
  const cancel = () => {
    stopping = true;
    send('SIGINT');
    timers.push(
      setTimeout(() => {
        send('SIGTERM');
        timers.push(setTimeout(() => send('SIGKILL'), grace.sigterm));
      }, grace.sigint),
    );
  };
  if (options.cancel?.aborted) cancel();
  else options.cancel?.addEventListener('abort', cancel, { once: true });
  const terminate = () => {
    stopping = true;
    send('SIGTERM');
  };
  if (options.terminate?.aborted) terminate();
  else options.terminate?.addEventListener('abort', terminate, { once: true });
  if (options.killAfterMs !== undefined) timers.push(setTimeout(() => send('SIGKILL'), options.killAfterMs));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  }).finally(() => {
    options.cancel?.removeEventListener('abort', cancel);
    options.terminate?.removeEventListener('abort', terminate);
    timers.forEach(clearTimeout);
  });
  return { exitCode, signals, durationMs: Date.now() - started };
}
