/**
 * fix without --offline: the doctor before and after runs its network checks too. A loopback Mantle server
 * (which verifies the Bedrock key for real) shows the re-check reaching it only once fix has corrected the model.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getToken } from '@aws/bedrock-token-generator';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import { assertBuilt, cleanEnv, runCli } from './helpers/scenarios.js';
import type { FixReport } from '../src/fix/render.js';

const REGION = 'us-east-1';
const AKID = 'AKIAFIXONLINE0000001';
const SECRET = 'fixOnlineSecret/Key+0123456789abcdefghij';

let root: string;
let mantle: MantleServer;
let bearerKey: string;

beforeAll(async () => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'fix-online-'));
  mantle = await startMantleServer({ secrets: new Map([[AKID, { secretAccessKey: SECRET }]]), modelsByRegion: { [REGION]: ['openai.gpt-5.5'] }, region: REGION });
  bearerKey = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: REGION, expiresInSeconds: 3600 });
}, 30_000);

afterAll(async () => {
  await mantle.close();
  rmSync(root, { recursive: true, force: true });
});

it('a near-miss model: before, the live call is skipped; fix corrects it and the live re-check reaches Mantle and passes', async () => {
  const codexHome = join(root, 'home', '.codex');
  mkdirSync(codexHome, { recursive: true });
  const config = `model_provider = "amazon-bedrock"\nmodel = "gpt-5.5"\n\n[model_providers.amazon-bedrock]\nbase_url = "${mantle.baseUrl}"\n\n[model_providers.amazon-bedrock.aws]\nregion = "${REGION}"\n`;
  writeFileSync(join(codexHome, 'config.toml'), config);
  writeFileSync(join(codexHome, '.env'), `AWS_BEARER_TOKEN_BEDROCK=${bearerKey}\n`);
  chmodSync(join(codexHome, '.env'), 0o600);
  const run = await runCli(['fix', '--yes', '--json', '--timeout', '5'], cleanEnv(root), root);
  const report = JSON.parse(run.stdout) as FixReport;
  expect(run.code).toBe(0);
  expect(report.before?.checks.find((check) => check.id === 'model.id')?.status).toBe('fail');
  expect(report.before?.checks.find((check) => check.id === 'bedrock.responses')?.status).toBe('skip');
  expect(report.after?.checks.find((check) => check.id === 'bedrock.responses')?.status).toBe('pass');
  expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(config.replace('model = "gpt-5.5"', 'model = "openai.gpt-5.5"'));
  const calls = mantle.requests.filter((request) => request.path.endsWith('/responses'));
  expect(calls).toHaveLength(1);
  expect(JSON.parse(calls[0]!.body).model).toBe('openai.gpt-5.5');
  expect(calls[0]!.auth).toMatchObject({ kind: 'bearer-short-term', ok: true });
  expect(run.stdout).not.toContain(bearerKey.slice('bedrock-api-key-'.length, 60));
}, 30_000);
