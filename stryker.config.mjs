// @ts-check
/**
 * StrykerJS over one package at a time: `npm run mutate` (scripts/mutate.mjs) sets MUTATE_PACKAGE to
 * actions/deploy-ecs, actions/verify-targets or packages/action-kit. Only that package's own tests run against its
 * mutants, in jest's ESM mode, with the TypeScript checker discarding mutants that do not compile.
 */
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
  // Entry points only import and re-export; action-kit's testing.ts is test support, not shipped behaviour.
  mutate: [`${pkg}/src/**/*.ts`, `!${pkg}/src/index.ts`, `!${pkg}/src/testing.ts`],
  // A static mutant (a module-level constant) needs every test re-run in a fresh process: over half the time for 5%
  // of the mutants. They are reported as ignored and left out of the score.
  ignoreStatic: true,
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: { roots: [`<rootDir>/${pkg}`], globalSetup: undefined, globalTeardown: undefined },
    enableFindRelatedTests: false,
  },
  // perTest runs only the tests that cover a mutant. Measured on verify-targets (772 mutants, Node 24, jest's ESM
  // mode): the jest child crashed with SIGSEGV on 258 of them, twice in a row each, so Stryker reported them as
  // runtime errors and left them out of the score. Re-run with coverageAnalysis 'off' (which needs ignoreStatic:
  // false), a sample of those mutants ran without a crash and were killed; 'off' runs every test of the package
  // against every mutant, too slow for a shared 2-core machine. The README records the figures.
  coverageAnalysis: 'perTest',
  // Two cores shared by everyone: one test process.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
