import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import globalSetup, {
  POSTGRES_SUITES,
  POSTGRES_UNAVAILABLE_ENV,
  STARTED_DATA_ENV,
  startTestPostgres,
  stopStartedPostgres,
} from '../setup/postgres.mjs';

const root = join(import.meta.dirname, '..', '..');
const saved = { ...process.env };

/** A jest global config selecting the test files that match `pattern`, as `npx jest <pattern>` does. */
function configSelecting(pattern: RegExp) {
  return { rootDir: root, testPathPatterns: { toExecutor: () => ({ isMatch: (path: string) => pattern.test(path) }) } };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("jest's PostgreSQL global setup", () => {
  beforeEach(() => {
    for (const key of ['TEST_DATABASE_URL', STARTED_DATA_ENV, POSTGRES_UNAVAILABLE_ENV]) delete process.env[key];
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    // On failure too: never leave a server behind.
    stopStartedPostgres();
    jest.restoreAllMocks();
    process.env = { ...saved };
  });

  it('names test files that exist', () => {
    for (const suite of POSTGRES_SUITES) expect(existsSync(join(root, suite))).toBe(true);
  });

  it('starts no server for a run that selects no PostgreSQL suite', () => {
    globalSetup(configSelecting(/actions\/deploy-ecs\//));

    expect(process.env.TEST_DATABASE_URL).toBeUndefined();
    expect(process.env[STARTED_DATA_ENV]).toBeUndefined();
  });

  it('starts no server for a project whose roots hold no PostgreSQL suite, as npm run mutate runs one package', () => {
    globalSetup({ rootDir: root }, { roots: [join(root, 'actions', 'deploy-ecs')] });
    globalSetup({ rootDir: root }, { roots: [join(root, 'sample-service', 'src'), join(root, 'packages')] });

    expect(process.env.TEST_DATABASE_URL).toBeUndefined();
    expect(process.env[STARTED_DATA_ENV]).toBeUndefined();
  });

  it('stops the server and removes its files when jest is killed with SIGKILL, which runs no handler', async () => {
    const script =
      `import globalSetup from ${JSON.stringify(new URL('../setup/postgres.mjs', import.meta.url).href)};` +
      `globalSetup({ rootDir: ${JSON.stringify(root)} }, { roots: [${JSON.stringify(join(root, 'sample-service'))}] });` +
      `console.log(process.env.${STARTED_DATA_ENV}); setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, TEST_DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let data = '';
    let pid = NaN;
    try {
      data = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += String(chunk);
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', (code) => reject(new Error(`the jest stand-in exited (${code}) before starting a server`)));
      });
      pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      expect(alive(pid)).toBe(true);

      child.kill('SIGKILL');

      const deadline = Date.now() + 30_000;
      while ((alive(pid) || existsSync(dirname(data))) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(alive(pid)).toBe(false);
      expect(existsSync(dirname(data))).toBe(false);
    } finally {
      // On failure too: never leave a server behind.
      child.kill('SIGKILL');
      if (Number.isInteger(pid) && alive(pid)) process.kill(pid, 'SIGQUIT');
      if (data) rmSync(dirname(data), { recursive: true, force: true });
    }
  }, 300_000);

  it('leaves a configured TEST_DATABASE_URL alone', () => {
    process.env.TEST_DATABASE_URL = 'postgres://postgres:secret@127.0.0.1:5432/postgres';

    globalSetup(configSelecting(/./));

    expect(process.env.TEST_DATABASE_URL).toBe('postgres://postgres:secret@127.0.0.1:5432/postgres');
    expect(process.env[STARTED_DATA_ENV]).toBeUndefined();
  });

  it('starts a throwaway server on loopback for the PostgreSQL suites, and stops it and removes its files', async () => {
    globalSetup(configSelecting(/sample-service\/test\/readiness/));

    const url = process.env.TEST_DATABASE_URL;
    const data = process.env[STARTED_DATA_ENV];
    expect(url).toMatch(/^postgres:\/\/postgres:[0-9a-f]{32}@127\.0\.0\.1:\d+\/sample_service_test$/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const answer = await client.query<{ one: number }>('SELECT 1 AS one');
    await client.end();
    expect(answer.rows).toEqual([{ one: 1 }]);
    const pid = Number(readFileSync(join(data!, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(pid)).toBe(true);

    stopStartedPostgres();

    expect(alive(pid)).toBe(false);
    expect(existsSync(dirname(data!))).toBe(false);
    expect(process.env[STARTED_DATA_ENV]).toBeUndefined();
  }, 300_000);

  it('fails with what the script said when it cannot start a server', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'no-postgres-')), 'ci-postgres.sh');
    writeFileSync(
      script,
      'echo "ci-postgres: PostgreSQL server binaries not found and not root: install the postgresql package" >&2\n' +
        'return 1\n',
    );

    expect(() => startTestPostgres(script)).toThrow(
      `${script} could not start PostgreSQL (ci-postgres: PostgreSQL server binaries not found and not root: ` +
        'install the postgresql package)',
    );
  });
});
