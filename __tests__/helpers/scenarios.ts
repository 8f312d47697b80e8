/**
 * Loads and runs the end-to-end scenarios under fixtures/scenarios/<name>/.
 *
 * A scenario folder holds `home/` (a fake HOME with `.codex/` and optionally `.aws/`), optionally
 * `etc/managed_config.toml`, and `scenario.json`:
 *
 *   { "description": "one sentence",
 *     "args": ["--profile", "work"],        extra CLI args after `doctor` (--json is always added, and
 *                                           --offline unless "online": true)
 *     "online": false,
 *     "env": {"AWS_REGION": "us-east-1"},   ${HOME} and ${FIXTURE} are substituted; null unsets a default
 *     "chmod": {"home/.codex/.env": "600"}, applied to the temporary COPY, never to the repository
 *     "expect": {
 *       "exitCode": 1,
 *       "overallStatus": "fail",                                  optional
 *       "checks": {"config.provider": "fail"},                    statuses by check id
 *       "summaryMatches": {"config.provider": "did you mean"},    case-insensitive substring, or "/regex/flags";
 *       "summaryNotMatches": {...}, "remediationMatches": {...},  a string or a list of them (all must match)
 *       "detailsMatches": {...},                                  matched against the details joined by newlines
 *       "setup": {"region": "us-east-1"},                         exact values of report.setup fields
 *       "absent": ["secret"],                                     must appear nowhere on stdout or stderr
 *       "error": null } }                                         report.error (string: a substring match)
 *
 * Texts are matched after the copy's root is replaced by the literal ${FIXTURE} (and ${HOME} in a pattern means
 * ${FIXTURE}/home), so words in a temporary path can never satisfy a pattern by accident.
 *
 * The runner copies the scenario to a fresh temporary directory, then runs the BUILT CLI as a child process
 * with a clean environment (nothing inherited from the test process but PATH), pointing HOME, CODEX_HOME,
 * the AWS shared files and the managed config at the copy. The real home directory and /etc/codex are never
 * read, and the network is never used (--offline, AWS_EC2_METADATA_DISABLED).
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHECK_IDS } from '../../src/checks/types.js';
import type { DoctorReport, ReportCheck as RenderedCheck } from '../../src/report/report.js';
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_BIN = join(REPO_ROOT, 'bin', 'codex-bedrock.cjs');
/** What bin/codex-bedrock.cjs loads: the bundle `npm run bundle` writes. */
export const BUILT_MAIN = join(REPO_ROOT, 'dist', 'codex-bedrock.cjs');
export const SCENARIO_DIR = join(REPO_ROOT, 'fixtures', 'scenarios');
export const CHILD_TIMEOUT_MS = 20_000;

/** The checks of SPEC section 4 plus codex.version (first), in report order. */
export const SPEC_CHECK_IDS = CHECK_IDS;

/** A stand-in `codex` that answers --version as Codex 0.169.0 does; first on every child's PATH. */
export const FIXTURE_BIN = join(REPO_ROOT, 'fixtures', 'bin');

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
const STATUSES: readonly CheckStatus[] = ['pass', 'warn', 'fail', 'skip'];

/** Variables whose values are credentials: a scenario's values for them must never be printed. */
const SECRET_ENV = /(SECRET|TOKEN|API_?KEY|PASSWORD|SESSION)/i;

export type Patterns = Record<string, string | string[]>;

export interface ScenarioExpect {
  exitCode: number;
  overallStatus?: 'pass' | 'warn' | 'fail';
  checks?: Record<string, CheckStatus>;
  summaryMatches?: Patterns;
  summaryNotMatches?: Patterns;
  remediationMatches?: Patterns;
  detailsMatches?: Patterns;
  setup?: Record<string, unknown>;
  absent?: string[];
  error?: string | null;
}

export interface Scenario {
  name: string;
  /** The scenario folder in the repository (never modified). */
  dir: string;
  description: string;
  args: string[];
  online: boolean;
  env: Record<string, string | null>;
  chmod: Record<string, string>;
  expect: ScenarioExpect;
}

