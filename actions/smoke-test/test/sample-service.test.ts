import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type SampleService, startSampleService } from '../../../sample-service/test/support/start-service.js';
import { run } from '../src/main.js';
import { actionEnvironment } from './support/action.js';
import { startProxy } from './support/proxy.js';
import { ALLOWED_ORIGIN, type LocalServer, trustedCertificate } from './support/servers.js';

/*
 * The action against the real sample service (sample-service/dist/main.js, built by `npm run build -w sample-service`),
 * started on 127.0.0.1 with the embedded database: directly over http, and behind proxies that play the load balancer's
 * https and http listeners, so that every built-in check runs against what the pipeline really deploys.
 */

const GIT_SHA = '4f3c2b1a09876543210fedcba9876543210abcde';
const { setInputs, outputs, report, lines, failure } = actionEnvironment();

let service: SampleService;
let certificate: ReturnType<typeof trustedCertificate>;
let httpsListener: LocalServer;
let httpListener: LocalServer;

beforeAll(async () => {
  certificate = trustedCertificate();
  service = await startSampleService({
    env: {
      GIT_SHA,
      BUILD_TIME: '2026-01-02T03:04:05Z',
      CORS_ORIGIN: ALLOWED_ORIGIN,
      FORCE_HTTPS: 'true',
      // Three runs of about 35 requests each from one address; the default allows 100 a minute.
      RATE_LIMIT_MAX: '1000',
    },
    startTimeoutMs: 90_000,
  });
  httpsListener = await startProxy(new URL(service.url), certificate);
  httpListener = await startProxy(new URL(service.url));
}, 120_000);

afterAll(async () => {
  await Promise.all([httpsListener?.close(), httpListener?.close()]);
  certificate?.untrust();
  const exit = await service?.stop();
  expect(exit).toEqual({ code: 0, signal: null });
}, 60_000);

describe('smoke-test against the real sample service', () => {
  it('passes every built-in check over http, skipping only the https redirect', async () => {
    setInputs({ 'base-url': service.url, 'expected-version': GIT_SHA, 'cors-origin': ALLOWED_ORIGIN });

    await run();

    expect(outputs()).toMatchObject({ passed: 'true', failed: '0' });
    expect(report().checks.map((check) => [check.name, check.outcome])).toEqual([
      ['version', 'pass'],
      ['health', 'pass'],
      ['readiness', 'pass'],
      ['https-redirect', 'skip'],
      ['auth-required', 'pass'],
      ['cors', 'pass'],
      ['security-headers', 'pass'],
      ['latency', 'pass'],
      ['unknown-path', 'pass'],
      ['root', 'pass'],
    ]);
    expect(lines()).toContain(
      `PASS version: GET /version reports gitSha ${GIT_SHA}, version 1.0.0, the expected build`,
    );
  });

  it('passes all ten built-in checks behind a TLS-terminating load balancer with an http listener', async () => {
    setInputs({ 'base-url': httpsListener.url.href, 'expected-version': GIT_SHA, 'cors-origin': ALLOWED_ORIGIN });

    await run({ httpUrl: httpListener.url });

    expect(report().counts).toEqual({ passed: 10, failed: 0, skipped: 0 });
    const detail = (name: string) => report().checks.find((check) => check.name === name)?.detail;
    expect(detail('https-redirect')).toBe(`GET ${httpListener.url.href} answered 301 to https://127.0.0.1/`);
    expect(detail('security-headers')).toContain('Strict-Transport-Security');
    expect(detail('readiness')).toBe('GET /ready answered 200 with database connected');
  });

  it('fails the version check when the service runs another build', async () => {
    setInputs({
      'base-url': service.url,
      'expected-version': 'ffffffffffffffffffffffffffffffffffffffff',
      'timeout-seconds': '0',
      'builtin-checks': 'version',
    });

    expect(await failure(run())).toBe('1 of 1 smoke checks failed: version (see the lines above)');
    expect(report().checks[0]).toMatchObject({
      expected: 'gitSha ffffffffffffffffffffffffffffffffffffffff',
      actual: `gitSha ${GIT_SHA}, version 1.0.0`,
    });
  });
});
