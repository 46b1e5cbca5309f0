import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { RunContext, isCancelled, isDeadline, withDeadline } from '@ecs-actions/action-kit';
import { startSilentServer, type SilentServer } from '@ecs-actions/loopback-aws';
import { createAwsClient, isTransientAwsError } from '../src/index.js';

// Real sockets: an endpoint that accepts connections and never answers.
let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(() => silent.close());

const saved = { ...process.env };
beforeEach(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_ENDPOINT_URL_ECS = silent.url;
});
afterEach(() => {
  process.env = { ...saved };
});

const describeServices = new DescribeServicesCommand({ cluster: 'prod', services: ['web'] });

describe('an AWS endpoint that accepts and never answers', () => {
  it('ends each attempt at the response timeout and names the call and endpoint once the retries are spent', async () => {
    const ecs = createAwsClient(ECSClient, {
      region: 'eu-west-1',
      action: 'deploy-ecs',
      maxAttempts: 2,
      timeouts: { responseMs: 150 },
    });
    const started = Date.now();
    const error = await ecs.send(describeServices).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      `ECS DescribeServices (${silent.url}) did not answer: no answer within 150 ms, after 2 attempts. ` +
        'Check the network between this runner and AWS (proxy, VPC endpoint, AWS_ENDPOINT_URL).',
    );
    // A waiting loop rides it out like any network fault.
    expect(isTransientAwsError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ends the call, retries and back-off included, when the deadline passes', async () => {
    const deadline = withDeadline(new AbortController().signal, 300, 'timeout-minutes (1 minute)');
    const ecs = createAwsClient(ECSClient, {
      region: 'eu-west-1',
      action: 'deploy-ecs',
      signal: deadline.signal,
      timeouts: { responseMs: 60_000 },
    });
    const started = Date.now();
    const error = await ecs.send(describeServices).catch((caught: unknown) => caught);
    expect(isDeadline(error)).toBe(true);
    expect((error as Error).message).toBe(
      `ECS DescribeServices (${silent.url}) did not answer before the deadline passed: timeout-minutes (1 minute)`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ends the call at once on cancel, reading the signal at each call', async () => {
    const context = new RunContext();
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs', signal: () => context.signal });
    setTimeout(() => context.cancel('SIGINT'), 100);
    const started = Date.now();
    const error = await ecs.send(describeServices).catch((caught: unknown) => caught);
    expect(isCancelled(error)).toBe(true);
    expect((error as Error).message).toBe(`Cancelled (SIGINT) during ECS DescribeServices (${silent.url})`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('names the call and endpoint when the connection is refused', async () => {
    process.env.AWS_ENDPOINT_URL_ECS = 'http://127.0.0.1:9';
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs', maxAttempts: 1 });
    const error = await ecs.send(describeServices).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /^ECS DescribeServices \(http:\/\/127\.0\.0\.1:9\) did not answer: ECONNREFUSED/,
    );
    // One attempt: the caller backs off itself, the message claims no SDK retries.
    expect((error as Error).message).toContain(' (one attempt: the SDK does not retry this call). Check the network');
  });
});
