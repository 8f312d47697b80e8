/**
 * Codex's project config (issue 9, SPEC 3.9): `.codex/config.toml` from the working folder up to the `.git`
 * root, loaded only when the working folder or the root is trusted, nearest file highest, `model_provider` and
 * `model_providers` dropped with a warning. Pure resolver tests over a virtual file system, plus the built CLI
 * for `--cd`.
 */
import AjvModule from 'ajv';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { configProvider } from '../src/checks/configProvider.js';
import { resolveSetup } from '../src/resolve/setup.js';
import { assertBuilt, cleanEnv, parseReport, REPO_ROOT, runCli } from './helpers/scenarios.js';
import { CONFIG, lines, makeWorld } from './helpers/world.js';

const REPO = '/work/repo';
const SUB = `${REPO}/packages/app`;
const trust = (...paths: string[]) => paths.map((path) => `[projects."${path}"]\ntrust_level = "trusted"\n`).join('');
const userConfig = (extra = '') => lines('model_provider = "amazon-bedrock"', 'model = "openai.gpt-5.5"', '', extra);

function world(files: Record<string, string>, opts: { git?: boolean; cwd?: string } = {}) {
  const w = makeWorld({ files, dirs: [SUB, ...(opts.git === false ? [] : [`${REPO}/.git`])] });
  const setup = resolveSetup({ ...w, cwd: opts.cwd ?? SUB });
  return { w, setup };
}

describe('project config discovery', () => {
  const projectFiles = {
    [`${REPO}/.codex/config.toml`]: lines('model = "openai.gpt-6.1-sol"', 'model_reasoning_effort = "high"'),
    [`${SUB}/.codex/config.toml`]: lines('model = "openai.gpt-6.1-terra"'),
  };

  it('with the root trusted, every .codex/config.toml from the root down is a layer and the nearest wins', () => {
    const { setup } = world({ [CONFIG]: userConfig(trust(REPO)), ...projectFiles });
    expect(setup.layers.map((l) => `${l.name}:${l.path}`)).toEqual([`user:${CONFIG}`, `project:${REPO}/.codex/config.toml`, `project:${SUB}/.codex/config.toml`]);
    expect(setup.model).toEqual({ value: 'openai.gpt-6.1-terra', origin: { kind: 'config', layer: 'project', path: `${SUB}/.codex/config.toml`, line: 1 } });
    expect(setup.project).toMatchObject({ root: REPO, trusted: true, untrustedFiles: [] });
  });

  it("trust on the working folder loads that folder's file only, not the root's (observed with Codex 0.169.0)", () => {
    const { setup } = world({ [CONFIG]: userConfig(trust(SUB)), ...projectFiles });
    expect(setup.layers.map((l) => l.path)).toEqual([CONFIG, `${SUB}/.codex/config.toml`]);
    expect(setup.model.value).toBe('openai.gpt-6.1-terra');
    expect(setup.project?.untrustedFiles).toEqual([`${REPO}/.codex/config.toml`]);
  });

  it("trust on the working folder when only the root has a file: nothing is loaded", () => {
    const { setup } = world({ [CONFIG]: userConfig(trust(SUB)), [`${REPO}/.codex/config.toml`]: projectFiles[`${REPO}/.codex/config.toml`]! });
    expect(setup.layers.map((l) => l.name)).toEqual(['user']);
  });

  it.each([
    ['no trust entry', userConfig()],
    ['trust on a folder in between', userConfig(trust(`${REPO}/packages`))],
    ['trust on a parent above the .git root', userConfig(trust('/work'))],
    ['trust_level = "untrusted" on the root', userConfig(`[projects."${REPO}"]\ntrust_level = "untrusted"\n`)],
  ])('%s: Codex loads no project file (they are listed as not loaded)', (_what, config) => {
    const { setup } = world({ [CONFIG]: config, ...projectFiles });
    expect(setup.layers.map((l) => l.name)).toEqual(['user']);
    expect(setup.model.value).toBe('openai.gpt-5.5');
    expect(setup.project?.untrustedFiles).toEqual([`${REPO}/.codex/config.toml`, `${SUB}/.codex/config.toml`]);
  });

  it('without any .git, only the working folder is the project: a trusted parent with .codex is not read', () => {
    const { setup } = world({ [CONFIG]: userConfig(trust(REPO, SUB)), ...projectFiles }, { git: false });
    expect(setup.layers.map((l) => l.path)).toEqual([CONFIG, `${SUB}/.codex/config.toml`]);
  });

  it('model_provider and model_providers in a project file are dropped, and config.provider warns', async () => {
    const files = {
      [CONFIG]: userConfig(trust(REPO)),
      [`${REPO}/.codex/config.toml`]: lines('model_provider = "openai"', '[model_providers.amazon-bedrock]', 'base_url = "http://127.0.0.1:9/openai/v1"'),
    };
    const { w, setup } = world(files);
    expect(setup.provider?.value).toBe('amazon-bedrock');
    expect(setup.baseUrl).toBeNull();
    expect(setup.layers[1]!.dropped).toEqual(['model_provider', 'model_providers']);
    const outcome = await configProvider.run({ setup, options: { offline: true, timeoutMs: 1000, allowGovcloud: false }, now: () => new Date(), services: w.checkContext().services, earlier: new Map() });
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toContain(`${REPO}/.codex/config.toml sets model_provider and model_providers, which Codex ignores in a project config (it warns "Ignored unsupported project-local config keys"`);
  });

  it('the user config is not read twice when the working folder is the home folder', () => {
    const { setup } = world({ [CONFIG]: userConfig(trust('/home/user')) }, { cwd: '/home/user' });
    expect(setup.layers.map((l) => l.name)).toEqual(['user']);
  });
});

describe('--cd with the built CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'codex-bedrock-cd-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the project config of the folder given, and reports it as a layer', async () => {
    assertBuilt();
    const repo = join(root, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, '.codex'));
    mkdirSync(join(root, 'home', '.codex'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(repo, '.codex', 'config.toml'), 'model = "openai.gpt-6.1-terra"\n');
    writeFileSync(join(root, 'home', '.codex', 'config.toml'), `model_provider = "amazon-bedrock"\n\n[projects."${repo}"]\ntrust_level = "trusted"\n`);
    const env = cleanEnv(root, { AWS_REGION: 'us-east-1' });
    const run = await runCli(['doctor', '--json', '--offline', '--cd', repo], env, root);
    const parsed = parseReport(run.stdout);
    if ('problem' in parsed) throw new Error(parsed.problem);
    expect(parsed.report.setup?.configFiles).toContainEqual({ layer: 'project', path: join(repo, '.codex', 'config.toml'), status: 'ok' });
    const validate = new AjvModule.default({ strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'report.schema.json'), 'utf8')) as object);
    expect(validate(parsed.report) ? [] : validate.errors).toEqual([]);
    expect(parsed.report.setup?.model).toBe('openai.gpt-6.1-terra');
    const missing = await runCli(['doctor', '--json', '--offline', '--cd', join(root, 'nope')], env, root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--cd');
  });
});
