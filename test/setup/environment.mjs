// jest's test environment for every test file: Node's, plus two duties that no hook can take on. The first: nock
// intercepts from the moment a test file imports it (test/setup/network.ts does, in every file), but jest runs no
// afterAll of a file whose tests a name filter (`-t`, or Stryker's per-mutant test selection) skipped entirely. Such a
// file left its interceptor in place over the shared socket functions, and the next file's stacked on top: sockets
// with a dozen interceptors' listeners, which under `npm run mutate` hung runs (reported as timeouts) or crashed them.
// The environment's teardown runs for every file, so the interceptor is removed there. The second is below.
import { TestEnvironment } from 'jest-environment-node';

/** Set by test/setup/network.ts on each test file's global: removes that file's nock interceptor. */
export const RESTORE_NETWORK = Symbol.for('ecs-actions.restore-network');

/**
 * Under `npm run mutate`, the mutant Stryker runs the tests against (it sets this variable for each mutant run, in the
 * test process that runs every file in band).
 */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
/** The mutant for which a test failed in this process: its remaining tests, in this file and the next, are skipped. */
let failedUnderMutant;

export default class EcsActionsEnvironment extends TestEnvironment {
  /**
   * The second duty: bail on a mutant's first failing test. One failure kills the mutant, but jest bails only between
   * files and Stryker turns even that off, so a mutant that makes the deploy wait made each of its covering tests wait
   * for its whole test timeout, one after the other, until Stryker gave up on the run, reported a timeout and started a
   * new test process. jest checks a test's mode after it dispatches test_start, so a test marked there is skipped.
   * Outside Stryker (no active mutant) nothing changes.
   */
  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return;
    if (event.name === 'test_start' && failedUnderMutant === mutant) event.test.mode = 'skip';
    if (event.name === 'test_done' && event.test.errors.length > 0) failedUnderMutant = mutant;
  }

  async teardown() {
    const restore = this.global?.[RESTORE_NETWORK];
    if (typeof restore === 'function') restore();
    await super.teardown();
  }
}
