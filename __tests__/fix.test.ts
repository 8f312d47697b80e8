/**
 * `codex-bedrock fix` end to end: the BUILT CLI on temporary copies of every fixture. For each, fix --yes
 * runs, then doctor; every byte fix wrote must be the original with exactly the diff it printed applied, and
 * every other file must be untouched. Fixtures whose failures are all fixable must leave a passing doctor.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, parseReport, pool } from './helpers/scenarios.js';
import { applyUnifiedDiff, freshCopy, isFixBookkeeping, loadFixFixtures, prepareFixture, runDoctorOffline, runFixIn, snapshot, withoutBookkeeping, type FileState } from './helpers/fixRuns.js';
import type { FixReport } from '../src/fix/render.js';

let tmpRoot: string;
beforeAll(() => {
  assertBuilt();
  tmpRoot = mkdtempSync(join(tmpdir(), 'fix-'));
});
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

/**
 * Fixtures whose failures all have a mechanical fix, with the --region choice where the doctor cannot know the
 * region. Every other fixture still goes through fix --yes and the byte checks.
 */
const FIXABLE: Record<string, string[]> = {
  'provider-absent': [],
  'provider-amazon-space': [],
  'provider-amazon-underscore': [],
  'provider-aws-bedrock': [],
  'provider-bedrock': [],
  'provider-refused-name-field': [],
  'provider-under-aws-table': [],
  'legacy-profile-key': [],
  'model-global-prefix': [],
  'model-missing-prefix': [],
  'model-retired-cmb': [],
  'model-runtime-suffix': [],
  'model-surrounding-space': [],
  'model-us-prefix': [],
  'model-wrong-case': [],
  'region-bearer-ignores-profile-region': [],
  'region-no-dashes': [],
  'region-uppercase': [],
  'config-missing': ['--region', 'us-east-1'],
  'region-ca-central-1': ['--region', 'eu-central-1'],
  'region-none-bearer': ['--region', 'us-east-2'],
  'region-none-profile': ['--region', 'eu-west-1'],
  'region-empty-string': ['--region', 'us-west-2'],
  'region-us-west-1': ['--region', 'us-west-2'],
  'fix/many-at-once': [],
  'fix/crlf-bom': [],
  'fix/legacy-profile-table': [],
  'fix/dotenv-broken-override': [],
};

