import type { CheckId, CheckResult } from '../checks/types.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import type { Diagnosis } from './diagnose.js';
import type { WriteTarget } from './safety.js';
import type { Workspace } from './workspace.js';

/** One mechanical fix: which finding it clears and what it changes, in the user's words. */
export interface PlannedFix {
  check: CheckId;
  description: string;
  files: string[];
}

/** A finding fix could address in principle but leaves alone here, and why. */
export interface Refusal {
  check: CheckId;
  description: string;
  reason: string;
}

/** The region fix needs a value only the user can choose. */
export interface RegionQuestion {
  why: string;
  choices: readonly string[];
}

export interface PlanContext {
  setup: EffectiveSetup;
  results: readonly CheckResult[];
  workspace: Workspace;
  /** --region, or the answer on a terminal; used only when it is in the release's allow-list. */
  regionChoice: string | null;
  safety: (path: string) => WriteTarget;
  predict: (workspace: Workspace) => Promise<Diagnosis>;
}

export interface RoundPlan {
  fixes: PlannedFix[];
  refusals: Refusal[];
  regionQuestion: RegionQuestion | null;
}

export type Attempt = { files: string[] } | string;

/**
 * Runs one fix on a fork of the workspace and keeps it only when every file it touches may be written.
 * A refusal (a reason instead of files) leaves the workspace as it was.
 */
export function attempt(context: PlanContext, plan: RoundPlan, check: CheckId, description: string, apply: (workspace: Workspace) => Attempt): void {
  const fork = context.workspace.fork();
  const outcome = apply(fork);
  if (typeof outcome === 'string') {
    plan.refusals.push({ check, description, reason: outcome });
    return;
  }
  for (const file of outcome.files) {
    const target = context.safety(file);
    if (!target.ok) {
      plan.refusals.push({ check, description, reason: target.reason });
      return;
    }
  }
  context.workspace.adopt(fork);
  plan.fixes.push({ check, description, files: outcome.files });
}

