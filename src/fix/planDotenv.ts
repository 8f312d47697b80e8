import type { CheckResult } from '../checks/types.js';
import { parseDotenv } from '../resolve/dotenv.js';
import { isSecretName } from '../resolve/secretNames.js';
import { attempt, type PlanContext, type RoundPlan } from './attempt.js';
import { joinLines, removeLine, splitLines } from './textLines.js';

export function planDotenvMode(context: PlanContext, plan: RoundPlan, result: CheckResult): void {
  if (result.facts['tooOpen'] !== true) return;
  const path = context.setup.env.dotenv.path;
  attempt(context, plan, result.id, `chmod 600 ${path} (it holds secrets and others can read it)`, (workspace) => (workspace.chmod(path, 0o600) ? { files: [path] } : `${path} cannot be read`));
}

/** A value shown in a plan: non-secret values as they are, secrets only as their length. */
export function shownValue(name: string, value: string): string {
  return isSecretName(name) ? `[secret, ${value.length} characters]` : JSON.stringify(value);
}

const failures = (results: readonly CheckResult[]) => results.filter((result) => result.status === 'fail');

/**
 * A .env line that overrides a shell value is removed only when the predicted doctor run shows it was the
 * cause: with the line gone, fewer checks fail and none that passed starts failing.
 */
export async function planDotenvOverrides(context: PlanContext, plan: RoundPlan): Promise<void> {
  const { setup } = context;
  const dotenv = setup.env.dotenv;
  const before = failures(context.results);
  if (before.length === 0 || !dotenv.parse) return;
  for (const key of dotenv.overriddenShellKeys) {
    const entries = dotenv.parse.entries.filter((entry) => entry.key === key);
    const last = entries.at(-1)!;
    const description = `remove ${key} from ${dotenv.path} (line${entries.length > 1 ? 's' : ''} ${entries.map((entry) => entry.line).join(', ')}: ${shownValue(key, last.value)}), which overrides the shell's ${shownValue(key, setup.env.shell[key] ?? '')}`;
    const fork = context.workspace.fork();
    const text = fork.text(dotenv.path);
    if (typeof text !== 'string') continue;
    let doc = splitLines(text);
    for (const entry of [...entries].reverse()) doc = removeLine(doc, entry.line - 1);
    const edited = joinLines(doc);
    const lookup = (name: string) => setup.env.shell[name];
    const expected = parseDotenv(text, lookup).entries.filter((entry) => entry.key !== key).map((entry) => [entry.key, entry.value]);
    const actual = parseDotenv(edited, lookup).entries.map((entry) => [entry.key, entry.value]);
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      plan.refusals.push({ check: 'env.dotenv', description, reason: 'its value spans several lines' });
      continue;
    }
    fork.write(dotenv.path, edited);
    const predicted = await context.predict(fork);
    const after = failures(predicted.results);
    const newlyFailing = after.filter((result) => !before.some((old) => old.id === result.id));
    if (after.length < before.length && newlyFailing.length === 0) {
      const target = context.safety(dotenv.path);
      if (!target.ok) plan.refusals.push({ check: 'env.dotenv', description, reason: target.reason });
      else {
        context.workspace.adopt(fork);
        plan.fixes.push({ check: 'env.dotenv', description, files: [dotenv.path] });
      }
    }
  }
}

