/**
 * The migration command: `node sample-service/dist/migrate.js`, run once per deploy before the new revision takes
 * traffic (in ECS, as a one-off task of the same task definition, with the same DATABASE_URL secret).
 * Exit 0: the schema is at this build's version (applied now or already). Exit 1: nothing was left half-applied, and
 * the one `fatal` line says why.
 */
import { describeDatabaseUrl, openDatabase, type Database } from './database/database.js';
import { migrate } from './database/migrate.js';
import { LOG_LEVELS, type LogLevel } from './config.js';
import { createLogger } from './logger.js';
import { SERVICE_NAME } from './package-info.js';

const requestedLevel = (process.env.LOG_LEVEL?.trim() || 'info').toLowerCase();
const logger = createLogger(
  (LOG_LEVELS as readonly string[]).includes(requestedLevel) ? (requestedLevel as LogLevel) : 'info',
  `${SERVICE_NAME}-migrate`,
);

const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
if (databaseUrl === undefined || !/^postgres(ql)?:\/\/./.test(databaseUrl)) {
  // The embedded PGlite lives inside one service process: only a real PostgreSQL can be migrated from outside.
  logger.fatal(
    'DATABASE_URL must be set to the PostgreSQL to migrate (postgres://user:password@host:5432/database); nothing was changed',
  );
  process.exit(1);
}

let database: Database | undefined;
let exitCode = 0;
try {
  database = await openDatabase(databaseUrl, logger, { queryTimeoutMs: undefined });
  const result = await migrate(database, logger);
  logger.info(
    { version: result.version, applied: result.applied.map((migration) => migration.version) },
    `migrations complete: ${result.applied.length} applied, schema at version ${result.version}`,
  );
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  logger.fatal(`cannot migrate the database at ${describeDatabaseUrl(databaseUrl)}: ${reason}`);
  exitCode = 1;
} finally {
  await database?.close().catch(() => undefined);
}
process.exit(exitCode);
