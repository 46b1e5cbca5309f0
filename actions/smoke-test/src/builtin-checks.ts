import { type Check, type Verdict, fail, pass, skip } from './checks.js';
import { type Send, describeRequest, endpoint, excerpt, isJsonContentType, parseJson } from './http.js';
import { findLeak } from './leaks.js';
import { describeVersion, matchesExpectedVersion, readVersion } from './versions.js';

export const BUILTIN_CHECK_NAMES = [
  'version',
  'health',
  'readiness',
  'https-redirect',
  'auth-required',
  'cors',
  'security-headers',
  'latency',
  'unknown-path',
  'root',
] as const;

export type BuiltinCheckName = (typeof BUILTIN_CHECK_NAMES)[number];

export interface BuiltinSettings {
  baseUrl: URL;
  /** The plain-http URL that must redirect to https; by default the base URL with http:// on port 80. */
  httpUrl?: URL;
  expectedVersion?: string;
  healthPath: string;
  readyPath: string;
  versionPath: string;
  protectedPath: string;
  corsOrigin?: string;
  latencyBudgetMs: number;
  /** Sequential requests to the health path behind the p95. */
  latencySamples: number;
  requestTimeoutMs: number;
}

/** An origin no service allows; `.invalid` is reserved (RFC 2606), so it can never be a real site. */
export const FOREIGN_ORIGIN = 'https://smoke-test.invalid';

/** A path no service routes. */
export const UNKNOWN_PATH = '/smoke-test/no-such-path';

