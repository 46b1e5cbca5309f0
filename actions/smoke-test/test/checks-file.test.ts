import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '@ecs-actions/action-kit';
import { BUILTIN_CHECK_NAMES } from '../src/builtin-checks.js';
import { loadChecksFile, parseChecksFile } from '../src/checks-file.js';

/** A compiled user pattern, compared by its source. */
const pattern = (source: string) => expect.objectContaining({ source });
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'checks: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
].join('\n');

const parse = (text: string) => parseChecksFile('smoke.yml', text, BUILTIN_CHECK_NAMES);

function problem(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the checks file to be rejected');
}

describe('parseChecksFile', () => {
  it('reads a complete check into typed expectations', () => {
    const [check] = parse(`
checks:
  - name: create project
    method: post
    path: /api/projects?dry-run=1
    headers:
      Authorization: Bearer abc
    body: { name: demo }
    expect:
      status: [200, 201]
      headers:
        content-type: { matches: ^application/json }
        x-request-id: { absent: true }
        cache-control: no-store
      json:
        name: demo
        id: { matches: '^\\d+$' }
        tags: [a, b]
      body:
        contains: demo
        matches: '"id":'
      max-time-ms: 800
`);
    expect(check).toEqual({
      name: 'create project',
      method: 'POST',
      path: '/api/projects?dry-run=1',
      headers: { authorization: 'Bearer abc', 'content-type': 'application/json' },
      body: '{"name":"demo"}',
      expect: {
        status: [200, 201],
        headers: [
          { name: 'content-type', matcher: { matches: pattern('^application/json') } },
          { name: 'x-request-id', matcher: { absent: true } },
          { name: 'cache-control', matcher: { equals: 'no-store' } },
        ],
        json: [
          { path: 'name', matcher: { equals: 'demo' } },
          { path: 'id', matcher: { matches: pattern('^\\d+$') } },
          { path: 'tags', matcher: { equals: ['a', 'b'] } },
        ],
        bodyContains: ['demo'],
        bodyMatches: pattern('"id":'),
        maxTimeMs: 800,
      },
    });
  });

  it('defaults to GET, no body and any 2xx status', () => {
    expect(parse('checks:\n  - name: home\n    path: /\n')).toEqual([
      {
        name: 'home',
        method: 'GET',
        path: '/',
        headers: {},
        body: undefined,
        expect: { headers: [], json: [], bodyContains: [] },
      },
    ]);
  });

  it('keeps a text body as it is and lets the check set its content type', () => {
    const [check] = parse(
      "checks:\n  - name: form\n    method: POST\n    path: /login\n    headers: { Content-Type: text/plain }\n    body: 'a=1'\n",
    );
    expect(check).toMatchObject({ body: 'a=1', headers: { 'content-type': 'text/plain' } });
  });

  it.each([
    ['invalid YAML', 'checks: [\n', /^Input 'checks': smoke\.yml: not valid YAML \(/],
    ['an empty file', '', /^Input 'checks': smoke\.yml: the file is empty; expected a YAML file with a "checks" list/],
    ['a YAML alias bomb', ALIAS_BOMB, /smoke\.yml: YAML aliases expand more than 100 times, the limit/],
    ['a duplicate key', 'checks: []\nchecks: []\n', /smoke\.yml: a key appears twice in one mapping at line 2/],
    [
      'a header value with a line break',
      'checks:\n  - name: a\n    path: /\n    headers: { X-A: "1\\r\\nX-Evil: 2" }\n',
      /check 1 \("a"\): headers\.X-A: holds a line break or control character; expected text on one line$/,
    ],
    [
      'a pattern RE2 cannot run in linear time',
      'checks:\n  - name: a\n    path: /\n    expect: { body: { matches: "(a)\\\\1" } }\n',
      /expect\.body\.matches: "\(a\)\\1" is not a valid regular expression \(.*RE2 syntax: no backreferences or lookaround\)\)$/,
    ],
    [
      'more checks than the limit',
      `checks:\n${'  - { name: x, path: / }\n'.repeat(1001)}`,
      /smoke\.yml: checks: holds 1001 checks; the limit is 1000/,
    ],
    ['a bare list', '- name: a\n  path: /\n', /smoke\.yml: expected a mapping with a "checks" list/],
    ['an unknown top-level field', 'check: []\n', /smoke\.yml: unknown field "check"; expected checks$/],
    ['an empty list', 'checks: []\n', /smoke\.yml: checks: expected a non-empty list of checks/],
  ])('rejects %s, naming the file', (_, text, message) => {
    expect(problem(text)).toMatch(message);
  });

  it.each([
    ['a check that is not a mapping', '  - /health', 'check 1: expected a mapping with at least name and path'],
    ['a missing name', '  - path: /health', 'check 1: name: is required; expected a short text'],
    [
      'a missing path',
      '  - name: a',
      'check 1 ("a"): path: is required; expected a path under base-url starting with /, e.g. /api/projects',
    ],
    [
      'an absolute URL',
      '  - name: a\n    path: https://evil.example.com/',
      'check 1 ("a"): path: "https://evil.example.com/" is not a path',
    ],
    [
      'a protocol-relative path',
      '  - name: a\n    path: //evil.example.com/',
      'check 1 ("a"): path: "//evil.example.com/" is not a path',
    ],
    [
      'an unknown method',
      '  - name: a\n    path: /\n    method: FETCH',
      'check 1 ("a"): method: "FETCH" is not supported; expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    ],
    [
      'a body on a GET',
      '  - name: a\n    path: /\n    body: x',
      'check 1 ("a"): body: a GET request cannot have a body; set method',
    ],
    [
      'a misspelled field',
      '  - name: a\n    path: /\n    expects: {}',
      'check 1 ("a"): unknown field "expects"; expected name, method, path, headers, body, expect',
    ],
    [
      'a bad header name',
      '  - name: a\n    path: /\n    headers: { "bad header": x }',
      'check 1 ("a"): headers.bad header: is not a valid header name',
    ],
    [
      'a header given as a list',
      '  - name: a\n    path: /\n    headers: { x-a: [1] }',
      'check 1 ("a"): headers.x-a: expected a text value',
    ],
    [
      'a status that is not a number',
      '  - name: a\n    path: /\n    expect: { status: ok }',
      'check 1 ("a"): expect.status: "ok" is not a status; expected a number from 100 to 599 or a list of them',
    ],
    [
      'a status out of range',
      '  - name: a\n    path: /\n    expect: { status: [200, 700] }',
      'check 1 ("a"): expect.status: [200,700] is not a status',
    ],
    [
      'an unknown expectation',
      '  - name: a\n    path: /\n    expect: { code: 200 }',
      'check 1 ("a"): expect: unknown field "code"; expected status, headers, json, body, max-time-ms',
    ],
    [
      'an invalid regular expression',
      '  - name: a\n    path: /\n    expect: { json: { id: { matches: "(" } } }',
      'check 1 ("a"): expect.json.id: "(" is not a valid regular expression',
    ],
    [
      'an empty json path segment',
      '  - name: a\n    path: /\n    expect: { json: { "items..id": 1 } }',
      'check 1 ("a"): expect.json.items..id: is not a dotted path such as items.0.id',
    ],
    [
      'an unknown header operator',
      '  - name: a\n    path: /\n    expect: { headers: { x-a: { present: true } } }',
      'check 1 ("a"): expect.headers.x-a: expected a text to equal, or one of { equals: text }, { matches: regex }, { absent: true }',
    ],
    [
      'an unknown body expectation',
      '  - name: a\n    path: /\n    expect: { body: { equals: x } }',
      'check 1 ("a"): expect.body: unknown field "equals"; expected contains, matches',
    ],
    [
      'a zero max-time-ms',
      '  - name: a\n    path: /\n    expect: { max-time-ms: 0 }',
      'check 1 ("a"): expect.max-time-ms: 0 is not allowed; expected milliseconds from 1 to 600000',
    ],
  ])('rejects %s, naming the check and the field', (_, check, message) => {
    expect(problem(`checks:\n${check}\n`)).toContain(`Input 'checks': smoke.yml: ${message}`);
  });

  it('names the check by its position and name further down the file', () => {
    const text = 'checks:\n  - name: a\n    path: /\n  - name: b\n    path: /\n    method: FETCH\n';
    expect(problem(text)).toMatch(/^Input 'checks': smoke\.yml: check 2 \("b"\): method:/);
  });

  it('rejects two checks with the same name', () => {
    const text = 'checks:\n  - name: a\n    path: /\n  - name: a\n    path: /x\n';
    expect(problem(text)).toBe(
      'Input \'checks\': smoke.yml: check 2 ("a"): name: is also the name of check 1; names must be unique',
    );
  });

  it('rejects a check named like a built-in check', () => {
    expect(problem('checks:\n  - name: health\n    path: /\n')).toBe(
      `Input 'checks': smoke.yml: check 1 ("health"): name: "health" is a built-in check; choose another`,
    );
  });
});

describe('loadChecksFile', () => {
  it('names the missing file and where it looked', () => {
    expect(() => loadChecksFile('no/such/smoke.yml', [])).toThrow(
      /^Input 'checks': cannot read no\/such\/smoke\.yml \(no such file; looked for \/.*no\/such\/smoke\.yml\); expected the path of a YAML file with a "checks" list/,
    );
  });

  it('is an input error, not a bug, when the path is a directory', () => {
    const directory = mkdtempSync(join(tmpdir(), 'smoke-checks-'));
    let error: unknown;
    try {
      loadChecksFile(directory, []);
    } catch (caught) {
      error = caught;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Input 'checks': cannot read ${directory} \\(is a directory\\); expected the path of a YAML file with a "checks" list`,
      ),
    );
  });
});
