import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import nock from 'nock';

// No test may reach the network: nock answers AWS and Slack, and only loopback servers the tests start are reachable.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
});

// Every mocked call a test set up must have been made: a request the code no longer sends fails the test.
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

afterAll(() => {
  nock.restore();
});
