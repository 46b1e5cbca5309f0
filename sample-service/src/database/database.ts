import pg from 'pg';
import type { Logger } from '../logger.js';

export interface Queryable {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

/** The little the service needs from PostgreSQL, so that a real server and the embedded one are interchangeable. */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'embedded';
  /** Runs work on one connection held throughout (session-level advisory locks, explicit transactions). */
  session<T>(work: (session: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Per query; the migration command lifts it, since a migration may rightly take longer than a request. */
  queryTimeoutMs?: number | undefined;
}

/** Injection token: controllers ask for the database by this name. */
export const DATABASE = Symbol('DATABASE');

// A database that stops answering must not hold requests (or the load balancer's health check) for long.
const CONNECT_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 10_000;

export async function openDatabase(
  databaseUrl: string | undefined,
  logger: Logger,
  options: DatabaseOptions = { queryTimeoutMs: QUERY_TIMEOUT_MS },
): Promise<Database> {
  if (databaseUrl === undefined) {
    logger.warn('DATABASE_URL is not set: using an embedded in-memory PostgreSQL (PGlite); data is lost on restart');
    return openEmbedded();
  }
  return openPostgres(databaseUrl, logger, options);
}

async function openPostgres(databaseUrl: string, logger: Logger, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.queryTimeoutMs === undefined ? {} : { query_timeout: options.queryTimeoutMs }),
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that the server drops (restart, failover) emits here; unhandled, it would crash the process.
  pool.on('error', (error) => logger.warn({ err: { message: error.message } }, 'database connection lost'));
  const database: Database = {
    kind: 'postgres',
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await pool.query(sql, params);
      return result.rows as Row[];
    },
    async session(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await work({
          query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
        });
      } catch (error) {
        broken = error instanceof Error ? error : undefined;
        throw error;
      } finally {
        // A connection that failed mid-session may still hold a transaction: destroy it rather than reuse it.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
  await database.query('SELECT 1');
  return database;
}

async function openEmbedded(): Promise<Database> {
  // Loaded only when used: a production task with DATABASE_URL never pays for the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  return {
    kind: 'embedded',
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await db.query<Row>(sql, params);
      return result.rows;
    },
    // PGlite is a single connection: every query is already on the same session.
    session: (work) =>
      work({ query: async <Row>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows }),
    close: () => db.close(),
  };
}

/** Where the connection failed, without the password that DATABASE_URL carries. */
export function describeDatabaseUrl(databaseUrl: string | undefined): string {
  if (databaseUrl === undefined) return 'embedded PGlite';
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'DATABASE_URL (unparsable)';
  }
}
