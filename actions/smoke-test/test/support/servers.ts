import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export type Handler = (request: IncomingMessage & { body: string }, response: ServerResponse) => void | Promise<void>;

export interface LocalServer {
  url: URL;
  /** Every request received, in order. */
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 on a free port; with `certificate`, it speaks https. */
export async function startServer(handler: Handler, certificate?: Certificate): Promise<LocalServer> {
  const requests: LocalServer['requests'] = [];
  const listener = async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
    try {
      await handler(Object.assign(request, { body }), response);
    } catch (error) {
      response.writeHead(599).end(String(error));
    }
  };
  const server = certificate
    ? createHttpsServer({ cert: certificate.cert, key: certificate.key }, listener)
    : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`${certificate ? 'https' : 'http'}://127.0.0.1:${port}/`),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

export const GIT_SHA = '0123456789abcdef0123456789abcdef01234567';
export const ALLOWED_ORIGIN = 'https://app.example.com';

export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/** Routes keyed by `METHOD /path`; each test replaces the one it breaks. */
export type Routes = Record<string, Handler>;

/** A service that passes every built-in check; `routes` and `headers` break one thing at a time. */
export function wellBehavedService(routes: Routes = {}, headers: Record<string, string | undefined> = {}): Handler {
  const defaults: Routes = {
    'GET /health': (_, response) => json(response, 200, { status: 'ok', uptime: 12 }),
    'GET /ready': (_, response) => json(response, 200, { status: 'ready', database: 'connected' }),
    'GET /version': (_, response) =>
      json(response, 200, { service: 'sample', version: '1.4.0', gitSha: GIT_SHA, buildTime: '2026-01-01T00:00:00Z' }),
    'POST /api/projects': (request, response) =>
      request.headers.authorization === 'Bearer token'
        ? json(response, 201, { id: 1 })
        : json(response, 401, { statusCode: 401, message: 'Unauthorized' }),
    'GET /': (_, response) => json(response, 200, { service: 'sample' }),
  };
  const table = { ...defaults, ...routes };
  return async (request, response) => {
    for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, ...headers })) {
      if (value !== undefined) response.setHeader(name, value);
    }
    if (request.headers.origin === ALLOWED_ORIGIN) {
      response.setHeader('access-control-allow-origin', ALLOWED_ORIGIN);
      response.setHeader('vary', 'Origin');
    }
    const path = (request.url ?? '/').split('?')[0];
    const route = table[`${request.method} ${path}`];
    if (route) return route(request, response);
    json(response, 404, { statusCode: 404, message: `Cannot ${request.method} ${path}`, error: 'Not Found' });
  };
}

export interface Certificate {
  cert: string;
  key: string;
}

/**
 * A self-signed certificate for 127.0.0.1, made with the openssl CLI (Node cannot create X.509 certificates),
 * and trusted by this process's fetch until `untrust` is called.
 */
export function trustedCertificate(): Certificate & { untrust(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'smoke-test-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(folder, 'key.pem'),
        '-out',
        join(folder, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    const certificate = {
      cert: readFileSync(join(folder, 'cert.pem'), 'utf8'),
      key: readFileSync(join(folder, 'key.pem'), 'utf8'),
    };
    const previous = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...previous, certificate.cert]);
    return { ...certificate, untrust: () => tls.setDefaultCACertificates(previous) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