export interface CliRun {
  /** Exit code, or null when the child was killed (timeout) or could not start. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError: string | null;
  durationMs: number;
}

/** The report the CLI prints, typed from the renderer's own types (ids loosened to any string for assertions). */
export type ReportCheck = Omit<RenderedCheck, 'id'> & { id: string };
export type Report = Omit<DoctorReport, 'checks'> & { checks: ReportCheck[] };

export interface ScenarioRun {
  scenario: Scenario;
  /** Root of the temporary copy: ${FIXTURE}. */
  root: string;
  /** ${HOME}: the copy's home/. */
  home: string;
  args: string[];
  env: Record<string, string>;
  cli: CliRun;
}

/** Fails with a clear message when the CLI has not been built (the test script builds before jest). */
export function assertBuilt(): void {
  if (!existsSync(BUILT_MAIN)) {
    throw new Error(`The built CLI is missing: ${BUILT_MAIN} does not exist. Run \`npm run bundle\` first (\`npm test\` does it before jest).`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Loading

const SCENARIO_KEYS = new Set(['description', 'args', 'online', 'env', 'chmod', 'expect']);
const EXPECT_KEYS = new Set(['exitCode', 'overallStatus', 'checks', 'summaryMatches', 'summaryNotMatches', 'remediationMatches', 'detailsMatches', 'setup', 'absent', 'error']);

function invalid(name: string, message: string): never {
  throw new Error(`fixtures/scenarios/${name}/scenario.json: ${message}`);
}

function validatePatterns(name: string, field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(name, `expect.${field} must be an object`);
  for (const [id, patterns] of Object.entries(value)) {
    if (!(SPEC_CHECK_IDS as readonly string[]).includes(id)) invalid(name, `expect.${field} names an unknown check id "${id}"`);
    const list = Array.isArray(patterns) ? patterns : [patterns];
    if (list.length === 0 || list.some((p) => typeof p !== 'string' || p === '')) invalid(name, `expect.${field}.${id} must be a non-empty string or list of strings`);
  }
}

/** Reads and validates one scenario; typos in scenario.json fail loudly instead of asserting nothing. */
export function loadScenario(dir: string): Scenario {
  const name = dir.split('/').pop()!;
  const raw = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!SCENARIO_KEYS.has(key)) invalid(name, `unknown key "${key}"`);
  if (typeof raw['description'] !== 'string' || raw['description'] === '') invalid(name, 'description must be a sentence');
  if (!existsSync(join(dir, 'home'))) invalid(name, 'the folder has no home/');
  const args = (raw['args'] ?? []) as unknown[];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) invalid(name, 'args must be a list of strings');
  if (args.includes('--json')) invalid(name, 'args must not include --json (the runner adds it)');
  const env = (raw['env'] ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(env)) if (value !== null && typeof value !== 'string') invalid(name, `env.${key} must be a string or null`);
  const chmod = (raw['chmod'] ?? {}) as Record<string, unknown>;
  for (const [path, mode] of Object.entries(chmod)) {
    if (typeof mode !== 'string' || !/^[0-7]{3,4}$/.test(mode)) invalid(name, `chmod.${path} must be an octal mode string such as "600"`);
    if (path.startsWith('/') || path.split('/').includes('..')) invalid(name, `chmod path ${path} must be relative to the scenario folder`);
  }
  const expect = raw['expect'] as Record<string, unknown> | undefined;
  if (!expect || typeof expect !== 'object') invalid(name, 'expect is required');
  for (const key of Object.keys(expect)) if (!EXPECT_KEYS.has(key)) invalid(name, `unknown key expect.${key}`);
  if (typeof expect['exitCode'] !== 'number') invalid(name, 'expect.exitCode is required');
  const checks = (expect['checks'] ?? {}) as Record<string, unknown>;
  for (const [id, status] of Object.entries(checks)) {
    if (!(SPEC_CHECK_IDS as readonly string[]).includes(id)) invalid(name, `expect.checks names an unknown check id "${id}"`);
    if (!STATUSES.includes(status as CheckStatus)) invalid(name, `expect.checks.${id} must be one of ${STATUSES.join(', ')}`);
  }
  for (const field of ['summaryMatches', 'summaryNotMatches', 'remediationMatches', 'detailsMatches']) validatePatterns(name, field, expect[field]);
  return {
    name,
    dir,
    description: raw['description'] as string,
    args: args as string[],
    online: raw['online'] === true,
    env: env as Record<string, string | null>,
    chmod: chmod as Record<string, string>,
    expect: expect as unknown as ScenarioExpect,
  };
}

export function loadScenarios(root: string = SCENARIO_DIR): Scenario[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => loadScenario(join(root, entry.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------------------
// Running

/** Replaces ${HOME} and ${FIXTURE} (the copy's home/ and root). */
export function substitute(text: string, vars: { home: string; root: string }, escape: (s: string) => string = (s) => s): string {
  return text.replace(/\$\{(HOME|FIXTURE)\}/g, (_m, which: string) => escape(which === 'HOME' ? vars.home : vars.root));
}

/**
 * The clean environment every child gets: nothing from the test process but PATH. `extra` entries are
 * applied last; a null value removes a default (e.g. CODEX_HOME: null to exercise the ~/.codex default).
 */
export function cleanEnv(root: string, extra: Record<string, string | null> = {}): Record<string, string> {
  const home = join(root, 'home');
  const env: Record<string, string | null> = {
    PATH: `${FIXTURE_BIN}:${process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: home,
    CODEX_HOME: join(home, '.codex'),
    CODEX_BEDROCK_MANAGED_CONFIG: join(root, 'etc', 'managed_config.toml'),
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
    NO_COLOR: '1',
    ...extra,
  };
  // The managed config must never come from the real /etc/codex, whatever a scenario says.
  if (!env['CODEX_BEDROCK_MANAGED_CONFIG']) env['CODEX_BEDROCK_MANAGED_CONFIG'] = join(root, 'etc', 'managed_config.toml');
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== null));
}

/** Runs `node bin/codex-bedrock.cjs <args>` with exactly `env`, bounded by a timeout. Never rejects. */
export function runCli(args: readonly string[], env: Record<string, string>, cwd: string, timeoutMs = CHILD_TIMEOUT_MS): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { env, cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', windowsHide: true },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string | null }) | null;
        const code = failure ? (typeof failure.code === 'number' ? failure.code : null) : 0;
        resolvePromise({
          code,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
          timedOut: Boolean(failure?.killed) && code === null,
          spawnError: failure && typeof failure.code === 'string' ? `${failure.code}: ${failure.message}` : null,
          durationMs: Math.round(performance.now() - started),
        });
      },
    );
  });
}

/** Runs `doctor --json [--offline] <args>` in a prepared root (a folder with home/ and optionally etc/). */
export function runDoctorIn(
  root: string,
  args: readonly string[],
  extraEnv: Record<string, string | null> = {},
  options: { online?: boolean } = {},
): Promise<CliRun> {
  const fullArgs = ['doctor', '--json', ...(options.online ? [] : ['--offline']), ...args];
  return runCli(fullArgs, cleanEnv(root, extraEnv), root);
}

/** Copies the scenario to <tmpRoot>/<name>, applies its chmod to the copy, and runs the CLI there. */
export async function runScenario(scenario: Scenario, tmpRoot: string): Promise<ScenarioRun> {
  const root = join(tmpRoot, scenario.name);
  cpSync(scenario.dir, root, { recursive: true });
  const home = join(root, 'home');
  // Git does not keep empty folders; the Codex home exists in every scenario unless CODEX_HOME moves it.
  mkdirSync(join(home, '.codex'), { recursive: true });
  for (const [path, mode] of Object.entries(scenario.chmod)) chmodSync(join(root, path), parseInt(mode, 8));
  const vars = { home, root };
  const extraEnv = Object.fromEntries(Object.entries(scenario.env).map(([key, value]) => [key, value === null ? null : substitute(value, vars)]));
  const args = ['doctor', '--json', ...(scenario.online ? [] : ['--offline']), ...scenario.args.map((a) => substitute(a, vars))];
  const env = cleanEnv(root, extraEnv);
  const cli = await runCli(args, env, root);
  return { scenario, root, home, args, env, cli };
}

/** Runs fn over items with at most `limit` in flight; results keep the input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// Assertions (each returns a list of problems, so a failing test shows every mismatch at once)

export function stackTraceLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^\s{4}at /.test(line));
}

/** stdout must be exactly one JSON document (JSON.parse rejects anything before or after it). */
export function parseReport(stdout: string): { report: Report } | { problem: string } {
  if (!stdout.trimStart().startsWith('{')) return { problem: `stdout does not start with a JSON object: ${JSON.stringify(stdout.slice(0, 200))}` };
  try {
    return { report: JSON.parse(stdout) as Report };
  } catch (error) {
    return { problem: `stdout is not one JSON document (${(error as Error).message}): ${JSON.stringify(stdout.slice(0, 300))}` };
  }
}

/** Properties every report must have, whatever the scenario. */
export function reportInvariants(report: Report): string[] {
  const problems: string[] = [];
  if (report.schemaVersion !== 1) problems.push(`schemaVersion is ${JSON.stringify(report.schemaVersion)}, expected 1`);
  if (report.tool?.name !== 'codex-bedrock') problems.push(`tool.name is ${JSON.stringify(report.tool?.name)}`);
  if (typeof report.generatedAt !== 'string' || Number.isNaN(Date.parse(report.generatedAt))) problems.push(`generatedAt is not an ISO date: ${JSON.stringify(report.generatedAt)}`);
  if (!Array.isArray(report.checks)) return [...problems, 'checks is not an array'];
  if (report.error !== null && typeof report.error !== 'string') problems.push(`error is neither null nor a string: ${JSON.stringify(report.error)}`);

  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of report.checks) {
    if (!STATUSES.includes(check.status)) problems.push(`${check.id}: unknown status ${JSON.stringify(check.status)}`);
    else counts[check.status] += 1;
    if (typeof check.summary !== 'string' || check.summary.trim() === '') problems.push(`${check.id}: empty summary`);
    if (typeof check.summary === 'string' && check.summary.includes('\n')) problems.push(`${check.id}: summary is not one line: ${JSON.stringify(check.summary)}`);
    if (!Array.isArray(check.details)) problems.push(`${check.id}: details is not an array`);
    if (typeof check.code !== 'string' || !/^[a-z]+(\.[a-z0-9-]+)+$/.test(check.code)) problems.push(`${check.id}: no machine-readable code: ${JSON.stringify(check.code)}`);
    if (check.status === 'skip' && !check.skipReason) problems.push(`${check.id}: skipped without a skipReason (SPEC: skip always says why)`);
    if ((check.status === 'fail' || check.status === 'warn') && !check.remediation) {
      problems.push(`${check.id}: ${check.status} without a remediation: ${JSON.stringify(check.summary)}`);
    }
  }
  if (!STATUSES.every((s) => report.summary?.[s] === counts[s]) || Object.keys(report.summary ?? {}).length !== STATUSES.length) {
    problems.push(`summary ${JSON.stringify(report.summary)} does not match the check statuses ${JSON.stringify(counts)}`);
  }
  const overall = report.error || counts.fail > 0 ? 'fail' : counts.warn > 0 ? 'warn' : 'pass';
  if (report.overallStatus !== overall) problems.push(`overallStatus is ${report.overallStatus}, but the checks make it ${overall}`);

  const ids = report.checks.map((check) => check.id);
  if (new Set(ids).size !== ids.length) problems.push(`duplicate check ids: ${ids.join(', ')}`);
  if (report.checks.length > 0) {
    const specIds = ids.filter((id) => (SPEC_CHECK_IDS as readonly string[]).includes(id));
    if (JSON.stringify(specIds) !== JSON.stringify(SPEC_CHECK_IDS)) {
      problems.push(`check ids are not the SPEC section 4 checks in order: got ${ids.join(', ')}`);
    }
  }
  return problems;
}

/** A pattern: "/regex/flags", or a case-insensitive substring. ${HOME} and ${FIXTURE} are substituted. */
export function matcher(pattern: string, vars: { home: string; root: string }): (text: string) => boolean {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (regex) {
    const source = substitute(regex[1]!, vars, (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const compiled = new RegExp(source, regex[2]);
    return (text) => compiled.test(text);
  }
  const needle = substitute(pattern, vars).toLowerCase();
  return (text) => text.toLowerCase().includes(needle);
}

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function expectedExitCode(report: Report, args: readonly string[]): number {
  if (report.error) return 2;
  if (report.summary.fail > 0) return 1;
  if (args.includes('--strict') && report.summary.warn > 0) return 1;
  return 0;
}

/** Everything that is wrong with one scenario run, as readable sentences quoting the actual output. */
export function scenarioProblems(run: ScenarioRun): string[] {
  const { scenario, cli } = run;
  const { expect } = scenario;
  const vars = { home: run.home, root: run.root };
  // Texts are matched with the copy's root replaced by the literal "${FIXTURE}", and patterns with ${HOME} and
  // ${FIXTURE} left as placeholders, so a word in a temporary path (the scenario's folder name, say) can never
  // satisfy a pattern by accident.
  const placeholders = { home: '${FIXTURE}/home', root: '${FIXTURE}' };
  const normalise = (text: string) => text.split(run.root).join('${FIXTURE}');
  const problems: string[] = [];
  if (cli.spawnError) return [`the CLI could not be started: ${cli.spawnError}`];
  if (cli.timedOut) return [`the CLI did not finish within ${CHILD_TIMEOUT_MS} ms (killed); stderr: ${JSON.stringify(cli.stderr.slice(0, 500))}`];

  const traces = stackTraceLines(cli.stderr);
  if (traces.length > 0) problems.push(`stderr has a stack trace: ${JSON.stringify(cli.stderr.slice(0, 800))}`);
  if (cli.code !== expect.exitCode) problems.push(`exit code ${cli.code}, expected ${expect.exitCode}; stderr: ${JSON.stringify(cli.stderr.slice(0, 500))}`);

  const secrets = [
    ...Object.entries(scenario.env)
      .filter(([key, value]) => SECRET_ENV.test(key) && typeof value === 'string' && value.length >= 8)
      .map(([, value]) => value as string),
    ...(expect.absent ?? []).map((s) => substitute(s, vars)),
  ];
  for (const secret of secrets) {
    if (cli.stdout.includes(secret)) problems.push(`a secret appears on stdout: ${secret.slice(0, 12)}…`);
    if (cli.stderr.includes(secret)) problems.push(`a secret appears on stderr: ${secret.slice(0, 12)}…`);
  }

  const parsed = parseReport(cli.stdout);
  if ('problem' in parsed) return [...problems, parsed.problem];
  const report = parsed.report;
  problems.push(...reportInvariants(report));
  if (typeof report.summary === 'object' && report.summary !== null && cli.code !== null) {
    const derived = expectedExitCode(report, run.args);
    if (cli.code !== derived) problems.push(`exit code ${cli.code} does not follow from the report (SPEC section 2 gives ${derived})`);
  }
  if (expect.overallStatus && report.overallStatus !== expect.overallStatus) problems.push(`overallStatus ${report.overallStatus}, expected ${expect.overallStatus}`);
  if (expect.error === undefined || expect.error === null) {
    if (report.error !== null) problems.push(`report.error is ${JSON.stringify(report.error)}, expected null`);
  } else if (!matcher(expect.error, placeholders)(normalise(report.error ?? ''))) {
    problems.push(`report.error ${JSON.stringify(report.error)} does not match ${JSON.stringify(expect.error)}`);
  }

  const byId = new Map(report.checks.map((check) => [check.id, check]));
  const show = (check: ReportCheck) => `[${check.status}] summary=${JSON.stringify(normalise(check.summary))}`;
  for (const [id, status] of Object.entries(expect.checks ?? {})) {
    const check = byId.get(id);
    if (!check) problems.push(`${id}: missing from the report`);
    else if (check.status !== status) problems.push(`${id}: status ${check.status}, expected ${status}; ${show(check)}`);
  }
  const fieldMatches = (field: 'summaryMatches' | 'summaryNotMatches' | 'remediationMatches' | 'detailsMatches', negate: boolean, text: (check: ReportCheck) => string) => {
    for (const [id, patterns] of Object.entries(expect[field] ?? {})) {
      const check = byId.get(id);
      if (!check) {
        problems.push(`${id}: missing from the report (for ${field})`);
        continue;
      }
      const actual = normalise(text(check));
      for (const pattern of asList(patterns)) {
        if (matcher(pattern, placeholders)(actual) === negate) {
          problems.push(`${id}: ${field.replace(/Matches$/, '')} ${negate ? 'should not match' : 'does not match'} ${JSON.stringify(substitute(pattern, placeholders))}; actual ${JSON.stringify(actual)}`);
        }
      }
    }
  };
  fieldMatches('summaryMatches', false, (c) => c.summary);
  fieldMatches('summaryNotMatches', true, (c) => c.summary);
  fieldMatches('remediationMatches', false, (c) => c.remediation ?? '');
  fieldMatches('detailsMatches', false, (c) => (c.details ?? []).join('\n'));

  for (const [field, value] of Object.entries(expect.setup ?? {})) {
    const wanted = typeof value === 'string' ? substitute(value, vars) : value;
    const actual = (report.setup as unknown as Record<string, unknown>)[field];
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`setup.${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  }

  // Isolation: everything the doctor reports reading lies inside the temporary copy.
  for (const file of report.setup?.configFiles ?? []) {
    if (file.path !== '-c' && !file.path.startsWith(run.root)) problems.push(`config layer ${file.layer} was read from outside the fixture: ${file.path}`);
  }
  return problems;
}

/** File modes of the repository files a scenario chmods, to prove the runner only touched the copy. */
export function repositoryModes(scenarios: readonly Scenario[]): Map<string, number> {
  const modes = new Map<string, number>();
  for (const scenario of scenarios) {
    for (const path of Object.keys(scenario.chmod)) {
      const full = join(scenario.dir, path);
      modes.set(full, statSync(full).mode & 0o7777);
    }
  }
  return modes;
}
