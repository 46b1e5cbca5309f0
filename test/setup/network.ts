import { afterAll, afterEach, beforeAll } from '@jest/globals';
import nock from 'nock';

// No test may reach the network: nock answers AWS and Slack, and only loopback servers the tests start are reachable.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.restore();
});
