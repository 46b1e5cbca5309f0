/** Suites that need real PostgreSQL. Apart from postgres.ts, which the rehearsal imports outside jest. */
import { describe, it } from '@jest/globals';
import { TEST_DATABASE_URL } from './postgres.js';

/**
 * A suite that needs real PostgreSQL. Without a server it fails, saying why and how to get one: a skipped suite would
 * pass on a contributor's machine without having run.
 */
export function describeWithPostgres(name: string, suite: (serverUrl: string) => void): void {
  const serverUrl = TEST_DATABASE_URL;
  if (serverUrl) {
    describe(name, () => suite(serverUrl));
    return;
  }
  describe(name, () => {
    it('has a PostgreSQL server to run against', () => {
      // Set by test/setup/postgres.mjs when scripts/ci-postgres.sh fails.
      const why = process.env.ECS_ACTIONS_TEST_POSTGRES_UNAVAILABLE ?? 'TEST_DATABASE_URL is not set';
      throw new Error(
        `${why}. Set TEST_DATABASE_URL to a PostgreSQL server the tests may create databases on ` +
          '(postgres://user:password@127.0.0.1:5432/postgres), or install the PostgreSQL server binaries ' +
          '(Debian: apt-get install postgresql; macOS: brew install postgresql) so that jest starts a throwaway ' +
          'server on 127.0.0.1 with scripts/ci-postgres.sh.',
      );
    });
  });
}
