import type { Check, CheckId } from './types.js';

/**
 * Which checks the user deselected with --only / --skip. --only follows prerequisites: asking for a check
 * also runs what it needs (transitively), so its verdict is never built on a check that did not run.
 * --skip always wins; the runner then skips the dependents of a skipped check with that reason.
 */
export function deselectedChecks(checks: readonly Check[], only: readonly CheckId[] | null, skip: readonly CheckId[]): Map<CheckId, string> {
  const byId = new Map(checks.map((check) => [check.id, check]));
  const wanted = new Set<CheckId>();
  const follow = (id: CheckId) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    byId.get(id)?.requires.forEach(follow);
  };
  if (only) only.forEach(follow);
  else checks.forEach((check) => wanted.add(check.id));
  const deselected = new Map<CheckId, string>();
  checks.forEach((check) => {
    if (skip.includes(check.id)) deselected.set(check.id, 'skipped with --skip');
    else if (!wanted.has(check.id)) deselected.set(check.id, 'not selected by --only');
  });
  return deselected;
}
