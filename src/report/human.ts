import type { CheckStatus } from '../checks/types.js';
import type { DoctorReport, ReportCheck } from './report.js';

export interface HumanStyle {
  /** chalk colour level: 0 turns colour off. */
  colorLevel: 0 | 1 | 2 | 3;
  /** Unicode symbols on a terminal; plain ASCII when piped or redirected. */
  unicode: boolean;
  verbose: boolean;
  /** Terminal width to wrap to, with hanging indent; undefined (piped output) leaves lines whole. */
  columns?: number;
}

/** One row of the effective-setup table (--verbose): a value and where it came from. */
export interface SetupRow {
  what: string;
  value: string;
  from: string;
}

const SYMBOLS: Record<CheckStatus, { unicode: string; ascii: string }> = {
  pass: { unicode: '✔', ascii: '[PASS]' },
  warn: { unicode: '⚠', ascii: '[WARN]' },
  fail: { unicode: '✖', ascii: '[FAIL]' },
  skip: { unicode: '○', ascii: '[SKIP]' },
};

const ASCII_REPLACEMENTS: [RegExp, string][] = [
  [/[‘’]/g, "'"],
  [/[“”]/g, '"'],
  [/…/g, '...'],
  [/[—–]/g, '-'],
  [/·/g, '-'],
  [/[^\x09\x0a\x0d\x20-\x7e]/g, '?'],
];

export function asciiSafe(text: string): string {
  return ASCII_REPLACEMENTS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

type Paint = (text: string) => string;
export interface Palette {
  bold: Paint;
  gray: Paint;
  cyan: Paint;
  green: Paint;
  yellow: Paint;
  red: Paint;
}

const plain: Paint = (text) => text;
const PLAIN: Palette = { bold: plain, gray: plain, cyan: plain, green: plain, yellow: plain, red: plain };

/** chalk only when colour will be shown: piped, JSON and CI output never load it. */
export async function paletteFor(colorLevel: HumanStyle['colorLevel']): Promise<Palette> {
  if (colorLevel === 0) return PLAIN;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: colorLevel });
  return { bold: chalk.bold, gray: chalk.gray, cyan: chalk.cyan, green: chalk.green, yellow: chalk.yellow, red: chalk.red };
}

function colourFor(chalk: Palette, status: CheckStatus): Paint {
  return { pass: chalk.green, warn: chalk.yellow, fail: chalk.red, skip: chalk.gray }[status];
}

/** Below this width wrapping does more harm than good (a 20-column pane): lines are left whole. */
const MIN_WRAP_COLUMNS = 40;

/**
 * Splits plain text into lines of at most `width` columns at spaces; a word longer than a line (a path, a
 * URL) stays whole on its own line, so it can still be copied.
 */
