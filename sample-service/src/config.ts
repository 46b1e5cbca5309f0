/** Start-up configuration: every environment variable the service reads is parsed and checked here, once. */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  production: boolean;
  host: string;
  port: number;
  /** Absent outside production: the service then runs an embedded PostgreSQL (PGlite) in memory. */
  databaseUrl: string | undefined;
  apiToken: string;
  /** Origins allowed to call the API from a browser; empty means no cross-origin access. */
  corsOrigins: string[];
  logLevel: LogLevel;
  forceHttps: boolean;
  /** How many proxies (the load balancer) sit in front of the service, for the client address in X-Forwarded-For. */
  trustProxyHops: number;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  shutdownTimeoutMs: number;
  gitSha: string;
  buildTime: string;
}

/** Outside production only, so that `npm start` accepts writes on a fresh machine; production refuses to start without API_TOKEN. */
export const DEVELOPMENT_API_TOKEN = 'dev-token';

const MIN_PRODUCTION_TOKEN_LENGTH = 16;

/** Every problem found, so one failed start shows all of them rather than one per restart. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const required = (name: string, why: string): string | undefined => {
    const found = value(name);
    if (found === undefined && production) problems.push(`${name} is required when NODE_ENV=production (${why})`);
    return found;
  };

  const databaseUrl = required('DATABASE_URL', 'postgres://user:password@host:5432/database');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(databaseUrl)) {
    // Never echo the value: it holds the database password.
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  let apiToken = required('API_TOKEN', 'the bearer token that write requests must send');
  if (apiToken !== undefined && production && apiToken.length < MIN_PRODUCTION_TOKEN_LENGTH) {
    problems.push(`API_TOKEN must be at least ${MIN_PRODUCTION_TOKEN_LENGTH} characters when NODE_ENV=production`);
  }
  apiToken ??= DEVELOPMENT_API_TOKEN;

  const logLevel = (value('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}"`);
  }

  const config: Config = {
    production,
    host: value('HOST') ?? '0.0.0.0',
    port: integer(value('PORT'), 'PORT', 3000, { min: 0, max: 65535 }, problems),
    databaseUrl,
    apiToken,
    corsOrigins: (value('CORS_ORIGIN') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    logLevel: logLevel as LogLevel,
    forceHttps: boolean(value('FORCE_HTTPS'), 'FORCE_HTTPS', false, problems),
    trustProxyHops: integer(value('TRUST_PROXY_HOPS'), 'TRUST_PROXY_HOPS', 1, { min: 0, max: 10 }, problems),
    rateLimitMax: integer(value('RATE_LIMIT_MAX'), 'RATE_LIMIT_MAX', 100, { min: 1, max: 1_000_000 }, problems),
    rateLimitWindowMs: duration(value('RATE_LIMIT_WINDOW'), 'RATE_LIMIT_WINDOW', 60_000, problems),
    shutdownTimeoutMs: duration(value('SHUTDOWN_TIMEOUT'), 'SHUTDOWN_TIMEOUT', 25_000, problems),
    gitSha: value('GIT_SHA') ?? 'unknown',
    buildTime: value('BUILD_TIME') ?? 'unknown',
  };
  for (const origin of config.corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGIN entry "${origin}" must be a scheme and host such as https://app.example.com`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function integer(
  raw: string | undefined,
  name: string,
  fallback: number,
  range: { min: number; max: number },
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  const parsed = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > range.max) {
    problems.push(`${name} must be a whole number from ${range.min} to ${range.max}; got "${raw}"`);
    return fallback;
  }
  return parsed;
}

function boolean(raw: string | undefined, name: string, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false; got "${raw}"`);
  return fallback;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Plain milliseconds ("60000") or a number with a unit: 500ms, 30s, 1m, 1h. */
function duration(raw: string | undefined, name: string, fallbackMs: number, problems: string[]): number {
  if (raw === undefined) return fallbackMs;
  const match = /^(\d+)\s*(ms|s|m|h)?$/.exec(raw);
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2] ?? 'ms'] : 0;
  if (!match || ms <= 0) {
    problems.push(`${name} must be a positive duration such as 60000, 500ms, 30s, 1m or 1h; got "${raw}"`);
    return fallbackMs;
  }
  return ms;
}
