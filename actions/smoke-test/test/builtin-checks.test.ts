import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BUILTIN_CHECK_NAMES,
  type BuiltinCheckName,
  type BuiltinSettings,
  builtinChecks,
  latencyStats,
} from '../src/builtin-checks.js';
import { type CheckResult, runChecks } from '../src/checks.js';
import { send } from '../src/http.js';
import {
  ALLOWED_ORIGIN,
  type Certificate,
  GIT_SHA,
  type Handler,
  type LocalServer,
  type Routes,
  delay,
  json,
  startServer,
  trustedCertificate,
  wellBehavedService,
} from './support/servers.js';

const started: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function serve(handler: Handler, certificate?: Certificate): Promise<LocalServer> {
  const server = await startServer(handler, certificate);
  started.push(server);
  return server;
}

function settingsFor(baseUrl: URL, overrides: Partial<BuiltinSettings> = {}): BuiltinSettings {
  return {
    baseUrl,
    expectedVersion: GIT_SHA,
    healthPath: '/health',
    readyPath: '/ready',
    versionPath: '/version',
    protectedPath: '/api/projects',
    corsOrigin: ALLOWED_ORIGIN,
    latencyBudgetMs: 2000,
    latencySamples: 20,
    requestTimeoutMs: 5000,
    ...overrides,
  };
}

async function runCheck(name: BuiltinCheckName, settings: BuiltinSettings): Promise<CheckResult> {
  const [result] = await runChecks(builtinChecks(settings, send, [name]), () => {});
  return result!;
}

/** Runs one built-in check against a well-behaved service with some routes or headers broken. */
async function checkService(
  name: BuiltinCheckName,
  options: { routes?: Routes; headers?: Record<string, string | undefined>; settings?: Partial<BuiltinSettings> } = {},
): Promise<CheckResult> {
  const service = await serve(wellBehavedService(options.routes, options.headers));
  return runCheck(name, settingsFor(service.url, options.settings));
}

describe('all built-in checks', () => {
  it('pass against a well-behaved service over http, with the https redirect skipped', async () => {
    const service = await serve(wellBehavedService());
    const results = await runChecks(builtinChecks(settingsFor(service.url), send, [...BUILTIN_CHECK_NAMES]), () => {});
    expect(results.map((result) => [result.name, result.outcome])).toEqual([
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
  });
});

describe('version', () => {
  it('fails when the service reports another commit, with expected and actual', async () => {
    const result = await checkService('version', { settings: { expectedVersion: 'fedcba9876543210' } });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /version reports another build',
      expected: 'gitSha fedcba9876543210',
      actual: `gitSha ${GIT_SHA}, version 1.4.0`,
    });
  });

  it('accepts an abbreviated commit SHA', async () => {
    const result = await checkService('version', { settings: { expectedVersion: GIT_SHA.slice(0, 7).toUpperCase() } });
    expect(result.outcome).toBe('pass');
  });

  it('does not accept a SHA prefix shorter than 7 characters', async () => {
    const result = await checkService('version', { settings: { expectedVersion: GIT_SHA.slice(0, 6) } });
    expect(result.outcome).toBe('fail');
  });

  it('accepts an expected-version equal to the reported version field', async () => {
    const result = await checkService('version', { settings: { expectedVersion: '1.4.0' } });
    expect(result).toMatchObject({ outcome: 'pass', detail: expect.stringContaining('the expected build') });
  });

  it.each([
    ['a prefix of the reported version', '1.4'],
    ['the reported version with a suffix', '1.4.0-rc.1'],
  ])('fails when expected-version is %s, not equal to it', async (_, expectedVersion) => {
    const result = await checkService('version', { settings: { expectedVersion } });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /version reports another build',
      actual: `gitSha ${GIT_SHA}, version 1.4.0`,
    });
  });

  it('passes without expected-version and says what it found and that it did not compare', async () => {
    const result = await checkService('version', { settings: { expectedVersion: undefined } });
    expect(result).toMatchObject({
      outcome: 'pass',
      detail: `GET /version reports gitSha ${GIT_SHA}, version 1.4.0; not compared (expected-version is not set)`,
    });
  });

  it('fails when the version endpoint is missing', async () => {
    const result = await checkService('version', {
      routes: { 'GET /version': (_, response) => json(response, 404, { message: 'Not Found' }) },
    });
    expect(result).toMatchObject({ outcome: 'fail', actual: '404 {"message":"Not Found"}' });
  });

  it('fails when the version endpoint reports neither gitSha nor version', async () => {
    const result = await checkService('version', {
      routes: { 'GET /version': (_, response) => json(response, 200, { service: 'sample' }) },
      settings: { expectedVersion: undefined },
    });
    expect(result).toMatchObject({ outcome: 'fail', detail: 'GET /version reports no version' });
  });
});

