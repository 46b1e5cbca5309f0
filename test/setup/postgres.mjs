/**
 * Jest global setup: the sample service's PostgreSQL suites run in every jest run that includes them, not only in CI.
 * When TEST_DATABASE_URL is unset, starts a throwaway server on 127.0.0.1 with scripts/ci-postgres.sh (as .ci/run
 * does) and exports its URL to the test workers; globalTeardown (./postgres-teardown.mjs) stops it, and so does an exit
 * or Ctrl-C of the jest process. When no server can be started, the suites fail with POSTGRES_UNAVAILABLE_ENV's reason.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative as relativePath, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The data directory of the server this jest run started; unset when it started none (or CI gave one). */
export const STARTED_DATA_ENV = 'ECS_ACTIONS_TEST_POSTGRES_DATA';
/** Why no server could be started; the PostgreSQL suites fail with it (sample-service/test/support/postgres.ts). */
export const POSTGRES_UNAVAILABLE_ENV = 'ECS_ACTIONS_TEST_POSTGRES_UNAVAILABLE';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The test files that need real PostgreSQL: a run that selects none of them starts no server. */
export const POSTGRES_SUITES = [
  'sample-service/test/api.test.ts',
  'sample-service/test/migrate.test.ts',
  'sample-service/test/readiness.test.ts',
];

/**
 * @param {{ rootDir: string, testPathPatterns?: { toExecutor(options: { rootDir: string }): { isMatch(path: string): boolean } } }} config
 *   the part of jest's global config this reads (jest 30: testPathPatterns is a TestPathPatterns)
 * @param {{ roots?: string[] }} [project] the project config: its roots (`npm run mutate` narrows them to one package)
 */
export default function globalSetup(config, project) {
  if (process.env.TEST_DATABASE_URL) return;
  const selected = config.testPathPatterns?.toExecutor({ rootDir: config.rootDir });
  if (selected && !POSTGRES_SUITES.some((suite) => selected.isMatch(join(ROOT, suite)))) return;
  const roots = project?.roots;
  if (roots && !POSTGRES_SUITES.some((suite) => roots.some((root) => isInside(join(ROOT, suite), root)))) return;
  try {
    const server = startTestPostgres();
    process.env.TEST_DATABASE_URL = server.url;
    process.env[STARTED_DATA_ENV] = server.data;
    stopOnExit();
    stopWhenGone(process.pid, server.data);
  } catch (error) {
    process.env[POSTGRES_UNAVAILABLE_ENV] = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\n${process.env[POSTGRES_UNAVAILABLE_ENV]}: the PostgreSQL suites will fail\n`);
  }
}

/**
 * Runs scripts/ci-postgres.sh (or `script`, sourced the same way) and returns the server's URL and data directory.
 * @param {string} [script]
 * @returns {{ url: string, data: string }}
 */
export function startTestPostgres(script = 'scripts/ci-postgres.sh') {
  const result = spawnSync(
    'bash',
    ['-c', 'source "$1" >&2 && printf "%s\\n%s\\n" "$TEST_DATABASE_URL" "$CI_POSTGRES_DATA"', 'bash', script],
    // Installing PostgreSQL from Debian's packages, as the script does as root without one, can take minutes.
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TEST_DATABASE_URL: '' }, timeout: 300_000 },
  );
  process.stderr.write(result.stderr ?? '');
  const [url, data] = (result.stdout ?? '').trim().split('\n');
  if (result.status === 0 && url?.startsWith('postgres://') && data) return { url, data };
  const said = (result.stderr ?? '').trim().split('\n').at(-1) || result.error?.message || `exit ${result.status}`;
  throw new Error(`${script} could not start PostgreSQL (${said})`);
}

/** @param {string} path @param {string} folder */
function isInside(path, folder) {
  const relative = relativePath(resolve(folder), path);
  return relative === '' || (!relative.startsWith('..') && !isAbsolute(relative));
}

/**
 * A SIGKILL of jest runs no handler at all (Stryker kills a test process whose mutant timed out; so does a CI job's
 * timeout): a detached watcher stops the server and removes its files once process `pid` is gone. It ends with it.
 * @param {number} pid @param {string} data
 */
export function stopWhenGone(pid, data) {
  const watcher = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
        'if postmaster=$(head -n 1 "$2/postmaster.pid" 2>/dev/null); then kill -INT "$postmaster" 2>/dev/null; ' +
        'for _ in $(seq 1 300); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.1; done; ' +
        'kill -0 "$postmaster" 2>/dev/null && kill -QUIT "$postmaster"; fi; rm -rf "$(dirname "$2")"',
      'stop-when-gone',
      String(pid),
      data,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watcher.unref();
  return watcher;
}

/** Ctrl-C and a crash of jest skip globalTeardown; pg_ctl detaches the server from the terminal, so stop it here. */
function stopOnExit() {
  process.once('exit', stopStartedPostgres);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopStartedPostgres();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Stops the server this run started (fast shutdown: SIGINT to the postmaster named in postmaster.pid), waits for it
 * to exit and removes its files. Idempotent: safe from globalTeardown and from the exit handler both.
 */
export function stopStartedPostgres() {
  const data = process.env[STARTED_DATA_ENV];
  if (!data) return;
  delete process.env[STARTED_DATA_ENV];
  const pidFile = join(data, 'postmaster.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
  if (Number.isInteger(pid) && pid > 0 && signal(pid, 'SIGINT')) {
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) sleepSync(50);
    if (alive(pid)) signal(pid, 'SIGQUIT');
  }
  // ci-postgres.sh puts the cluster in data/ of a mktemp directory of its own, next to its logs.
  rmSync(dirname(data), { recursive: true, force: true });
}

/** @param {number} pid @param {NodeJS.Signals | 0} name @returns {boolean} whether the process was there */
function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** @param {number} pid */
function alive(pid) {
  return signal(pid, 0);
}

/** @param {number} ms */
function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
