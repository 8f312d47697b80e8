/**
 * Codex's own credential sources, end to end with the BUILT CLI (not --offline unless said), against loopback
 * Mantle and STS servers that verify what they receive:
 * - the provider auth command (`[model_providers.amazon-bedrock.auth]`): run once, bounded by timeout_ms, its
 *   output judged as a Bedrock API key and sent as the bearer token; when it fails Codex sends no
 *   authorization and never falls back, so the doctor fails too;
 * - `aws.credential_export`: its credential_process-style JSON signs, ahead of env and bearer keys, no fallback.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mintShortTermKey } from './helpers/mintKey.js';
import { stateAfterKill } from './helpers/processState.js';
import { assertBuilt, cleanEnv, parseReport, reportInvariants, runCli, type Report, type ReportCheck } from './helpers/scenarios.js';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';
import { startLoopback, type SecretMap } from './helpers/sigv4Verify.js';

const REGION = 'us-east-1';
const MINT = { accessKeyId: 'AKIAAUTHCMDMINT00001', secretAccessKey: 'authCommandMintSecretAuthCommandMint0001' };
const EXPORTED = { accessKeyId: 'AKIAEXPORTEDKEY00002', secretAccessKey: 'exportedSecretExportedSecretExported0002' };
const ENV_KEYS = { accessKeyId: 'AKIAENVKEYSAUTHC0003', secretAccessKey: 'envKeysSecretEnvKeysSecretEnvKeysSec0003' };
const secrets: SecretMap = new Map([
  [MINT.accessKeyId, { secretAccessKey: MINT.secretAccessKey }],
  [EXPORTED.accessKeyId, { secretAccessKey: EXPORTED.secretAccessKey }],
  [ENV_KEYS.accessKeyId, { secretAccessKey: ENV_KEYS.secretAccessKey }],
]);

let root: string;
let mantle: MantleServer;
let sts: StsServer;
let validKey: string;
let expiredKey: string;
let counter = 0;

beforeAll(async () => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'codex-bedrock-authcmd-'));
  const now = Math.floor(Date.now() / 1000) * 1000;
  validKey = await mintShortTermKey(MINT, new Date(now - 60_000), { region: REGION });
  expiredKey = await mintShortTermKey(MINT, new Date(now - 13 * 3_600_000), { region: REGION });
  mantle = await startMantleServer({ secrets, modelsByRegion: { [REGION]: ['openai.gpt-5.5'] }, region: REGION });
  sts = await startStsServer({ secrets });
}, 60_000);

afterAll(async () => {
  await mantle?.close();
  await sts?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Outcome {
  report: Report;
  code: number | null;
  output: string;
  dir: string;
}

/** Runs the doctor with a config.toml whose provider tables are `tables`; a script `bin/cmd.sh` holds `script`. */
async function doctor(tables: (dir: string) => string, script: string, opts: { env?: Record<string, string>; offline?: boolean; mode?: number; baseUrl?: string } = {}): Promise<Outcome> {
  const dir = join(root, `run-${++counter}`);
  mkdirSync(join(dir, 'home', '.codex'), { recursive: true });
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'bin', 'cmd.sh'), `#!/bin/sh\necho run >> "${dir}/runs"\n${script}\n`);
  chmodSync(join(dir, 'bin', 'cmd.sh'), opts.mode ?? 0o755);
  writeFileSync(join(dir, 'key'), validKey);
  writeFileSync(
    join(dir, 'home', '.codex', 'config.toml'),
    `model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n\n[model_providers.amazon-bedrock]\nbase_url = "${opts.baseUrl ?? mantle.baseUrl}"\n\n${tables(dir)}\n`,
  );
  const env = cleanEnv(dir, { AWS_REGION: REGION, AWS_ENDPOINT_URL_STS: sts.url, ...opts.env });
  const cli = await runCli(['doctor', '--json', ...(opts.offline ? ['--offline'] : [])], env, dir);
  const parsed = parseReport(cli.stdout);
  if ('problem' in parsed) throw new Error(`${parsed.problem}; stderr: ${cli.stderr.slice(0, 400)}`);
  expect(reportInvariants(parsed.report)).toEqual([]);
  return { report: parsed.report, code: cli.code, output: `${cli.stdout}\n${cli.stderr}`, dir };
}

