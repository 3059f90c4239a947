/**
 * A unified line diff of two texts, from a longest common subsequence of
 * their lines: enough for the generated files the review compares (a few
 * hundred lines each), with no diff package.
 */

/** The difference of two texts. */
export interface LineDiff {
  /** Lines only in the new text. */
  readonly added: number;
  /** Lines only in the old text. */
  readonly removed: number;
  /**
   * Unified hunks (`@@ -a,b +c,d @@`, then lines prefixed ` `, `-` or `+`),
   * empty when the texts are equal.
   * @default - not computed: the texts are too long to compare line by line,
   *   and the counts are estimated from the lines each has that the other lacks
   */
  readonly hunks?: string;
}

/** Most cells of the comparison table (lines before × lines after, common ends left out). */
export const MAX_DIFF_CELLS = 4_000_000;

type Op = readonly [kind: ' ' | '-' | '+', line: string];

/**
 * Compares two texts line by line.
 * @param context unchanged lines shown around each change
 */
export function lineDiff(before: string, after: string, context = 3): LineDiff {
  const a = linesOf(before);
  const b = linesOf(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  if (middleA.length * middleB.length > MAX_DIFF_CELLS) return estimate(middleA, middleB);
  const ops: Op[] = [
    ...a.slice(0, start).map((line): Op => [' ', line]),
    ...lcsOps(middleA, middleB),
    ...a.slice(endA).map((line): Op => [' ', line]),
  ];
  const added = ops.filter(([kind]) => kind === '+').length;
  const removed = ops.filter(([kind]) => kind === '-').length;
  return { added, removed, hunks: unified(ops, context) };
}

/** A text's lines; a final line break ends the last line and adds none. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Removals before additions within each run of changes. */
function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lengths[i * (m + 1) + j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * (m + 1) + j + 1] + 1
          : Math.max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push([' ', a[i++]]);
      j++;
    } else if (
      j >= m ||
      (i < n && lengths[(i + 1) * (m + 1) + j] >= lengths[i * (m + 1) + j + 1])
    ) {
      ops.push(['-', a[i++]]);
    } else {
      ops.push(['+', b[j++]]);
    }
  }
  return ops;
}

/** Hunks with `context` unchanged lines around each change; hunks that touch are merged. */
function unified(ops: readonly Op[], context: number): string {
  const changed = ops.flatMap(([kind], index) => (kind === ' ' ? [] : [index]));
  if (changed.length === 0) return '';
  const ranges: [number, number][] = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length, index + context + 1);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1]) last[1] = to;
    else ranges.push([from, to]);
  }
  // Line numbers (1-based) in the old and new text where each op stands.
  const oldLine: number[] = [];
  const newLine: number[] = [];
  let x = 1;
  let y = 1;
  for (const [kind] of ops) {
    oldLine.push(x);
    newLine.push(y);
    if (kind !== '+') x++;
    if (kind !== '-') y++;
  }
  const out: string[] = [];
  for (const [from, to] of ranges) {
    const slice = ops.slice(from, to);
    const oldCount = slice.filter(([kind]) => kind !== '+').length;
    const newCount = slice.filter(([kind]) => kind !== '-').length;
    // As diff -u: a side with no lines is numbered by the line before the hunk.
    const oldStart = oldCount === 0 ? oldLine[from] - 1 : oldLine[from];
    const newStart = newCount === 0 ? newLine[from] - 1 : newLine[from];
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const [kind, line] of slice) out.push(`${kind}${line}`);
  }
  return out.join('\n');
}

/** Counts without a table: lines of each side that the other lacks, duplicates counted. */
function estimate(a: readonly string[], b: readonly string[]): LineDiff {
  const counts = new Map<string, number>();
  for (const line of a) counts.set(line, (counts.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of b) {
    const left = counts.get(line) ?? 0;
    if (left > 0) counts.set(line, left - 1);
    else added++;
  }
  let removed = 0;
  for (const left of counts.values()) removed += left;
  return { added, removed };
}
