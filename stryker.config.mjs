// @ts-check
/**
 * StrykerJS over one package at a time: `npm run mutate` (scripts/mutate.mjs) sets MUTATE_PACKAGE to
 * actions/deploy-ecs, actions/verify-targets or packages/action-kit. Only that package's own tests run against its
 * mutants, in jest's ESM mode, with the TypeScript checker discarding mutants that do not compile.
 */
import { availableParallelism } from 'node:os';

const pkg = process.env.MUTATE_PACKAGE;
if (!pkg)
  throw new Error(
    'MUTATE_PACKAGE is not set: run `npm run mutate` (or MUTATE_PACKAGE=actions/deploy-ecs npx stryker run)',
  );
const name = pkg.split('/').at(-1);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  checkers: ['typescript'],
  tsconfigFile: `${pkg}/tsconfig.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Entry points only import and re-export; action-kit's testing.ts and the step-harness.ts it re-exports are test
  // support (they import @jest/globals), not shipped behaviour.
  mutate: [`${pkg}/src/**/*.ts`, `!${pkg}/src/index.ts`, `!${pkg}/src/testing.ts`, `!${pkg}/src/step-harness.ts`],
  // A static mutant (a module-level constant) needs every test re-run in a fresh process: over half the time for 5%
  // of the mutants. They are reported as ignored and left out of the score.
  ignoreStatic: true,
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // The roots also keep test/setup/postgres.mjs from starting a PostgreSQL server in each test process. A test
    // that a mutant makes wait fails after 10 s instead of 30 s, without Stryker restarting the process.
    config: { roots: [`<rootDir>/${pkg}`], testTimeout: 10_000 },
    enableFindRelatedTests: false,
  },
  // perTest runs only the tests that cover a mutant. Before test/setup/tls-session.mjs, the jest child died with
  // SIGSEGV on a third of verify-targets' mutants (Node 24.22 and nock's emulated TLS handshakes), and Stryker
  // reported them as runtime errors; the README's testing section says more.
  coverageAnalysis: 'perTest',
  // The tests mostly wait (loopback servers, sockets, timers): one jest run of deploy-ecs and action-kit used 11 s of
  // CPU in 70 s. More test processes than cores therefore go faster. With a checker, Stryker gives half its
  // concurrency to TypeScript checkers and half to test processes, so this asks for twice the test processes wanted:
  // MUTATE_CONCURRENCY test processes (default: one more than the cores, at least 2).
  concurrency: 2 * Number(process.env.MUTATE_CONCURRENCY ?? Math.max(2, availableParallelism() + 1)),
  // A mutant that makes a test loop or wait for ever costs this much beyond the tests' own time. A test that waits fails
  // after the 10 s test timeout, and test/setup/environment.mjs then skips the mutant's other tests, so that run ends
  // as killed well within this. The margin is for the first run in a new test process, which loads jest and the AWS
  // SDK while other processes compete for the cores: with 10 s, such runs timed out, the process was restarted, and
  // the next run in it timed out too (three timeouts for every kill in deploy-ecs).
  timeoutMS: 30_000,
  // Results are kept in reports/mutation/<package>.incremental.json: the next run on this machine re-tests only the
  // mutants whose code or covering tests changed (`npm run mutate -- --force <package>` re-tests all of them).
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