const check = (o: Outcome, id: string) => o.report.checks.find((c) => c.id === id) as ReportCheck & { facts?: Record<string, unknown> };
const runs = (o: Outcome) => (existsSync(join(o.dir, 'runs')) ? readFileSync(join(o.dir, 'runs'), 'utf8').split('\n').filter(Boolean).length : 0);
const authTable = (extra = '') => (dir: string) => `[model_providers.amazon-bedrock.auth]\ncommand = "${dir}/bin/cmd.sh"\n${extra}`;

describe('the provider auth command', () => {
  it('its output is judged as a Bedrock API key and sent as the bearer token; AWS_BEARER_TOKEN_BEDROCK is ignored', async () => {
    const before = mantle.requests.length;
    const o = await doctor(authTable(), 'cat "$(dirname "$0")/../key"', { env: { AWS_BEARER_TOKEN_BEDROCK: expiredKey } });
    expect(check(o, 'auth.token')).toMatchObject({ status: 'pass', summary: expect.stringMatching(/Short-term Bedrock API key for us-east-1.*printed by the auth command/) });
    expect(check(o, 'auth.token').summary).toContain('present but ignored by Codex: AWS_BEARER_TOKEN_BEDROCK');
    expect(check(o, 'bedrock.responses').status).toBe('pass');
    const sent = mantle.requests.slice(before).filter((r) => r.path.endsWith('/responses'));
    expect(sent.map((r) => [r.headers.authorization, r.auth?.ok])).toEqual([[`Bearer ${validKey}`, true]]);
    expect(runs(o)).toBe(1);
    expect(o.output).not.toContain(validKey);
    expect(o.code).toBe(0);
  });

  it.each([
    ['fails', 'echo "vault: denied" >&2; exit 4', {}, /exit status 4; its first line of error output: vault: denied/],
    ['prints nothing', 'exit 0', {}, /exited 0 but printed nothing/],
    ['hangs past timeout_ms', 'sleep 30', { timeout: 'timeout_ms = 300' }, /did not finish within 300 ms and was killed \(Codex gives up at the same point\)/],
    ['is not executable', 'cat key', { mode: 0o644 }, /not executable/],
  ] as const)('when it %s, Codex sends no authorization and does not fall back: auth.token fails, the live call is skipped', async (_what, script, extra, reason) => {
    const before = mantle.requests.length;
    const o = await doctor(authTable('timeout' in extra ? extra.timeout : ''), script, { env: { AWS_BEARER_TOKEN_BEDROCK: validKey }, ...('mode' in extra ? { mode: extra.mode } : {}) });
    const token = check(o, 'auth.token');
    expect(token.status).toBe('fail');
    expect(token.summary).toMatch(reason);
    expect(token.summary).toMatch(/without any authorization and does not fall back to AWS_BEARER_TOKEN_BEDROCK/);
    expect(check(o, 'bedrock.responses').status).toBe('skip');
    expect(mantle.requests.length).toBe(before);
    expect(runs(o)).toBe('mode' in extra ? 0 : 1);
    expect(o.code).toBe(1);
  });

  it('canary: a server that echoes the token back in its error never gets it into the output (the token is redacted like any key)', async () => {
    const echo = await startLoopback(async (req, res) => {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: { type: 'authentication_error', message: `Invalid bearer token ${String(req.headers.authorization).slice('Bearer '.length)}` } }));
    });
    try {
      // A gateway token of no Bedrock format: auth.token only warns, so the live call runs and gets it echoed.
      const token = 'corp-gateway-token-opaque-canary-7f3a9c';
      const o = await doctor(authTable(), `echo ${token}`, { baseUrl: `${echo.url}/openai/v1` });
      expect(check(o, 'auth.token').status).toBe('warn');
      expect(check(o, 'bedrock.responses').status).toBe('fail');
      expect(check(o, 'bedrock.responses').details.join('\n')).toContain('Invalid bearer token [REDACTED]');
      expect(o.output).not.toContain(token);
    } finally {
      await echo.close();
    }
  });

  it('--offline does not run it and says what Codex would do', async () => {
    const o = await doctor(authTable(), 'cat key', { offline: true });
    expect(check(o, 'auth.token')).toMatchObject({ status: 'pass', summary: expect.stringMatching(/will run the auth command .* \(not run: --offline\)/) });
    expect(runs(o)).toBe(0);
  });
});

