import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
