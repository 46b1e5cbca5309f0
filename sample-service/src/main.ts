import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { describeDatabaseUrl, openDatabase, type Database } from './database/database.js';
import { checkSchema, migrate } from './database/migrate.js';
import { createLogger } from './logger.js';
import { SERVICE_NAME, SERVICE_VERSION } from './package-info.js';
import { closeGracefullyOnSignals } from './shutdown.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger('info', SERVICE_NAME).fatal({ problems: error.problems }, error.message);
  process.exit(1);
}

const logger = createLogger(config.logLevel, SERVICE_NAME);
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled promise rejection');
  process.exit(1);
});

let database: Database;
try {
  database = await openDatabase(config.databaseUrl, logger);
  // A real database is migrated before the deploy (dist/migrate.js); only the private, in-memory one is ours to migrate.
  if (database.kind === 'embedded') await migrate(database, logger);
  else await checkSchema(database);
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  logger.fatal(`cannot use the database at ${describeDatabaseUrl(config.databaseUrl)}: ${reason}`);
  process.exit(1);
}

const app = await createApp(config, database, logger);
await app.listen({ port: config.port, host: config.host });
closeGracefullyOnSignals(app, database, logger, config.shutdownTimeoutMs);
const { port } = app.getHttpServer().address() as AddressInfo;
logger.info(
  { host: config.host, port, database: database.kind, version: SERVICE_VERSION, gitSha: config.gitSha },
  `listening on http://${config.host}:${port}`,
);
