/**
 * bedrock.responses against live loopback servers (SPEC sections 3 "Endpoint", 4 bedrock.responses, 7).
 *
 * Every case runs the BUILT CLI (`node bin/codex-bedrock.cjs doctor --json`, online) as a child process with
 * a clean environment and a temporary HOME/CODEX_HOME whose config.toml points base_url at a loopback
 * Mantle server (__tests__/helpers/mantleServer.ts) that really verifies SigV4 (service bedrock-mantle) and
 * Bedrock short-term keys minted here with @aws/bedrock-token-generator. The SigV4 path also needs
 * auth.identity to pass first, so AWS_ENDPOINT_URL_STS points at a loopback STS server that verifies too.
 *
 * config.provider warns in every online case: base_url is overridden, which SPEC section 4 asks it to say.
 *
 * Nothing here leaves 127.0.0.1: TLS uses a self-signed certificate made with openssl at test time, the proxy
 * is a loopback forward proxy that refuses non-loopback targets, and DNS failure is tested in-process with an
 * error shaped like Node's getaddrinfo ENOTFOUND instead of a real lookup.
 *
 * `npm test` builds before jest; this file does not build.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getToken } from '@aws/bedrock-token-generator';
import { bedrockResponses } from '../src/checks/bedrockResponses.js';
import type { CheckOutcome } from '../src/checks/types.js';
import type { MantleResult } from '../src/net/mantle.js';
import { classifyNetworkError, explainNetworkFailure } from '../src/net/networkErrors.js';
import { NO_NETWORK, type Services } from '../src/net/services.js';
import { startMantleServer, type MantleServer, type MantleServerOptions, type SecretMap } from './helpers/mantleServer.js';
import { assertBuilt, parseReport, runDoctorIn, SPEC_CHECK_IDS, type CliRun, type Report, type ReportCheck } from './helpers/scenarios.js';
import { closedPort } from './helpers/sigv4Verify.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';
import { startProxyServer, type ProxyServer } from './helpers/proxyServer.js';
import { makeSelfSignedCert, startTlsFront, type SelfSignedCert, type TlsFront } from './helpers/tlsServer.js';
import { CONFIG, lines, makeWorld } from './helpers/world.js';

// The SDK compares this with the string "true" exactly.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const REGION = 'us-east-1';
const MODEL = 'openai.gpt-5.5';
const AKID = 'AKIALIVEMANTLE000001';
const SECRET = 'liveMantleSecret/Key+0123456789abcdefghij';
const TEMP = {
  accessKeyId: 'ASIALIVEMANTLE000002',
  secretAccessKey: 'liveMantleTempSecret/abcdefghijklmnopqrs',
  sessionToken: 'FwoGZXIvYXdzLIVEMANTLE+session/token==',
};
const MODELS: Record<string, string[]> = { [REGION]: ['openai.gpt-5.5', 'openai.gpt-6.1-sol', 'openai.gpt-5.4'] };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
/** Exactly what SPEC section 4 says the probe sends. */
const probeBody = (model: string) => JSON.stringify({ model, input: 'ping', max_output_tokens: 16, store: false });

function secrets(): SecretMap {
  return new Map([
    [AKID, { secretAccessKey: SECRET }],
    [TEMP.accessKeyId, { secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken }],
  ]);
}

// ------------------------------------------------------------------------------------------------------------
// Per-test plumbing: temporary roots, loopback servers closed after each test, one CLI run per case.

let tmpRoot = '';
let bearerKey = '';
/** Self-signed, for IP 127.0.0.1 only. */
let cert: SelfSignedCert;
/** Self-signed, for IP 127.0.0.1 and DNS name localhost. */
let localhostCert: SelfSignedCert;
let rootCount = 0;
const openServers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  assertBuilt();
  tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-live-'));
  bearerKey = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: REGION, expiresInSeconds: 3600 });
  cert = makeSelfSignedCert(join(tmpRoot, 'tls'));
  localhostCert = makeSelfSignedCert(join(tmpRoot, 'tls'), { alsoLocalhost: true });
}, 30_000);

afterEach(async () => {
  await Promise.all(openServers.splice(0).map((server) => server.close()));
});

afterAll(() => {
  if (tmpRoot && !process.env['KEEP_E2E_TMP']) rmSync(tmpRoot, { recursive: true, force: true });
});

