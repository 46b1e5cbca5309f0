import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '../src/errors.js';
import { parseDocumentText, readInputDocument, readInputDocumentSync, readInputText } from '../src/documents.js';

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
