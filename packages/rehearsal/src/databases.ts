/** One PostgreSQL database per rehearsal environment, migrated with the service's own migration command. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '../../../sample-service/test/support/start-service.js';

export interface EnvironmentDatabase {
  url: string;
  drop(): Promise<void>;
}

async function withClient(serverUrl: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Creates `rehearsal_<environment>_<random>` on the server and runs dist/migrate.js against it. */
export async function createEnvironmentDatabase(serverUrl: string, environment: string): Promise<EnvironmentDatabase> {
  const name = `rehearsal_${environment.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = {
    url: url.toString(),
    drop: () => withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
  const migration = await runMigrations(database.url);
  if (migration.code !== 0) {
    await database.drop();
    throw new Error(`the migration command failed on ${name} (exit ${String(migration.code)}):\n${migration.output}`);
  }
  return database;
}
