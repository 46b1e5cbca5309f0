/**
 * Starts the compiled sample service (sample-service/dist/main.js, built by `npm run build -w sample-service`) as a
 * real process on 127.0.0.1 and a free port, for end-to-end tests over real HTTP. Any test in the repository may use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SAMPLE_SERVICE_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
/** The migration command, `node sample-service/dist/migrate.js`. */
export const SAMPLE_SERVICE_MIGRATE = fileURLToPath(new URL('../../dist/migrate.js', import.meta.url));

/** The API_TOKEN the service gets unless the caller sets another one. */
export const TEST_API_TOKEN = 'test-token-0123456789abcdef';

/** One JSON log line the service wrote to stdout. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SampleService {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  port: number;
  process: ChildProcess;
  /** Every JSON line written so far, in order. */
  logs: LogLine[];
  /** Everything written to stdout and stderr, for failure messages. */
  output(): string;
  waitForLog(matches: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<Exit>;
  /** Sends the signal (SIGTERM by default) and waits for the exit; SIGKILL if it takes longer than timeoutMs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

export interface StartOptions {
  /** Added to (or, when undefined, removed from) the defaults: NODE_ENV=test, HOST, PORT=0, API_TOKEN, LOG_LEVEL=info. */
  env?: Record<string, string | undefined>;
  /** How long to wait for the "listening" line; PGlite takes seconds to start on a busy machine. */
  startTimeoutMs?: number;
}

/** Starts the service and resolves once it listens; rejects with its output if it exits or never listens. */
export async function startSampleService(options: StartOptions = {}): Promise<SampleService> {
  const service = spawnService(SAMPLE_SERVICE_MAIN, options.env ?? {});
  try {
    const listening = await service.waitForLog(
      (line) => line.msg.startsWith('listening on') && typeof line.port === 'number',
      options.startTimeoutMs ?? 60_000,
    );
    const port = listening.port as number;
    return { ...service, port, url: `http://127.0.0.1:${port}` };
  } catch (error) {
    service.process.kill('SIGKILL');
    throw error;
  }
}

/** Runs the service until it exits by itself (a configuration or start-up failure), for tests of those failures. */
export async function runSampleServiceToExit(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<Exit & { logs: LogLine[]; output: string }> {
  return runToExit(SAMPLE_SERVICE_MAIN, env, timeoutMs);
}

/** Runs the migration command (dist/migrate.js) against databaseUrl until it exits. */
export async function runMigrations(
  databaseUrl: string | undefined,
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<Exit & { logs: LogLine[]; output: string }> {
  return runToExit(SAMPLE_SERVICE_MIGRATE, { API_TOKEN: undefined, DATABASE_URL: databaseUrl, ...env }, timeoutMs);
}

async function runToExit(script: string, env: Record<string, string | undefined>, timeoutMs: number) {
  const service = spawnService(script, env);
  const timer = setTimeout(() => service.process.kill('SIGKILL'), timeoutMs);
  const exit = await service.exited;
  clearTimeout(timer);
  return { ...exit, logs: service.logs, output: service.output() };
}

function spawnService(
  script: string,
  overrides: Record<string, string | undefined>,
): Omit<SampleService, 'url' | 'port'> {
  if (!existsSync(script)) {
    throw new Error(`${script} does not exist: run "npm run build -w sample-service" first`);
  }
  const env: Record<string, string> = {};
  const defaults = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    API_TOKEN: TEST_API_TOKEN,
    LOG_LEVEL: 'info',
    // Set by c8 in `npm run test:coverage`: the service writes its coverage where the run collects it.
    NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE,
  };
  for (const [name, value] of Object.entries({ ...defaults, ...overrides })) {
    if (value !== undefined) env[name] = value;
  }
  // Only what is listed above: the test runner's own variables (NODE_OPTIONS, DATABASE_URL...) must not leak in.
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const logs: LogLine[] = [];
  const chunks: string[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    chunks.push(chunk);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = parseLogLine(line);
      if (parsed) logs.push(parsed);
    }
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  // 'close', not 'exit': a process can exit before its last output has been read, and the logs would miss it.
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  const output = () => chunks.join('');

  const waitForLog = (matches: (line: LogLine) => boolean, timeoutMs = 10_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.find(matches);
        if (found) return finish(() => resolve(found));
        if (child.exitCode !== null || child.signalCode !== null) {
          finish(() => reject(new Error(`sample service exited before the expected log line:\n${output()}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no expected log line within ${timeoutMs} ms:\n${output()}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  };

  return { process: child, logs, output, waitForLog, exited, stop };
}

function parseLogLine(line: string): LogLine | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as LogLine).msg === 'string') {
      return parsed as LogLine;
    }
  } catch {
    // Not JSON (a Node warning, say): kept in output() only.
  }
  return undefined;
}
