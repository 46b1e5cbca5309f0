import { isDeepStrictEqual } from 'node:util';
import { type Check, type Verdict, fail, pass } from './checks.js';
import type { CustomCheckDefinition, HeaderMatcher, ValueMatcher } from './checks-file.js';
import { type HttpResponse, type Send, describeRequest, endpoint, excerpt, parseJson } from './http.js';

interface Mismatch {
  expected: string;
  actual: string;
}

export function customCheck(
  definition: CustomCheckDefinition,
  baseUrl: URL,
  send: Send,
  requestTimeoutMs: number,
): Check {
  return {
    name: definition.name,
    async run(): Promise<Verdict> {
      const url = endpoint(baseUrl, definition.path);
      const where = describeRequest(definition.method, url);
      const response = await send(url, {
        method: definition.method,
        headers: definition.headers,
        body: definition.body,
        // Past twice max-time-ms the verdict cannot change; until then the log can say how slow it was.
        timeoutMs: Math.min(requestTimeoutMs, (definition.expect.maxTimeMs ?? Infinity) * 2 + 100),
      });
      const mismatches = compare(definition, response);
      if (mismatches.length > 0) {
        return fail(
          `${where} answered ${response.status}`,
          mismatches.map((mismatch) => mismatch.expected).join('; '),
          mismatches.map((mismatch) => mismatch.actual).join('; '),
        );
      }
      return pass(`${where} answered ${response.status} in ${Math.round(response.durationMs)} ms as expected`);
    },
  };
}

function compare(definition: CustomCheckDefinition, response: HttpResponse): Mismatch[] {
  const { expect } = definition;
  const mismatches: Mismatch[] = [];
  const statusOk = expect.status
    ? expect.status.includes(response.status)
    : response.status >= 200 && response.status < 300;
  if (!statusOk) {
    mismatches.push({
      expected: `status ${expect.status ? expect.status.join(' or ') : '2xx'}`,
      actual: `status ${response.status} ${excerpt(response.body)}`,
    });
  }
  for (const { name, matcher } of expect.headers) {
    const value = response.headers.get(name);
    if (!headerMatches(matcher, value)) {
      mismatches.push({ expected: `${name} ${describeHeaderMatcher(matcher)}`, actual: headerActual(name, value) });
    }
  }
  if (expect.json.length > 0) {
    const json = parseJson(response.body);
    for (const { path, matcher } of expect.json) {
      const value = json === undefined ? MISSING : valueAt(json, path);
      if (!valueMatches(matcher, value)) {
        const actual = json === undefined ? `a body that is not JSON: ${excerpt(response.body)}` : describeValue(value);
        mismatches.push({
          expected: `json ${path} ${describeValueMatcher(matcher)}`,
          actual: `json ${path} ${actual}`,
        });
      }
    }
  }
  for (const text of expect.bodyContains) {
    if (!response.body.includes(text)) {
      mismatches.push({ expected: `body containing "${text}"`, actual: `body ${excerpt(response.body)}` });
    }
  }
  if (expect.bodyMatches && !expect.bodyMatches.test(response.body)) {
    mismatches.push({
      expected: `body matching /${expect.bodyMatches.source}/`,
      actual: `body ${excerpt(response.body)}`,
    });
  }
  if (expect.maxTimeMs !== undefined && response.durationMs > expect.maxTimeMs) {
    mismatches.push({ expected: `time ≤ ${expect.maxTimeMs} ms`, actual: `${Math.round(response.durationMs)} ms` });
  }
  return mismatches;
}

const MISSING = Symbol('missing');

/** The value at a dotted path such as `items.0.id`; numeric segments index arrays. */
function valueAt(json: unknown, path: string): unknown {
  let current: unknown = json;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return MISSING;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function valueMatches(matcher: ValueMatcher, value: unknown): boolean {
  if (value === MISSING) return false;
  if ('matches' in matcher) {
    return (
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
      matcher.matches.test(String(value))
    );
  }
  return isDeepStrictEqual(value, matcher.equals);
}

function headerMatches(matcher: HeaderMatcher, value: string | null): boolean {
  if ('absent' in matcher) return value === null;
  if (value === null) return false;
  return 'matches' in matcher ? matcher.matches.test(value) : value === matcher.equals;
}

function describeHeaderMatcher(matcher: HeaderMatcher): string {
  if ('absent' in matcher) return 'absent';
  return 'matches' in matcher ? `matching /${matcher.matches.source}/` : `= ${matcher.equals}`;
}

function describeValueMatcher(matcher: ValueMatcher): string {
  return 'matches' in matcher ? `matching /${matcher.matches.source}/` : `= ${JSON.stringify(matcher.equals)}`;
}

function headerActual(name: string, value: string | null): string {
  return value === null ? `no ${name}` : `${name} = ${value}`;
}

function describeValue(value: unknown): string {
  return value === MISSING ? 'missing' : `= ${excerpt(JSON.stringify(value) ?? String(value))}`;
}
