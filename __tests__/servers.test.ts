/**
 * The loopback STS and Mantle servers must verify for real: requests signed with the right secret
 * pass, anything else fails the way AWS fails it. Everything stays on 127.0.0.1 and every network
 * step is bounded by an AbortSignal timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { getToken } from '@aws/bedrock-token-generator';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import {
  toAmzDate,
  verifyPresignedBearerKey,
  verifySigV4,
  type SecretMap,
  type VerifiableRequest,
} from './helpers/sigv4Verify.js';
import { closedPort, startStsServer, type StsServer } from './helpers/stsServer.js';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';

// The SDK compares this with the string "true" exactly ("1" does not silence it).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const AKID = 'AKIATESTLOOPBACK0001';
const SECRET = 'loopbackSecret/Key+0123456789abcdefghijk';
const TEMP = { accessKeyId: 'ASIATESTLOOPBACK0002', secretAccessKey: 'tempSecret/abcdefghijklmnopqrstuvwxyz0123', sessionToken: 'FwoGZXIvYXdzEXAMPLE+token/==' };
const STRANGER = { accessKeyId: 'AKIASTRANGER00000003', secretAccessKey: 'strangerSecret0000000000000000000000000000' };
const LONG_TERM_KEY = `ABSK${Buffer.from('doctor-at-123456789012:c2VjcmV0').toString('base64')}`;
const MODELS = { 'us-east-1': ['openai.gpt-5.5', 'openai.gpt-6.1-sol'], 'eu-west-1': ['openai.gpt-oss-120b'] };
const MIN = 60_000;
const T = (): AbortSignal => AbortSignal.timeout(5000);

function secrets(): SecretMap {
  return new Map([
    [AKID, { secretAccessKey: SECRET }],
    [TEMP.accessKeyId, { secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken }],
  ]);
}

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Signs a request the way the doctor will: explicit host header, @smithy/signature-v4. */
async function sign(o: {
  url: string;
  method?: string;
  body?: string;
  service?: string;
  region?: string;
  credentials?: Creds;
  signingDate?: Date;
  headers?: Record<string, string>;
  applyChecksum?: boolean;
}): Promise<{ method: string; headers: Record<string, string>; body: string | undefined; path: string }> {
  const u = new URL(o.url);
  const query: Record<string, string | string[]> = {};
  u.searchParams.forEach((v, k) => {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  });
  const request = new HttpRequest({
    method: o.method ?? 'POST',
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query,
    headers: { host: u.host, ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(o.headers ?? {}) },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  const signer = new SignatureV4({
    service: o.service ?? 'bedrock-mantle',
    region: o.region ?? 'us-east-1',
    credentials: o.credentials ?? { accessKeyId: AKID, secretAccessKey: SECRET },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: o.applyChecksum ?? false,
  });
  const signed = await signer.sign(request, o.signingDate ? { signingDate: o.signingDate } : {});
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
  return { method: request.method, headers, body: o.body, path: u.pathname + u.search };
}

/** A signed request handed straight to the verifier, no network. */
async function verifiable(o: Parameters<typeof sign>[0]): Promise<VerifiableRequest> {
  const s = await sign(o);
  return { method: s.method, path: s.path, headers: s.headers, body: Buffer.from(s.body ?? '') };
}

/** Sends a signed request with fetch (host is derived by fetch from the URL, identical to the signed one). */
async function sendSigned(o: Parameters<typeof sign>[0]): Promise<Response> {
  const s = await sign(o);
  const { host: _host, ...headers } = s.headers;
  return fetch(o.url, { method: s.method, headers, ...(s.body !== undefined ? { body: s.body } : {}), signal: T() });
}

async function sendBearer(url: string, key: string, body: unknown = ping('openai.gpt-5.5'), method = 'POST'): Promise<Response> {
  return fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
    signal: T(),
  });
}

function ping(model: string): Record<string, unknown> {
  return { model, input: 'ping', max_output_tokens: 16, store: false };
}

