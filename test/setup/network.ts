import { afterEach, beforeAll, expect } from '@jest/globals';
import nock from 'nock';

// No test may reach the network: nock answers AWS and Slack, and only loopback servers the tests start are reachable
// (anywhere in 127.0.0.0/8: each container of the Docker suites listens on its own 127.0.0.N).
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/);
});

// Every mocked call a test set up must have been made: a request the code no longer sends fails the test.
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

// Removed by the test environment's teardown (test/setup/environment.mjs), which, unlike afterAll, also runs for a
// file whose tests a name filter skipped.
(globalThis as Record<symbol, unknown>)[Symbol.for('ecs-actions.restore-network')] = () => nock.restore();
