import { writeFile } from 'node:fs/promises';
import { basename, relative, resolve, isAbsolute } from 'node:path';
import { UserError } from './errors.js';
import { foreignLine } from './foreign.js';

/**
 * The path of `fileName` inside `directory`, or an error when the name is not one plain path segment: a name
 * built from user text (a task definition family, a template variable) must never reach `..`, `/` or a NUL.
 */
export function pathInside(directory: string, fileName: string): string {
  const root = resolve(directory);
  const path = resolve(root, fileName);
  const rel = relative(root, path);
  if (
    fileName === '' ||
    fileName.includes('\0') ||
    basename(fileName) !== fileName ||
    fileName === '.' ||
    fileName === '..' ||
    rel === '' ||
    rel.startsWith('..') ||
    isAbsolute(rel)
  ) {
    throw new UserError(
      `Refused to write "${foreignLine(fileName)}": a file name must be one path segment inside ${root}`,
    );
  }
  return path;
}

/** Writes a new file inside `directory` (never outside, never over an existing file or link) and returns its path. */
export async function writeFileInside(directory: string, fileName: string, content: string): Promise<string> {
  const path = pathInside(directory, fileName);
  await writeFile(path, content, { encoding: 'utf8', flag: 'wx' });
  return path;
}
