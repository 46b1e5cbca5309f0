import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isUserError } from '../src/index.js';
import { readInputFile, readInputFileSync } from '../src/files.js';

const directory = mkdtempSync(join(tmpdir(), 'action-kit-files-'));
const file = join(directory, 'checks.yml');
writeFileSync(file, 'checks: []\n');

describe('readInputFile', () => {
  it('returns the text of the file', async () => {
    await expect(readInputFile('checks', file, 'a YAML file')).resolves.toBe('checks: []\n');
    expect(readInputFileSync('checks', file, 'a YAML file')).toBe('checks: []\n');
  });

  it('names the input, the path and the expected form when the path is a directory', async () => {
    const error = await readInputFile('checks', directory, 'a YAML file').catch((caught: unknown) => caught);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `Input 'checks': cannot read ${directory} (is a directory); expected a YAML file`,
    );
    expect(() => readInputFileSync('checks', directory, 'a YAML file')).toThrow(
      `Input 'checks': cannot read ${directory} (is a directory); expected a YAML file`,
    );
  });

  it('says where it looked for a missing relative path', () => {
    const path = relative(process.cwd(), join(directory, 'missing.yml'));
    expect(() => readInputFileSync('vars-file', path, 'NAME=VALUE lines')).toThrow(
      `Input 'vars-file': cannot read ${path} (no such file; looked for ${join(directory, 'missing.yml')}); expected NAME=VALUE lines`,
    );
  });
});
