/**
 * Proxies and certificate authorities as Codex 0.169.0 handles them, end to end with the built CLI against
 * loopback servers: a self-signed TLS front (a stand-in for a TLS-inspecting corporate proxy) is trusted
 * through SSL_CERT_FILE or CODEX_CA_CERTIFICATE, as Codex trusts them besides the system store; and
 * `NO_PROXY=*` does not bypass the proxy.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertBuilt, cleanEnv, parseReport, runCli, type ReportCheck } from './helpers/scenarios.js';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import { startProxyServer, type ProxyServer } from './helpers/proxyServer.js';
import { makeSelfSignedCert, startTlsFront, type SelfSignedCert, type TlsFront } from './helpers/tlsServer.js';

const REGION = 'us-east-1';
const LONG_TERM_KEY = 'ABSK' + Buffer.from('codex-bot-at-123456789012:ProxyTrustSecretCANARY0123').toString('base64');

let root: string;
let cert: SelfSignedCert;
let mantle: MantleServer;
let front: TlsFront;
let proxy: ProxyServer;
let counter = 0;

beforeAll(async () => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'codex-bedrock-trust-'));
  cert = makeSelfSignedCert(join(root, 'certs'));
  mantle = await startMantleServer({ secrets: new Map(), longTermKeys: new Set([LONG_TERM_KEY]), modelsByRegion: { [REGION]: ['openai.gpt-5.5'] }, region: REGION });
  front = await startTlsFront(cert, mantle.port);
  proxy = await startProxyServer();
}, 60_000);

afterAll(async () => {
  await front?.close();
  await proxy?.close();
  await mantle?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function responsesCheck(baseUrl: string, env: Record<string, string>): Promise<ReportCheck> {
  const dir = join(root, `run-${++counter}`);
  mkdirSync(join(dir, 'home', '.codex'), { recursive: true });
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'home', '.codex', 'config.toml'), `model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n[model_providers.amazon-bedrock]\nbase_url = "${baseUrl}"\n`);
  const cli = await runCli(['doctor', '--json', '--only', 'bedrock.responses'], cleanEnv(dir, { AWS_REGION: REGION, AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY, ...env }), dir);
  const parsed = parseReport(cli.stdout);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.report.checks.find((c) => c.id === 'bedrock.responses')!;
}

describe('certificate authorities Codex trusts besides the system store', () => {
  it('without them the self-signed front is an untrusted certificate', async () => {
    expect(await responsesCheck(front.baseUrl, {})).toMatchObject({ status: 'fail', summary: expect.stringMatching(/TLS|certificate/i) });
  });

  it.each(['SSL_CERT_FILE', 'CODEX_CA_CERTIFICATE'])('%s naming the CA: the live call passes', async (variable) => {
    const before = front.requests.length;
    expect(await responsesCheck(front.baseUrl, { [variable]: cert.certPath })).toMatchObject({ status: 'pass' });
    expect(front.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /openai/v1/responses']);
  });
});

describe('NO_PROXY', () => {
  it('NO_PROXY=* does not bypass HTTP_PROXY (Codex 0.169.0): the request goes through the proxy', async () => {
    const before = proxy.requests.length;
    expect(await responsesCheck(mantle.baseUrl, { HTTP_PROXY: proxy.url, NO_PROXY: '*' })).toMatchObject({ status: 'pass' });
    expect(proxy.requests.slice(before).map((r) => r.target)).toEqual([`${mantle.baseUrl}/responses`]);
  });
});
