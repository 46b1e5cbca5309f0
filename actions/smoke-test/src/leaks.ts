import { parseJson } from './http.js';

/*
 * An error body must not tell an attacker how the service is built: no stack frame, no file path on the
 * server, no dependency layout. These patterns catch what Node, Java-style and Windows stacks leak.
 */
const LEAK_PATTERNS: Array<[string, RegExp]> = [
  ['a stack frame', /\bat (?:[^\s()]+ )*\(?(?:file:\/\/)?(?:\/|[A-Za-z]:\\|node:)[^\s()]*:\d+:\d+\)?/],
  ['a source position', /[\w.-]+\.(?:[cm]?[jt]sx?|java|py|go|rb|php|cs):\d+(?::\d+)?\b/],
  ['a file path', /(?:^|[\s"'(=:,[])\/(?:app|home|usr|var|opt|srv|root|tmp|Users|workspace|build)\/[^\s"',)]*/],
  ['a Windows file path', /\b[A-Za-z]:\\[^\s"',)]+/],
  ['a node_modules path', /node_modules[/\\][^\s"',)]*/],
];

const STACK_FIELDS = new Set(['stack', 'stacktrace', 'stack_trace', 'trace', 'backtrace']);

/** Describes the first stack trace or file path in a response body, or returns undefined when there is none. */
export function findLeak(body: string): string | undefined {
  const json = parseJson(body);
  const texts: string[] = [];
  if (json === undefined) {
    texts.push(body);
  } else {
    const field = collectStrings(json, texts);
    if (field) return `a "${field}" field`;
  }
  for (const text of texts) {
    for (const [what, pattern] of LEAK_PATTERNS) {
      const match = pattern.exec(text);
      if (match) return `${what} "${match[0].trim().slice(0, 120)}"`;
    }
  }
  return undefined;
}

/** Pushes every key and string value of `value` into `texts`; returns the name of a stack-trace field if any. */
function collectStrings(value: unknown, texts: string[]): string | undefined {
  if (typeof value === 'string') {
    texts.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      const field = collectStrings(item, texts);
      if (field) return field;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (STACK_FIELDS.has(key.toLowerCase()) && item !== null && item !== '') return key;
      texts.push(key);
      const field = collectStrings(item, texts);
      if (field) return field;
    }
  }
  return undefined;
}
