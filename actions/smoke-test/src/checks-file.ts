import { compileUserPattern, foreignLine, inputError, type UserPattern } from '@ecs-actions/action-kit';
import { parseDocumentText, readInputDocumentSync } from '@ecs-actions/action-kit/documents';

/** A check from the `checks` YAML file, validated and typed. */
export interface CustomCheckDefinition {
  name: string;
  method: string;
  /** A path under base-url: a custom check never sends traffic anywhere else. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect: CustomExpectations;
}

export interface CustomExpectations {
  /** Accepted statuses; undefined means any 2xx. */
  status?: number[];
  headers: Array<{ name: string; matcher: HeaderMatcher }>;
  json: Array<{ path: string; matcher: ValueMatcher }>;
  bodyContains: string[];
  bodyMatches?: UserPattern;
  maxTimeMs?: number;
}

export type ValueMatcher = { equals: unknown } | { matches: UserPattern };
export type HeaderMatcher = { equals: string } | { matches: UserPattern } | { absent: true };

const TOP_FIELDS = ['checks'];
/** Most checks a file may hold; they run CHECK_CONCURRENCY at a time. */
export const MAX_CHECKS = 1000;
const CHECK_FIELDS = ['name', 'method', 'path', 'headers', 'body', 'expect'];
const EXPECT_FIELDS = ['status', 'headers', 'json', 'body', 'max-time-ms'];
const BODY_FIELDS = ['contains', 'matches'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
// CR, LF, NUL and the other controls a header value may not carry (RFC 9110 allows tab).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HEADER_VALUE_FORBIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const EXAMPLE = 'checks:\n  - name: projects list\n    path: /api/projects\n    expect: { status: 200 }';

type Mapping = Record<string, unknown>;

/** Reads and validates the checks file; every problem names the file, the check and the field. */
export function loadChecksFile(path: string, reservedNames: readonly string[]): CustomCheckDefinition[] {
  const { document } = readInputDocumentSync('checks', path, {
    format: 'yaml',
    expected: `the path of a YAML file with a "checks" list, for example\n${EXAMPLE}`,
  });
  return checkChecksDocument(path, document, reservedNames);
}

export function parseChecksFile(file: string, text: string, reservedNames: readonly string[]): CustomCheckDefinition[] {
  const document = parseDocumentText(`Input 'checks': ${file}`, text, {
    format: 'yaml',
    expected: `a YAML file with a "checks" list`,
  });
  return checkChecksDocument(file, document, reservedNames);
}

function checkChecksDocument(file: string, top: unknown, reservedNames: readonly string[]): CustomCheckDefinition[] {
  const problem = (where: string, message: string) => inputError('checks', `${file}: ${where}${message}`);
  if (!isMapping(top)) throw problem('', `expected a mapping with a "checks" list, for example\n${EXAMPLE}`);
  checkFields(top, TOP_FIELDS, (message) => problem('', message));
  const list = top.checks;
  if (!Array.isArray(list) || list.length === 0) {
    throw problem('checks: ', `expected a non-empty list of checks, for example\n${EXAMPLE}`);
  }
  if (list.length > MAX_CHECKS) {
    throw problem('checks: ', `holds ${list.length} checks; the limit is ${MAX_CHECKS} (a smoke test is a handful)`);
  }

  const seen = new Map<string, number>();
  return list.map((raw: unknown, index) => {
    const label = isMapping(raw) && typeof raw.name === 'string' ? ` ("${raw.name}")` : '';
    const at = (field: string) => (message: string) =>
      problem(`check ${index + 1}${label}: `, field ? `${field}: ${message}` : message);
    const check = parseCheck(raw, at);
    const earlier = seen.get(check.name);
    if (earlier !== undefined) throw at('name')(`is also the name of check ${earlier}; names must be unique`);
    if (reservedNames.includes(check.name)) throw at('name')(`"${check.name}" is a built-in check; choose another`);
    seen.set(check.name, index + 1);
    return check;
  });
}

type ProblemAt = (field: string) => (message: string) => Error;

function parseCheck(raw: unknown, at: ProblemAt): CustomCheckDefinition {
  if (!isMapping(raw)) throw at('')('expected a mapping with at least name and path');
  checkFields(raw, CHECK_FIELDS, at(''));

  if (typeof raw.name !== 'string' || raw.name.trim() === '') throw at('name')('is required; expected a short text');
  const name = raw.name.trim();

  const method = raw.method === undefined ? 'GET' : String(raw.method).toUpperCase();
  if (!METHODS.includes(method)) {
    throw at('method')(`"${String(raw.method)}" is not supported; expected one of ${METHODS.join(', ')}`);
  }

  if (
    typeof raw.path !== 'string' ||
    !raw.path.startsWith('/') ||
    raw.path.startsWith('//') ||
    HEADER_VALUE_FORBIDDEN.test(raw.path)
  ) {
    const found = raw.path === undefined ? 'is required' : `"${foreignLine(String(raw.path))}" is not a path`;
    throw at('path')(`${found}; expected a path under base-url starting with /, e.g. /api/projects`);
  }

  const headers: Record<string, string> = {};
  if (raw.headers !== undefined) {
    if (!isMapping(raw.headers)) throw at('headers')('expected a mapping of header name to value');
    for (const [header, value] of Object.entries(raw.headers)) {
      if (!HEADER_NAME.test(header)) throw at(`headers.${header}`)('is not a valid header name');
      if (!isScalar(value)) throw at(`headers.${header}`)('expected a text value');
      // A CR or LF would split the request and fail after every retry with a misleading message.
      if (HEADER_VALUE_FORBIDDEN.test(String(value))) {
        throw at(`headers.${header}`)('holds a line break or control character; expected text on one line');
      }
      headers[header.toLowerCase()] = String(value);
    }
  }

  let body: string | undefined;
  if (raw.body !== undefined && raw.body !== null) {
    if (method === 'GET' || method === 'HEAD') throw at('body')(`a ${method} request cannot have a body; set method`);
    body = typeof raw.body === 'string' ? raw.body : JSON.stringify(raw.body);
    // A mapping or list is sent as JSON; say so unless the check sets its own content type.
    if (typeof raw.body !== 'string') headers['content-type'] ??= 'application/json';
  }

  return { name, method, path: raw.path, headers, body, expect: parseExpectations(raw.expect, at) };
}

function parseExpectations(raw: unknown, at: ProblemAt): CustomExpectations {
  const expectations: CustomExpectations = { headers: [], json: [], bodyContains: [] };
  if (raw === undefined || raw === null) return expectations;
  if (!isMapping(raw)) throw at('expect')('expected a mapping of status, headers, json, body, max-time-ms');
  checkFields(raw, EXPECT_FIELDS, at('expect'));

  if (raw.status !== undefined) {
    const statuses = Array.isArray(raw.status) ? raw.status : [raw.status];
    if (
      statuses.length === 0 ||
      !statuses.every((status) => Number.isInteger(status) && status >= 100 && status <= 599)
    ) {
      throw at('expect.status')(
        `${JSON.stringify(raw.status)} is not a status; expected a number from 100 to 599 or a list of them`,
      );
    }
    expectations.status = statuses as number[];
  }

  if (raw.headers !== undefined) {
    if (!isMapping(raw.headers)) throw at('expect.headers')('expected a mapping of header name to expected value');
    for (const [header, value] of Object.entries(raw.headers)) {
      const field = `expect.headers.${header}`;
      if (!HEADER_NAME.test(header)) throw at(field)('is not a valid header name');
      expectations.headers.push({ name: header.toLowerCase(), matcher: parseHeaderMatcher(value, at(field)) });
    }
  }

  if (raw.json !== undefined) {
    if (!isMapping(raw.json)) throw at('expect.json')('expected a mapping of dotted path (e.g. items.0.id) to value');
    for (const [path, value] of Object.entries(raw.json)) {
      const field = `expect.json.${path}`;
      if (path.split('.').some((segment) => segment === '')) throw at(field)('is not a dotted path such as items.0.id');
      expectations.json.push({ path, matcher: parseValueMatcher(value, at(field)) });
    }
  }

  if (raw.body !== undefined) {
    if (!isMapping(raw.body)) throw at('expect.body')('expected a mapping with contains and/or matches');
    checkFields(raw.body, BODY_FIELDS, at('expect.body'));
    if (raw.body.contains !== undefined) {
      const texts = Array.isArray(raw.body.contains) ? raw.body.contains : [raw.body.contains];
      if (texts.length === 0 || !texts.every((text) => typeof text === 'string' && text !== '')) {
        throw at('expect.body.contains')('expected a text or a list of texts');
      }
      expectations.bodyContains = texts as string[];
    }
    if (raw.body.matches !== undefined)
      expectations.bodyMatches = toUserPattern(raw.body.matches, at('expect.body.matches'));
  }

  const maxTime = raw['max-time-ms'];
  if (maxTime !== undefined) {
    if (!Number.isInteger(maxTime) || (maxTime as number) < 1 || (maxTime as number) > 600_000) {
      throw at('expect.max-time-ms')(
        `${JSON.stringify(maxTime)} is not allowed; expected milliseconds from 1 to 600000`,
      );
    }
    expectations.maxTimeMs = maxTime as number;
  }
  return expectations;
}

function parseHeaderMatcher(value: unknown, problem: (message: string) => Error): HeaderMatcher {
  if (isScalar(value)) return { equals: String(value) };
  const form = 'expected a text to equal, or one of { equals: text }, { matches: regex }, { absent: true }';
  if (!isMapping(value) || Object.keys(value).length !== 1) throw problem(form);
  if ('equals' in value && isScalar(value.equals)) return { equals: String(value.equals) };
  if ('matches' in value) return { matches: toUserPattern(value.matches, problem) };
  if (value.absent === true) return { absent: true };
  throw problem(form);
}

function parseValueMatcher(value: unknown, problem: (message: string) => Error): ValueMatcher {
  // `{matches: …}` and `{equals: …}` are operators; any other mapping is the expected JSON object itself.
  if (isMapping(value) && Object.keys(value).length === 1) {
    if ('matches' in value) return { matches: toUserPattern(value.matches, problem) };
    if ('equals' in value) return { equals: value.equals };
  }
  return { equals: value };
}

function toUserPattern(pattern: unknown, problem: (message: string) => Error): UserPattern {
  if (typeof pattern !== 'string' || pattern === '') throw problem('matches: expected a regular expression as text');
  try {
    return compileUserPattern(pattern);
  } catch (error) {
    throw problem(
      `"${foreignLine(pattern.slice(0, 80))}" is not a valid regular expression (${(error as Error).message})`,
    );
  }
}

function checkFields(value: Mapping, allowed: string[], problem: (message: string) => Error): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw problem(`unknown field "${unknown}"; expected ${allowed.join(', ')}`);
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
