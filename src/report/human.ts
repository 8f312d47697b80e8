import type { CheckStatus } from '../checks/types.js';
import type { DoctorReport } from './report.js';

export interface HumanStyle {
  /** chalk colour level: 0 turns colour off. */
  colorLevel: 0 | 1 | 2 | 3;
  /** Unicode symbols on a terminal; plain ASCII when piped or redirected. */
  unicode: boolean;
  verbose: boolean;
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
interface Palette {
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

function indent(text: string, prefix: string, rest: string): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? prefix : rest) + line)
    .join('\n');
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

/** The report for a person: one line per check, fixes under failures and warnings, details with --verbose. */
export function renderHuman(report: DoctorReport, style: HumanStyle, palette: Palette = PLAIN): string {
  // Text is made ASCII-safe before it is coloured, so escape codes survive when colour is forced on a pipe.
  const safe = style.unicode ? (text: string) => text : asciiSafe;
  const chalk = Object.fromEntries(Object.entries(palette).map(([name, paint]) => [name, (text: string) => paint(safe(text))])) as unknown as Palette;
  const width = Math.max(...report.checks.map((check) => check.id.length));
  const lines: string[] = [];
  const setup = report.setup;
  lines.push(chalk.bold(`codex-bedrock doctor ${report.tool.version}`));
  if (setup.codexHome) lines.push(chalk.gray(`Codex home: ${setup.codexHome}${setup.profile ? `  profile: ${setup.profile}` : ''}`));
  lines.push('');
  for (const check of report.checks) {
    const symbol = style.unicode ? SYMBOLS[check.status].unicode : SYMBOLS[check.status].ascii;
    const colour = colourFor(chalk, check.status);
    lines.push(`${colour(symbol)} ${chalk.bold(check.id.padEnd(width))}  ${check.status === 'skip' ? chalk.gray(check.summary) : safe(check.summary)}`);
    const pad = ' '.repeat(style.unicode ? 4 : 7);
    const problem = check.status === 'fail' || check.status === 'warn';
    if (problem && check.remediation) lines.push(indent(safe(check.remediation), `${pad}${chalk.cyan('fix:')} `, `${pad}     `));
    if (style.verbose) check.details.forEach((detail) => lines.push(indent(safe(detail), `${pad}${chalk.gray('-')} `, `${pad}  `)));
    if (problem && check.docs) lines.push(`${pad}${chalk.gray(`docs: ${check.docs}`)}`);
  }
  lines.push('');
  lines.push(safe(countLine(report, style.unicode ? ' · ' : ', ')));
  lines.push(colourFor(chalk, report.overallStatus)(verdictLine(report)));
  return `${lines.join('\n')}\n`;
}
