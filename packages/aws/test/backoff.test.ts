import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { RunContext, isCancelled, isDeadline, systemClock, withDeadline } from '@ecs-actions/action-kit';
import { createAwsClient, isTransientAwsError, sendWithBackoff } from '../src/index.js';

const saved = { ...process.env };
const UPDATE = { cluster: 'prod', service: 'web', taskDefinition: 'web:8' };
const ANSWER = { service: { serviceName: 'web', deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY' }] } };

beforeEach(() => {
  for (const key of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_ECS']) delete process.env[key];
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
});
afterEach(() => {
  process.env = { ...saved };
});

/** Each UpdateService request with the exact body; `sent` counts them. */
function updateService(status: number, body: object, sent: { count: number }) {
  return nock('https://ecs.eu-west-1.amazonaws.com')
    .post('/', UPDATE)
    .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.UpdateService')
    .reply(() => {
      sent.count++;
      return [status, body, { 'content-type': 'application/x-amz-json-1.1' }];
    });
}

const throttled = { __type: 'ThrottlingException', message: 'Rate exceeded' };
const oneAttempt = () => createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs', maxAttempts: 1 });

describe('sendWithBackoff', () => {
  it('sends UpdateService again after two throttles, backing off with jitter, and returns its answer', async () => {
    const sent = { count: 0 };
    updateService(400, throttled, sent);
    updateService(400, throttled, sent);
    updateService(200, ANSWER, sent);
    const sleeps: number[] = [];
    const clock = { now: () => Date.now(), sleep: (ms: number) => (sleeps.push(ms), Promise.resolve()) };
    const warnings: string[] = [];
    const ecs = oneAttempt();
    const response = await sendWithBackoff('UpdateService', () => ecs.send(new UpdateServiceCommand(UPDATE)), {
      clock,
      warn: (message) => warnings.push(message),
      random: () => 0.5,
    });
    expect(response.service?.deployments?.[0]?.id).toBe('ecs-svc/2');
    // Three requests in all: the one-attempt client adds no retries of its own.
    expect(sent.count).toBe(3);
    expect(nock.pendingMocks()).toEqual([]);
    // 2 s then 4 s steps, each at least half the step: 1.5 s and 3 s at the middle of the jitter.
    expect(sleeps).toEqual([1500, 3000]);
    expect(warnings).toEqual(['UpdateService was throttled (Rate exceeded); sending it again with back-off']);
  });

  it('gives up on a 5xx after the bounded number of retries', async () => {
    const sent = { count: 0 };
    for (let i = 0; i < 3; i++) updateService(503, { __type: 'ServerException', message: 'try later' }, sent);
    const ecs = oneAttempt();
    const error = await sendWithBackoff('UpdateService', () => ecs.send(new UpdateServiceCommand(UPDATE)), {
      clock: systemClock,
      baseMs: 1,
      serverErrorRetries: 2,
    }).catch((caught: unknown) => caught);
    expect(isTransientAwsError(error)).toBe(true);
    expect((error as Error).message).toBe('try later');
    expect(sent.count).toBe(3);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('stops sending a throttled call when the deadline passes, naming the call and the deadline', async () => {
    const sent = { count: 0 };
    updateService(400, throttled, sent).persist();
    const deadline = withDeadline(new AbortController().signal, 300, 'timeout-minutes (test)');
    const ecs = oneAttempt();
    const started = Date.now();
    const error = await sendWithBackoff('UpdateService', () => ecs.send(new UpdateServiceCommand(UPDATE)), {
      clock: systemClock,
      signal: deadline.signal,
      baseMs: 20,
      capMs: 40,
    }).catch((caught: unknown) => caught);
    expect(isDeadline(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^UpdateService was still throttled after \d+ attempts when the deadline passed \(timeout-minutes \(test\)\): Rate exceeded$/,
    );
    // Backed off, not hammered: at most one request per 10 ms (the half-step floor) over the deadline.
    expect(sent.count).toBeGreaterThanOrEqual(2);
    expect(sent.count).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 10) + 1);
  });

  it('ends the back-off at once on a cancel, as a cancel', async () => {
    const sent = { count: 0 };
    updateService(400, throttled, sent);
    const run = new RunContext();
    const ecs = oneAttempt();
    // The runner's SIGINT arrives while the call waits for its next attempt.
    const clock = {
      now: () => Date.now(),
      sleep: (ms: number, signal?: AbortSignal) => (run.cancel('SIGINT'), systemClock.sleep(ms, signal)),
    };
    const error = await sendWithBackoff('UpdateService', () => ecs.send(new UpdateServiceCommand(UPDATE)), {
      clock,
      signal: run.signal,
    }).catch((caught: unknown) => caught);
    run.dispose();
    expect(isCancelled(error)).toBe(true);
    expect(sent.count).toBe(1);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
