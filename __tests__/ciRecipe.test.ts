/**
 * The README's CI recipe, run as written: every `run:` step of its YAML block (install steps aside) runs in
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

const AKID = 'AKIACIRECIPETEST0001';
const SECRET = 'ciRecipeSecretKey/0123456789abcdefghijkl';

interface Step {
  name: string;
  run: string;
  env: Record<string, string>;
}

/** The steps of the YAML block in README's "For CI pipelines" section: name, run (one line or `|`), env. */
function recipeSteps(): Step[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## For CI pipelines'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md: no yaml block in "For CI pipelines"');
  const steps: Step[] = [];
  let mode: 'none' | 'run' | 'env' = 'none';
  for (const line of block.split('\n')) {
    const start = /^- name: (.+)$/.exec(line);
    if (start) {
      steps.push({ name: start[1]!, run: '', env: {} });
      mode = 'none';
      continue;
    }
    const step = steps.at(-1);
    if (!step) continue;
    const run = /^ {2}run: (.*)$/.exec(line);
    if (run) {
      mode = run[1] === '|' ? 'run' : 'none';
      if (run[1] !== '|') step.run = run[1]!;
      continue;
    }
    if (/^ {2}env:$/.test(line)) {
      mode = 'env';
      continue;
    }
    if (mode === 'run' && line.startsWith('    ')) step.run += `${line.slice(4)}\n`;
    const variable = /^ {4}([A-Z_]+): (.+)$/.exec(line);
    if (mode === 'env' && variable) step.env[variable[1]!] = variable[2]!;
  }
  return steps;
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
