type Edit = { kind: ' ' | '-' | '+'; line: string };

/**
 * Line edits turning `before` into `after`, from a longest-common-subsequence table. Task definitions are a
 * few hundred lines, so the quadratic table is small and the result is the minimal diff.
 */
function diffLines(before: string[], after: string[]): Edit[] {
  const rows = before.length + 1;
  const cols = after.length + 1;
  // common[i * cols + j]: length of the LCS of before[i..] and after[j..]
  const common = new Uint32Array(rows * cols);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i * cols + j] =
        before[i] === after[j]
          ? common[(i + 1) * cols + j + 1]! + 1
          : Math.max(common[(i + 1) * cols + j]!, common[i * cols + j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      edits.push({ kind: ' ', line: before[i]! });
      i++;
      j++;
    } else if (i < before.length && (j === after.length || common[(i + 1) * cols + j]! >= common[i * cols + j + 1]!)) {
      // On a tie take the removal first, so a changed line reads -old then +new as in diff -u.
      edits.push({ kind: '-', line: before[i++]! });
    } else {
      edits.push({ kind: '+', line: after[j++]! });
    }
  }
  return edits;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function range(start: number, count: number): string {
  // diff -u numbers an empty range by the line before it.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** A unified diff (`diff -u` format with `context` lines around each change); empty when the texts are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  const edits = diffLines(splitLines(before), splitLines(after));
  const changed = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  if (changed.length === 0) return '';

  // Group changes whose context overlaps into one hunk.
  const hunks: Array<[number, number]> = [];
  for (const index of changed) {
    const last = hunks[hunks.length - 1];
    if (last && index - last[1] <= 2 * context) last[1] = index;
    else hunks.push([index, index]);
  }

  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  for (const [first, last] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(edits.length - 1, last + context);
    // Line numbers where the hunk starts: count the lines each side consumed before it.
    let beforeLine = 1;
    let afterLine = 1;
    for (const edit of edits.slice(0, start)) {
      if (edit.kind !== '+') beforeLine++;
      if (edit.kind !== '-') afterLine++;
    }
    const body = edits.slice(start, end + 1);
    const beforeCount = body.filter((edit) => edit.kind !== '+').length;
    const afterCount = body.filter((edit) => edit.kind !== '-').length;
    out.push(`@@ -${range(beforeLine, beforeCount)} +${range(afterLine, afterCount)} @@`);
    for (const edit of body) out.push(`${edit.kind}${edit.line}`);
  }
  return `${out.join('\n')}\n`;
}