const SECRET_LINE = /^(?:export\s+)?\w*(?:TOKEN|SECRET|KEY)\w*\s*=\s*["']?([^"'\s#]{8,})/gim;

/** Secret values a fixture holds (in .env files and its env): none may reach fix's output. */
function fixtureSecrets(before: Map<string, FileState>, env: Record<string, string>): string[] {
  const fromFiles = [...before].filter(([path]) => path.endsWith('.env')).flatMap(([, state]) => [...(state.bytes?.toString('utf8') ?? '').matchAll(SECRET_LINE)].map((m) => m[1]!));
  const fromEnv = Object.entries(env).filter(([key, value]) => /TOKEN|SECRET|API_?KEY/.test(key) && value.length >= 8).map(([, value]) => value);
  return [...fromFiles, ...fromEnv];
}

/** Everything wrong with what fix wrote, compared with the snapshot before and the diffs it printed. */
function writeProblems(root: string, before: Map<string, FileState>, after: Map<string, FileState>, report: FixReport, secrets: readonly string[]): string[] {
  // Diffs show secret values redacted, so both sides are compared with those values masked the same way.
  const masked = (bytes: Buffer) => Buffer.from(secrets.reduce((text, secret) => text.split(secret).join('[REDACTED]'), bytes.toString('utf8')), 'utf8');
  const problems: string[] = [];
  const changes = new Map((report.plan?.changes ?? []).map((change) => [change.path.slice(root.length + 1), change]));
  for (const [path, state] of after) {
    if (isFixBookkeeping(path)) {
      const original = before.get(path.replace(/\.bak-.*$/, ''));
      if (/\.bak-/.test(path) && original && !original.bytes?.equals(state.bytes!)) problems.push(`backup ${path} does not hold the original bytes`);
      if (/\.bak-/.test(path) && state.mode !== 0o600) problems.push(`backup ${path} has mode ${state.mode.toString(8)}, not 600`);
      continue;
    }
    const old = before.get(path);
    const change = report.applied ? changes.get(path) : undefined;
    if (!change) {
      if (!old) problems.push(`${path} was created but is in no planned change`);
      else if (old.link !== state.link || !(old.bytes?.equals(state.bytes ?? Buffer.alloc(0)) ?? state.bytes === null) || old.mode !== state.mode) problems.push(`${path} changed although no change was planned for it`);
      continue;
    }
    let expected: Buffer;
    try {
      expected = change.diff ? applyUnifiedDiff(old?.bytes ? masked(old.bytes) : null, change.diff) : masked(old!.bytes!);
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
      continue;
    }
    if (!expected.equals(masked(state.bytes!))) problems.push(`${path}: bytes differ from the original with the printed diff applied:\n${JSON.stringify(state.bytes!.toString())}\nexpected\n${JSON.stringify(expected.toString())}`);
    const expectedMode = change.mode ? 0o600 : (old?.mode ?? 0o600);
    if (state.mode !== expectedMode) problems.push(`${path}: mode ${state.mode.toString(8)}, expected ${expectedMode.toString(8)}`);
  }
  for (const path of before.keys()) if (!after.has(path)) problems.push(`${path} disappeared`);
  return problems;
}

describe('fix --yes over every fixture, then doctor', () => {
  const fixtures = loadFixFixtures();

  it('covers every fixture named as fixable', () => {
    const names = new Set(fixtures.map((fixture) => fixture.name));
    expect(Object.keys(FIXABLE).filter((name) => !names.has(name))).toEqual([]);
  });

  it('writes exactly the printed diffs, never a secret to the output, and leaves a passing doctor where every failure is fixable', async () => {
    const outcomes = await pool(fixtures, 2, async (fixture) => {
      const prepared = prepareFixture(fixture, tmpRoot);
      const before = snapshot(prepared.root);
      const extra = FIXABLE[fixture.name] ?? [];
      const fix = await runFixIn(prepared, ['--yes', '--json', '--offline', ...extra]);
      const after = snapshot(prepared.root);
      const doctor = await runDoctorOffline(prepared);
      const problems: string[] = [];
      let report: FixReport | null = null;
      try {
        report = JSON.parse(fix.stdout) as FixReport;
      } catch {
        problems.push(`fix stdout is not JSON (exit ${fix.code}): ${fix.stdout.slice(0, 300)} ${fix.stderr.slice(0, 300)}`);
      }
      const parsedDoctor = parseReport(doctor.stdout);
      if ('problem' in parsedDoctor) problems.push(`doctor: ${parsedDoctor.problem}`);
      if (report && 'report' in parsedDoctor) {
        problems.push(...writeProblems(prepared.root, before, after, report, fixtureSecrets(before, prepared.env)));
        const doctorFails = parsedDoctor.report.overallStatus === 'fail';
        if (fix.code !== (doctorFails ? 1 : 0)) problems.push(`fix exit ${fix.code}, but the doctor afterwards ${doctorFails ? 'fails' : 'passes'} (exit ${doctor.code}); fix error: ${report.error}`);
        const reported = report.after ?? report.before;
        if ((reported?.overallStatus === 'fail') !== doctorFails) problems.push(`fix reports ${reported?.overallStatus} afterwards, the doctor ${parsedDoctor.report.overallStatus}`);
        if (fixture.name in FIXABLE && (fix.code !== 0 || doctor.code !== 0)) {
          problems.push(`fixable, but fix exited ${fix.code} and doctor ${doctor.code}: ${parsedDoctor.report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.summary}`).join('; ')}`);
        }
        if (fixture.name in FIXABLE && before.size > 0 && !report.applied && report.before?.overallStatus === 'fail') problems.push('fixable, but nothing was applied');
      }
      for (const secret of fixtureSecrets(before, prepared.env)) {
        if (fix.stdout.includes(secret) || fix.stderr.includes(secret)) problems.push(`a secret of the fixture reached fix's output: ${secret.slice(0, 10)}…`);
      }
      return { name: fixture.name, problems };
    });
    expect(outcomes.filter((outcome) => outcome.problems.length > 0)).toEqual([]);
    expect(outcomes.length).toBe(fixtures.length);
  }, 600_000);
});




describe('writing nothing', () => {
  it('--dry-run shows the plan and writes nothing', async () => {
    const copy = freshCopy('fix/many-at-once', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--dry-run', '--json', '--offline']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.applied).toBe(false);
    expect(report.plan?.fixes.map((fix) => fix.check)).toEqual(['config.provider', 'env.dotenv', 'config.provider', 'region.set', 'model.id']);
    expect(report.plan?.changes.map((change) => change.action)).toEqual(['edit', 'chmod']);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('without a terminal and without --yes it only shows the plan, and says so', async () => {
    const copy = freshCopy('provider-absent', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--offline']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('+model_provider = "amazon-bedrock"');
    expect(run.stdout).toMatch(/Nothing was written: no terminal to ask on, so this was a dry run; run codex-bedrock fix --yes to apply/);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('a region the doctor cannot know is asked for, never guessed', async () => {
    const copy = freshCopy('region-ca-central-1', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.plan?.regionQuestion?.choices).toContain('eu-central-1');
    expect(report.plan?.regionQuestion?.choices).not.toContain('ca-central-1');
    expect(snapshot(copy.root)).toEqual(before);
  });
});

describe('--undo', () => {
  it('restores every file of the last run byte for byte, with its mode, and removes the backups', async () => {
    const copy = freshCopy('fix/many-at-once', tmpRoot);
    const before = snapshot(copy.root);
    const fix = await runFixIn(copy, ['--yes', '--offline']);
    expect(fix.code).toBe(0);
    expect(withoutBookkeeping(snapshot(copy.root))).not.toEqual(before);
    const undo = await runFixIn(copy, ['--undo', '--offline']);
    expect(undo.code).toBe(1);
    expect(undo.stdout).toMatch(/Undid the fix run of \d{8}T\d{6}Z/);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('removes the files a run created', async () => {
    const copy = freshCopy('config-missing', tmpRoot);
    const before = snapshot(copy.root);
    expect((await runFixIn(copy, ['--yes', '--offline', '--region', 'us-east-1'])).code).toBe(0);
    expect(readFileSync(join(copy.home, '.codex', 'config.toml'), 'utf8')).toBe('model_provider = "amazon-bedrock"\n\n[model_providers.amazon-bedrock.aws]\nregion = "us-east-1"\n');
    const undo = await runFixIn(copy, ['--undo', '--json', '--offline']);
    const report = JSON.parse(undo.stdout) as FixReport;
    expect(report.undo?.removed).toEqual([join(copy.home, '.codex', 'config.toml')]);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('with nothing to undo, says so and writes nothing', async () => {
    const copy = freshCopy('provider-absent', tmpRoot);
    const before = snapshot(copy.root);
    const undo = await runFixIn(copy, ['--undo', '--json', '--offline']);
    expect(undo.code).toBe(1);
    expect((JSON.parse(undo.stdout) as FixReport).notAppliedBecause).toMatch(/no fix run to undo/);
    expect(snapshot(copy.root)).toEqual(before);
  });
});
