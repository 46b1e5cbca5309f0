import { fileURLToPath } from 'node:url';

/** One jest run over every workspace: ts-jest in ESM mode, network disabled for every test. */
export default {
  // Node's, removing each file's nock interceptor at teardown, also for a file whose tests a name filter skipped.
  // An absolute path: Stryker's environment wrapper resolves it without jest's <rootDir>.
  testEnvironment: fileURLToPath(new URL('./test/setup/environment.mjs', import.meta.url)),
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/.stryker-tmp/'],
  // npm run mutate copies the repository into .stryker-tmp/: a jest run beside it must not see the copy's packages.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup/network.ts', '<rootDir>/test/setup/tls-session.mjs'],
  // The sample service's PostgreSQL suites never skip: a throwaway server when TEST_DATABASE_URL is unset. Plain
  // JavaScript: jest loads global hooks natively, where the TypeScript transform's import mapping does not apply.
  globalSetup: '<rootDir>/test/setup/postgres.mjs',
  globalTeardown: '<rootDir>/test/setup/postgres-teardown.mjs',
  testTimeout: 30000,
  // Two cores: leave one for the servers that end-to-end tests start.
  maxWorkers: 2,
};