export function builtinChecks(settings: BuiltinSettings, send: Send, names: readonly BuiltinCheckName[]): Check[] {
  const get = (path: string, headers?: Record<string, string>) => {
    const url = endpoint(settings.baseUrl, path);
    return {
      where: describeRequest('GET', url),
      response: send(url, { headers, timeoutMs: settings.requestTimeoutMs }),
    };
  };

  const checks: Record<BuiltinCheckName, () => Promise<Verdict>> = {
    async version() {
      const { where, response } = get(settings.versionPath);
      const { status, body } = await response;
      const expected = settings.expectedVersion ? `gitSha ${settings.expectedVersion}` : 'JSON with gitSha or version';
      if (status !== 200) return fail(`${where} answered ${status}`, `200 with ${expected}`, answer(status, body));
      const reported = readVersion(body);
      if (!reported) return fail(`${where} reports no version`, expected, excerpt(body));
      if (!settings.expectedVersion) {
        return pass(`${where} reports ${describeVersion(reported)}; not compared (expected-version is not set)`);
      }
      if (!matchesExpectedVersion(reported, settings.expectedVersion)) {
        return fail(`${where} reports another build`, expected, describeVersion(reported));
      }
      return pass(`${where} reports ${describeVersion(reported)}, the expected build`);
    },

    async health() {
      const { where, response } = get(settings.healthPath);
      const { status, body, durationMs } = await response;
      if (status !== 200) return fail(`${where} is not healthy`, '200', answer(status, body));
      return pass(`${where} answered 200 in ${Math.round(durationMs)} ms`);
    },

    async readiness() {
      const { where, response } = get(settings.readyPath);
      const { status, body } = await response;
      const expected = '200 with the database connected, e.g. {"database":"connected"}';
      if (status !== 200) return fail(`${where} is not ready`, expected, answer(status, body));
      const database = findDatabaseState(parseJson(body));
      if (!database) {
        return fail(
          `${where} reports no database state (leave readiness out of builtin-checks if the service has no database)`,
          expected,
          excerpt(body),
        );
      }
      if (!database.connected) {
        return fail(`${where} reports the database down`, expected, `${database.field}: ${database.state}`);
      }
      return pass(`${where} answered 200 with ${database.field} ${database.state}`);
    },

    async 'https-redirect'() {
      if (settings.baseUrl.protocol !== 'https:') {
        return skip('base-url is http://; the redirect to https is checked when base-url is https://');
      }
      return checkHttpsRedirect(settings, send);
    },

    async 'auth-required'() {
      const url = endpoint(settings.baseUrl, settings.protectedPath);
      const where = describeRequest('POST', url);
      const { status, body } = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        timeoutMs: settings.requestTimeoutMs,
      });
      if (status === 401) return pass(`${where} without credentials answered 401`);
      const problem = status < 300 ? 'accepted a write without credentials' : 'did not answer 401 without credentials';
      return fail(`${where} ${problem}`, '401', answer(status, body));
    },

    async cors() {
      const allowed = settings.corsOrigin;
      if (!allowed) return skip('cors-origin is not set');
      const asAllowed = get(settings.healthPath, { origin: allowed });
      const asForeign = get(settings.healthPath, { origin: FOREIGN_ORIGIN });
      const [allowedAnswer, foreignAnswer] = await Promise.all([asAllowed.response, asForeign.response]);
      const echoed = allowedAnswer.headers.get('access-control-allow-origin');
      if (echoed !== allowed) {
        return fail(
          `${asAllowed.where} does not allow origin ${allowed}`,
          `Access-Control-Allow-Origin: ${allowed}`,
          headerValue('Access-Control-Allow-Origin', echoed),
        );
      }
      const foreign = foreignAnswer.headers.get('access-control-allow-origin');
      if (foreign === '*' || foreign === FOREIGN_ORIGIN) {
        return fail(
          `${asForeign.where} allows a foreign origin (${FOREIGN_ORIGIN})`,
          'no Access-Control-Allow-Origin for it',
          headerValue('Access-Control-Allow-Origin', foreign),
        );
      }
      return pass(`${allowed} is allowed and ${FOREIGN_ORIGIN} is not`);
    },

    async 'security-headers'() {
      const { where, response } = get(settings.healthPath);
      const https = settings.baseUrl.protocol === 'https:';
      const missing = missingSecurityHeaders((await response).headers, https);
      if (missing.length > 0) {
        return fail(
          `${where} lacks security headers`,
          missing.map((header) => header.expected).join('; '),
          missing.map((header) => header.actual).join('; '),
        );
      }
      const hsts = https ? ', Strict-Transport-Security' : ' (HSTS not checked: base-url is http://)';
      return pass(`${where} sends X-Content-Type-Options, a frame policy${hsts}`);
    },

    async latency() {
      const url = endpoint(settings.baseUrl, settings.healthPath);
      const where = describeRequest('GET', url);
      const durations: number[] = [];
      const failures: string[] = [];
      // Sequential on purpose: the budget is for one user's request, not for the service under a burst.
      for (let index = 0; index < settings.latencySamples; index++) {
        const { status, durationMs } = await send(url, { timeoutMs: settings.requestTimeoutMs });
        durations.push(durationMs);
        if (status !== 200) failures.push(String(status));
      }
      const stats = latencyStats(durations);
      const measured = `p95 ${stats.p95} ms (p50 ${stats.p50} ms, max ${stats.max} ms) over ${durations.length} requests`;
      if (failures.length > 0) {
        return fail(
          `${failures.length} of ${durations.length} requests to ${where} did not answer 200`,
          '200 every time',
          [...new Set(failures)].join(', '),
        );
      }
      if (stats.p95 > settings.latencyBudgetMs) {
        return fail(`${where} is too slow`, `p95 ≤ ${settings.latencyBudgetMs} ms`, measured);
      }
      return pass(`${where}: ${measured}, budget ${settings.latencyBudgetMs} ms`);
    },

    async 'unknown-path'() {
      const { where, response } = get(UNKNOWN_PATH);
      const { status, headers, body } = await response;
      const expected = '404 with a JSON error and no stack trace or file path';
      const leak = findLeak(body);
      if (leak) return fail(`${where} leaks ${leak}`, expected, answer(status, body));
      if (status !== 404) return fail(`${where} did not answer 404`, expected, answer(status, body));
      if (!isJsonContentType(headers) || parseJson(body) === undefined) {
        const type = headers.get('content-type') ?? 'no content-type';
        return fail(`${where} answered an error that is not JSON`, expected, `404 ${type}: ${excerpt(body)}`);
      }
      return pass(`${where} answered 404 JSON without internals`);
    },

    async root() {
      const { where, response } = get('/');
      const { status, body } = await response;
      // Any answer below 500 proves the service is routed; a 502/503/504 is the load balancer speaking for it.
      if (status >= 500) return fail(`${where} did not answer`, 'an answer below 500', answer(status, body));
      return pass(`${where} answered ${status}`);
    },
  };

  return names.map((name) => ({ name, run: checks[name] }));
}

