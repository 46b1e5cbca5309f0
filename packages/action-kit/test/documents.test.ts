import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '../src/errors.js';
import {
  DOCUMENT_LIMITS,
  parseDocumentText,
  readInputDocument,
  readInputDocumentSync,
  readInputText,
} from '../src/documents.js';

const SOURCE = "Input 'checks': checks.yml";

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a user error');
}

const aliasBomb = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
].join('\n');
const deepJson = '['.repeat(20_000) + ']'.repeat(20_000);
const deepYaml = Array.from({ length: 70 }, (_, depth) => `${'  '.repeat(depth)}k${depth}:`).join('\n') + ' x\n';

describe('parseDocumentText', () => {
  it.each([
    ['a YAML alias bomb', 'yaml', aliasBomb, /YAML aliases expand more than 100 times, the limit/],
    ['JSON nested 20,000 deep', 'json', deepJson, /nest deeper than 64 levels, the limit/],
    ['JSON nested 20,000 deep read as JSON or YAML', 'json-or-yaml', deepJson, /nest deeper than 64 levels/],
    ['YAML flow nested 20,000 deep', 'yaml', `a: ${deepJson}`, /nest deeper than 64 levels/],
    ['YAML block mappings nested 70 deep', 'yaml', deepYaml, /nest deeper than 64 levels/],
    ['a duplicate JSON key', 'json', '{"family": "web",\n "family": "evil"}', /a key appears twice.*line 2/],
    ['a duplicate YAML key', 'yaml', 'checks: []\nchecks: [x]\n', /a key appears twice.*line 2/],
    ['an empty file', 'json-or-yaml', ' \n', /the file is empty/],
    ['broken JSON', 'json', '{"a":', /not valid JSON/],
  ] as const)('refuses %s, naming the file', (_, format, text, message) => {
    const problem = failure(() => parseDocumentText(SOURCE, text, { format }));
    expect(problem.startsWith(`${SOURCE}: `)).toBe(true);
    expect(problem).toMatch(message);
  });

  it('refuses text over the size limit, naming the limit', () => {
    expect(
      failure(() => parseDocumentText(SOURCE, 'x'.repeat(2000), { format: 'yaml', limits: { maxBytes: 1024 } })),
    ).toBe(`${SOURCE}: the file is 2 KiB, over the limit of 1 KiB for an input file`);
  });

  it('reads JSON and YAML within the limits, brackets inside strings included', () => {
    expect(parseDocumentText(SOURCE, '{"command": ["echo [[[[[[[[[["]}', { format: 'json' })).toEqual({
      command: ['echo [[[[[[[[[['],
    });
    expect(parseDocumentText(SOURCE, 'a: &x [1]\nb: *x\n', { format: 'json-or-yaml' })).toEqual({ a: [1], b: [1] });
  });
});

describe('readInputDocument', () => {
  const dir = mkdtempSync(join(tmpdir(), 'documents-'));

  it('refuses a file over the size limit before reading it', async () => {
    const path = join(dir, 'big.json');
    writeFileSync(path, `"${'x'.repeat(2 * 1024 * 1024)}"`);
    await expect(readInputDocument('template', path, { format: 'json', expected: 'a JSON file' })).rejects.toThrow(
      `Input 'template': ${path}: the file is 2 MiB, over the limit of 1 MiB for an input file`,
    );
    expect(() => readInputDocumentSync('checks', path, { format: 'yaml', expected: 'a YAML file' })).toThrow(
      /over the limit of 1 MiB/,
    );
    await expect(readInputText('vars-file', path, 'NAME=VALUE lines')).rejects.toThrow(/over the limit of 1 MiB/);
  });

  it('returns the text and the parsed document', async () => {
    const path = join(dir, 'ok.yml');
    writeFileSync(path, 'checks:\n  - name: a\n');
    await expect(readInputDocument('checks', path, { format: 'yaml', expected: 'a YAML file' })).resolves.toEqual({
      text: 'checks:\n  - name: a\n',
      document: { checks: [{ name: 'a' }] },
    });
  });

  it('names a missing file as before', async () => {
    await expect(
      readInputDocument('checks', join(dir, 'missing.yml'), { format: 'yaml', expected: 'a YAML file' }),
    ).rejects.toThrow(/^Input 'checks': cannot read .*missing.yml \(no such file\); expected a YAML file$/);
  });
});

