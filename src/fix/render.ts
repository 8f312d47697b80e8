import type { CheckResult, CheckStatus } from '../checks/types.js';
import { visibleText } from '../report/terminalSafe.js';
import type { PlannedFix, Refusal, RegionQuestion } from './plan.js';

/** A doctor run as fix shows it: the verdict and the checks, without details. */
export interface RunSummary {
  overallStatus: 'pass' | 'warn' | 'fail';
  summary: Record<CheckStatus, number>;
  checks: { id: string; status: CheckStatus; summary: string }[];
}

export interface PlannedChange {
  path: string;
  action: 'create' | 'edit' | 'chmod' | 'edit+chmod';
  /** Unified diff of the text (empty for a mode change alone). */
  diff: string;
  mode: string | null;
}

export interface Remaining {
  check: string;
  status: CheckStatus;
  summary: string;
  /** What to do by hand: the exact command where one exists. */
  instruction: string;
}

/** The JSON document of `fix --json`. */
export interface FixReport {
  schemaVersion: 1;
  tool: { name: 'codex-bedrock'; version: string };
  mode: 'apply' | 'dry-run' | 'undo';
  applied: boolean;
  /** Why nothing was written although fixes were planned (no terminal, declined), else null. */
  notAppliedBecause: string | null;
  before: RunSummary | null;
  plan: { fixes: PlannedFix[]; changes: PlannedChange[]; refusals: Refusal[]; regionQuestion: RegionQuestion | null } | null;
  backups: string[];
  undo: { stamp: string; restored: string[]; removed: string[] } | null;
  after: RunSummary | null;
  remaining: Remaining[];
  error: string | null;
}

export function summarise(results: readonly CheckResult[]): RunSummary {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  results.forEach((result) => (summary[result.status] += 1));
  return {
    overallStatus: summary.fail > 0 ? 'fail' : summary.warn > 0 ? 'warn' : 'pass',
    summary,
    checks: results.map((result) => ({ id: result.id, status: result.status, summary: result.summary })),
  };
}

const MARK: Record<CheckStatus, string> = { pass: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

function runLines(title: string, run: RunSummary): string[] {
  const s = run.summary;
  const lines = [`${title}: ${s.pass} passed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed, ${s.skip} skipped`];
  run.checks.filter((check) => check.status === 'fail' || check.status === 'warn').forEach((check) => lines.push(`  ${MARK[check.status]} ${check.id}: ${check.summary}`));
  return lines;
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((line) => `${prefix}${line}`).join('\n');
}

/** The human output of fix: before, the plan with its diffs, what happened, after, and what is left to do. */
export function renderFixHuman(report: FixReport, header = true): string {
  const out: string[] = header ? [`codex-bedrock fix ${report.tool.version}`, ''] : [];
  if (report.undo) {
    out.push(`Undid the fix run of ${report.undo.stamp}:`);
    report.undo.restored.forEach((path) => out.push(`  restored ${path}`));
    report.undo.removed.forEach((path) => out.push(`  removed ${path} (fix had created it)`));
    out.push('');
  }
  if (report.before) out.push(...runLines('Before', report.before), '');
  const plan = report.plan;
  if (plan) {
    if (plan.fixes.length === 0) out.push(report.before?.overallStatus === 'pass' ? 'Nothing to fix.' : 'No change fix can make safely.');
    else {
      out.push(`Plan (${plan.fixes.length} fix${plan.fixes.length === 1 ? '' : 'es'}):`);
      plan.fixes.forEach((fix, index) => out.push(`  ${index + 1}. [${fix.check}] ${fix.description}`));
      out.push('');
      plan.changes.forEach((change) => {
        if (change.mode) out.push(`mode ${change.path}: ${change.mode}`);
        if (change.diff) out.push(change.diff.trimEnd());
      });
    }
    if (plan.refusals.length > 0) {
      out.push('', 'Left alone:');
      plan.refusals.forEach((refusal) => out.push(`  - [${refusal.check}] ${refusal.description}: ${refusal.reason}`));
    }
    if (plan.regionQuestion) {
      out.push('', `The region needs your choice (${plan.regionQuestion.why}).`, `  Run again with --region REGION, one of: ${plan.regionQuestion.choices.join(', ')}`);
    }
    out.push('');
  }
  if (report.notAppliedBecause) out.push(`Nothing was written: ${report.notAppliedBecause}`, '');
  if (report.applied) {
    out.push('Applied. Backups:');
    report.backups.forEach((path) => out.push(`  ${path}`));
    out.push('  (codex-bedrock fix --undo restores them)', '');
  }
  if (report.after) out.push(...runLines('After', report.after), '');
  if (report.remaining.length > 0) {
    out.push(report.applied || report.undo ? 'Still to do by hand:' : 'Not fixed automatically:');
    report.remaining.forEach((item) => {
      out.push(`  - [${item.check}] ${item.summary}`);
      out.push(indent(item.instruction, '      '));
    });
    out.push('');
  }
  if (report.error) out.push(`Error: ${report.error}`);
  else if (report.after) out.push(report.after.overallStatus === 'fail' ? 'Verdict: findings remain (listed above).' : 'Verdict: the doctor passes now.');
  // File contents and values in the diffs and summaries cannot draw on the terminal.
  return `${visibleText(out.join('\n').replace(/\n+$/, ''))}\n`;
}
