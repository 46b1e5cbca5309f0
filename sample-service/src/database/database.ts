import pg from 'pg';
import type { Logger } from '../logger.js';

/** The little the service needs from PostgreSQL, so that a real server and the embedded one are interchangeable. */
export interface Database {
  readonly kind: 'postgres' | 'embedded';
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs the statements in one transaction on one connection. */
  transaction(statements: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Injection token: controllers ask for the database by this name. */
export const DATABASE = Symbol('DATABASE');

// A database that stops answering must not hold requests (or the load balancer's health check) for long.
const CONNECT_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 10_000;

export async function openDatabase(databaseUrl: string | undefined, logger: Logger): Promise<Database> {
  if (databaseUrl === undefined) {
    logger.warn('DATABASE_URL is not set: using an embedded in-memory PostgreSQL (PGlite); data is lost on restart');
    return openEmbedded();
  }
  return openPostgres(databaseUrl, logger);
}

async function openPostgres(databaseUrl: string, logger: Logger): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
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
    async transaction(statements) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const statement of statements) await client.query(statement);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
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
    async transaction(statements) {
      await db.transaction(async (tx) => {
        for (const statement of statements) await tx.query(statement);
      });
    },
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