/** Edits the presigned URL inside a short-term key. */
function editKey(key: string, edit: (url: string) => string): string {
  const url = Buffer.from(key.slice('bedrock-api-key-'.length), 'base64').toString('utf8');
  return `bedrock-api-key-${Buffer.from(edit(url), 'utf8').toString('base64')}`;
}

function flipHex(s: string): string {
  return s.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
}

// The SDK must not read the real ~/.aws.
const savedEnv: Record<string, string | undefined> = {};
let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'servers-test-'));
  for (const k of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS', 'AWS_EC2_METADATA_DISABLED']) {
    savedEnv[k] = process.env[k];
  }
  process.env['AWS_CONFIG_FILE'] = join(scratch, 'no-config');
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(scratch, 'no-credentials');
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  delete process.env['AWS_PROFILE'];
  delete process.env['AWS_ENDPOINT_URL'];
  delete process.env['AWS_ENDPOINT_URL_STS'];
});
afterAll(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(scratch, { recursive: true, force: true });
});

// -----------------------------------------------------------------------------------------------
describe('verifySigV4', () => {
  const url = 'http://127.0.0.1:4567/openai/v1/responses';
  const body = JSON.stringify(ping('openai.gpt-5.5'));
  const opts = (over: Partial<Parameters<typeof verifySigV4>[1]> = {}): Parameters<typeof verifySigV4>[1] => ({
    service: 'bedrock-mantle',
    secrets: secrets(),
    now: new Date(),
    ...over,
  });

  it('accepts a request signed with @smithy/signature-v4 and the right secret', async () => {
    const r = await verifySigV4(await verifiable({ url, body }), opts({ expectedRegion: 'us-east-1' }));
    expect(r).toMatchObject({ ok: true, accessKeyId: AKID, region: 'us-east-1', service: 'bedrock-mantle' });
  });

  it('accepts query strings, x-amz-content-sha256 and session tokens', async () => {
    const r1 = await verifySigV4(await verifiable({ url: `${url}?b=2&a=x%20y&a=z`, body, applyChecksum: true }), opts());
    expect(r1.ok).toBe(true);
    const r2 = await verifySigV4(await verifiable({ url, body, credentials: TEMP }), opts());
    expect(r2).toMatchObject({ ok: true, accessKeyId: TEMP.accessKeyId, sessionToken: TEMP.sessionToken });
    const r3 = await verifySigV4(await verifiable({ url: 'http://127.0.0.1:4567/openai/v1/models', method: 'GET' }), opts());
    expect(r3.ok).toBe(true);
  });

  it('rejects a wrong secret as SignatureDoesNotMatch', async () => {
    const req = await verifiable({ url, body, credentials: { accessKeyId: AKID, secretAccessKey: 'not-the-secret' } });
    expect(await verifySigV4(req, opts())).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });

  it('rejects a tampered body, path, query or signed header', async () => {
    const req = await verifiable({ url: `${url}?a=1`, body });
    const bad = [
      { ...req, body: Buffer.from(body.replace('ping', 'pong')) },
      { ...req, path: '/openai/v1/models?a=1' },
      { ...req, path: '/openai/v1/responses?a=2' },
      { ...req, method: 'PUT' },
      { ...req, headers: { ...req.headers, 'content-type': 'text/plain' } },
      { ...req, headers: { ...req.headers, host: '127.0.0.1:9999' } },
    ];
    for (const b of bad) expect(await verifySigV4(b, opts())).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    // A signed x-amz-content-sha256 that lies about the body.
    const withHash = await verifiable({ url, body, applyChecksum: true });
    expect(await verifySigV4({ ...withHash, body: Buffer.from('{}') }, opts())).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    // Unsigned extra headers do not matter.
    expect(await verifySigV4({ ...req, headers: { ...req.headers, 'user-agent': 'x', 'x-extra': 'y' } }, opts())).toMatchObject({ ok: true });
  });

  it('rejects a stale or future x-amz-date as SignatureExpired, within ±5 minutes by default', async () => {
    const now = new Date();
    const stale = await verifySigV4(await verifiable({ url, body, signingDate: new Date(now.getTime() - 10 * MIN) }), opts({ now }));
    expect(stale).toMatchObject({ ok: false, code: 'SignatureExpired' });
    expect(stale.ok ? '' : stale.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const future = await verifySigV4(await verifiable({ url, body, signingDate: new Date(now.getTime() + 10 * MIN) }), opts({ now }));
    expect(future).toMatchObject({ ok: false, code: 'SignatureExpired' });
    expect(future.ok ? '' : future.message).toMatch(/^Signature not yet current/);
    const inWindow = await verifySigV4(await verifiable({ url, body, signingDate: new Date(now.getTime() - 4 * MIN) }), opts({ now }));
    expect(inWindow.ok).toBe(true);
    const tight = await verifySigV4(await verifiable({ url, body, signingDate: new Date(now.getTime() - 2 * MIN) }), opts({ now, maxSkewSeconds: 60 }));
    expect(tight).toMatchObject({ ok: false, code: 'SignatureExpired' });
  });

  it('rejects a wrong service or region in the credential scope', async () => {
    expect(await verifySigV4(await verifiable({ url, body, service: 'bedrock' }), opts())).toMatchObject({ ok: false, code: 'WrongService' });
    expect(await verifySigV4(await verifiable({ url, body, service: 'sts' }), opts())).toMatchObject({ ok: false, code: 'WrongService' });
    expect(await verifySigV4(await verifiable({ url, body, region: 'us-west-2' }), opts({ expectedRegion: 'us-east-1' }))).toMatchObject({
      ok: false,
      code: 'WrongRegion',
      region: 'us-west-2',
    });
  });

  it('rejects unknown keys, missing or wrong session tokens, expired sessions, missing and malformed auth', async () => {
    expect(await verifySigV4(await verifiable({ url, body, credentials: STRANGER }), opts())).toMatchObject({ ok: false, code: 'UnknownKey' });
    // Temporary key signed without its token, and with another token.
    const noToken = await verifiable({ url, body, credentials: { accessKeyId: TEMP.accessKeyId, secretAccessKey: TEMP.secretAccessKey } });
    expect(await verifySigV4(noToken, opts())).toMatchObject({ ok: false, code: 'BadToken' });
    const otherToken = await verifiable({ url, body, credentials: { ...TEMP, sessionToken: 'other' } });
    expect(await verifySigV4(otherToken, opts())).toMatchObject({ ok: false, code: 'BadToken' });
    // Session over.
    const expired = secrets();
    expired.set(TEMP.accessKeyId, { ...expired.get(TEMP.accessKeyId)!, expiration: new Date(Date.now() - MIN) });
    expect(await verifySigV4(await verifiable({ url, body, credentials: TEMP }), opts({ secrets: expired }))).toMatchObject({ ok: false, code: 'ExpiredToken' });
    const req = await verifiable({ url, body });
    const { authorization, ...unsigned } = req.headers;
    expect(await verifySigV4({ ...req, headers: unsigned }, opts())).toMatchObject({ ok: false, code: 'MissingAuth' });
    for (const a of ['Bearer abc', 'AWS4-HMAC-SHA256 Credential=x', String(authorization).replace(/Signature=[0-9a-f]+/, '')]) {
      expect(await verifySigV4({ ...req, headers: { ...req.headers, authorization: a } }, opts())).toMatchObject({ ok: false, code: 'Malformed' });
    }
    const { 'x-amz-date': _d, ...noDate } = req.headers;
    expect(await verifySigV4({ ...req, headers: noDate }, opts())).toMatchObject({ ok: false, code: 'Malformed' });
  });

  it('treats a dropped signed header (Mantle drops names with "_") as a mismatch', async () => {
    const req = await verifiable({ url, body, headers: { x_custom_id: 'abc' } });
    expect(await verifySigV4(req, opts())).toMatchObject({ ok: true });
    expect(await verifySigV4(req, opts({ dropHeader: (n) => n.includes('_') }))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });
});

// -----------------------------------------------------------------------------------------------
describe('verifyPresignedBearerKey (real keys from @aws/bedrock-token-generator)', () => {
  const now = (): Date => new Date();

  it('accepts keys minted from long-term and temporary credentials', async () => {
    const key = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1', expiresInSeconds: 900 });
    const r = await verifyPresignedBearerKey(key, { secrets: secrets(), now: now(), expectedRegion: 'us-east-1' });
    expect(r).toMatchObject({ ok: true, accessKeyId: AKID, region: 'us-east-1', versionPlacement: 'inside' });
    if (r.ok) expect(r.expiresAt.getTime() - r.issuedAt.getTime()).toBe(900_000);
    const temp = await getToken({ credentials: TEMP, region: 'eu-west-1' });
    expect(await verifyPresignedBearerKey(temp, { secrets: secrets(), now: now() })).toMatchObject({
      ok: true,
      accessKeyId: TEMP.accessKeyId,
      region: 'eu-west-1',
      sessionToken: TEMP.sessionToken,
    });
  });

  it('accepts &Version=1 outside the base64', async () => {
    const key = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1' });
    const url = Buffer.from(key.slice(16), 'base64').toString('utf8').replace(/&Version=1$/, '');
    const outside = `bedrock-api-key-${Buffer.from(url).toString('base64')}&Version=1`;
    expect(await verifyPresignedBearerKey(outside, { secrets: secrets(), now: now() })).toMatchObject({ ok: true, versionPlacement: 'outside' });
  });

  it('rejects tampered, foreign, other-region, expired and malformed keys', async () => {
    const key = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1', expiresInSeconds: 600 });
    const s = secrets();
    const v = (k: string, o: { now?: Date; expectedRegion?: string; secrets?: SecretMap } = {}) =>
      verifyPresignedBearerKey(k, { secrets: o.secrets ?? s, now: o.now ?? now(), ...(o.expectedRegion ? { expectedRegion: o.expectedRegion } : {}) });
    expect(await v(editKey(key, flipHex))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(await v(editKey(key, (u) => u.replace('X-Amz-Expires=600', 'X-Amz-Expires=3600')))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(await v(editKey(key, (u) => u.replace(/X-Amz-Date=(\d{8}T\d{4})(\d\d)Z/, (_m, a: string, b: string) => `X-Amz-Date=${a}${b === '00' ? '01' : '00'}Z`)))).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    // Minted with the right key id but a different secret.
    const forged = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: 'forged' }, region: 'us-east-1' });
    expect(await v(forged)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    const stranger = await getToken({ credentials: STRANGER, region: 'us-east-1' });
    expect(await v(stranger)).toMatchObject({ ok: false, code: 'UnknownKey' });
    const west = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-west-2' });
    expect(await v(west, { expectedRegion: 'us-east-1' })).toMatchObject({ ok: false, code: 'WrongRegion', region: 'us-west-2' });
    const late = await v(key, { now: new Date(Date.now() + 11 * MIN) });
    expect(late).toMatchObject({ ok: false, code: 'SignatureExpired' });
    expect(late.ok ? '' : late.message).toMatch(/^Signature expired/);
    // A temporary key used without its token, or after the session ended.
    const temp = await getToken({ credentials: TEMP, region: 'us-east-1' });
    expect(await v(editKey(temp, (u) => u.replace(/&X-Amz-Security-Token=[^&]+/, '')))).toMatchObject({ ok: false, code: 'BadToken' });
    const ended = secrets();
    ended.set(TEMP.accessKeyId, { ...ended.get(TEMP.accessKeyId)!, expiration: new Date(Date.now() - MIN) });
    expect(await v(temp, { secrets: ended })).toMatchObject({ ok: false, code: 'ExpiredToken' });
    for (const junk of ['bedrock-api-key-', 'bedrock-api-key-!!!!', 'bedrock-api-key-aGVsbG8=', 'ABSKabc', `${key}&Version=1`]) {
      expect(await v(junk)).toMatchObject({ ok: false, code: 'Malformed' });
    }
  });
});

// -----------------------------------------------------------------------------------------------
describe('STS server', () => {
  let sts: StsServer;
  let clock = 0;
  const clients: STSClient[] = [];
  const client = (credentials: Creds = { accessKeyId: AKID, secretAccessKey: SECRET }, endpoint = sts.url): STSClient => {
    const c = new STSClient({ region: 'us-east-1', endpoint, maxAttempts: 1, credentials });
    clients.push(c);
    return c;
  };
  const caught = async (p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; code?: string }> => {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected a rejection');
  };

  beforeAll(async () => {
    sts = await startStsServer({
      secrets: secrets(),
      accounts: new Map([[AKID, { account: '111122223333', arn: 'arn:aws:iam::111122223333:user/doctor', userId: 'AIDATESTDOCTOR000001' }]]),
      now: () => new Date(Date.now() + clock),
    });
  });
  afterEach(() => {
    sts.setBehaviour('ok');
    clock = 0;
    while (clients.length) clients.pop()!.destroy();
  });
  afterAll(() => sts.close());

  it('answers GetCallerIdentity from the real SDK with the account, and verified the signature', async () => {
    const out = await client().send(new GetCallerIdentityCommand({}), { abortSignal: T() });
    expect(out).toMatchObject({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/doctor', UserId: 'AIDATESTDOCTOR000001' });
    const rec = sts.requests.at(-1)!;
    expect(rec.method).toBe('POST');
    expect(rec.body).toContain('Action=GetCallerIdentity');
    expect(rec.auth).toMatchObject({ kind: 'sigv4', ok: true, accessKeyId: AKID, region: 'us-east-1' });
    expect(String(rec.headers.authorization)).toContain('/us-east-1/sts/aws4_request');
  });

  it('maps a wrong secret, an unknown key and clock skew to the SDK error names', async () => {
    const wrong = await caught(client({ accessKeyId: AKID, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
    expect(wrong.name).toBe('SignatureDoesNotMatch');
    expect(wrong.$metadata?.httpStatusCode).toBe(403);
    const unknown = await caught(client(STRANGER).send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
    expect(unknown.name).toBe('InvalidClientTokenId');
    expect(unknown.message).toBe('The security token included in the request is invalid.');
    clock = 10 * MIN; // the server's clock is ahead of ours
    const skew = await caught(client().send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
    expect(skew.name).toBe('SignatureDoesNotMatch');
    expect(skew.message).toMatch(/^Signature expired/);
  });

  it.each(['ExpiredToken', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied'] as const)(
    'forced behaviour %s reaches the SDK as err.name with HTTP 403',
    async (b) => {
      sts.setBehaviour(b);
      const err = await caught(client().send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
      expect(err.name).toBe(b);
      expect(err.$metadata?.httpStatusCode).toBe(403);
    },
  );

  it('AssumeRole mints ASIA credentials that it then accepts, until they expire', async () => {
    const out = await client().send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444455556666:role/BedrockUser', RoleSessionName: 'doctor', DurationSeconds: 900 }),
      { abortSignal: T() },
    );
    const c = out.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.Expiration!.getTime() - Date.now()).toBeGreaterThan(14 * MIN);
    expect(sts.issued).toHaveLength(1);
    const temp = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const who = await client(temp).send(new GetCallerIdentityCommand({}), { abortSignal: T() });
    expect(who).toMatchObject({ Account: '444455556666', Arn: 'arn:aws:sts::444455556666:assumed-role/BedrockUser/doctor' });
    expect(who.UserId).toMatch(/^AROA[A-Z2-7]{17}:doctor$/);
    const tokenless = await caught(client({ accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey }).send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
    expect(tokenless.name).toBe('InvalidClientTokenId');
    clock = 20 * MIN;
    const expired = await caught(client(temp).send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
    expect(expired.name).toBe('ExpiredToken');
  });

  it('serves an assume-role profile resolved by fromIni', async () => {
    const config = join(scratch, 'config');
    const creds = join(scratch, 'credentials');
    writeFileSync(config, `[profile dev]\nrole_arn = arn:aws:iam::444455556666:role/Dev\nsource_profile = base\nrole_session_name = doctor-ini\nregion = us-east-1\n`);
    writeFileSync(creds, `[base]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}\n`);
    const provider = fromIni({ profile: 'dev', configFilepath: config, filepath: creds, ignoreCache: true, clientConfig: { endpoint: sts.url, region: 'us-east-1', maxAttempts: 1 } });
    const resolved = await provider();
    expect(resolved.accessKeyId).toMatch(/^ASIA/);
    const who = await client(resolved).send(new GetCallerIdentityCommand({}), { abortSignal: T() });
    expect(who.Arn).toBe('arn:aws:sts::444455556666:assumed-role/Dev/doctor-ini');
  });

  it('"slow" is cut by the caller timeout and close() does not wait for it', async () => {
    const slow = await startStsServer({ secrets: secrets(), behaviour: 'slow', slowMs: 20_000 });
    try {
      const started = Date.now();
      const err = await caught(client(undefined, slow.url).send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(200) }));
      expect(err.name).toBe('AbortError');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(slow.requests).toHaveLength(1);
    } finally {
      const closing = Date.now();
      await slow.close();
      expect(Date.now() - closing).toBeLessThan(1000);
    }
  });

  it('"reset" drops the connection and closedPort() refuses it', async () => {
    sts.setBehaviour('reset');
    const reset = await caught(client().send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
    expect(`${reset.code ?? ''} ${reset.message}`).toMatch(/ECONNRESET|socket hang up|EPIPE/);
    const port = await closedPort();
    const refused = await caught(client(undefined, `http://127.0.0.1:${port}`).send(new GetCallerIdentityCommand({}), { abortSignal: T() }));
    // Under Jest's VM realm the SDK re-wraps Node's socket error ("AWS SDK error wrapper for Error: connect
    // ECONNREFUSED ...") and `code` is lost; outside Jest the error carries code ECONNREFUSED.
    expect(`${refused.code ?? ''} ${refused.message}`).toMatch(/ECONNREFUSED/);
  });

  it('answers unknown actions and missing auth with STS XML errors', async () => {
    const res = await fetch(sts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      signal: T(),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const xml = await res.text();
    expect(xml).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(xml).toMatch(/<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>/);
    expect(xml).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId>/);
  });
});

// -----------------------------------------------------------------------------------------------
describe('Mantle server', () => {
  let mantle: MantleServer;
  let clock = 0;
  const responses = (): string => `${mantle.baseUrl}/responses`;

  beforeAll(async () => {
    mantle = await startMantleServer({
      secrets: secrets(),
      longTermKeys: new Set([LONG_TERM_KEY]),
      modelsByRegion: MODELS,
      region: 'us-east-1',
      now: () => new Date(Date.now() + clock),
    });
  });
  afterEach(() => {
    mantle.setBehaviour('ok');
    clock = 0;
  });
  afterAll(() => mantle.close());

  it('accepts a short-term key minted by @aws/bedrock-token-generator and answers like Mantle', async () => {
    const key = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1', expiresInSeconds: 900 });
    const res = await sendBearer(responses(), key);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(res.headers.get('date')!) - Date.now())).toBeLessThan(5000);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ object: 'response', model: 'openai.gpt-5.5', status: 'completed', store: false, max_output_tokens: 16 });
    expect(String(json['id'])).toMatch(/^resp_/);
    expect(mantle.requests.at(-1)!.auth).toMatchObject({ kind: 'bearer-short-term', ok: true, accessKeyId: AKID });
    expect(JSON.parse(mantle.requests.at(-1)!.body)).toEqual(ping('openai.gpt-5.5'));
  });

  it('rejects tampered, other-region, expired and unknown bearer keys with 401', async () => {
    const key = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1', expiresInSeconds: 900 });
    const west = await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-west-2' });
    for (const [k, code] of [
      [editKey(key, flipHex), 'SignatureDoesNotMatch'],
      [west, 'WrongRegion'],
      ['bedrock-api-key-bm90LWEta2V5', 'Malformed'],
      ['sk-proj-openai', 'Malformed'],
      [`ABSK${Buffer.from('someone-at-210987654321:eA==').toString('base64')}`, 'UnknownKey'],
    ] as const) {
      const res = await sendBearer(responses(), k);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'invalid_api_key', message: 'Invalid bearer token', param: null, type: 'authentication_error' } });
      expect(mantle.requests.at(-1)!.auth?.code).toBe(code);
    }
    clock = 16 * MIN;
    const expired = await sendBearer(responses(), key);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/Signature expired/);
  });

  it('accepts a listed long-term key', async () => {
    const res = await sendBearer(responses(), LONG_TERM_KEY, ping('openai.gpt-6.1-sol'));
    expect(res.status).toBe(200);
    expect(mantle.requests.at(-1)!.auth).toMatchObject({ kind: 'bearer-long-term', ok: true });
  });

  it('accepts SigV4 for bedrock-mantle, with and without a session token', async () => {
    const body = JSON.stringify(ping('openai.gpt-5.5'));
    for (const o of [{}, { applyChecksum: true }, { credentials: TEMP }]) {
      const res = await sendSigned({ url: responses(), body, ...o });
      expect(res.status).toBe(200);
    }
    expect(mantle.requests.at(-1)!.auth).toMatchObject({ kind: 'sigv4', ok: true, accessKeyId: TEMP.accessKeyId, region: 'us-east-1' });
  });

  it('rejects bad SigV4 with 401 and AWS wording', async () => {
    const body = JSON.stringify(ping('openai.gpt-5.5'));
    const cases: Array<[Parameters<typeof sign>[0], RegExp]> = [
      [{ url: responses(), body, credentials: { accessKeyId: AKID, secretAccessKey: 'wrong' } }, /^The request signature we calculated does not match/],
      [{ url: responses(), body, service: 'bedrock' }, /^Credential should be scoped to correct service: 'bedrock-mantle'/],
      [{ url: responses(), body, region: 'us-west-2' }, /^Credential should be scoped to a valid region/],
      [{ url: responses(), body, signingDate: new Date(Date.now() - 10 * MIN) }, /^Signature expired: /],
      [{ url: responses(), body, credentials: STRANGER }, /^The security token included in the request is invalid/],
      [{ url: responses(), body, headers: { x_request_id: 'abc' } }, /^The request signature we calculated does not match/],
    ];
    for (const [o, message] of cases) {
      const res = await sendSigned(o);
      expect(res.status).toBe(401);
      const json = (await res.json()) as { error: { message: string; type: string } };
      expect(json.error.type).toBe('authentication_error');
      expect(json.error.message).toMatch(message);
    }
    const none = await fetch(responses(), { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: T() });
    expect(none.status).toBe(401);
  });

  it('a server clock 10 minutes ahead rejects a fresh signature as expired and shows its own Date', async () => {
    clock = 10 * MIN;
    const res = await sendSigned({ url: responses(), body: JSON.stringify(ping('openai.gpt-5.5')) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^Signature expired/);
    expect(Date.parse(res.headers.get('date')!) - Date.now()).toBeGreaterThan(9 * MIN);
  });

  it('lists the models of its region', async () => {
    const res = await sendSigned({ url: `${mantle.baseUrl}/models`, method: 'GET' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: 'list',
      data: MODELS['us-east-1'].map((id) => ({ id, object: 'model', created: expect.any(Number), owned_by: 'system' })),
    });
  });

  it('404s a model not offered in its region, and 400s a body without a model', async () => {
    const res = await sendBearer(responses(), LONG_TERM_KEY, ping('openai.gpt-oss-120b'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found_error', message: "The model 'openai.gpt-oss-120b' does not exist", param: null, type: 'invalid_request_error' },
    });
    const bad = await sendBearer(responses(), LONG_TERM_KEY, { input: 'ping' });
    expect(bad.status).toBe(400);
  });

  it('plays route-400, 429, 500, 503 and forbidden', async () => {
    const expectError = async (status: number, message: RegExp, type: string): Promise<void> => {
      const res = await sendBearer(responses(), LONG_TERM_KEY);
      expect(res.status).toBe(status);
      expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
      const json = (await res.json()) as { error: { message: string; type: string } };
      expect(json.error.message).toMatch(message);
      expect(json.error.type).toBe(type);
    };
    mantle.setBehaviour('route-400');
    await expectError(400, /^model `openai\.gpt-5\.5` isn't supported on this route$/, 'invalid_request_error');
    mantle.setBehaviour('429');
    await expectError(429, /Too many requests/, 'rate_limit_error');
    mantle.setBehaviour('5xx');
    await expectError(500, /error/, 'api_error');
    mantle.setBehaviour('5xx', { status: 503 });
    await expectError(503, /unavailable/, 'service_unavailable_error');
    mantle.setBehaviour('forbidden');
    await expectError(403, /is not authorized to perform: bedrock-mantle:CreateInference on resource: arn:aws:bedrock-mantle:us-east-1:/, 'permission_denied_error');
    // Forced outcomes still require valid credentials.
    const anon = await sendBearer(responses(), 'bedrock-api-key-bm9wZQ==');
    expect(anon.status).toBe(401);
  });

  it('plays malformed-json and skewed-date', async () => {
    mantle.setBehaviour('malformed-json');
    const res = await sendBearer(responses(), LONG_TERM_KEY);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
    mantle.setBehaviour('skewed-date', { skewSeconds: -120 });
    const skewed = await sendBearer(responses(), LONG_TERM_KEY);
    expect(skewed.status).toBe(200);
    const offset = Date.parse(skewed.headers.get('date')!) - Date.now();
    expect(offset).toBeGreaterThan(-125_000);
    expect(offset).toBeLessThan(-115_000);
  });

  it('"reset" destroys the socket; "slow" is cut by the caller and close() does not wait', async () => {
    mantle.setBehaviour('reset');
    await expect(sendBearer(responses(), LONG_TERM_KEY)).rejects.toThrow();
    const slow = await startMantleServer({ secrets: secrets(), modelsByRegion: MODELS, region: 'us-east-1', behaviour: 'slow', behaviourExtra: { slowMs: 20_000 } });
    try {
      const started = Date.now();
      await expect(fetch(`${slow.baseUrl}/models`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3000);
      // A second request left hanging when the server closes is cut too.
      const pending = fetch(`${slow.baseUrl}/models`, { signal: T() }).then(
        () => 'answered',
        () => 'failed',
      );
      await new Promise((r) => setTimeout(r, 100));
      const closing = Date.now();
      await slow.close();
      expect(Date.now() - closing).toBeLessThan(1000);
      expect(await pending).toBe('failed');
    } finally {
      await slow.close();
    }
  });

  it('shares a secrets map with STS: assumed-role credentials work on Mantle (SigV4 and minted key)', async () => {
    const shared = secrets();
    const sts = await startStsServer({ secrets: shared });
    const m = await startMantleServer({ secrets: shared, modelsByRegion: MODELS, region: 'us-east-1' });
    const c = new STSClient({ region: 'us-east-1', endpoint: sts.url, maxAttempts: 1, credentials: { accessKeyId: AKID, secretAccessKey: SECRET } });
    try {
      const out = await c.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444455556666:role/R', RoleSessionName: 's1' }), { abortSignal: T() });
      const temp = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
      const signed = await sendSigned({ url: `${m.baseUrl}/responses`, body: JSON.stringify(ping('openai.gpt-5.5')), credentials: temp });
      expect(signed.status).toBe(200);
      const key = await getToken({ credentials: temp, region: 'us-east-1', expiresInSeconds: 300 });
      expect((await sendBearer(`${m.baseUrl}/responses`, key)).status).toBe(200);
    } finally {
      c.destroy();
      await Promise.all([sts.close(), m.close()]);
    }
  });

  it('uses x-amz-date as the signing date (toAmzDate round trip)', () => {
    expect(toAmzDate(new Date('2026-11-25T10:56:44.123Z'))).toBe('20261125T105644Z');
  });
});
