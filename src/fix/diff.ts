import { lineContent, splitLines } from './textLines.js';

/** Lines of context around each change, as `diff -u` and git show them. */
const CONTEXT = 3;
/** Above this many line pairs the diff shows the whole file as replaced (config files are far smaller). */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; text: string; oldLine: number; newLine: number };

function lineOps(before: string[], after: string[]): Op[] {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_CELLS) {
    return [...before.map((text, i) => ({ kind: '-' as const, text, oldLine: i, newLine: 0 })), ...after.map((text, j) => ({ kind: '+' as const, text, oldLine: n, newLine: j }))];
  }
  // Longest common subsequence from the end, then a forward walk: removals before additions, as diff -u does.
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) ops.push({ kind: ' ', text: before[i]!, oldLine: i++, newLine: j++ });
    else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', text: before[i]!, oldLine: i++, newLine: j });
    else ops.push({ kind: '+', text: after[j]!, oldLine: i, newLine: j++ });
  }
  return ops;
}

/** How a line is shown: without its ending; a CR of a CRLF file and a missing final newline are marked. */
function shown(line: string): string {
  const content = lineContent(line);
  const marks = line.endsWith('\r\n') ? ' ␍' : '';
  return `${content}${marks}${/\n$/.test(line) ? '' : '\n\\ No newline at end of file'}`;
}

/**
 * A unified diff (`diff -u` format) of one file; `before` null means the file is created. Empty when nothing
 * changes. Lines compare with their endings, so a changed line ending shows up as a change.
 */
export function unifiedDiff(path: string, before: string | null, after: string): string {
  const old = before === null ? { bom: '', lines: [] as string[] } : splitLines(before);
  const updated = splitLines(after);
  const a = [...old.lines];
  const b = [...updated.lines];
  if (old.bom !== updated.bom) {
    a.unshift(old.bom ? '<byte-order mark>\n' : '');
    b.unshift(updated.bom ? '<byte-order mark>\n' : '');
  }
  const ops = lineOps(a, b);
  if (ops.every((op) => op.kind === ' ')) return '';
  const hunks: string[] = [];
  let index = 0;
  while (index < ops.length) {
    const firstChange = ops.findIndex((op, k) => k >= index && op.kind !== ' ');
    if (firstChange < 0) break;
    const start = Math.max(index, firstChange - CONTEXT);
    let end = firstChange;
    // Extend the hunk while the next change is within two contexts of the last one.
    for (let k = firstChange; k < ops.length; k++) {
      if (ops[k]!.kind !== ' ') end = k;
      else if (k - end > 2 * CONTEXT) break;
    }
    const stop = Math.min(ops.length, end + CONTEXT + 1);
    const slice = ops.slice(start, stop);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const oldStart = oldCount === 0 ? slice[0]!.oldLine : slice[0]!.oldLine + 1;
    const newStart = newCount === 0 ? slice[0]!.newLine : slice[0]!.newLine + 1;
    hunks.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@\n${slice.map((op) => `${op.kind}${shown(op.text)}`).join('\n')}\n`);
    index = stop;
  }
  return `--- ${before === null ? '/dev/null' : `a${path}`}\n+++ b${path}\n${hunks.join('')}`;
}
