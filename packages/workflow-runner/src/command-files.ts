import { readFileSync } from 'node:fs';

/**
 * Reads a GITHUB_OUTPUT or GITHUB_ENV file as the runner does: `name=value` lines and `name<<DELIMITER` blocks,
 * the value being every line up to the delimiter alone on its line.
 */
export function parseCommandFile(text: string, file = 'GITHUB_OUTPUT'): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      const value: string[] = [];
      while (++index < lines.length && lines[index] !== delimiter) value.push(lines[index]!);
      if (index >= lines.length) throw new Error(`${file}: no line "${delimiter}" ends the value of ${name}`);
      values[name] = value.join('\n');
    } else if (equals > 0) {
      values[line.slice(0, equals)] = line.slice(equals + 1);
    } else {
      throw new Error(`${file}: line ${index + 1} is neither name=value nor name<<DELIMITER`);
    }
  }
  return values;
}

export function readCommandFile(path: string, name: string): Record<string, string> {
  return parseCommandFile(readFileSync(path, 'utf8'), name);
}

/** GITHUB_PATH: one directory a line, prepended to PATH for the later steps (the last line first). */
export function readPathFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
