import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEVELOPMENT_API_TOKEN, loadConfig } from '../src/config.js';
import { runSampleServiceToExit } from './support/start-service.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app:secret@db.internal:5432/app',
  API_TOKEN: 'a-production-token-of-32-chars!!',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults outside production', () => {
    expect(loadConfig({})).toEqual({
      production: false,
      host: '0.0.0.0',
      port: 3000,
      databaseUrl: undefined,
      apiToken: DEVELOPMENT_API_TOKEN,
      corsOrigins: [],
      logLevel: 'info',
      forceHttps: false,
      trustProxyHops: 1,
      rateLimitMax: 100,
      rateLimitWindowMs: 60_000,
      shutdownTimeoutMs: 25_000,
      gitSha: 'unknown',
      buildTime: 'unknown',
    });
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      ...PRODUCTION,
      PORT: '8080',
      HOST: '127.0.0.1',
      CORS_ORIGIN: 'https://a.example.com, http://localhost:5173',
      LOG_LEVEL: 'WARN',
      FORCE_HTTPS: 'true',
      TRUST_PROXY_HOPS: '2',
      RATE_LIMIT_MAX: '7',
      RATE_LIMIT_WINDOW: '30s',
      SHUTDOWN_TIMEOUT: '20000',
      GIT_SHA: 'abc1234',
      BUILD_TIME: '2026-01-01T00:00:00Z',
    });
    expect(config).toMatchObject({
      production: true,
      port: 8080,
      host: '127.0.0.1',
      corsOrigins: ['https://a.example.com', 'http://localhost:5173'],
      logLevel: 'warn',
      forceHttps: true,
      trustProxyHops: 2,
      rateLimitMax: 7,
      rateLimitWindowMs: 30_000,
      shutdownTimeoutMs: 20_000,
      gitSha: 'abc1234',
      buildTime: '2026-01-01T00:00:00Z',
    });
  });

  it('names every missing production value at once', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'DATABASE_URL is required when NODE_ENV=production (postgres://user:password@host:5432/database)',
      'API_TOKEN is required when NODE_ENV=production (the bearer token that write requests must send)',
    ]);
  });

  it('treats an empty value as missing', () => {
    expect(problemsOf({ ...PRODUCTION, API_TOKEN: '  ' })).toEqual([
      'API_TOKEN is required when NODE_ENV=production (the bearer token that write requests must send)',
    ]);
  });

  it('rejects a short production API token', () => {
    expect(problemsOf({ ...PRODUCTION, API_TOKEN: 'short' })).toEqual([
      'API_TOKEN must be at least 16 characters when NODE_ENV=production',
    ]);
  });

  it('rejects a DATABASE_URL that is not PostgreSQL without echoing it', () => {
    const problems = problemsOf({ ...PRODUCTION, DATABASE_URL: 'mysql://root:hunter2@db/app' });
    expect(problems).toEqual(['DATABASE_URL must start with postgres:// or postgresql://']);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('explains each malformed value with the form it expects', () => {
    expect(
      problemsOf({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        FORCE_HTTPS: 'sometimes',
        RATE_LIMIT_MAX: '0',
        RATE_LIMIT_WINDOW: '1 fortnight',
        CORS_ORIGIN: 'app.example.com',
      }),
    ).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"',
      'PORT must be a whole number from 0 to 65535; got "eighty"',
      'FORCE_HTTPS must be true or false; got "sometimes"',
      'RATE_LIMIT_MAX must be a whole number from 1 to 1000000; got "0"',
      'RATE_LIMIT_WINDOW must be a positive duration such as 60000, 500ms, 30s, 1m or 1h; got "1 fortnight"',
      'CORS_ORIGIN entry "app.example.com" must be a scheme and host such as https://app.example.com',
    ]);
  });
});

describe('start-up with invalid configuration', () => {
  it('stops the process with exit code 1 and a JSON log line naming each missing production value', async () => {
    const run = await runSampleServiceToExit({ NODE_ENV: 'production', API_TOKEN: undefined, DATABASE_URL: undefined });
    expect(run.code).toBe(1);
    const fatal = run.logs.find((line) => line.level === 'fatal');
    expect(fatal?.msg).toContain('DATABASE_URL is required when NODE_ENV=production');
    expect(fatal?.msg).toContain('API_TOKEN is required when NODE_ENV=production');
  });

  it('stops with exit code 1 and names the database, without its password, when PostgreSQL is unreachable', async () => {
    // Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
    const run = await runSampleServiceToExit({ DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:9/app' });
    expect(run.code).toBe(1);
    expect(run.logs.find((line) => line.level === 'fatal')?.msg).toMatch(
      /^cannot use the database at 127\.0\.0\.1:9\/app: .*ECONNREFUSED/,
    );
    expect(run.output).not.toContain('hunter2');
  });
});