async function checkHttpsRedirect(settings: BuiltinSettings, send: Send): Promise<Verdict> {
  const httpUrl = settings.httpUrl ?? plainHttpUrl(settings.baseUrl);
  const expected = `301 or 308 to https://${settings.baseUrl.hostname}`;
  const { status, headers, body } = await send(httpUrl, { timeoutMs: settings.requestTimeoutMs });
  const where = `GET ${httpUrl.href}`;
  const location = headers.get('location');
  const target = location ? URL.parse(location, httpUrl.href) : null;
  const redirect = `${status} to ${location ?? '(no Location header)'}`;
  if (status < 300 || status >= 400) {
    return fail(`${where} is served over plain http`, expected, answer(status, body));
  }
  // The host name, not the port: load balancers redirect to 443 whatever port the base URL names.
  if (target?.protocol !== 'https:' || target.hostname !== settings.baseUrl.hostname) {
    return fail(`${where} does not redirect to https`, expected, redirect);
  }
  if (status !== 301 && status !== 308) {
    return fail(`${where} redirects temporarily, so browsers keep trying http`, expected, redirect);
  }
  return pass(`${where} answered ${redirect}`);
}

/** The base URL as a browser reaches it when the user types the host without https: port 80. */
function plainHttpUrl(baseUrl: URL): URL {
  const url = new URL(baseUrl.href);
  url.protocol = 'http:';
  url.port = '';
  return url;
}

interface DatabaseState {
  field: string;
  state: string;
  connected: boolean;
}

const DATABASE_FIELDS = /^(database|db|postgres|postgresql|mysql|mariadb|mongo|mongodb)$/i;
const CONNECTED_STATES = new Set(['connected', 'up', 'ok', 'healthy', 'ready', 'available', 'true']);

/** Finds `{database: "connected"}`, `{db: true}` or Terminus' `{info: {database: {status: "up"}}}`. */
function findDatabaseState(json: unknown, depth = 0): DatabaseState | undefined {
  if (typeof json !== 'object' || json === null || depth > 3) return undefined;
  for (const [key, value] of Object.entries(json)) {
    if (!DATABASE_FIELDS.test(key)) continue;
    const state =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>).status : (value as unknown);
    if (typeof state === 'string' || typeof state === 'boolean') {
      return { field: key, state: String(state), connected: CONNECTED_STATES.has(String(state).toLowerCase()) };
    }
  }
  for (const value of Object.values(json)) {
    const found = findDatabaseState(value, depth + 1);
    if (found) return found;
  }
  return undefined;
}

interface MissingHeader {
  expected: string;
  actual: string;
}

function missingSecurityHeaders(headers: Headers, https: boolean): MissingHeader[] {
  const missing: MissingHeader[] = [];
  const nosniff = headers.get('x-content-type-options');
  if (nosniff?.trim().toLowerCase() !== 'nosniff') {
    missing.push({
      expected: 'X-Content-Type-Options: nosniff',
      actual: headerValue('X-Content-Type-Options', nosniff),
    });
  }
  const frameOptions = headers.get('x-frame-options');
  const csp = headers.get('content-security-policy');
  const framePolicy = /^(deny|sameorigin)$/i.test(frameOptions?.trim() ?? '') || /frame-ancestors/i.test(csp ?? '');
  if (!framePolicy) {
    missing.push({
      expected: 'X-Frame-Options: DENY or SAMEORIGIN (or CSP frame-ancestors)',
      actual: headerValue('X-Frame-Options', frameOptions),
    });
  }
  if (https) {
    const hsts = headers.get('strict-transport-security');
    const maxAge = Number(/max-age=(\d+)/i.exec(hsts ?? '')?.[1] ?? 0);
    if (maxAge <= 0) {
      missing.push({
        expected: 'Strict-Transport-Security: max-age > 0',
        actual: headerValue('Strict-Transport-Security', hsts),
      });
    }
  }
  return missing;
}

/** p50, p95 and max by nearest rank, in whole milliseconds. */
export function latencyStats(durations: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...durations].sort((a, b) => a - b);
  const rank = (percentile: number) => sorted[Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1)] ?? 0;
  return { p50: Math.round(rank(50)), p95: Math.round(rank(95)), max: Math.round(sorted.at(-1) ?? 0) };
}

function headerValue(name: string, value: string | null): string {
  return value === null ? `no ${name}` : `${name}: ${value}`;
}

function answer(status: number, body: string): string {
  return `${status} ${excerpt(body)}`;
}
