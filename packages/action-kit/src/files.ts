import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { errorMessage } from './errors.js';
import { inputError } from './inputs.js';

/**
 * Reads the file an input names. A missing file, a directory or an unreadable file is the input's error (naming
 * the input, the path and what was expected), not a bug with a stack.
 */
export async function readInputFile(input: string, path: string, expected: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(input, path, expected, error);
  }
}

/** readInputFile for inputs read synchronously. */
export function readInputFileSync(input: string, path: string, expected: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadable(input, path, expected, error);
  }
}

function unreadable(input: string, path: string, expected: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  // A relative path is resolved against the working directory, which a workflow step may not expect.
  const where = isAbsolute(path) ? '' : `; looked for ${resolve(path)}`;
  const why =
    code === 'ENOENT' ? `no such file${where}` : code === 'EISDIR' ? `is a directory${where}` : errorMessage(error);
  return inputError(input, `cannot read ${path} (${why}); expected ${expected}`);
}
