/**
 * Instance metadata probing is bounded: off EC2 the default chain must not wait seconds for IMDS. A loopback
 * server that never answers stands in for the metadata endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT), so the
 * probe really happens, on loopback only.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, parseReport, runCli } from './helpers/scenarios.js';

let root: string;
let imds: http.Server;
let imdsUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'imds-'));
  mkdirSync(join(root, 'home', '.codex'), { recursive: true });
  writeFileSync(join(root, 'home', '.codex', 'config.toml'), 'model_provider = "amazon-bedrock"\n\n[model_providers.amazon-bedrock.aws]\nregion = "us-east-1"\n');
  // Accepts every request and never answers: the worst case for an unbounded probe.
  imds = http.createServer((req) => seen.push(`${req.method} ${req.url}`));
  await new Promise<void>((resolve) => imds.listen(0, '127.0.0.1', resolve));
  imdsUrl = `http://127.0.0.1:${(imds.address() as { port: number }).port}`;
});

afterAll(async () => {
  imds.closeAllConnections();
  await new Promise((resolve) => imds.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

it('no credentials anywhere: the default chain probes instance metadata, bounded (two tries of 0.5 s at most)', async () => {
  const env = cleanEnv(root, { AWS_EC2_METADATA_DISABLED: null, AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsUrl });
  const run = await runCli(['doctor', '--json', '--timeout', '10'], env, root);
  const parsed = parseReport(run.stdout);
  if (!('report' in parsed)) throw new Error(parsed.problem);
  const token = parsed.report.checks.find((check) => check.id === 'auth.token')!;
  expect(token.status).toBe('fail');
  expect(token.summary).toMatch(/no AWS credentials were found|took longer/);
  // The metadata endpoint was asked (so the bound was exercised), and the whole run stayed far below the
  // 10 s --timeout and the SDK's multi-second defaults.
  expect(seen.length).toBeGreaterThan(0);
  expect(run.durationMs).toBeLessThan(4000);
  const identity = parsed.report.checks.find((check) => check.id === 'auth.identity')!;
  expect(identity.status).toBe('skip');
}, 20_000);
