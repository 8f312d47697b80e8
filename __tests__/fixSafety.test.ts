/**
 * What fix refuses to touch, and what an interrupted or failing write leaves behind: the BUILT CLI on
 * temporary copies of fixtures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt } from './helpers/scenarios.js';
import { freshCopy, runFixIn, snapshot, withoutBookkeeping } from './helpers/fixRuns.js';
import type { FixReport } from '../src/fix/render.js';

let tmpRoot: string;
beforeAll(() => {
  assertBuilt();
  tmpRoot = mkdtempSync(join(tmpdir(), 'fix-safety-'));
});
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));



describe('refusals', () => {
  it('a config.toml that is a symlink out of the Codex home is left alone, and so is its target', async () => {
    const copy = freshCopy('provider-absent', tmpRoot);
    const config = join(copy.home, '.codex', 'config.toml');
    const outside = join(copy.root, 'dotfiles', 'config.toml');
    mkdirSync(join(copy.root, 'dotfiles'));
    renameSync(config, outside);
    symlinkSync(outside, config);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.applied).toBe(false);
    expect(report.plan?.refusals).toEqual([expect.objectContaining({ check: 'config.provider', reason: expect.stringMatching(/symbolic link to .*dotfiles\/config\.toml, outside the Codex home/) })]);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('a symlink that stays inside the Codex home is followed: the target is edited, the link kept', async () => {
    const copy = freshCopy('provider-absent', tmpRoot);
    const config = join(copy.home, '.codex', 'config.toml');
    const real = join(copy.home, '.codex', 'real.toml');
    renameSync(config, real);
    symlinkSync(real, config);
    const run = await runFixIn(copy, ['--yes', '--offline']);
    expect(run.code).toBe(0);
    expect(lstatSync(config).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('model = "openai.gpt-5.5"\nmodel_provider = "amazon-bedrock"\n\n[model_providers.amazon-bedrock.aws]\nregion = "us-east-1"\n');
  });

  it('a read-only config.toml is left alone (someone made it so on purpose)', async () => {
    const copy = freshCopy('provider-absent', tmpRoot);
    chmodSync(join(copy.home, '.codex', 'config.toml'), 0o444);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.plan?.refusals[0]?.reason).toMatch(/is read-only \(mode 444\)/);
    expect(snapshot(copy.root)).toEqual(before);
  });

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? it : it.skip)('a config.toml owned by another user is left alone', async () => {
    const copy = freshCopy('provider-absent', tmpRoot);
    chownSync(join(copy.home, '.codex', 'config.toml'), 4242, 4242);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.plan?.refusals[0]?.reason).toMatch(/belongs to another user \(uid 4242\)/);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('a managed config forcing another provider is never edited; fix says who can change it', async () => {
    const copy = freshCopy('managed-forces-openai', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.plan?.fixes).toEqual([]);
    expect(report.remaining.find((item) => item.check === 'config.provider')?.instruction).toMatch(/administers/);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('a near-miss model set by the managed config is refused, not edited there', async () => {
    const copy = freshCopy('healthy-bearer-key-in-dotenv', tmpRoot);
    mkdirSync(join(copy.root, 'etc'));
    writeFileSync(join(copy.root, 'etc', 'managed_config.toml'), 'model = "gpt-5.5"\n');
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.plan?.refusals).toEqual([expect.objectContaining({ check: 'model.id', reason: expect.stringMatching(/managed config, which only its administrator changes/) })]);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('a model given with -m is not written anywhere: the flag is named instead', async () => {
    const copy = freshCopy('healthy-bearer-key-in-dotenv', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline', '-m', 'gpt-5.5']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(report.plan?.refusals[0]?.reason).toMatch(/comes from --model; pass openai.gpt-5.5 there instead/);
    expect(snapshot(copy.root)).toEqual(before);
  });
});

describe('interrupted and failing writes', () => {
  const hook = (value: string) => ({ CODEX_BEDROCK_TEST_MODE: '1', CODEX_BEDROCK_TEST_FIX_HOOK: value });

  it('killed after the temporary files are written and fsynced, before any rename: every file is as it was', async () => {
    const copy = freshCopy('fix/many-at-once', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--offline'], hook('crash-before-rename'));
    expect(run.signal).toBe('SIGKILL');
    const after = snapshot(copy.root);
    expect(withoutBookkeeping(after)).toEqual(before);
    // The temporary file really was written: the kill came between it and the rename.
    expect([...after.keys()].some((path) => /\.config\.toml\.codex-bedrock-\d+\.tmp$/.test(path))).toBe(true);
  });

  it('a rename failing half-way (the second of two files) restores the first: every file as it was, nothing left behind', async () => {
    const copy = freshCopy('fix/many-at-once', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, ['--yes', '--json', '--offline'], hook('fail-rename:2'));
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(2);
    expect(report.error).toMatch(/simulated rename failure \(test hook\); every file was restored as it was/);
    const after = snapshot(copy.root);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(after).toEqual(before);
  });

  it('the hooks do nothing outside the test mode', async () => {
    const copy = freshCopy('fix/many-at-once', tmpRoot);
    const run = await runFixIn(copy, ['--yes', '--offline'], { CODEX_BEDROCK_TEST_FIX_HOOK: 'fail-rename:1' });
    expect(run.code).toBe(0);
  });

  it('a missing Codex home is created (mode 700) with its config.toml; the key it needs is left to the user', async () => {
    const copy = freshCopy('codex-home-missing', tmpRoot);
    const home = join(copy.root, 'no-such-codex-home');
    const run = await runFixIn(copy, ['--yes', '--json', '--offline', '--region', 'eu-west-1']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(run.code).toBe(1);
    expect(lstatSync(home).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(home, 'config.toml'), 'utf8')).toBe('model_provider = "amazon-bedrock"\n\n[model_providers.amazon-bedrock.aws]\nregion = "eu-west-1"\n');
    expect(report.remaining.map((item) => item.check)).toContain('auth.token');
    expect(report.remaining.find((item) => item.check === 'auth.token')?.instruction).toMatch(/console\.aws\.amazon\.com\/bedrock.*never writes secrets/s);
  });
});

describe('usage', () => {
  it.each([
    [['--bogus'], /unknown option --bogus for fix/],
    [['--yes', '--dry-run'], /contradict/],
    [['--region', 'ca-central-1'], /--region ca-central-1 is not a region Codex .* sends to Bedrock; choose one of us-east-1/],
    [['--region', 'US EAST'], /--region needs an AWS region name/],
    [['--undo', '--dry-run'], /--undo restores the last backups/],
  ])('fix %j is a usage error (exit 2) that writes nothing', async (args, message) => {
    const copy = freshCopy('provider-absent', tmpRoot);
    const before = snapshot(copy.root);
    const run = await runFixIn(copy, [...args, '--offline']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(snapshot(copy.root)).toEqual(before);
  });

  it('fix --help describes the command', async () => {
    const copy = freshCopy('provider-absent', tmpRoot);
    const run = await runFixIn(copy, ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: codex-bedrock fix \[options\]/);
    expect(run.stdout).toContain('--undo');
  });
});

describe('terminal safety', () => {
  it('control characters from a file shown in a diff are escaped, never sent to the terminal', async () => {
    const copy = freshCopy('fix/dotenv-broken-override', tmpRoot);
    const dotenv = join(copy.home, '.codex', '.env');
    writeFileSync(dotenv, `# \u001b]0;pwned\u0007\u001b[2J\n${readFileSync(dotenv, 'utf8')}`);
    const run = await runFixIn(copy, ['--dry-run', '--offline']);
    expect(run.stdout).toContain(' # \\x1b]0;pwned\\x07\\x1b[2J\n-AWS_REGION=ca-central-1');
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('\u0007');
  });
});