describe('health', () => {
  it('fails when health answers 500', async () => {
    const result = await checkService('health', {
      routes: { 'GET /health': (_, response) => json(response, 500, { status: 'error' }) },
    });
    expect(result).toMatchObject({ outcome: 'fail', expected: '200', actual: '500 {"status":"error"}' });
  });
});

describe('readiness', () => {
  it('fails on a 500 from the readiness endpoint', async () => {
    const result = await checkService('readiness', {
      routes: { 'GET /ready': (_, response) => json(response, 500, { statusCode: 500, message: 'Internal error' }) },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /ready is not ready',
      actual: '500 {"statusCode":500,"message":"Internal error"}',
    });
  });

  it('fails on a 503 that reports the database disconnected', async () => {
    const result = await checkService('readiness', {
      routes: {
        'GET /ready': (_, response) => json(response, 503, { status: 'unavailable', database: 'disconnected' }),
      },
    });
    expect(result).toMatchObject({ outcome: 'fail', actual: '503 {"status":"unavailable","database":"disconnected"}' });
  });

  it('fails on a 200 that reports the database down', async () => {
    const result = await checkService('readiness', {
      routes: { 'GET /ready': (_, response) => json(response, 200, { status: 'ok', db: 'down' }) },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /ready reports the database down',
      actual: 'db: down',
    });
  });

  it('fails on a 200 that says nothing about the database', async () => {
    const result = await checkService('readiness', {
      routes: { 'GET /ready': (_, response) => json(response, 200, { status: 'ok' }) },
    });
    expect(result).toMatchObject({ outcome: 'fail', detail: expect.stringContaining('reports no database state') });
  });

  it('understands the nested Terminus shape', async () => {
    const result = await checkService('readiness', {
      routes: {
        'GET /ready': (_, response) => json(response, 200, { status: 'ok', info: { database: { status: 'up' } } }),
      },
    });
    expect(result).toMatchObject({ outcome: 'pass', detail: 'GET /ready answered 200 with database up' });
  });
});

describe('https-redirect', () => {
  let certificate: ReturnType<typeof trustedCertificate>;
  beforeAll(() => {
    certificate = trustedCertificate();
  });
  afterAll(() => certificate.untrust());

  /** An https service and a plain-http listener in front of it, as a load balancer has on ports 443 and 80. */
  async function httpsPair(httpHandler: (httpsUrl: URL) => Handler) {
    const service = await serve(wellBehavedService(), certificate);
    const plain = await serve(httpHandler(service.url));
    return { service, plain, settings: settingsFor(service.url, { httpUrl: plain.url }) };
  }

  const redirectTo =
    (status: number, location: (httpsUrl: URL) => string) =>
    (httpsUrl: URL): Handler =>
    (_, response) => {
      response.writeHead(status, { location: location(httpsUrl) }).end();
    };

  it('passes when the http URL answers 301 to the https URL', async () => {
    const { plain, settings } = await httpsPair(redirectTo(301, (httpsUrl) => httpsUrl.href));
    const result = await runCheck('https-redirect', settings);
    expect(result).toMatchObject({
      outcome: 'pass',
      detail: `GET ${plain.url.href} answered 301 to ${settings.baseUrl.href}`,
    });
    expect(plain.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/' })]);
  });

  it('passes on a permanent 308 redirect', async () => {
    const { settings } = await httpsPair(redirectTo(308, (httpsUrl) => `https://${httpsUrl.host}/`));
    expect((await runCheck('https-redirect', settings)).outcome).toBe('pass');
  });

  it('passes when the redirect names the host on the default https port', async () => {
    const { settings } = await httpsPair(redirectTo(301, (httpsUrl) => `https://${httpsUrl.hostname}:443/`));
    expect((await runCheck('https-redirect', settings)).outcome).toBe('pass');
  });

  it('fails when the redirect goes to another host', async () => {
    const { settings } = await httpsPair(redirectTo(301, () => 'https://login.example.net/'));
    const result = await runCheck('https-redirect', settings);
    expect(result).toMatchObject({ outcome: 'fail', actual: '301 to https://login.example.net/' });
  });

  it('fails when the http URL serves the page instead of redirecting', async () => {
    const { settings } = await httpsPair(() => wellBehavedService());
    const result = await runCheck('https-redirect', settings);
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: expect.stringContaining('is served over plain http'),
      expected: `301 or 308 to https://${settings.baseUrl.hostname}`,
      actual: '200 {"service":"sample"}',
    });
  });

  it('fails on a temporary 302 redirect', async () => {
    const { settings } = await httpsPair(redirectTo(302, (httpsUrl) => httpsUrl.href));
    const result = await runCheck('https-redirect', settings);
    expect(result).toMatchObject({ outcome: 'fail', actual: `302 to ${settings.baseUrl.href}` });
  });

  it('fails when the redirect stays on http', async () => {
    const { plain, settings } = await httpsPair(() => (_, response) => {
      response.writeHead(301, { location: '/login' }).end();
    });
    const result = await runCheck('https-redirect', settings);
    expect(result).toMatchObject({ outcome: 'fail', detail: `GET ${plain.url.href} does not redirect to https` });
  });

  it('fails when nothing listens on the http URL', async () => {
    const { plain, settings } = await httpsPair(redirectTo(301, (httpsUrl) => httpsUrl.href));
    await plain.close();
    const result = await runCheck('https-redirect', settings);
    expect(result).toMatchObject({ outcome: 'fail', actual: expect.stringContaining('ECONNREFUSED') });
  });

  it('is skipped for an http base URL', async () => {
    const result = await checkService('https-redirect');
    expect(result).toMatchObject({ outcome: 'skip', detail: expect.stringContaining('base-url is http://') });
  });

  it('requires HSTS on https', async () => {
    const service = await serve(wellBehavedService({}, { 'strict-transport-security': undefined }), certificate);
    const result = await runCheck('security-headers', settingsFor(service.url));
    expect(result).toMatchObject({
      outcome: 'fail',
      expected: 'Strict-Transport-Security: max-age > 0',
      actual: 'no Strict-Transport-Security',
    });
  });

  it('passes every built-in check over real TLS', async () => {
    const { settings } = await httpsPair(redirectTo(301, (httpsUrl) => httpsUrl.href));
    const results = await runChecks(
      builtinChecks(settings, send, ['version', 'https-redirect', 'security-headers', 'cors', 'unknown-path']),
      () => {},
    );
    expect(results.map((result) => result.outcome)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(results[2]!.detail).toContain('Strict-Transport-Security');
  });
});

