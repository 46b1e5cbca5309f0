import { afterEach, beforeEach, expect, it } from '@jest/globals';
import pg from 'pg';
import { openDatabase } from '../src/database/database.js';
import { migrate } from '../src/database/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/database/migrations.js';
import { createLogger } from '../src/logger.js';
import { describeWithPostgres } from './support/describe-postgres.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { runMigrations, runSampleServiceToExit } from './support/start-service.js';

const MIGRATION_LOCK_ID = 7_241_001;

it('refuses to run without DATABASE_URL, naming it', async () => {
  const run = await runMigrations(undefined);
  expect(run.code).toBe(1);
  expect(run.logs.find((line) => line.level === 'fatal')?.msg).toMatch(/^DATABASE_URL must be set to the PostgreSQL/);
});

describeWithPostgres('the migration command (node sample-service/dist/migrate.js) on real PostgreSQL', (serverUrl) => {
  let database: TestDatabase;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  };
  const recorded = async () =>
    (
      await (
        await connect()
      ).query<{ version: number; name: string; applied_at: Date }>(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      )
    ).rows;
  const tableExists = async (name: string) =>
    (await (await connect()).query<{ name: string | null }>('SELECT to_regclass($1)::text AS name', [name])).rows[0]
      .name !== null;

  beforeEach(async () => {
    database = await createTestDatabase(serverUrl);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    await database?.drop();
  });

  it('applies every migration to an empty database, in order, and records each', async () => {
    const run = await runMigrations(database.url);
    expect(run.code).toBe(0);
    expect(run.logs.filter((line) => line.msg.startsWith('applied migration')).map((line) => line.version)).toEqual(
      MIGRATIONS.map((migration) => migration.version),
    );
    expect(run.logs.at(-1)?.msg).toBe(
      `migrations complete: ${MIGRATIONS.length} applied, schema at version ${SCHEMA_VERSION}`,
    );
    expect((await recorded()).map(({ version, name }) => ({ version, name }))).toEqual(
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    const columns = await (
      await connect()
    ).query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'projects' ORDER BY column_name",
    );
    expect(columns.rows.map((row) => row.column_name)).toEqual([
      'created_at',
      'description',
      'github',
      'id',
      'technologies',
      'title',
      'updated_at',
      'url',
    ]);
  });

  it('applies nothing on a second run and leaves the records as they were', async () => {
    expect((await runMigrations(database.url)).code).toBe(0);
    const before = await recorded();
    const again = await runMigrations(database.url);
    expect(again.code).toBe(0);
    expect(again.logs.map((line) => line.msg)).toContain(
      `schema is up to date at version ${SCHEMA_VERSION}; nothing to apply`,
    );
    expect(again.logs.some((line) => line.msg.startsWith('applied migration'))).toBe(false);
    expect(await recorded()).toEqual(before);
  });

  it('refuses at once while another migration holds the advisory lock, and changes nothing', async () => {
    const holder = await connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const run = await runMigrations(database.url);
    expect(run.code).toBe(1);
    expect(run.logs.find((line) => line.level === 'fatal')?.msg).toContain(
      'another migration is running on this database',
    );
    expect(await tableExists('schema_migrations')).toBe(false);
    expect(await tableExists('projects')).toBe(false);

    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    expect((await runMigrations(database.url)).code).toBe(0);
  });

  it('applies each migration once when two runs start together', async () => {
    const runs = await Promise.all([runMigrations(database.url), runMigrations(database.url)]);
    expect(runs.some((run) => run.code === 0)).toBe(true);
    for (const run of runs.filter((one) => one.code !== 0)) {
      expect(run.output).toContain('another migration is running on this database');
    }
    const applied = runs.flatMap((run) => run.logs.filter((line) => line.msg.startsWith('applied migration')));
    expect(applied.map((line) => line.version).sort()).toEqual(MIGRATIONS.map((migration) => migration.version));
    expect((await recorded()).map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it('refuses a migration that was changed after it was applied', async () => {
    expect((await runMigrations(database.url)).code).toBe(0);
    await (await connect()).query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
    const run = await runMigrations(database.url);
    expect(run.code).toBe(1);
    expect(run.logs.find((line) => line.level === 'fatal')?.msg).toContain(
      'migration 0001 "create projects" was changed after it was applied',
    );
  });

  it('rolls a failing migration back whole, keeps the ones before it, and releases the lock', async () => {
    const logger = createLogger('silent', 'migrate-test');
    const opened = await openDatabase(database.url, logger);
    try {
      const broken = [
        MIGRATIONS[0],
        {
          version: 2,
          name: 'half broken',
          statements: ['ALTER TABLE projects ADD COLUMN x text', 'SELECT nonsense()'],
        },
      ];
      await expect(migrate(opened, logger, broken)).rejects.toThrow(
        /^migration 0002 "half broken" failed and was rolled back: function nonsense\(\) does not exist/,
      );
      expect((await recorded()).map((row) => row.version)).toEqual([1]);
      const column = await (
        await connect()
      ).query("SELECT 1 FROM information_schema.columns WHERE table_name = 'projects' AND column_name = 'x'");
      expect(column.rows).toEqual([]);
      const other = await connect();
      const lock = await other.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_ID,
      ]);
      expect(lock.rows[0].locked).toBe(true);
      await other.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
      expect((await migrate(opened, logger)).applied.map((migration) => migration.version)).toEqual([2]);
    } finally {
      await opened.close();
    }
  });

  it('keeps the service from starting on a database that lacks a migration, naming the command to run', async () => {
    const run = await runSampleServiceToExit({ DATABASE_URL: database.url });
    expect(run.code).toBe(1);
    expect(run.logs.find((line) => line.level === 'fatal')?.msg).toContain(
      `the database schema is at version 0 but this build needs ${SCHEMA_VERSION}`,
    );
    expect(run.output).toContain('node sample-service/dist/migrate.js');
    expect(await tableExists('projects')).toBe(false);
  });
});