describe('parseDocumentText, message by message', () => {
  const expected = { expected: 'a checks document' };

  it('ends each syntax error with the form expected, and only when one is given', () => {
    expect(failure(() => parseDocumentText(SOURCE, '\n\t\n', { format: 'yaml', ...expected }))).toBe(
      `${SOURCE}: the file is empty; expected a checks document`,
    );
    expect(failure(() => parseDocumentText(SOURCE, '', { format: 'json' }))).toBe(`${SOURCE}: the file is empty`);
    expect(failure(() => parseDocumentText(SOURCE, '{"a": 1,}', { format: 'json', ...expected }))).toMatch(
      /^Input 'checks': checks\.yml: not valid JSON \(.+\); expected a checks document$/,
    );
    expect(failure(() => parseDocumentText(SOURCE, '{"a": 1,}', { format: 'json' }))).toMatch(
      /^Input 'checks': checks\.yml: not valid JSON \(.*\)\)$/,
    );
  });

  it("gives YAML's own first line for a YAML syntax error, without its trailing colon", () => {
    const message = failure(() => parseDocumentText(SOURCE, 'a: [1, 2\nb: 3\n', { format: 'yaml', ...expected }));
    expect(message).toMatch(
      /^Input 'checks': checks\.yml: not valid YAML \([A-Z][^\n]*[^:]\); expected a checks document$/,
    );
    expect(message).not.toContain('\n');
  });

  it('explains text that looks like JSON with the JSON error, and other text with the YAML one', () => {
    const jsonLike = failure(() =>
      parseDocumentText(SOURCE, '  {"a": [1, 2}', { format: 'json-or-yaml', ...expected }),
    );
    let jsonError = '';
    try {
      JSON.parse('  {"a": [1, 2}');
    } catch (error) {
      jsonError = (error as Error).message;
    }
    expect(jsonLike).toBe(`${SOURCE}: not valid JSON or YAML (${jsonError}); expected a checks document`);

    const yamlLike = failure(() => parseDocumentText(SOURCE, 'a: [1, 2\nb: 3\n', { format: 'json-or-yaml' }));
    expect(yamlLike).toMatch(/^Input 'checks': checks\.yml: not valid JSON or YAML \(.+\)$/);
    expect(yamlLike).not.toContain(jsonError);
    expect(yamlLike).not.toMatch(/JSON at position|Unexpected token/);
  });

  it('reads YAML as JSON-or-YAML, and refuses it as JSON', () => {
    expect(parseDocumentText(SOURCE, 'checks:\n  - name: a\n', { format: 'json-or-yaml' })).toEqual({
      checks: [{ name: 'a' }],
    });
    expect(failure(() => parseDocumentText(SOURCE, 'checks:\n  - name: a\n', { format: 'json' }))).toMatch(
      /^Input 'checks': checks\.yml: not valid JSON \(/,
    );
  });

  it('names the line and column of a duplicate key, in JSON read either way and in YAML', () => {
    const json = '{\n  "family": "web",\n    "family": "evil"\n}';
    const message = `${SOURCE}: a key appears twice in one mapping at line 3, column 5; each key may appear once`;
    expect(failure(() => parseDocumentText(SOURCE, json, { format: 'json' }))).toBe(message);
    expect(failure(() => parseDocumentText(SOURCE, json, { format: 'json-or-yaml' }))).toBe(message);
    expect(failure(() => parseDocumentText(SOURCE, 'a: 1\nb:\n  c: 1\n  c: 2\n', { format: 'yaml' }))).toBe(
      `${SOURCE}: a key appears twice in one mapping at line 4, column 3; each key may appear once`,
    );
    expect(failure(() => parseDocumentText(SOURCE, 'a: 1\na: 2\n', { format: 'json-or-yaml' }))).toBe(
      `${SOURCE}: a key appears twice in one mapping at line 2, column 1; each key may appear once`,
    );
  });

  it('allows exactly maxDepth levels of brackets and refuses one more', () => {
    const limits = { maxDepth: 3 };
    expect(parseDocumentText(SOURCE, '[[[1]]]', { format: 'json', limits })).toEqual([[[1]]]);
    expect(parseDocumentText(SOURCE, '{"a": {"b": [1]}}', { format: 'json', limits })).toEqual({ a: { b: [1] } });
    const refused = `${SOURCE}: lists and mappings nest deeper than 3 levels, the limit for an input file`;
    expect(failure(() => parseDocumentText(SOURCE, '[[[[1]]]]', { format: 'json', limits }))).toBe(refused);
    expect(failure(() => parseDocumentText(SOURCE, '{"a": {"b": {"c": []}}}', { format: 'json', limits }))).toBe(
      refused,
    );
    // Brackets that close count down again: siblings are not nesting.
    expect(parseDocumentText(SOURCE, '[[[1]], [[2]], [[3]], [[4]]]', { format: 'json', limits })).toHaveLength(4);
  });

  it('never counts brackets inside strings, escaped quotes included, nor lets stray closers go below zero', () => {
    const limits = { maxDepth: 3 };
    expect(parseDocumentText(SOURCE, '["a\\"[[[[", "{{{{"]', { format: 'json', limits })).toEqual(['a"[[[[', '{{{{']);
    // In YAML, "]]]]" is a plain scalar; the four "[" after it nest four deep.
    expect(failure(() => parseDocumentText(SOURCE, 'a: ]]]]\nb: [[[[1]]]]\n', { format: 'yaml', limits }))).toBe(
      `${SOURCE}: lists and mappings nest deeper than 3 levels, the limit for an input file`,
    );
  });

  it('allows exactly maxDepth levels of YAML block nesting and refuses one more', () => {
    const limits = { maxDepth: 2 };
    expect(parseDocumentText(SOURCE, 'a:\n  b: 1\n', { format: 'yaml', limits })).toEqual({ a: { b: 1 } });
    expect(failure(() => parseDocumentText(SOURCE, 'a:\n  b:\n    c: 1\n', { format: 'yaml', limits }))).toBe(
      `${SOURCE}: lists and mappings nest deeper than 2 levels, the limit for an input file`,
    );
    expect(parseDocumentText(SOURCE, 'a: 1\nb: x\n', { format: 'yaml', limits: { maxDepth: 1 } })).toEqual({
      a: 1,
      b: 'x',
    });
    expect(parseDocumentText(SOURCE, '42\n', { format: 'yaml', limits: { maxDepth: 0 } })).toBe(42);
  });

  it('counts alias expansions against maxAliases, with the exact message', () => {
    const twice = 'a: &x [1]\nb: *x\nc: *x\n';
    // The yaml library counts an anchor's own node among the expansions: two aliases of one anchor need 3.
    expect(parseDocumentText(SOURCE, twice, { format: 'yaml', limits: { maxAliases: 3 } })).toEqual({
      a: [1],
      b: [1],
      c: [1],
    });
    expect(failure(() => parseDocumentText(SOURCE, twice, { format: 'yaml', limits: { maxAliases: 2 } }))).toBe(
      `${SOURCE}: YAML aliases expand more than 2 times, the limit for an input file ` +
        '(a file that multiplies itself through aliases is refused)',
    );
  });

  it('measures the size in bytes, not characters, and allows exactly maxBytes', () => {
    expect(parseDocumentText(SOURCE, '"éé"', { format: 'json', limits: { maxBytes: 6 } })).toBe('éé');
    expect(failure(() => parseDocumentText(SOURCE, '"ééé"', { format: 'json', limits: { maxBytes: 6 } }))).toBe(
      `${SOURCE}: the file is 8 bytes, over the limit of 6 bytes for an input file`,
    );
  });

  it('keeps the default limits that a partial limits object leaves out', () => {
    expect(DOCUMENT_LIMITS).toEqual({ maxBytes: 1024 * 1024, maxDepth: 64, maxAliases: 100 });
    expect(failure(() => parseDocumentText(SOURCE, deepJson, { format: 'json', limits: { maxBytes: 1e6 } }))).toMatch(
      /nest deeper than 64 levels/,
    );
  });
});

