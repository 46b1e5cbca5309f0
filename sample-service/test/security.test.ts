import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, callWithHost, LEAK_PATTERN } from './support/http.js';
import { startSampleService, type SampleService } from './support/start-service.js';

const RATE_LIMIT_MAX = 5;

describe('sample service security', () => {
  let service: SampleService;
  // Behind the load balancer each client is known by X-Forwarded-For: one address per test keeps budgets apart.
  const from = (client: string, headers: Record<string, string> = {}) => ({
    headers: { 'x-forwarded-for': client, ...headers },
  });

  beforeAll(async () => {
    service = await startSampleService({
      env: {
        CORS_ORIGIN: 'https://app.example.com, https://admin.example.com',
        FORCE_HTTPS: 'true',
        RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
        RATE_LIMIT_WINDOW: '1m',
      },
    });
  }, 90_000);

  afterAll(async () => {
    expect(await service?.stop()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('sends helmet security headers on every answer, errors included', async () => {
    for (const path of ['/health', '/no/such/route']) {
      const answer = await call(`${service.url}${path}`, from('198.51.100.1'));
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('allows a browser origin listed in CORS_ORIGIN', async () => {
    const answer = await call(`${service.url}/version`, from('198.51.100.2', { origin: 'https://admin.example.com' }));
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(answer.headers.get('access-control-expose-headers')).toBe('X-Request-Id');
  });

  it('gives no CORS permission to an origin that is not listed', async () => {
    const answer = await call(`${service.url}/version`, from('198.51.100.3', { origin: 'https://evil.example.net' }));
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a CORS preflight for writes with the Authorization header allowed', async () => {
    const answer = await call(`${service.url}/api/projects`, {
      method: 'OPTIONS',
      headers: {
        'x-forwarded-for': '198.51.100.4',
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
    expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('redirects a plain-http request to https when FORCE_HTTPS is true', async () => {
    const answer = await callWithHost(`${service.url}/api/projects?limit=5`, 'api.example.com', {
      headers: { 'x-forwarded-for': '198.51.100.5', 'x-forwarded-proto': 'http' },
    });
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe('https://api.example.com/api/projects?limit=5');
  });

  it('redirects a plain-http write with 308 so that the method and body are kept', async () => {
    const answer = await callWithHost(`${service.url}/api/projects`, 'api.example.com', {
      method: 'POST',
      headers: { 'x-forwarded-for': '198.51.100.6', 'x-forwarded-proto': 'http' },
    });
    expect(answer.status).toBe(308);
    expect(answer.headers.location).toBe('https://api.example.com/api/projects');
  });

  it('does not redirect to a Host header that is not a plain host name', async () => {
    const answer = await callWithHost(`${service.url}/health`, 'evil.example.net/@x', {
      headers: { 'x-forwarded-for': '198.51.100.9', 'x-forwarded-proto': 'http' },
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.location).toBeUndefined();
  });

  it('serves requests that came in over https or straight from the load balancer health check', async () => {
    const https = await call(`${service.url}/health`, from('198.51.100.7', { 'x-forwarded-proto': 'https' }));
    expect(https.status).toBe(200);
    const healthCheck = await call(`${service.url}/health`);
    expect(healthCheck.status).toBe(200);
  });

  it('keeps a safe X-Request-Id from the caller and replaces an unsafe one', async () => {
    const kept = await call(`${service.url}/health`, from('198.51.100.8', { 'x-request-id': 'abc-123' }));
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await call(
      `${service.url}/health`,
      from('198.51.100.8', { 'x-request-id': 'a b\u00e9"<script>' }),
    );
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it(`answers the request after RATE_LIMIT_MAX (${RATE_LIMIT_MAX}) with 429 JSON and Retry-After`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMIT_MAX; i++) {
      statuses.push((await call(`${service.url}/api/projects`, from('203.0.113.9'))).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await call(`${service.url}/api/projects`, from('203.0.113.9'));
    expect(limited.status).toBe(429);
    // Seconds left in the 60 s window that the first request opened: 60 at once, less on a slow machine.
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(limited.text).not.toMatch(LEAK_PATTERN);
  });

  it('counts each client separately and never limits health checks or metrics', async () => {
    for (let i = 0; i <= RATE_LIMIT_MAX; i++) await call(`${service.url}/version`, from('203.0.113.10'));
    expect((await call(`${service.url}/version`, from('203.0.113.10'))).status).toBe(429);
    expect((await call(`${service.url}/version`, from('203.0.113.11'))).status).toBe(200);
    for (const path of ['/health', '/ready', '/metrics']) {
      expect((await call(`${service.url}${path}`, from('203.0.113.10'))).status).toBe(200);
    }
  });
});
