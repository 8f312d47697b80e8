/**
 * The README's CI recipe and the repository's GitHub Action (action.yml), run as written: every `run:` step of its YAML block (install steps aside) runs in
 * bash with the step's `env:`, the secrets replaced by test keys, `codex-bedrock` on PATH as the built CLI and
 * STS on loopback. On a healthy set-up with env keys and --strict it must exit 0 with no annotation; the same
 * steps outside CI warn about the desktop app (exit 1), which shows the CI rule is what makes it pass.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, CLI_BIN, cleanEnv, REPO_ROOT } from './helpers/scenarios.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';
import { yamlSteps, type YamlStep } from './helpers/yamlSteps.js';

const AKID = 'AKIACIRECIPETEST0001';
const SECRET = 'ciRecipeSecretKey/0123456789abcdefghijkl';

/** The steps of the YAML block in README's "For CI pipelines" section. */
function recipeSteps(): YamlStep[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## For CI pipelines'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md: no yaml block in "For CI pipelines"');
  return yamlSteps(block, 0);
}

/** GitHub's `${{ secrets.NAME }}`, filled with the test's keys. */
function withSecrets(env: Record<string, string>): Record<string, string> {
  const secrets: Record<string, string> = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET };
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replace(/\$\{\{\s*secrets\.([A-Z_]+)\s*\}\}/g, (_m, name: string) => secrets[name] ?? '')]));
}

