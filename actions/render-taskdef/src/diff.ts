import { structuredPatch } from 'diff';

/**
 * A unified diff (`diff -u` format with `context` lines around each change); empty when the texts are equal.
 * The line diff itself is jsdiff's (Myers): only the `diff -u` text is written here.
 */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  const patch = structuredPatch(labels.before, labels.after, before, after, undefined, undefined, { context });
  if (patch.hunks.length === 0) return '';
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  for (const hunk of patch.hunks) {
    out.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`);
    // jsdiff marks a last line without a newline; the texts compared here are whole lines.
    out.push(...hunk.lines.filter((line) => !line.startsWith('\\')));
  }
  return `${out.join('\n')}\n`;
}

function range(start: number, count: number): string {
  // diff -u numbers an empty range by the line before it; jsdiff gives the line after.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}
