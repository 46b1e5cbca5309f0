import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Database, Queryable } from './database.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';

// Any constant works; it only has to be the same for every run against the same database.
const MIGRATION_LOCK_ID = 7_241_001;

// A migration that waits for a table lock queues every query of the running service behind it: give up instead.
const LOCK_TIMEOUT = '10s';

/** A user error: what is wrong and what to do, in one line; the migration command exits 1 with it. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationResult {
  applied: Migration[];
  /** The schema version after the run. */
  version: number;
}

/**
 * Applies, in order, each migration the database lacks, each in its own transaction with its record in
 * schema_migrations. Idempotent: a second run applies nothing. Refuses at once (rather than queue) when another run
 * holds the advisory lock, so that two deploys never migrate the same database together unnoticed.
 */
export async function migrate(
  database: Database,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  return database.session(async (session) => {
    const [lock] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_ID,
    ]);
    if (!lock.locked) {
      throw new MigrationError(
        `another migration is running on this database (advisory lock ${MIGRATION_LOCK_ID} is held); ` +
          'nothing was changed: wait for it to finish, then run this again',
      );
    }
    try {
      return await applyPending(session, logger, migrations);
    } finally {
      // A lost connection releases the lock by itself; its error must not hide the migration's own.
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    }
  });
}

async function applyPending(
  session: Queryable,
  logger: Logger,
  migrations: readonly Migration[],
): Promise<MigrationResult> {
  await session.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const recorded = await session.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  const checksums = new Map(recorded.map((row) => [row.version, row.checksum]));
  for (const migration of migrations) {
    const checksum = checksums.get(migration.version);
    if (checksum !== undefined && checksum !== checksumOf(migration)) {
      throw new MigrationError(
        `migration ${label(migration)} was changed after it was applied (its checksum differs from the one recorded ` +
          'in schema_migrations); nothing was changed: restore it and add a new migration instead',
      );
    }
  }

  const pending = migrations.filter((migration) => !checksums.has(migration.version));
  for (const migration of pending) {
    const started = Date.now();
    await session.query('BEGIN');
    try {
      await session.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      for (const statement of migration.statements) await session.query(statement);
      await session.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        checksumOf(migration),
      ]);
      await session.query('COMMIT');
    } catch (error) {
      await session.query('ROLLBACK').catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(`migration ${label(migration)} failed and was rolled back: ${reason}`);
    }
    logger.info(
      { version: migration.version, name: migration.name, durationMs: Date.now() - started },
      `applied migration ${label(migration)}`,
    );
  }
  const version = Math.max(0, ...recorded.map((row) => row.version), ...pending.map((migration) => migration.version));
  if (pending.length === 0) logger.info({ version }, `schema is up to date at version ${version}; nothing to apply`);
  return { applied: pending, version };
}

/**
 * Start-up check of a real PostgreSQL: the schema must be at least the version this build needs. A newer schema is
 * fine (migrations only add, so the previous release runs on it after a rollback).
 */
export async function checkSchema(database: Database, needed: number = SCHEMA_VERSION): Promise<number> {
  const [table] = await database.query<{ name: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS name",
  );
  const version =
    table.name === null
      ? 0
      : Number(
          (await database.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations'))[0]
            .version ?? 0,
        );
  if (version < needed) {
    const missing = MIGRATIONS.filter((migration) => migration.version > version).map(label);
    throw new MigrationError(
      `the database schema is at version ${version} but this build needs ${needed} (missing ${missing.join(', ')}): ` +
        'run the migrations first: node sample-service/dist/migrate.js with the same DATABASE_URL ' +
        '(in ECS, the run-task action with this task definition)',
    );
  }
  return version;
}

function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.statements.join(';\n')).digest('hex');
}

function label(migration: Migration): string {
  return `${String(migration.version).padStart(4, '0')} "${migration.name}"`;
}