describe('readInputDocumentSync and readInputText', () => {
  const dir = mkdtempSync(join(tmpdir(), 'documents-sync-'));

  it('return what the file holds', async () => {
    const path = join(dir, 'checks.json');
    writeFileSync(path, '{"checks": []}\n');
    expect(readInputDocumentSync('checks', path, { format: 'json', expected: 'a JSON file' })).toEqual({
      text: '{"checks": []}\n',
      document: { checks: [] },
    });
    await expect(readInputText('vars-file', path, 'NAME=VALUE lines')).resolves.toBe('{"checks": []}\n');
  });

  it('name a missing file with the form expected', async () => {
    expect(() =>
      readInputDocumentSync('checks', join(dir, 'missing.yml'), { format: 'yaml', expected: 'a YAML file' }),
    ).toThrow(/^Input 'checks': cannot read .*missing.yml \(no such file\); expected a YAML file$/);
    await expect(readInputText('vars-file', join(dir, 'missing.env'), 'NAME=VALUE lines')).rejects.toThrow(
      /^Input 'vars-file': cannot read .*missing.env \(no such file\); expected NAME=VALUE lines$/,
    );
  });

  it('apply the size limit they are given, and name the input and file', async () => {
    const path = join(dir, 'vars.env');
    writeFileSync(path, 'A=1\nB=2\n');
    await expect(readInputText('vars-file', path, 'NAME=VALUE lines', 8)).resolves.toBe('A=1\nB=2\n');
    await expect(readInputText('vars-file', path, 'NAME=VALUE lines', 7)).rejects.toThrow(
      `Input 'vars-file': ${path}: the file is 8 bytes, over the limit of 7 bytes for an input file`,
    );
    expect(() =>
      readInputDocumentSync('checks', path, { format: 'yaml', expected: 'a YAML file', limits: { maxBytes: 7 } }),
    ).toThrow(`Input 'checks': ${path}: the file is 8 bytes, over the limit of 7 bytes for an input file`);
    await expect(
      readInputDocument('checks', path, { format: 'yaml', expected: 'a YAML file', limits: { maxBytes: 7 } }),
    ).rejects.toThrow(`Input 'checks': ${path}: the file is 8 bytes, over the limit of 7 bytes for an input file`);
  });
});
