/**
 * Real PostgreSQL for the end-to-end tests: TEST_DATABASE_URL, which scripts/ci-postgres.sh exports in CI and jest's
 * global setup (test/setup/postgres.mjs) exports everywhere else, from a throwaway server it starts.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from './start-service.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A test database migrated with the real migration command (dist/migrate.js), which the service needs before it
 * starts on a real PostgreSQL.
 */
export async function createMigratedTestDatabase(serverUrl: string, prefix = 'sample_test'): Promise<TestDatabase> {
  const database = await createTestDatabase(serverUrl, prefix);
  const run = await runMigrations(database.url);
  if (run.code !== 0) {
    await database.drop();
    throw new Error(`the migration command failed (exit ${String(run.code)}):\n${run.output}`);
  }
  return database;
}

/**
 * A database of its own for one test file (or one rehearsal environment), so that files running in parallel never see
 * each other's rows. `prefix` is letters, digits and `_` (it becomes part of an SQL identifier).
 */
export async function createTestDatabase(serverUrl: string, prefix = 'sample_test'): Promise<TestDatabase> {
  const name = `${prefix.replace(/\W/g, '_')}_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdminClient(serverUrl: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A TCP relay on 127.0.0.1 between the service and PostgreSQL. Cutting it looks to the service exactly like the
 * database going away (open connections drop, new ones are refused) without stopping a server other tests share.
 */
export class DatabaseLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  static to(databaseUrl: string): DatabaseLink {
    const url = new URL(databaseUrl);
    return new DatabaseLink({ host: url.hostname, port: Number(url.port || 5432) });
  }

  /** The same database URL, reached through the relay. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  /** Refuse new connections and drop every open one. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
