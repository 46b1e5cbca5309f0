import type { Database } from './database.js';

// Any constant works; it only has to be the same in every task of the service.
const MIGRATION_LOCK_ID = 7_241_001;

/**
 * Creates the schema if it is missing. Several tasks of a new deployment start at once: the advisory lock makes the
 * others wait instead of racing on CREATE TABLE.
 */
export async function migrate(database: Database): Promise<void> {
  await database.transaction([
    `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`,
    `CREATE TABLE IF NOT EXISTS projects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title text NOT NULL,
      description text,
      url text,
      github text,
      technologies text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  ]);
}