function track<T extends { close(): Promise<void> }>(server: T): T {
  openServers.push(server);
  return server;
}

async function mantle(extra: Partial<MantleServerOptions> = {}, shared: SecretMap = secrets()): Promise<MantleServer> {
  return track(await startMantleServer({ secrets: shared, modelsByRegion: MODELS, region: REGION, ...extra }));
}

async function sts(shared: SecretMap): Promise<StsServer> {
  return track(await startStsServer({ secrets: shared, region: REGION }));
}

/** A fresh root with home/.codex/config.toml pointing the amazon-bedrock provider at `baseUrl`. */
function makeRoot(baseUrl: string, model: string = MODEL): string {
  const root = join(tmpRoot, `case-${++rootCount}`);
  mkdirSync(join(root, 'home', '.codex'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(
    join(root, 'home', '.codex', 'config.toml'),
    lines(
      'model_provider = "amazon-bedrock"',
      `model = "${model}"`,
      '',
      '[model_providers.amazon-bedrock]',
      `base_url = "${baseUrl}"`,
      '',
      '[model_providers.amazon-bedrock.aws]',
      `region = "${REGION}"`,
    ),
  );
  return root;
}

interface Run {
  cli: CliRun;
  report: Report;
  check(id: string): ReportCheck;
  /** What a person would read for one check: status, summary and remediation, for failure messages. */
  show(id: string): string;
}

const SECRET_VALUES = () => [SECRET, TEMP.secretAccessKey, TEMP.sessionToken, bearerKey, bearerKey.slice('bedrock-api-key-'.length, 60)];

async function doctor(root: string, env: Record<string, string>, args: string[] = [], online = true): Promise<Run> {
  const cli = await runDoctorIn(root, args, env, { online });
  const parsed = parseReport(cli.stdout);
  if ('problem' in parsed) throw new Error(`${parsed.problem}\nexit ${cli.code}; stderr: ${cli.stderr.slice(0, 1500)}`);
  const report = parsed.report;
  // Invariants of every run: the 8 SPEC checks in order, no internal error, no secret printed, the exit code
  // SPEC section 2 derives from the statuses. On a mismatch the failure shows stderr and every check.
  const problems: string[] = [];
  const ids = report.checks.map((c) => c.id);
  if (JSON.stringify(ids) !== JSON.stringify(SPEC_CHECK_IDS)) problems.push(`check ids ${ids.join(', ')}`);
  if (report.error !== null) problems.push(`report.error ${JSON.stringify(report.error)}`);
  if (/\n\s{4}at /.test(cli.stderr)) problems.push('a stack trace on stderr');
  SECRET_VALUES().forEach((secret, index) => {
    if (cli.stdout.includes(secret) || cli.stderr.includes(secret)) problems.push(`secret #${index} printed`);
  });
  const expectedExit = report.summary.fail > 0 ? 1 : 0;
  if (cli.code !== expectedExit) problems.push(`exit code ${cli.code}, expected ${expectedExit}`);
  const context = problems.length === 0 ? '' : `stderr: ${cli.stderr.slice(0, 800)}\n${report.checks.map((c) => `${c.id} [${c.status}] ${c.summary}`).join('\n')}`;
  expect({ problems, context }).toEqual({ problems: [], context: '' });
  const check = (id: string): ReportCheck => {
    const found = report.checks.find((c) => c.id === id);
    if (!found) throw new Error(`${id} missing from the report`);
    return found;
  };
  const show = (id: string): string => {
    const c = check(id);
    return `[${c.status}] ${c.summary}\n  remediation: ${c.remediation}\n  details: ${c.details.join(' | ')}\n  skipReason: ${c.skipReason}`;
  };
  return { cli, report, check, show };
}

/** Status plus patterns every one of which must match the summary / remediation / details. */
interface Expectation {
  status: ReportCheck['status'];
  summary?: (string | RegExp)[];
  remediation?: (string | RegExp)[];
  details?: (string | RegExp)[];
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.toLowerCase().includes(pattern.toLowerCase()) : pattern.test(text);
}

/** Compares one check with the expectation; on mismatch, the failure shows the check as a person reads it. */
function expectCheck(run: Run, id: string, expected: Expectation): void {
  const c = run.check(id);
  const problems: string[] = [];
  if (c.status !== expected.status) problems.push(`status ${c.status}, expected ${expected.status}`);
  for (const p of expected.summary ?? []) if (!matches(c.summary, p)) problems.push(`summary does not match ${String(p)}`);
  for (const p of expected.remediation ?? []) if (!matches(c.remediation ?? '', p)) problems.push(`remediation does not match ${String(p)}`);
  for (const p of expected.details ?? []) if (!matches(c.details.join('\n'), p)) problems.push(`details do not match ${String(p)}`);
  expect({ id, problems, actual: problems.length > 0 ? run.show(id) : '' }).toEqual({ id, problems: [], actual: '' });
}

/** config.provider warns because base_url is overridden (SPEC section 4): correct in every online case here. */
function expectBaseUrlWarning(run: Run, baseUrl: string): void {
  expectCheck(run, 'config.provider', { status: 'warn', summary: ['base_url is overridden', baseUrl], remediation: ['base_url'] });
}

const bearerEnv = (): Record<string, string> => ({ AWS_BEARER_TOKEN_BEDROCK: bearerKey });
const sigv4Env = (stsServer: StsServer, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = { accessKeyId: AKID, secretAccessKey: SECRET }) => ({
  AWS_ACCESS_KEY_ID: creds.accessKeyId,
  AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
  AWS_ENDPOINT_URL_STS: stsServer.url,
});

/** The Responses calls a Mantle server saw (the 404 path also lists models with GET /models). */
const responsesCalls = (server: MantleServer) => server.requests.filter((r) => r.path === '/openai/v1/responses');

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=…`. */
function parseSigV4(authorization: string): { accessKeyId: string; region: string; service: string; signedHeaders: string[] } {
  const credential = /Credential=([^,\s]+)/.exec(authorization)?.[1] ?? '';
  const [accessKeyId = '', , region = '', service = ''] = credential.split('/');
  const signedHeaders = (/SignedHeaders=([^,\s]+)/.exec(authorization)?.[1] ?? '').split(';');
  return { accessKeyId, region, service, signedHeaders };
}

// ------------------------------------------------------------------------------------------------------------

describe('bedrock.responses: healthy paths', () => {
  it('bearer path: all 8 checks run; one POST /openai/v1/responses with the exact probe body and a verified Bearer key; pass with latency and request id', async () => {
    const server = await mantle();
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());

    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL, REGION, /\(\d+ ms, request [0-9a-f-]{36}\)/], details: ['POST', '/responses', 'HTTP 200'] });
    expect(run.check('bedrock.responses').summary).toMatch(UUID);
    // No check is blocked or fails on this healthy setup: auth.identity skips only because this is the bearer path.
    expectCheck(run, 'auth.identity', { status: 'skip', summary: ['Bedrock API key'] });
    for (const id of ['region.set', 'region.not-govcloud', 'auth.token', 'model.id']) expect({ id, status: run.check(id).status }).toEqual({ id, status: 'pass' });
    expect(run.check('env.dotenv').status).not.toBe('fail');
    expect(run.report.overallStatus).toBe('warn');

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /openai/v1/responses']);
    const [request] = server.requests;
    expect(request!.body).toBe(probeBody(MODEL));
    expect(JSON.parse(request!.body)).toEqual({ model: MODEL, input: 'ping', max_output_tokens: 16, store: false });
    expect(request!.headers.authorization).toBe(`Bearer ${bearerKey}`);
    expect(request!.auth).toEqual({ kind: 'bearer-short-term', ok: true, accessKeyId: AKID, region: REGION });
  });

  it.each([
    ['long-term AKIA keys', { accessKeyId: AKID, secretAccessKey: SECRET }],
    ['session credentials (ASIA + AWS_SESSION_TOKEN)', TEMP],
  ] as const)('SigV4 path with %s: signed for bedrock-mantle / us-east-1, no "_" header signed, verified by the server; pass', async (_name, creds) => {
    const shared = secrets();
    const stsServer = await sts(shared);
    const server = await mantle({}, shared);
    const run = await doctor(makeRoot(server.baseUrl), sigv4Env(stsServer, creds));

    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'auth.identity', { status: 'pass', summary: ['123456789012'] });
    expect(stsServer.requests.map((r) => r.auth?.ok)).toEqual([true]);
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL, REGION, /\d+ ms, request [0-9a-f-]{36}/] });

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /openai/v1/responses']);
    const [request] = server.requests;
    expect(request!.body).toBe(probeBody(MODEL));
    expect(request!.auth).toEqual({ kind: 'sigv4', ok: true, accessKeyId: creds.accessKeyId, region: REGION });
    const signed = parseSigV4(String(request!.headers.authorization));
    expect({ service: signed.service, region: signed.region, accessKeyId: signed.accessKeyId }).toEqual({ service: 'bedrock-mantle', region: REGION, accessKeyId: creds.accessKeyId });
    expect(signed.signedHeaders).toContain('host');
    expect(signed.signedHeaders.filter((name) => name.includes('_'))).toEqual([]);
    if ('sessionToken' in creds) {
      expect(request!.headers['x-amz-security-token']).toBe(creds.sessionToken);
      expect(signed.signedHeaders).toContain('x-amz-security-token');
    } else {
      expect(request!.headers['x-amz-security-token']).toBeUndefined();
    }
  });
});

describe('bedrock.responses: what Mantle answers', () => {
  it('signature expired (Mantle clock 10 min ahead): fail, naming clock skew from the Date header as the likely cause', async () => {
    const shared = secrets();
    const stsServer = await sts(shared);
    const server = await mantle({ now: () => new Date(Date.now() + 10 * 60_000) }, shared);
    const run = await doctor(makeRoot(server.baseUrl), sigv4Env(stsServer));

    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'auth.identity', { status: 'pass' });
    expect(responsesCalls(server).map((r) => r.auth?.code)).toEqual(['SignatureExpired']);
    expectCheck(run, 'bedrock.responses', {
      status: 'fail',
      summary: ['expired', /clock/i, /behind/i, /likely cause/i],
      remediation: [/clock/i],
      details: [/Date header/i, /-600 s|-60\d s|-59\d s/],
    });
  });

  it.each([
    ['SigV4', 'sigv4'],
    ['bearer', 'bearer'],
  ] as const)('access denied (%s): fail naming bedrock-mantle:CreateInference and model access', async (_name, mode) => {
    const shared = secrets();
    const stsServer = mode === 'sigv4' ? await sts(shared) : null;
    const server = await mantle({ behaviour: 'forbidden' }, shared);
    const run = await doctor(makeRoot(server.baseUrl), stsServer ? sigv4Env(stsServer) : bearerEnv());

    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', {
      status: 'fail',
      summary: ['access denied', 'HTTP 403', MODEL],
      remediation: ['bedrock-mantle:CreateInference', /model access/i, MODEL, REGION],
      details: ['not authorized to perform: bedrock-mantle:CreateInference'],
    });
  });

  it('model not offered in the region: fail listing the offered ids closest first; remediation model = "<closest>"', async () => {
    const offered = ['openai.gpt-6.1-terra', 'openai.gpt-oss-20b', 'openai.gpt-5.5'];
    const server = await mantle({ modelsByRegion: { [REGION]: offered } });
    const model = 'openai.gpt-5.4';
    const run = await doctor(makeRoot(server.baseUrl, model), bearerEnv());

    expectBaseUrlWarning(run, server.baseUrl);
    expect(run.check('model.id').status).toBe('pass');
    expectCheck(run, 'bedrock.responses', {
      status: 'fail',
      summary: [model, 'not offered', 'HTTP 404', /closest first/i],
      remediation: ['model = "openai.gpt-5.5"'],
    });
    const summary = run.check('bedrock.responses').summary;
    const listed = summary.slice(summary.search(/closest first/i));
    const positions = ['openai.gpt-5.5', 'openai.gpt-6.1-terra', 'openai.gpt-oss-20b'].map((id) => listed.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    // gpt-5.5 is one edit from gpt-5.4, the others many: it comes first.
    expect(positions[0]).toBeLessThan(Math.min(positions[1]!, positions[2]!));
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /openai/v1/responses', 'GET /openai/v1/models']);
  });

  it.each([
    { version: '0.160.1', says: 'Codex 0.160.1 reports a 429 at once' },
    { version: '0.161.0', says: 'Codex 0.161.0 retries a 429 five times' },
  ])('a 429 judged for Codex $version says whether that release retries it', async ({ version, says }) => {
    const server = await mantle({ behaviour: '429' });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv(), ['--codex-version', version]);
    expectCheck(run, 'bedrock.responses', { status: 'warn', summary: ['429'], details: [says] });
  });

  it('400 "isn\'t supported on this route": fail, the model is not served on the Responses route', async () => {
    const server = await mantle({ behaviour: 'route-400' });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: [MODEL, 'not served on the Responses route', 'HTTP 400'], remediation: [/Responses API/i] });
  });

  it('429: warn (the setup is right, requests are throttled), with a quota remediation', async () => {
    const server = await mantle({ behaviour: '429' });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'warn', summary: ['429', /throttl|rate limit|quota/i, /setup is right/i], remediation: [/quota/i] });
    expect(run.cli.code).toBe(0);
  });

  it.each([500, 503])('HTTP %i: fail as a server error on the AWS side', async (status) => {
    const server = await mantle({ behaviour: '5xx', behaviourExtra: { status } });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: [`HTTP ${status}`, /server error/i], remediation: [/retry/i, /AWS/] });
  });

  it('malformed JSON with HTTP 200: fail, not a Responses API document', async () => {
    const server = await mantle({ behaviour: 'malformed-json' });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: ['HTTP 200', /not with a Responses API document/i], remediation: ['base_url'] });
  });

  it('Date header 2 min off on a 200: warn naming the clock skew', async () => {
    const server = await mantle({ behaviour: 'skewed-date', behaviourExtra: { skewSeconds: 120 } });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', {
      status: 'warn',
      summary: [/accepted/i, /clock/i, /(1 min 5\d s|2 min) behind/i],
      remediation: [/clock/i, /5 minutes/i],
      details: [/Date header: -1[12]\d s/],
    });
  });

  it('Date header 30 s off on a 200: still a pass (SPEC warns beyond 60 s only)', async () => {
    const server = await mantle({ behaviour: 'skewed-date', behaviourExtra: { skewSeconds: 30 } });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL] });
  });
});

describe('bedrock.responses: network failures', () => {
  it('slow server with --timeout 1: fail "did not answer within 1 s", and the whole run ends in a few seconds', async () => {
    const server = await mantle({ behaviour: 'slow', behaviourExtra: { slowMs: 15_000 } });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv(), ['--timeout', '1']);
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: ['did not answer within 1 s', `127.0.0.1:${server.port}`], remediation: ['--timeout'] });
    expect(run.cli.durationMs).toBeLessThan(5000);
    expect(responsesCalls(server)).toHaveLength(1);
  });

  it('headers sent, then the body stalls, with --timeout 1: still bounded, fail "did not finish within 1 s" (the server answered, so not "did not answer")', async () => {
    const sockets = new Set<Socket>();
    const stalling = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', date: new Date().toUTCString() });
        res.write('{"id":"resp_');
      });
    });
    stalling.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', () => resolve()));
    track({
      close: () =>
        new Promise<void>((resolve) => {
          stalling.close(() => resolve());
          sockets.forEach((socket) => socket.destroy());
        }),
    });
    const port = (stalling.address() as AddressInfo).port;
    const run = await doctor(makeRoot(`http://127.0.0.1:${port}/openai/v1`), bearerEnv(), ['--timeout', '1']);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: ['started answering but the answer did not finish within 1 s'], remediation: ['--timeout'] });
    expect(run.cli.durationMs).toBeLessThan(5000);
  });

  it('connection reset: fail naming the reset', async () => {
    const server = await mantle({ behaviour: 'reset' });
    const run = await doctor(makeRoot(server.baseUrl), bearerEnv());
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: ['reset', `127.0.0.1:${server.port}`], remediation: [/proxy|firewall/i] });
  });

  it('closed port as base_url: fail, connection refused', async () => {
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}/openai/v1`;
    const run = await doctor(makeRoot(baseUrl), bearerEnv());
    expectBaseUrlWarning(run, baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: ['refused', `127.0.0.1:${port}`, 'ECONNREFUSED'], remediation: ['base_url'] });
  });
});

describe('bedrock.responses: TLS and proxies', () => {
  async function tlsFront(server: MantleServer): Promise<TlsFront> {
    return track(await startTlsFront(cert, server.port));
  }
  async function proxy(): Promise<ProxyServer> {
    return track(await startProxyServer());
  }

  it('self-signed certificate not trusted: fail as a TLS error with NODE_EXTRA_CA_CERTS in the remediation', async () => {
    const server = await mantle();
    const front = await tlsFront(server);
    const run = await doctor(makeRoot(front.baseUrl), bearerEnv());
    expectBaseUrlWarning(run, front.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'fail', summary: [/TLS/, `127.0.0.1:${front.port}`, /certificate/i], remediation: ['NODE_EXTRA_CA_CERTS'] });
    expect(front.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(0);
  });

  it('the same certificate trusted through NODE_EXTRA_CA_CERTS: pass over https', async () => {
    const server = await mantle();
    const front = await tlsFront(server);
    const run = await doctor(makeRoot(front.baseUrl), { ...bearerEnv(), NODE_EXTRA_CA_CERTS: cert.certPath });
    expectBaseUrlWarning(run, front.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL, REGION], details: [`${front.baseUrl}/responses`] });
    expect(front.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /openai/v1/responses']);
    expect(server.requests[0]?.auth?.ok).toBe(true);
  });

  it('SigV4 over https: the signature covers the https host and still verifies behind TLS', async () => {
    const shared = secrets();
    const stsServer = await sts(shared);
    const server = await mantle({}, shared);
    const front = await tlsFront(server);
    const run = await doctor(makeRoot(front.baseUrl), { ...sigv4Env(stsServer), NODE_EXTRA_CA_CERTS: cert.certPath });
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL] });
    expect(server.requests[0]?.headers.host).toBe(`127.0.0.1:${front.port}`);
    expect(server.requests[0]?.auth).toEqual({ kind: 'sigv4', ok: true, accessKeyId: AKID, region: REGION });
  });

  it('HTTP_PROXY with an http base_url: the proxy forwards the request and the check passes, naming the proxy', async () => {
    const server = await mantle();
    const forward = await proxy();
    const run = await doctor(makeRoot(server.baseUrl), { ...bearerEnv(), HTTP_PROXY: forward.url });
    expectBaseUrlWarning(run, server.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL], details: [`through proxy ${forward.url}`] });
    expect(forward.requests.map((r) => `${r.kind} ${r.method} ${r.target}`)).toEqual([`http POST ${server.baseUrl}/responses`]);
    expect(forward.requests[0]?.headers.authorization).toBe(`Bearer ${bearerKey}`);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.auth?.ok).toBe(true);
  });

  it('HTTP_PROXY pointing at a closed port: the one-line summary names the refusing proxy, the fix names the variables', async () => {
    const server = await mantle();
    const port = await closedPort();
    const run = await doctor(makeRoot(server.baseUrl), { ...bearerEnv(), HTTP_PROXY: `http://127.0.0.1:${port}` });
    expectCheck(run, 'bedrock.responses', {
      status: 'fail',
      summary: [`The proxy http://127.0.0.1:${port} refused the connection`, 'ECONNREFUSED'],
      remediation: ['HTTPS_PROXY', 'NO_PROXY'],
    });
    expect(server.requests).toHaveLength(0);
  });

  it('HTTP_PROXY with NO_PROXY=127.0.0.1: the proxy sees nothing and the check passes directly', async () => {
    const server = await mantle();
    const forward = await proxy();
    const run = await doctor(makeRoot(server.baseUrl), { ...bearerEnv(), HTTP_PROXY: forward.url, NO_PROXY: '127.0.0.1' });
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL] });
    expect(run.check('bedrock.responses').details.join('\n')).not.toMatch(/through proxy/);
    expect(forward.requests).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('HTTP_PROXY set only in $CODEX_HOME/.env (Codex applies .env before it builds its client): the proxy is used', async () => {
    const server = await mantle();
    const forward = await proxy();
    const root = makeRoot(server.baseUrl);
    const dotenv = join(root, 'home', '.codex', '.env');
    writeFileSync(dotenv, lines(`HTTP_PROXY=${forward.url}`));
    chmodSync(dotenv, 0o600);
    const run = await doctor(root, bearerEnv());
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL], details: [`through proxy ${forward.url}`] });
    expect(forward.requests.map((r) => `${r.kind} ${r.method} ${r.target}`)).toEqual([`http POST ${server.baseUrl}/responses`]);
  });

  // Codex's HTTP client (reqwest) reads NO_PROXY entries as hosts, domains (with their subdomains), IP
  // addresses, or IP networks in CIDR form ("127.0.0.0/8"); SPEC section 4 asks for NO_PROXY "as Codex does".
  it('HTTP_PROXY with NO_PROXY=127.0.0.0/8 (a CIDR range, as Codex reads it): the proxy sees nothing', async () => {
    const server = await mantle();
    const forward = await proxy();
    const run = await doctor(makeRoot(server.baseUrl), { ...bearerEnv(), HTTP_PROXY: forward.url, NO_PROXY: 'localhost,127.0.0.0/8' });
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL] });
    expect({ proxied: forward.requests.map((r) => `${r.kind} ${r.method} ${r.target}`), details: run.check('bedrock.responses').details }).toEqual({
      proxied: [],
      details: expect.not.arrayContaining([expect.stringMatching(/through proxy/)]),
    });
  });

  // The certificate is for IP 127.0.0.1 only, and the same certificate passes without the proxy (above): the
  // tunnelled TLS connection must be checked against the URL's host, 127.0.0.1, like a direct one.
  it('HTTPS_PROXY with an https base_url: CONNECT through the proxy, TLS trusted via NODE_EXTRA_CA_CERTS; pass', async () => {
    const server = await mantle();
    const front = await tlsFront(server);
    const forward = await proxy();
    const run = await doctor(makeRoot(front.baseUrl), { ...bearerEnv(), HTTPS_PROXY: forward.url, NODE_EXTRA_CA_CERTS: cert.certPath });
    expectBaseUrlWarning(run, front.baseUrl);
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL], details: [`through proxy ${forward.url}`] });
    expect(forward.requests.map((r) => `${r.kind} ${r.target}`)).toEqual([`connect 127.0.0.1:${front.port}`]);
    expect(front.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /openai/v1/responses']);
  });
});

