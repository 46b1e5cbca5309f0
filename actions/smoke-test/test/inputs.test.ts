import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isUserError } from '@ecs-actions/action-kit';
import { BUILTIN_CHECK_NAMES } from '../src/builtin-checks.js';
import { readInputs } from '../src/inputs.js';

const saved = { ...process.env };
let folder: string;

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

function failure(inputs: Record<string, string>): string {
  setInputs(inputs);
  try {
    readInputs();
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the inputs to be rejected');
}

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  folder = mkdtempSync(join(tmpdir(), 'smoke-test-inputs-'));
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(folder, { recursive: true, force: true });
});

describe('readInputs', () => {
  it('applies the documented defaults', () => {
    setInputs({ 'base-url': 'https://api.example.com' });
    expect(readInputs()).toEqual({
      'base-url': new URL('https://api.example.com/'),
      'expected-version': undefined,
      checks: undefined,
      'builtin-checks': [...BUILTIN_CHECK_NAMES],
      'timeout-seconds': 120,
      'checks-timeout-seconds': 300,
      'latency-budget-ms': 2000,
      'health-path': '/health',
      'ready-path': '/ready',
      'version-path': '/version',
      'protected-path': '/api/projects',
      'cors-origin': undefined,
      'max-body-size': 1024 * 1024,
    });
  });

  it('reads every input', () => {
    const file = join(folder, 'smoke.yml');
    writeFileSync(file, 'checks:\n  - name: metrics\n    path: /metrics\n');
    setInputs({
      'base-url': 'https://example.com/orders',
      'expected-version': 'abc1234',
      checks: file,
      'builtin-checks': 'version\nhealth',
      'timeout-seconds': '30',
      'checks-timeout-seconds': '60',
      'latency-budget-ms': '500',
      'health-path': '/healthz',
      'ready-path': '/readyz',
      'version-path': '/build',
      'protected-path': '/api/orders',
      'cors-origin': 'https://App.Example.com/',
      'max-body-size': '512KiB',
    });
    expect(readInputs()).toEqual({
      'base-url': new URL('https://example.com/orders'),
      'expected-version': 'abc1234',
      checks: { file, definitions: [expect.objectContaining({ name: 'metrics', path: '/metrics' })] },
      'builtin-checks': ['version', 'health'],
      'timeout-seconds': 30,
      'checks-timeout-seconds': 60,
      'latency-budget-ms': 500,
      'health-path': '/healthz',
      'ready-path': '/readyz',
      'version-path': '/build',
      'protected-path': '/api/orders',
      'cors-origin': 'https://app.example.com',
      'max-body-size': 512 * 1024,
    });
  });

  it.each([
    ['false', []],
    ['none', []],
    ['all', [...BUILTIN_CHECK_NAMES]],
    ['root, health', ['health', 'root']],
  ])('reads builtin-checks %s', (value, expected) => {
    const file = join(folder, 'smoke.yml');
    writeFileSync(file, 'checks:\n  - name: metrics\n    path: /metrics\n');
    setInputs({ 'base-url': 'http://127.0.0.1:3000', 'builtin-checks': value, checks: file });
    expect(readInputs()['builtin-checks']).toEqual(expected);
  });

  it.each([
    [{ 'base-url': '' }, "Input 'base-url': is required but was not set"],
    [
      { 'base-url': 'api.example.com' },
      `Input 'base-url': "api.example.com" is not a URL; expected an http(s) URL such as https://api.example.com or https://example.com/orders`,
    ],
    [{ 'base-url': 'ftp://example.com' }, `Input 'base-url': "ftp://example.com" uses ftp, not http(s)`],
    [
      { 'base-url': 'https://api.example.com/\n::add-mask::x' },
      "Input 'base-url': holds a line break; expected a single line",
    ],
    [{ 'base-url': 'https://api.example.com/a\tb' }, 'holds whitespace or a control character'],
    [
      { 'base-url': `https://${'a'.repeat(3000)}.com` },
      "Input 'base-url': is 3012 characters long; expected at most 2048 on a single line",
    ],
    [
      { 'base-url': 'https://user:secret@example.com' },
      "Input 'base-url': holds a user name or password before the host (user:password@)",
    ],
    [
      { 'base-url': 'https://example.com/?a=1' },
      `Input 'base-url': "https://example.com/?a=1" has a query or fragment`,
    ],
    [{ 'expected-version': 'abc def' }, `Input 'expected-version': "abc def" contains spaces`],
    [
      { 'timeout-seconds': 'soon' },
      `Input 'timeout-seconds': "soon" is not a whole number; expected a whole number from 0 to 3600`,
    ],
    [
      { 'checks-timeout-seconds': '0' },
      `Input 'checks-timeout-seconds': 0 is out of range; expected a whole number from 1 to 3600`,
    ],
    [
      { 'latency-budget-ms': '0' },
      "Input 'latency-budget-ms': 0 is out of range; expected a whole number from 1 to 60000",
    ],
    [
      { 'health-path': 'health' },
      `Input 'health-path': "health" is not a path; expected a path under base-url starting with /, e.g. /health`,
    ],
    [{ 'protected-path': '//evil.example.com/x' }, `Input 'protected-path': "//evil.example.com/x" is not a path`],
    [
      { 'cors-origin': 'https://app.example.com/login' },
      `Input 'cors-origin': "https://app.example.com/login" is not an origin; expected scheme, host and port only, e.g. https://app.example.com`,
    ],
    [
      { 'builtin-checks': 'version, helth' },
      `Input 'builtin-checks': "helth" is not a built-in check; expected true, false or a list of: ${BUILTIN_CHECK_NAMES.join(', ')}`,
    ],
    [
      { 'builtin-checks': 'false' },
      "Input 'builtin-checks': is false and no checks file is set; there would be nothing to check",
    ],
    [
      { 'max-body-size': '1MB' },
      `Input 'max-body-size': "1MB" is not a size; expected a size such as 512KiB or 1MiB (units B, KiB, MiB, GiB) or a number of bytes`,
    ],
    [{ 'max-body-size': '512' }, "Input 'max-body-size': 512 is out of range; expected from 1 KiB to 64 MiB"],
    [{ 'max-body-size': '128MiB' }, "Input 'max-body-size': 128MiB is out of range; expected from 1 KiB to 64 MiB"],
    [{ checks: 'missing.yml' }, "Input 'checks': cannot read missing.yml (no such file; looked for "],
  ])('rejects %j', (inputs, message) => {
    expect(failure({ 'base-url': 'https://api.example.com', ...inputs })).toContain(message);
  });

  it('reports a base-url problem before reading anything else', () => {
    expect(failure({ 'base-url': '', 'timeout-seconds': 'soon' })).toBe(
      "Input 'base-url': is required but was not set",
    );
  });
});