describe('aws.credential_export', () => {
  const exportTable = (dir: string) => `[model_providers.amazon-bedrock.aws]\ncredential_export = { command = "${dir}/bin/cmd.sh", args = ["--profile", "x"] }\n`;

  it('its JSON (camelCase accepted) signs, ahead of env keys and AWS_BEARER_TOKEN_BEDROCK', async () => {
    const before = sts.requests.length;
    const json = JSON.stringify({ version: 1, accessKeyId: EXPORTED.accessKeyId, secretAccessKey: EXPORTED.secretAccessKey });
    const o = await doctor(exportTable, `test "$1 $2" = "--profile x" || exit 9\necho '${json}'`, {
      env: { AWS_ACCESS_KEY_ID: ENV_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEYS.secretAccessKey, AWS_BEARER_TOKEN_BEDROCK: validKey },
    });
    expect(check(o, 'auth.token')).toMatchObject({ status: 'pass', facts: expect.objectContaining({ credentialSource: 'credential-export', accessKeyId: 'AKIA…0002' }) });
    expect(check(o, 'auth.token').summary).toMatch(/present but ignored by Codex: .*AWS_BEARER_TOKEN_BEDROCK.*AWS_ACCESS_KEY_ID/);
    expect(check(o, 'auth.identity').status).toBe('pass');
    expect(sts.requests.slice(before).map((r) => r.auth)).toEqual([expect.objectContaining({ ok: true, accessKeyId: EXPORTED.accessKeyId })]);
    expect(runs(o)).toBe(1);
    expect(o.output).not.toContain(EXPORTED.secretAccessKey);
  });

  it('when it fails, Codex stops: no fallback to the valid env keys', async () => {
    const o = await doctor(exportTable, 'exit 2', { env: { AWS_ACCESS_KEY_ID: ENV_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEYS.secretAccessKey } });
    expect(check(o, 'auth.token')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/exit status 2; Codex stops there and does not fall back/) });
    expect(runs(o)).toBe(1);
  });
});

describe('interrupting the doctor', () => {
  it('Ctrl-C (SIGINT) while a credential_process runs kills it and everything it started, and the doctor exits as interrupted', async () => {
    const dir = join(root, 'interrupt');
    const pidFile = join(dir, 'grandchild.pid');
    mkdirSync(join(dir, 'home', '.codex'), { recursive: true });
    mkdirSync(join(dir, 'home', '.aws'), { recursive: true });
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'home', '.codex', 'config.toml'), 'model_provider = "amazon-bedrock"\n');
    writeFileSync(join(dir, 'hang.sh'), `#!/bin/sh\nsleep 600 &\necho $! > "${pidFile}"\nwait\n`);
    writeFileSync(join(dir, 'home', '.aws', 'config'), `[profile hang]\ncredential_process = /bin/sh "${join(dir, 'hang.sh')}"\n`);
    const env = cleanEnv(dir, { AWS_REGION: REGION, AWS_PROFILE: 'hang', AWS_ENDPOINT_URL_STS: sts.url });
    const { spawn } = await import('node:child_process');
    const { CLI_BIN } = await import('./helpers/scenarios.js');
    const child = spawn(process.execPath, [CLI_BIN, 'doctor', '--json', '--timeout', '60'], { env, cwd: dir, stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // Wait (bounded) until the helper has started its own child and written its pid (the file exists before it is written).
    const pidWritten = () => existsSync(pidFile) && /^\d+\s*$/.test(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 400 && !pidWritten(); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(pidWritten()).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 130, signal: null });
    expect(['gone', 'Z', 'X']).toContain(await stateAfterKill(readFileSync(pidFile, 'utf8').trim()));
  });
});
