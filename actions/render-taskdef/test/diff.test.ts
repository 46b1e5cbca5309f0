import { describe, expect, it } from '@jest/globals';
import { unifiedDiff } from '../src/diff.js';

const labels = { before: 'running web:7', after: 'rendered web' };
const lines = (...items: string[]) => `${items.join('\n')}\n`;

describe('unifiedDiff', () => {
  it('is empty when the texts are equal', () => {
    expect(unifiedDiff(lines('a', 'b'), lines('a', 'b'), labels)).toBe('');
  });

  it('shows a changed line as removal then addition with three lines of context', () => {
    const before = lines('1', '2', '3', '4', 'old', '6', '7', '8', '9');
    const after = lines('1', '2', '3', '4', 'new', '6', '7', '8', '9');
    expect(unifiedDiff(before, after, labels)).toBe(
      lines(
        '--- running web:7',
        '+++ rendered web',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-old',
        '+new',
        ' 6',
        ' 7',
        ' 8',
      ),
    );
  });

  it('splits distant changes into separate hunks with their own line numbers', () => {
    const before = lines('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l');
    const after = lines('A', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm');
    expect(unifiedDiff(before, after, labels)).toBe(
      lines(
        '--- running web:7',
        '+++ rendered web',
        '@@ -1,4 +1,4 @@',
        '-a',
        '+A',
        ' b',
        ' c',
        ' d',
        '@@ -10,3 +10,4 @@',
        ' j',
        ' k',
        ' l',
        '+m',
      ),
    );
  });

  it('joins changes whose context overlaps into one hunk', () => {
    const before = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');
    const after = lines('A', 'b', 'c', 'd', 'e', 'f', 'G');
    expect(unifiedDiff(before, after, labels).match(/^@@/gm)).toHaveLength(1);
  });

  it('numbers an insertion into an empty text as diff -u does', () => {
    expect(unifiedDiff('', lines('x'), labels)).toBe(
      lines('--- running web:7', '+++ rendered web', '@@ -0,0 +1 @@', '+x'),
    );
  });

  it('finds the minimal change when a line is removed from the middle', () => {
    expect(unifiedDiff(lines('a', 'b', 'c'), lines('a', 'c'), labels)).toBe(
      lines('--- running web:7', '+++ rendered web', '@@ -1,3 +1,2 @@', ' a', '-b', ' c'),
    );
  });
});

/** Applies a unified diff to `before`, checking every context and removed line against it. */
function applyPatch(before: string[], patch: string): string[] {
  const result: string[] = [];
  let next = 0;
  const lines = patch.split('\n').slice(2, -1);
  for (const line of lines) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (header) {
      const start = header[2] === '0' ? Number(header[1]) : Number(header[1]) - 1;
      while (next < start) result.push(before[next++]!);
      continue;
    }
    const [kind, text] = [line[0], line.slice(1)];
    if (kind === '+') result.push(text);
    else {
      expect(before[next]).toBe(text);
      if (kind === ' ') result.push(text);
      next++;
    }
  }
  while (next < before.length) result.push(before[next++]!);
  return result;
}

it('produces a patch that turns before into after, for many random edits', () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 200; round++) {
    const before = Array.from({ length: Math.floor(random() * 30) }, () =>
      String.fromCharCode(97 + Math.floor(random() * 5)),
    );
    const after = before
      .filter(() => random() > 0.2)
      .flatMap((line) => (random() > 0.8 ? [line, String.fromCharCode(97 + Math.floor(random() * 5))] : [line]));
    const text = (items: string[]) => items.map((line) => `${line}\n`).join('');
    const patch = unifiedDiff(text(before), text(after), labels);
    if (before.join() === after.join()) expect(patch).toBe('');
    else expect(applyPatch(before, patch)).toEqual(after);
  }
});
