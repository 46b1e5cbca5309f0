import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathInside, writeFileInside } from '../src/paths.js';

describe('writeFileInside', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paths-'));

  it.each(['../package.json', '../../etc/passwd', '/etc/passwd', 'a/b.json', '..', '.', '', 'x\0.json'])(
    'refuses the name %j, naming the folder',
    (name) => {
      expect(() => pathInside(join(dir, 'out'), name)).toThrow(/a file name must be one path segment inside /);
    },
  );

  it('writes a new file inside the folder', async () => {
    const path = await writeFileInside(dir, 'web.json', '{}\n');
    expect(path).toBe(join(dir, 'web.json'));
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
  });

  it('never writes through an existing file or link', async () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'keep');
    symlinkSync(target, join(dir, 'link.json'));
    await expect(writeFileInside(dir, 'link.json', 'evil')).rejects.toThrow(/EEXIST/);
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
