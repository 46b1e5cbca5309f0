/**
 * The schema, as versioned migrations: the one place it is defined. `node dist/migrate.js` applies the ones a
 * database lacks (before a deploy, as a one-off task); the service only checks, at start-up, that the database has
 * every version it needs (the embedded PGlite, which nobody else can reach, is migrated by the service itself).
 *
 * Rules, because old and new tasks share the database during a rolling deploy and after a rollback:
 * - never edit or renumber an applied migration (its checksum is recorded; a changed one is refused);
 * - add columns nullable or with a default, and drop nothing the previous release still reads, so that the
 *   previous revision keeps working on the migrated schema.
 */
export interface Migration {
  version: number;
  name: string;
  /** Run in order, in one transaction with the version's record. */
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create projects',
    statements: [
      `CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL,
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      'CREATE INDEX projects_created_at ON projects (created_at, id)',
    ],
  },
  {
    version: 2,
    name: 'add project links and technologies',
    statements: [
      'ALTER TABLE projects ADD COLUMN url text',
      'ALTER TABLE projects ADD COLUMN github text',
      "ALTER TABLE projects ADD COLUMN technologies text[] NOT NULL DEFAULT '{}'",
    ],
  },
];

/** The version this build's code reads and writes. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version));
