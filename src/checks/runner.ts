import type { Check, CheckContext, CheckId, CheckOutcome, CheckResult } from './types.js';

export interface RunSelection {
  /** Checks the user deselected (--only / --skip), with why: reported as skip, and their dependents are blocked. */
  deselected: ReadonlyMap<CheckId, string>;
}

/** Told when each check starts and finishes, so a terminal can show progress; never affects results. */
export interface RunProgress {
  started(check: Check): void;
  finished(result: CheckResult): void;
}

function toResult(check: Check, outcome: CheckOutcome, durationMs: number, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    id: check.id,
    title: check.title,
    status: outcome.status,
    code: outcome.code ?? null,
    summary: outcome.summary,
    details: outcome.details ?? [],
    remediation: outcome.remediation ?? null,
    docs: outcome.docs ?? null,
    durationMs,
    skipReason: outcome.status === 'skip' ? (outcome.skipReason ?? outcome.summary) : null,
    facts: outcome.facts ?? {},
    ...extra,
  };
}

/** The first prerequisite that failed or was itself blocked, which makes running this check meaningless. */
function blockingPrerequisite(check: Check, earlier: ReadonlyMap<CheckId, CheckResult>): CheckResult | undefined {
  return check.requires
    .map((id) => earlier.get(id))
    .find((result): result is CheckResult => result !== undefined && (result.status === 'fail' || result.blocked === true));
}

/**
 * Runs checks in order. A check whose prerequisite failed is skipped with the reason; a check that throws
 * becomes a failure marked as an internal error, and the others still run.
 */
export async function runChecks(
  checks: readonly Check[],
  context: Omit<CheckContext, 'earlier'>,
  selection: RunSelection = { deselected: new Map() },
  progress?: RunProgress,
): Promise<CheckResult[]> {
  const earlier = new Map<CheckId, CheckResult>();
  for (const check of checks) {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    let result: CheckResult;
    const blocker = blockingPrerequisite(check, earlier);
    const deselectedBecause = selection.deselected.get(check.id);
    if (deselectedBecause) {
      const reason = deselectedBecause;
      result = toResult(check, { status: 'skip', code: 'skip.not-selected', summary: `Skipped: ${reason}`, skipReason: reason }, 0, { blocked: true });
    } else if (blocker) {
      const reason = blocker.status === 'fail' ? `needs ${blocker.id}, which failed` : `needs ${blocker.id}, which was skipped (${blocker.skipReason ?? 'not run'})`;
      result = toResult(check, { status: 'skip', code: 'skip.prerequisite', summary: `Skipped: ${reason}`, skipReason: reason }, 0, { blocked: true });
    } else if (check.network && context.options.offline) {
      const reason = 'needs the network, and --offline is set';
      result = toResult(check, { status: 'skip', code: 'skip.offline', summary: `Skipped: ${reason}`, skipReason: reason }, 0);
    } else {
      progress?.started(check);
      try {
        const outcome = await check.run({ ...context, earlier });
        result = toResult(check, outcome, elapsed());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result = toResult(
          check,
          {
            status: 'fail',
            code: 'internal.error',
            summary: `Internal error in the doctor while running this check: ${message}`,
            remediation: 'This is a bug in codex-bedrock, not a problem with your setup. Please report it with the output of --report.',
          },
          elapsed(),
          { internalError: true },
        );
      }
    }
    earlier.set(check.id, result);
    progress?.finished(result);
  }
  return [...earlier.values()];
}