function bash(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-eo', 'pipefail', '-c', script], { env, cwd, timeout: 30_000, killSignal: 'SIGKILL', encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let root: string;
let sts: StsServer;

beforeAll(async () => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'ci-recipe-'));
  // `codex-bedrock` on PATH runs the built CLI, as `npm install -g` would make it.
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'bin', 'codex-bedrock'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} "$@"\n`);
  chmodSync(join(root, 'bin', 'codex-bedrock'), 0o755);
  sts = await startStsServer({ secrets: new Map([[AKID, { secretAccessKey: SECRET }]]), region: 'us-east-1' });
});

afterAll(async () => {
  await sts?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Runs the recipe in a fresh home; returns the doctor step's result. */
async function runRecipe(name: string, extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const caseRoot = join(root, name);
  mkdirSync(join(caseRoot, 'home'), { recursive: true });
  const base = cleanEnv(caseRoot, { CODEX_HOME: null, AWS_ENDPOINT_URL_STS: sts.url, ...extraEnv });
  base['PATH'] = `${join(root, 'bin')}:${base['PATH']}`;
  let doctor: { code: number | null; stdout: string; stderr: string } | null = null;
  for (const step of recipeSteps()) {
    if (/^npm install\b/.test(step.run)) continue;
    const result = await bash(step.run, { ...base, ...withSecrets(step.env) }, caseRoot);
    if (/^codex-bedrock doctor\b/.test(step.run)) doctor = result;
    else expect({ step: step.name, code: result.code, stderr: result.stderr }).toEqual({ step: step.name, code: 0, stderr: '' });
  }
  if (!doctor) throw new Error('the README recipe has no `codex-bedrock doctor` step');
  return doctor;
}

describe('the README CI recipe', () => {
  it('has an install step, a config step and a doctor step with --strict and env keys', () => {
    const steps = recipeSteps();
    const doctor = steps.find((step) => /^codex-bedrock doctor\b/.test(step.run));
    expect(doctor?.run).toContain('--strict');
    expect(Object.keys(doctor?.env ?? {})).toEqual(expect.arrayContaining(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']));
    expect(steps.some((step) => /^npm install -g /.test(step.run))).toBe(true);
  });

  it('runs green under GitHub Actions on a healthy loopback set-up: exit 0, no ::error or ::warning', async () => {
    const run = await runRecipe('github', { CI: 'true', GITHUB_ACTIONS: 'true' });
    expect({ code: run.code, annotations: run.stdout.split('\n').filter((line) => /^::(error|warning)/.test(line)) }).toEqual({ code: 0, annotations: [] });
    expect(run.stdout).toMatch(/\[PASS\] auth\.identity +Account 123456789012/);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(sts.requests.length).toBeGreaterThan(0);
  }, 40_000);

  it('the same steps on a desktop (no CI variables) warn about the desktop app, so --strict exits 1', async () => {
    const run = await runRecipe('desktop', {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::warning title=codex-bedrock env\.dotenv::.*desktop app/m);
  }, 40_000);
});

/** action.yml's inputs with their defaults, and its steps. */
function action(): { defaults: Record<string, string>; steps: YamlStep[] } {
  const text = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8');
  const inputs = text.slice(text.indexOf('\ninputs:'), text.indexOf('\noutputs:'));
  const defaults = Object.fromEntries([...inputs.matchAll(/^ {2}([a-z-]+):\n(?: {4}.*\n)*? {4}default: '?([^'\n]*)'?$/gm)].map((m) => [m[1]!, m[2]!]));
  return { defaults, steps: yamlSteps(text.slice(text.indexOf('\n  steps:')), 4) };
}

describe('the GitHub Action (action.yml)', () => {
  it('declares the inputs format, strict and skip, and the junit-file output', () => {
    const text = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8');
    expect(action().defaults).toEqual({ format: 'github', strict: 'true', skip: '' });
    expect(text).toMatch(/^ {2}junit-file:\n {4}description: .+\n {4}value: \$\{\{ steps\.doctor\.outputs\.junit-file \}\}$/m);
    expect(text).toContain('using: composite');
    expect(action().steps[0]!.run).toContain('npm pack');
  });

  /** Runs the doctor step of action.yml with the inputs given (the install step is the .ci/run pack test). */
  async function runAction(name: string, inputs: Record<string, string>, extraEnv: Record<string, string>) {
    const { defaults, steps } = action();
    const doctor = steps.find((step) => step.id === 'doctor')!;
    const caseRoot = join(root, name);
    mkdirSync(join(caseRoot, 'home', '.codex'), { recursive: true });
    writeFileSync(join(caseRoot, 'home', '.codex', 'config.toml'), 'model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n');
    const values = { ...defaults, ...inputs };
    const stepEnv = Object.fromEntries(Object.entries(doctor.env).map(([key, value]) => [key, value.replace(/\$\{\{ inputs\.([a-z-]+) \}\}/g, (_m, input: string) => values[input] ?? '')]));
    const base = cleanEnv(caseRoot, { CODEX_HOME: null, AWS_ENDPOINT_URL_STS: sts.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, ...extraEnv });
    base['PATH'] = `${join(root, 'bin')}:${base['PATH']}`;
    const outputFile = join(caseRoot, 'github-output');
    writeFileSync(outputFile, '');
    const run = await bash(doctor.run, { ...base, ...stepEnv, RUNNER_TEMP: caseRoot, GITHUB_OUTPUT: outputFile, GITHUB_ACTION_PATH: REPO_ROOT }, caseRoot);
    const outputs = Object.fromEntries(readFileSync(outputFile, 'utf8').trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
    return { run, outputs };
  }

  it('defaults under GitHub Actions on a healthy set-up: exit 0, annotations format, a JUnit file with one testcase per check', async () => {
    const { run, outputs } = await runAction('action-ok', { skip: 'bedrock.responses' }, { CI: 'true', GITHUB_ACTIONS: 'true' });
    expect({ code: run.code, exitCode: outputs['exit-code'] }).toEqual({ code: 0, exitCode: '0' });
    expect(run.stdout).toContain('[PASS] auth.identity');
    const junit = readFileSync(outputs['junit-file']!, 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(9);
    expect(junit).toContain('<skipped');
    expect(junit).not.toContain('<failure');
  }, 40_000);

  it('strict: a warning fails the step, and the JUnit file and exit code are still handed back', async () => {
    const { run, outputs } = await runAction('action-warn', { skip: 'bedrock.responses' }, {});
    expect({ code: run.code, exitCode: outputs['exit-code'] }).toEqual({ code: 1, exitCode: '1' });
    expect(run.stdout).toMatch(/^::warning title=codex-bedrock env\.dotenv::/m);
    expect(readFileSync(outputs['junit-file']!, 'utf8')).toContain('env.dotenv');
  }, 40_000);

  it('strict "false" and format human: the same warning passes the step', async () => {
    const { run, outputs } = await runAction('action-lenient', { skip: 'bedrock.responses', strict: 'false', format: 'human' }, {});
    expect({ code: run.code, exitCode: outputs['exit-code'] }).toEqual({ code: 0, exitCode: '0' });
    expect(run.stdout).not.toContain('::warning');
    expect(run.stdout).toContain('[WARN] env.dotenv');
  }, 40_000);
});
