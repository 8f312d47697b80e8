import type { CheckResult } from '../checks/types.js';
import { redactorForSetup, type Redactor } from '../report/redact.js';
import type { ShellEnv } from '../resolve/environment.js';
import { resolveSetup, UsageError, type EffectiveSetup } from '../resolve/setup.js';
import { diagnose, predict, resolveInputs, type Diagnosis, type ResolutionOptions } from '../fix/diagnose.js';
import { unifiedDiff } from '../fix/diff.js';
import { instructionFor, planRound, type PlannedFix, type Refusal, type RegionQuestion } from '../fix/plan.js';
import { renderFixHuman, summarise, type FixReport, type PlannedChange, type Remaining } from '../fix/render.js';
import { writeTarget, type SafetyRules } from '../fix/safety.js';
import { applyChanges, FixIoError, TEST_HOOK_ENV, TEST_MODE_ENV, undoLastRun, type FileChange } from '../fix/transaction.js';
import { Workspace } from '../fix/workspace.js';
import { TOOL_VERSION } from '../version.js';

export interface FixOptions extends ResolutionOptions {
  mode: 'apply' | 'dry-run' | 'undo';
  yes: boolean;
  json: boolean;
  /** --region: the region to set when the doctor cannot know it. */
  region?: string;
}

export interface FixIo {
  shellEnv: ShellEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** True when a person can answer: stdin and stderr are terminals. */
  interactive: boolean;
  /** Asks one question on the terminal; null when there is no answer (end of input). */
  ask: (question: string) => Promise<string | null>;
  now: () => Date;
}

/** Planning rounds: each predicts the doctor after the fixes so far, since one failure hides the next. */
const MAX_ROUNDS = 6;

interface Plan {
  workspace: Workspace;
  fixes: PlannedFix[];
  refusals: Refusal[];
  regionQuestion: RegionQuestion | null;
  /** The doctor as predicted (offline checks) with every planned change in place. */
  predicted: Diagnosis;
}

async function makePlan(first: Diagnosis, safety: SafetyRules, regionChoice: string | null, now: () => Date): Promise<Plan> {
  const workspace = new Workspace(first.inputs.readFile);
  const context = { workspace, regionChoice, safety: (path: string) => writeTarget(path, safety), predict: (candidate: Workspace) => predict(first.inputs, candidate, now) };
  const fixes: PlannedFix[] = [];
  const refusals: Refusal[] = [];
  let regionQuestion: RegionQuestion | null = null;
  let current: Diagnosis = first;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const plan = await planRound({ ...context, setup: current.setup, results: current.results });
    fixes.push(...plan.fixes);
    plan.refusals.forEach((refusal) => refusals.some((known) => known.description === refusal.description) || refusals.push(refusal));
    regionQuestion = plan.regionQuestion ?? regionQuestion;
    if (plan.fixes.length === 0) break;
    current = await context.predict(workspace);
  }
  if (current.results.find((result) => result.id === 'region.set')?.status !== 'fail') regionQuestion = null;
  return { workspace, fixes, refusals, regionQuestion, predicted: current };
}

function describeChanges(changes: readonly FileChange[]): PlannedChange[] {
  return changes.map((change) => {
    const edited = change.before !== change.after;
    const action = change.before === null ? 'create' : edited && change.newMode !== null ? 'edit+chmod' : edited ? 'edit' : 'chmod';
    return { path: change.path, action, diff: edited ? unifiedDiff(change.path, change.before, change.after) : '', mode: change.newMode === null ? null : `chmod ${change.newMode.toString(8)}` };
  });
}

/** What is left for the user: failures and warnings of a run, each with the command or step that settles it. */
function remainingOf(results: readonly CheckResult[]): Remaining[] {
  return results
    .filter((result) => result.status === 'fail' || result.status === 'warn')
    .map((result) => ({ check: result.id, status: result.status, summary: result.summary, instruction: instructionFor(result) }));
}

/**
 * The doctor after the fix as far as it can be predicted: the offline checks from the prediction, and the
 * network checks (which the prediction skips) as they were before.
 */
function withPrediction(before: readonly CheckResult[], predicted: readonly CheckResult[]): CheckResult[] {
  return predicted.map((result) => (result.status === 'skip' && !result.blocked ? (before.find((old) => old.id === result.id) ?? result) : result));
}

/** On a terminal, the region question: a number from the list or a region name; empty skips the region fix. */
async function askRegion(io: FixIo, question: RegionQuestion): Promise<string | null> {
  const list = question.choices.map((region, index) => `  ${String(index + 1).padStart(2)}. ${region}`).join('\n');
  io.stderr.write(`The region needs your choice: ${question.why}\nCodex accepts:\n${list}\n`);
  const answer = (await io.ask('Region (number or name, Enter to skip): '))?.trim() ?? '';
  const byNumber = /^\d+$/.test(answer) ? question.choices[Number(answer) - 1] : undefined;
  const chosen = byNumber ?? answer;
  return question.choices.includes(chosen) ? chosen : null;
}

