import { isAbsolute, resolve } from 'node:path';
import { parseProcessCredentials, type ProcessCredentials } from '../auth/processCredentials.js';
import { maskLikelySecrets } from '../report/redact.js';
import type { ConfiguredCommand } from '../resolve/auth.js';
import { describeRun, runBounded, type ProcessRun } from './boundedProcess.js';

/**
 * The commands Codex runs from its own config: the provider auth command (`[model_providers.amazon-bedrock.auth]`,
 * whose trimmed output is the bearer token) and `aws.credential_export` (credential_process-style JSON Codex
 * signs with). Each runs once, directly (no shell): a bare name is found on PATH, a path is taken relative to
 * the command's folder, as Codex does.
 */
export type CommandOutcome<T> = { ok: true; value: T; ranFor: string } | { ok: false; reason: string };

function display(command: ConfiguredCommand): string {
  // Arguments may carry secrets (a vault token on the command line); show the program only.
  return command.args.length > 0 ? `${command.command} …` : command.command;
}

async function run(command: ConfiguredCommand, env: Record<string, string>, timeoutMs: number): Promise<ProcessRun> {
  const file = command.command.includes('/') && !isAbsolute(command.command) && command.cwd ? resolve(command.cwd, command.command) : command.command;
  return runBounded({ file, args: command.args, env, timeoutMs, ...(command.cwd ? { cwd: command.cwd } : {}) });
}

function failure(command: ConfiguredCommand, result: ProcessRun, timeoutMs: number, limitNote: string): string {
  const said = maskLikelySecrets(result.stderr.trim().split('\n')[0] ?? '').slice(0, 200);
  const notExecutable = result.spawnError === 'EACCES' ? ' (the file is not executable)' : result.spawnError === 'ENOENT' ? ' (no such program)' : '';
  return `\`${display(command)}\` failed: ${describeRun(result, timeoutMs)}${notExecutable}${result.timedOut ? limitNote : ''}${said ? `; its first line of error output: ${said}` : ''}`;
}

/** The provider auth command, bounded by its own timeout_ms (or the doctor's --timeout when that is shorter). */
export async function runAuthCommand(command: ConfiguredCommand, env: Record<string, string>, doctorTimeoutMs: number): Promise<CommandOutcome<string>> {
  const codexLimit = command.timeoutMs ?? doctorTimeoutMs;
  const timeoutMs = Math.min(codexLimit, doctorTimeoutMs);
  const limitNote = timeoutMs < codexLimit ? ` (the doctor's --timeout; Codex would wait up to timeout_ms = ${codexLimit})` : ' (Codex gives up at the same point)';
  const result = await run(command, env, timeoutMs);
  if (result.code !== 0) return { ok: false, reason: failure(command, result, timeoutMs, limitNote) };
  const token = result.stdout.toString('utf8').trim();
  if (token === '') return { ok: false, reason: `\`${display(command)}\` exited 0 but printed nothing` };
  return { ok: true, value: token, ranFor: display(command) };
}

/** aws.credential_export: Codex has no limit of its own here; the doctor stops at --timeout. */
export async function runCredentialExport(command: ConfiguredCommand, env: Record<string, string>, timeoutMs: number): Promise<CommandOutcome<ProcessCredentials>> {
  const result = await run(command, env, timeoutMs);
  if (result.code !== 0) return { ok: false, reason: failure(command, result, timeoutMs, ' (the doctor\'s --timeout; Codex itself would keep waiting)') };
  const parsed = parseProcessCredentials(result.stdout.toString('utf8'));
  if (!parsed.ok) return { ok: false, reason: `\`${display(command)}\` ran, but ${parsed.reason}` };
  return { ok: true, value: parsed.credentials, ranFor: display(command) };
}