export function wrapWords(text: string, firstWidth: number, restWidth: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const limit = lines.length === 0 ? firstWidth : restWidth;
    if (current !== '' && current.trimEnd().length + 1 + word.length > limit) {
      lines.push(current.trimEnd());
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}

/**
 * Lays out text after a prefix: every line of the text (and, on a terminal, every wrapped piece) after the
 * first starts under the text's first character. `prefixWidth` is the prefix's visible width (it may hold
 * colour codes); `paint` colours each piece after wrapping, so escape codes never count as columns.
 */
function hanging(prefix: string, prefixWidth: number, text: string, columns: number | undefined, paint: Paint = (t) => t): string[] {
  const pad = ' '.repeat(prefixWidth);
  const wrap = columns !== undefined && columns >= MIN_WRAP_COLUMNS && columns - prefixWidth >= 20;
  const pieces = text.split('\n').flatMap((line) => (wrap ? wrapWords(line, columns - prefixWidth, columns - prefixWidth) : [line]));
  return pieces.map((piece, index) => `${index === 0 ? prefix : pad}${paint(piece)}`);
}

export function verdictLine(report: DoctorReport): string {
  const networkSkipped = report.checks.some((check) => check.status === 'skip' && /--offline/.test(check.skipReason ?? ''));
  if (report.error) return `Verdict: the doctor could not finish: ${report.error}`;
  if (report.overallStatus === 'fail') return 'Verdict: Codex will not work with Amazon Bedrock yet. Fix the failures above, then run codex-bedrock doctor again.';
  const proven = networkSkipped ? ' (network checks were skipped: run without --offline to prove it end to end)' : '';
  if (report.overallStatus === 'warn') return `Verdict: Codex should work with Amazon Bedrock, but read the warnings above${proven}.`;
  return `Verdict: Codex should work with Amazon Bedrock on this machine${proven}.`;
}

export function countLine(report: DoctorReport, separator: string): string {
  const s = report.summary;
  const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
  return [`${s.pass} passed`, plural(s.warn, 'warning'), `${s.fail} failed`, `${s.skip} skipped`].join(separator);
}

/** Width of the check-id column: every check id the doctor has, so lines printed one by one line up. */
export function idColumnWidth(ids: readonly string[]): number {
  return Math.max(...ids.map((id) => id.length));
}

/** Makes every paint ASCII-safe first when the output is not a terminal (escape codes survive forced colour). */
function safePalette(palette: Palette, style: HumanStyle): { chalk: Palette; safe: (text: string) => string } {
  // Text is made ASCII-safe before it is coloured, so escape codes survive when colour is forced on a pipe.
  const safe = style.unicode ? (text: string) => text : asciiSafe;
  const chalk = Object.fromEntries(Object.entries(palette).map(([name, paint]) => [name, (text: string) => paint(safe(text))])) as unknown as Palette;
  return { chalk, safe };
}

/** The title lines, and with --verbose the effective setup: each value and where it came from. */
export function renderHeader(report: DoctorReport, style: HumanStyle, palette: Palette = PLAIN, setupRows: readonly SetupRow[] = []): string {
  const { chalk, safe } = safePalette(palette, style);
  const lines: string[] = [];
  const setup = report.setup;
  lines.push(chalk.bold(`codex-bedrock doctor ${report.tool.version}`));
  if (setup.codexHome) lines.push(chalk.gray(`Codex home: ${setup.codexHome}${setup.profile ? `  profile: ${setup.profile}` : ''}`));
  if (style.verbose && setupRows.length > 0) {
    lines.push('', chalk.bold('Effective setup (value, then where it comes from):'));
    const nameWidth = Math.max(...setupRows.map((row) => row.what.length));
    for (const row of setupRows) {
      const prefix = `  ${row.what.padEnd(nameWidth)}  `;
      lines.push(...hanging(safe(prefix), prefix.length, safe(`${row.value}  ${row.from === '-' ? '' : `(${row.from})`}`.trimEnd()), style.columns));
    }
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

/** One check: its status line, then the fix under failures and warnings, details with --verbose, docs. */
export function renderCheck(check: ReportCheck, idWidth: number, style: HumanStyle, palette: Palette = PLAIN): string {
  const { chalk, safe } = safePalette(palette, style);
  const lines: string[] = [];
  const symbol = style.unicode ? SYMBOLS[check.status].unicode : SYMBOLS[check.status].ascii;
  const colour = colourFor(chalk, check.status);
  const head = `${colour(symbol)} ${chalk.bold(check.id.padEnd(idWidth))}  `;
  const headWidth = symbol.length + 1 + idWidth + 2;
  lines.push(...hanging(head, headWidth, safe(check.summary), style.columns, check.status === 'skip' ? chalk.gray : (text) => text));
  const pad = ' '.repeat(style.unicode ? 4 : 7);
  const problem = check.status === 'fail' || check.status === 'warn';
  if (problem && check.remediation) lines.push(...hanging(`${pad}${chalk.cyan('fix:')} `, pad.length + 5, safe(check.remediation), style.columns));
  if (style.verbose) check.details.forEach((detail) => lines.push(...hanging(`${pad}${chalk.gray('-')} `, pad.length + 2, safe(detail), style.columns)));
  if (problem && check.docs) lines.push(...hanging(pad, pad.length, `docs: ${check.docs}`, style.columns, chalk.gray));
  return `${lines.join('\n')}\n`;
}

/** The count line and the verdict. */
export function renderFooter(report: DoctorReport, style: HumanStyle, palette: Palette = PLAIN): string {
  const { chalk, safe } = safePalette(palette, style);
  const lines = ['', ...hanging('', 0, safe(countLine(report, style.unicode ? ' · ' : ', ')), style.columns)];
  lines.push(...hanging('', 0, safe(verdictLine(report)), style.columns, colourFor(chalk, report.overallStatus)));
  return `${lines.join('\n')}\n`;
}

/** The report for a person: one line per check, fixes under failures and warnings, details with --verbose. */
export function renderHuman(report: DoctorReport, style: HumanStyle, palette: Palette = PLAIN, setupRows: readonly SetupRow[] = []): string {
  const idWidth = idColumnWidth(report.checks.map((check) => check.id));
  return [renderHeader(report, style, palette, setupRows), ...report.checks.map((check) => renderCheck(check, idWidth, style, palette)), renderFooter(report, style, palette)].join('');
}
