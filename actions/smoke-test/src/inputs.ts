import {
  checkHttpUrl,
  getByteSize,
  getInteger,
  getList,
  getOptional,
  getRequired,
  inputError,
} from '@ecs-actions/action-kit';
import { BUILTIN_CHECK_NAMES, type BuiltinCheckName } from './builtin-checks.js';
import { type CustomCheckDefinition, loadChecksFile } from './checks-file.js';
import { DEFAULT_MAX_BODY_BYTES } from './http.js';

/** The action's inputs, typed and validated, keyed by their names in smoke-test/action.yml. */
export interface SmokeTestInputs {
  'base-url': URL;
  'expected-version'?: string;
  /** The checks file and its validated checks. */
  checks?: { file: string; definitions: CustomCheckDefinition[] };
  'builtin-checks': BuiltinCheckName[];
  'timeout-seconds': number;
  /** How long all the checks together may take, after the wait. */
  'checks-timeout-seconds': number;
  'latency-budget-ms': number;
  'health-path': string;
  'ready-path': string;
  'version-path': string;
  'protected-path': string;
  'cors-origin'?: string;
  /** The most of one response body that is read, in bytes. */
  'max-body-size': number;
}

export function readInputs(): SmokeTestInputs {
  const baseUrl = readBaseUrl();
  const expectedVersion = getOptional('expected-version');
  if (expectedVersion !== undefined && /\s/.test(expectedVersion)) {
    throw inputError(
      'expected-version',
      `"${expectedVersion}" contains spaces; expected a commit SHA such as the one in github.sha`,
    );
  }
  const builtins = readBuiltinChecks();
  const checksFile = getOptional('checks');
  const checks = checksFile
    ? { file: checksFile, definitions: loadChecksFile(checksFile, BUILTIN_CHECK_NAMES) }
    : undefined;
  if (builtins.length === 0 && !checks) {
    throw inputError('builtin-checks', 'is false and no checks file is set; there would be nothing to check');
  }
  return {
    'base-url': baseUrl,
    'expected-version': expectedVersion,
    checks,
    'builtin-checks': builtins,
    'timeout-seconds': getInteger('timeout-seconds', { min: 0, max: 3600, default: 120 }),
    'checks-timeout-seconds': getInteger('checks-timeout-seconds', { min: 1, max: 3600, default: 300 }),
    'latency-budget-ms': getInteger('latency-budget-ms', { min: 1, max: 60_000, default: 2000 }),
    'health-path': readPath('health-path', '/health'),
    'ready-path': readPath('ready-path', '/ready'),
    'version-path': readPath('version-path', '/version'),
    'protected-path': readPath('protected-path', '/api/projects'),
    'cors-origin': readOrigin(),
    // Bounded: a limit of a few bytes fails every check, one of gigabytes gives the memory guard up.
    'max-body-size': getByteSize('max-body-size', {
      minBytes: 1024,
      maxBytes: 64 * 1024 * 1024,
      default: DEFAULT_MAX_BODY_BYTES,
    }),
  };
}

function readBaseUrl(): URL {
  const value = getRequired('base-url');
  const form = 'expected an http(s) URL such as https://api.example.com or https://example.com/orders';
  // Credentials in the URL would be printed with every check line.
  const url = checkHttpUrl('base-url', value, { expected: form, http: 'anywhere' });
  if (url.search || url.hash) throw inputError('base-url', `"${value}" has a query or fragment; ${form}`);
  return url;
}

function readBuiltinChecks(): BuiltinCheckName[] {
  const names = getList('builtin-checks');
  const single = names.length === 1 ? names[0]!.toLowerCase() : undefined;
  if (names.length === 0 || single === 'true' || single === 'all') return [...BUILTIN_CHECK_NAMES];
  if (single === 'false' || single === 'none') return [];
  for (const name of names) {
    if (!(BUILTIN_CHECK_NAMES as readonly string[]).includes(name)) {
      throw inputError(
        'builtin-checks',
        `"${name}" is not a built-in check; expected true, false or a list of: ${BUILTIN_CHECK_NAMES.join(', ')}`,
      );
    }
  }
  return BUILTIN_CHECK_NAMES.filter((name) => names.includes(name));
}

function readPath(name: string, defaultPath: string): string {
  const value = getOptional(name) ?? defaultPath;
  if (!value.startsWith('/') || value.startsWith('//')) {
    throw inputError(
      name,
      `"${value}" is not a path; expected a path under base-url starting with /, e.g. ${defaultPath}`,
    );
  }
  return value;
}

function readOrigin(): string | undefined {
  const value = getOptional('cors-origin');
  if (value === undefined) return undefined;
  const url = URL.parse(value);
  const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  if (!bare || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw inputError(
      'cors-origin',
      `"${value}" is not an origin; expected scheme, host and port only, e.g. https://app.example.com`,
    );
  }
  // Browsers send the origin in this serialised form (lower-case host, no default port, no slash).
  return url.origin;
}