describe('bedrock.responses: HTTPS_PROXY with a host name (control for the IP-literal case above)', () => {
  it('HTTPS_PROXY with base_url https://localhost:PORT: CONNECT through the proxy, certificate checked against the name; pass', async () => {
    const server = await mantle();
    const front = track(await startTlsFront(localhostCert, server.port));
    const forward = track(await startProxyServer());
    const baseUrl = `https://localhost:${front.port}/openai/v1`;
    const run = await doctor(makeRoot(baseUrl), { ...bearerEnv(), HTTPS_PROXY: forward.url, NODE_EXTRA_CA_CERTS: localhostCert.certPath });
    expectCheck(run, 'bedrock.responses', { status: 'pass', summary: [MODEL], details: [`through proxy ${forward.url}`] });
    expect(forward.requests.map((r) => `${r.kind} ${r.target}`)).toEqual([`connect localhost:${front.port}`]);
    expect(front.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /openai/v1/responses']);
  });
});

describe('--offline', () => {
  it('makes no network connection: auth.identity and bedrock.responses skip, STS and Mantle see zero requests', async () => {
    const shared = secrets();
    const stsServer = await sts(shared);
    const server = await mantle({}, shared);
    const forward = await startProxyServer();
    track(forward);
    const run = await doctor(makeRoot(server.baseUrl), { ...sigv4Env(stsServer, TEMP), HTTP_PROXY: forward.url, HTTPS_PROXY: forward.url }, [], false);

    expectCheck(run, 'auth.identity', { status: 'skip' });
    expectCheck(run, 'bedrock.responses', { status: 'skip' });
    expect(run.check('auth.identity').skipReason).toMatch(/offline/i);
    expect(run.check('bedrock.responses').skipReason).toMatch(/offline/i);
    expect({ sts: stsServer.requests.length, mantle: server.requests.length, proxy: forward.requests.length }).toEqual({ sts: 0, mantle: 0, proxy: 0 });
  });
});

// ------------------------------------------------------------------------------------------------------------
// DNS failure, without any DNS query: an error shaped like Node's getaddrinfo failure, fed to the real
// classifier, and to the real check through an injected Mantle client.

function getaddrinfoError(code: 'ENOTFOUND' | 'EAI_AGAIN', hostname: string): NodeJS.ErrnoException & { hostname: string } {
  const error = new Error(`getaddrinfo ${code} ${hostname}`) as NodeJS.ErrnoException & { hostname: string };
  error.code = code;
  error.errno = code === 'ENOTFOUND' ? -3008 : -3001;
  error.syscall = 'getaddrinfo';
  error.hostname = hostname;
  return error;
}

describe('DNS failure (no real DNS query)', () => {
  const HOST = 'bedrock-mantle.us-west-1.api.aws';

  it.each(['ENOTFOUND', 'EAI_AGAIN'] as const)('classifyNetworkError: getaddrinfo %s is a DNS failure', (code) => {
    expect(classifyNetworkError(getaddrinfoError(code, HOST))).toEqual({ kind: 'dns', code });
    // Wrapped as a cause (as fetch/undici and the SDK do), the code is still found.
    expect(classifyNetworkError(new Error('fetch failed', { cause: getaddrinfoError(code, HOST) }))).toEqual({ kind: 'dns', code });
  });

  it('explainNetworkFailure: says the host does not resolve, and how to go on', () => {
    const explained = explainNetworkFailure(classifyNetworkError(getaddrinfoError('ENOTFOUND', HOST)), 'Bedrock Mantle', HOST, 10);
    expect(explained.summary).toContain(`${HOST} does not resolve`);
    expect(explained.summary).toContain('ENOTFOUND');
    expect(explained.fix).toMatch(/DNS/);
    expect(explained.fix).toContain('--offline');
  });

  /** A Services whose Mantle client fails as getaddrinfo would, recording the URLs it was asked for. */
  function dnsFailingServices(asked: string[]): Services {
    return {
      ...NO_NETWORK,
      mantle: async (input): Promise<MantleResult> => {
        asked.push(`${input.method} ${input.url}`);
        return { ok: false, failure: classifyNetworkError(getaddrinfoError('ENOTFOUND', new URL(input.url).hostname)), latencyMs: 3, proxy: null };
      },
    };
  }

  /** Runs bedrock.responses in `region` against a Mantle client that fails as getaddrinfo would. */
  async function dnsFailureIn(region: string): Promise<CheckOutcome> {
    const world = makeWorld({
      files: { [CONFIG]: lines('model_provider = "amazon-bedrock"', `model = "${MODEL}"`, '[model_providers.amazon-bedrock.aws]', `region = "${region}"`) },
      env: { AWS_BEARER_TOKEN_BEDROCK: bearerKey },
    });
    const asked: string[] = [];
    const outcome = await world.runCheck(bedrockResponses, { offline: false, timeoutMs: 5000 }, dnsFailingServices(asked));
    expect(asked).toEqual([`POST https://bedrock-mantle.${region}.api.aws/openai/v1/responses`]);
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain(`bedrock-mantle.${region}.api.aws does not resolve`);
    expect(outcome.remediation).toMatch(/DNS/);
    expect(JSON.stringify(outcome)).not.toContain(bearerKey);
    return outcome;
  }

  it('bedrock.responses in us-west-1 (no Mantle endpoint): "no Mantle endpoint in that region, or no network", suggesting other regions', async () => {
    const outcome = await dnsFailureIn('us-west-1');
    expect(outcome.summary).toContain('there is no Mantle endpoint in us-west-1, or this machine has no network');
    expect(outcome.remediation).toMatch(/region with a Mantle endpoint \(e\.g\. us-east-1/);
  });

  it('bedrock.responses in us-east-1 (which has an endpoint): blames DNS or the network and never suggests us-east-1 itself', async () => {
    const outcome = await dnsFailureIn('us-east-1');
    expect(outcome.summary).toContain('Mantle does have an endpoint in us-east-1');
    expect(outcome.summary).not.toContain('no Mantle endpoint');
    expect(outcome.remediation).not.toMatch(/region/i);
  });

  it('bedrock.responses with a base_url override: a DNS failure blames the host, not the region', async () => {
    const world = makeWorld({
      files: {
        [CONFIG]: lines(
          'model_provider = "amazon-bedrock"',
          `model = "${MODEL}"`,
          '[model_providers.amazon-bedrock]',
          'base_url = "https://mantle-proxy.corp.invalid/openai/v1"',
          '[model_providers.amazon-bedrock.aws]',
          `region = "${REGION}"`,
        ),
      },
      env: { AWS_BEARER_TOKEN_BEDROCK: bearerKey },
    });
    const asked: string[] = [];
    const outcome = await world.runCheck(bedrockResponses, { offline: false, timeoutMs: 5000 }, dnsFailingServices(asked));
    expect(asked).toEqual(['POST https://mantle-proxy.corp.invalid/openai/v1/responses']);
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain('mantle-proxy.corp.invalid does not resolve');
    expect(outcome.summary).not.toContain('no Mantle endpoint');
  });
});
