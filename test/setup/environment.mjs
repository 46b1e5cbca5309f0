// jest's test environment for every test file: Node's, plus one duty that no hook can take on. nock intercepts from
// the moment a test file imports it (test/setup/network.ts does, in every file), but jest runs no afterAll of a file
// whose tests a name filter (`-t`, or Stryker's per-mutant test selection) skipped entirely. Such a file left its
// interceptor in place over the shared socket functions, and the next file's stacked on top: sockets with a dozen
// interceptors' listeners, which under `npm run mutate` hung runs (reported as timeouts) or crashed them. The
// environment's teardown runs for every file, so the interceptor is removed there.
import { TestEnvironment } from 'jest-environment-node';

/** Set by test/setup/network.ts on each test file's global: removes that file's nock interceptor. */
export const RESTORE_NETWORK = Symbol.for('ecs-actions.restore-network');

export default class EcsActionsEnvironment extends TestEnvironment {
  async teardown() {
    const restore = this.global?.[RESTORE_NETWORK];
    if (typeof restore === 'function') restore();
    await super.teardown();
  }
}