export function emptyReport(options: FixOptions): FixReport {
  return { schemaVersion: 1, tool: { name: 'codex-bedrock', version: TOOL_VERSION }, mode: options.mode, applied: false, notAppliedBecause: null, before: null, plan: null, backups: [], undo: null, after: null, remaining: [], error: null };
}

function safetyRules(setup: EffectiveSetup, diagnosis: Diagnosis): SafetyRules {
  return { codexHome: setup.codexHome.path, managedConfigPath: diagnosis.inputs.managedConfigPath, uid: typeof process.getuid === 'function' ? process.getuid() : null };
}

/**
 * `codex-bedrock fix`: diagnose, plan the safe fixes (predicting the doctor after each round), show the plan,
 * ask once on a terminal, apply all or nothing, diagnose again and report before and after. Returns the exit
 * code: 0 when the doctor passes afterwards, 1 when findings remain, 2 on a usage or I/O error.
 */
export async function runFix(options: FixOptions, io: FixIo): Promise<number> {
  const report = emptyReport(options);
  // Secrets of the setup before and after the fix are both scrubbed (a removed .env line held one, say).
  const redactors: Redactor[] = [redactorForSetup(null, io.shellEnv)];
  let exitCode = 1;
  const scrub = (text: string) => redactors.reduce((value, redactor) => redactor.scrub(value), text);
  let asked = false;
  const testHook = io.shellEnv[TEST_MODE_ENV] === '1' ? (io.shellEnv[TEST_HOOK_ENV] ?? null) : null;
  try {
    const inputs = await resolveInputs(options, io.shellEnv);
    const allowList = inputs.codex?.rules.behaviour.regionAllowList ?? [];
    if (options.region !== undefined && !allowList.includes(options.region)) {
      throw new UsageError(`--region ${options.region} is not a region Codex ${inputs.codex?.rules.release ?? ''} sends to Bedrock; choose one of ${allowList.join(', ')}`);
    }
    if (options.mode === 'undo') {
      const codexHome = resolveSetup(inputs).codexHome.path;
      report.undo = undoLastRun({ codexHome, managedConfigPath: inputs.managedConfigPath, uid: null });
      if (!report.undo) report.notAppliedBecause = `there is no fix run to undo in ${codexHome}`;
      const after = await diagnose(inputs, options, io.now);
      redactors.push(redactorForSetup(after.setup, io.shellEnv));
      report.after = summarise(after.results);
      report.remaining = remainingOf(after.results);
      exitCode = report.after.overallStatus === 'fail' ? 1 : 0;
    } else {
      const before = await diagnose(inputs, options, io.now);
      redactors.push(redactorForSetup(before.setup, io.shellEnv));
      report.before = summarise(before.results);
      const safety = safetyRules(before.setup, before);
      const interactive = io.interactive && !options.yes && options.mode === 'apply';
      let plan = await makePlan(before, safety, options.region ?? null, io.now);
      if (plan.regionQuestion && interactive && !options.region) {
        const region = await askRegion(io, plan.regionQuestion);
        if (region) plan = await makePlan(before, safety, region, io.now);
      }
      const changes = plan.workspace.changes();
      report.plan = { fixes: plan.fixes, changes: describeChanges(changes), refusals: plan.refusals, regionQuestion: plan.regionQuestion };
      report.remaining = remainingOf(withPrediction(before.results, plan.predicted.results));
      exitCode = report.before.overallStatus === 'fail' ? 1 : 0;
      let apply = changes.length > 0 && options.mode === 'apply';
      if (apply && !options.yes) {
        if (!io.interactive) {
          apply = false;
          report.notAppliedBecause = 'no terminal to ask on, so this was a dry run; run codex-bedrock fix --yes to apply';
        } else {
          // The plan is shown before the question; with --json it goes to stderr, as stdout holds one document.
          (options.json ? io.stderr : io.stdout).write(scrub(renderFixHuman(report)));
          asked = true;
          const answer = (await io.ask(`Apply ${changes.length === 1 ? 'this change' : `these ${changes.length} changes`}? [y/N] `))?.trim().toLowerCase();
          if (answer !== 'y' && answer !== 'yes') {
            apply = false;
            report.notAppliedBecause = 'you declined';
          }
          report.before = options.json ? report.before : null;
          if (!options.json) report.plan = null;
        }
      }
      if (apply) {
        const applied = applyChanges(changes, { safety, now: io.now(), testHook });
        report.applied = true;
        report.backups = applied.backups;
        const after = await diagnose(inputs, options, io.now);
        redactors.push(redactorForSetup(after.setup, io.shellEnv));
        report.after = summarise(after.results);
        report.remaining = remainingOf(after.results);
        exitCode = report.after.overallStatus === 'fail' ? 1 : 0;
      }
    }
  } catch (error) {
    report.error = error instanceof UsageError ? `usage error: ${error.message}` : error instanceof FixIoError ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
    exitCode = 2;
  }
  const scrubbed = redactors.reduce((value, redactor) => redactor.scrubDeep(value), report);
  if (scrubbed.error) io.stderr.write(`codex-bedrock: ${scrubbed.error}\n`);
  io.stdout.write(options.json ? `${JSON.stringify(scrubbed, null, 2)}\n` : scrub(renderFixHuman(scrubbed, !asked)));
  return exitCode;
}
