import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '@ecs-actions/action-kit';
import { send } from '../src/http.js';
import { type WaitOptions, waitForService } from '../src/wait.js';
import { GIT_SHA, type LocalServer, type Routes, json, startServer, wellBehavedService } from './support/servers.js';

let service: LocalServer | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

function options(baseUrl: URL, overrides: Partial<WaitOptions> = {}) {
  const lines: string[] = [];
  const clock = new FakeClock();
  return {
    lines,
    clock,
    options: {
      baseUrl,
      healthPath: '/health',
      versionPath: '/version',
      timeoutMs: 120_000,
      intervalMs: 1000,
      requestTimeoutMs: 5000,
      clock,
      send,
      log: (line: string) => lines.push(line),
      ...overrides,
    } satisfies WaitOptions,
  };
}

/** Answers `first` to the first `count` requests of a route, then `then`. */
function sequence(count: number, first: Routes[string], then: Routes[string]): Routes[string] {
  let seen = 0;
  return (request, response) => (seen++ < count ? first(request, response) : then(request, response));
}

describe('waitForService', () => {
  it('returns at once when health answers 200', async () => {
    service = await startServer(wellBehavedService());
    const { options: waitOptions, clock, lines } = options(service.url);
    expect(await waitForService(waitOptions)).toEqual({ ready: true, elapsedMs: 0 });
    expect(clock.sleeps).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('retries every second until health answers 200, logging each change once', async () => {
    service = await startServer(
      wellBehavedService({
        'GET /health': sequence(
          3,
          (_, response) => json(response, 503, {}),
          (_, response) => json(response, 200, {}),
        ),
      }),
    );
    const { options: waitOptions, clock, lines } = options(service.url);
    expect(await waitForService(waitOptions)).toEqual({ ready: true, elapsedMs: 3000 });
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
    expect(lines).toEqual(['0s: /health answered 503']);
  });

  it('waits until the version endpoint reports the expected build: old tasks may still answer', async () => {
    service = await startServer(
      wellBehavedService({
        'GET /version': sequence(
          2,
          (_, response) => json(response, 200, { gitSha: 'aaaaaaaaaaaa' }),
          (_, response) => json(response, 200, { gitSha: GIT_SHA }),
        ),
      }),
    );
    const { options: waitOptions, lines } = options(service.url, { expectedVersion: GIT_SHA });
    expect(await waitForService(waitOptions)).toEqual({ ready: true, elapsedMs: 2000 });
    expect(lines).toEqual([`0s: healthy, but /version reports gitSha aaaaaaaaaaaa; waiting for ${GIT_SHA}`]);
  });

  it('gives up at the timeout when nothing answers, with the reason', async () => {
    service = await startServer(wellBehavedService());
    const { url } = service;
    await service.close();
    service = undefined;
    const { options: waitOptions, clock, lines } = options(url, { timeoutMs: 5000 });
    const result = await waitForService(waitOptions);
    expect(result).toEqual({
      ready: false,
      answered: false,
      elapsedMs: 5000,
      lastState: 'no answer: connection refused (ECONNREFUSED)',
    });
    expect(clock.sleeps).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(lines).toHaveLength(1);
  });

  it('reports that the service answered when health never reached 200', async () => {
    service = await startServer(wellBehavedService({ 'GET /health': (_, response) => json(response, 500, {}) }));
    const { options: waitOptions } = options(service.url, { timeoutMs: 3000 });
    expect(await waitForService(waitOptions)).toEqual({
      ready: false,
      answered: true,
      elapsedMs: 3000,
      lastState: '/health answered 500',
    });
  });

  it('tries once with timeout 0', async () => {
    service = await startServer(wellBehavedService({ 'GET /health': (_, response) => json(response, 503, {}) }));
    const { options: waitOptions, clock } = options(service.url, { timeoutMs: 0 });
    expect(await waitForService(waitOptions)).toMatchObject({ ready: false, answered: true, elapsedMs: 0 });
    expect(clock.sleeps).toEqual([]);
    expect(service.requests).toHaveLength(1);
  });
});