describe('auth-required', () => {
  it('fails when a write without credentials is accepted', async () => {
    const service = await serve(
      wellBehavedService({ 'POST /api/projects': (_, response) => json(response, 200, { id: 7 }) }),
    );
    const result = await runCheck('auth-required', settingsFor(service.url));
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'POST /api/projects accepted a write without credentials',
      expected: '401',
      actual: '200 {"id":7}',
    });
    expect(service.requests).toEqual([expect.objectContaining({ method: 'POST', path: '/api/projects', body: '{}' })]);
    expect(service.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('fails on a 403 too: the issue asks for 401', async () => {
    const result = await checkService('auth-required', {
      routes: { 'POST /api/projects': (_, response) => json(response, 403, { message: 'Forbidden' }) },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'POST /api/projects did not answer 401 without credentials',
    });
  });
});

describe('cors', () => {
  it('fails when the allowed origin is not echoed', async () => {
    const result = await checkService('cors', { settings: { corsOrigin: 'https://other.example.com' } });
    expect(result).toMatchObject({
      outcome: 'fail',
      expected: 'Access-Control-Allow-Origin: https://other.example.com',
      actual: 'no Access-Control-Allow-Origin',
    });
  });

  it('fails when any origin is echoed back', async () => {
    const result = await checkService('cors', {
      routes: {
        'GET /health': (request, response) => {
          const origin = request.headers.origin;
          json(response, 200, { status: 'ok' }, origin ? { 'access-control-allow-origin': origin } : {});
        },
      },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /health allows a foreign origin (https://smoke-test.invalid)',
      actual: 'Access-Control-Allow-Origin: https://smoke-test.invalid',
    });
  });

  it('is skipped when cors-origin is not set', async () => {
    const result = await checkService('cors', { settings: { corsOrigin: undefined } });
    expect(result).toMatchObject({ outcome: 'skip', detail: 'cors-origin is not set' });
  });
});

describe('security-headers', () => {
  it('fails naming each missing header', async () => {
    const result = await checkService('security-headers', {
      headers: { 'x-content-type-options': undefined, 'x-frame-options': undefined },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      expected: 'X-Content-Type-Options: nosniff; X-Frame-Options: DENY or SAMEORIGIN (or CSP frame-ancestors)',
      actual: 'no X-Content-Type-Options; no X-Frame-Options',
    });
  });

  it('accepts a Content-Security-Policy frame-ancestors as the frame policy', async () => {
    const result = await checkService('security-headers', {
      headers: {
        'x-frame-options': undefined,
        'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
      },
    });
    expect(result.outcome).toBe('pass');
  });

  it('does not require HSTS over http', async () => {
    const result = await checkService('security-headers', { headers: { 'strict-transport-security': undefined } });
    expect(result).toMatchObject({ outcome: 'pass', detail: expect.stringContaining('HSTS not checked') });
  });
});

describe('latency', () => {
  it('fails when the p95 of health requests is over the budget', async () => {
    const service = await serve(
      wellBehavedService({
        'GET /health': async (_, response) => {
          await delay(40);
          json(response, 200, { status: 'ok' });
        },
      }),
    );
    const result = await runCheck('latency', settingsFor(service.url, { latencyBudgetMs: 25 }));
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /health is too slow',
      expected: 'p95 ≤ 25 ms',
      actual: expect.stringMatching(/^p95 \d+ ms \(p50 \d+ ms, max \d+ ms\) over 20 requests$/),
    });
    expect(service.requests.filter((request) => request.path === '/health')).toHaveLength(20);
  });

  it('fails when some of the requests do not answer 200', async () => {
    let count = 0;
    const result = await checkService('latency', {
      routes: { 'GET /health': (_, response) => json(response, ++count % 5 === 0 ? 503 : 200, {}) },
    });
    expect(result).toMatchObject({ outcome: 'fail', detail: '4 of 20 requests to GET /health did not answer 200' });
  });

  it('computes percentiles by nearest rank', () => {
    const durations = Array.from({ length: 20 }, (_, index) => (index + 1) * 10);
    expect(latencyStats(durations)).toEqual({ p50: 100, p95: 190, max: 200 });
  });
});

describe('unknown-path', () => {
  it('fails when the 404 carries a stack trace', async () => {
    const stack = 'NotFoundException: Cannot GET\n    at RouterExplorer.handle (/app/dist/router.js:42:17)';
    const result = await checkService('unknown-path', {
      routes: { 'GET /smoke-test/no-such-path': (_, response) => json(response, 404, { message: 'Not Found', stack }) },
    });
    expect(result).toMatchObject({ outcome: 'fail', detail: 'GET /smoke-test/no-such-path leaks a "stack" field' });
  });

  it('fails when a file path appears in the error message', async () => {
    const result = await checkService('unknown-path', {
      routes: {
        'GET /smoke-test/no-such-path': (_, response) =>
          json(response, 404, { error: 'ENOENT: no such file, open /app/public/smoke-test/no-such-path' }),
      },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /smoke-test/no-such-path leaks a file path "/app/public/smoke-test/no-such-path"',
    });
  });

  it('fails when the error is an HTML page', async () => {
    const result = await checkService('unknown-path', {
      routes: {
        'GET /smoke-test/no-such-path': (_, response) => {
          response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
        },
      },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /smoke-test/no-such-path answered an error that is not JSON',
      actual: '404 text/html: <h1>Not Found</h1>',
    });
  });

  it('fails when an unknown path answers 200', async () => {
    const result = await checkService('unknown-path', {
      routes: { 'GET /smoke-test/no-such-path': (_, response) => json(response, 200, { ok: true }) },
    });
    expect(result).toMatchObject({ outcome: 'fail', detail: 'GET /smoke-test/no-such-path did not answer 404' });
  });
});

describe('root', () => {
  it('passes on a 404 root: the service answered', async () => {
    const result = await checkService('root', {
      routes: { 'GET /': (_, response) => json(response, 404, { message: 'Not Found' }) },
    });
    expect(result).toMatchObject({ outcome: 'pass', detail: 'GET / answered 404' });
  });

  it('fails on a 502 from the load balancer', async () => {
    const result = await checkService('root', {
      routes: {
        'GET /': (_, response) => {
          response.writeHead(502).end('Bad Gateway');
        },
      },
    });
    expect(result).toMatchObject({ outcome: 'fail', expected: 'an answer below 500', actual: '502 Bad Gateway' });
  });

  it('keeps the path prefix of the base URL', async () => {
    const service = await serve(wellBehavedService({ 'GET /orders/': (_, response) => json(response, 200, {}) }));
    const result = await runCheck('root', settingsFor(new URL('orders', service.url)));
    expect(result).toMatchObject({ outcome: 'pass', detail: 'GET /orders/ answered 200' });
  });
});
