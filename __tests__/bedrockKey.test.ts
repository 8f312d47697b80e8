import { describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { analyseBearerKey, type BearerKeyAnalysis } from '../src/auth/bedrockKey.js';
import { mintShortTermKey } from './helpers/mintKey.js';

/** The doctor's clock in every test. */
const NOW = new Date('2026-11-25T12:00:00Z');
const H = 3_600_000;
const MIN = 60_000;

// Canary fragments: none of them may ever show up in a finding or an info object.
const AKIA = { accessKeyId: 'AKIAZZCANARYMID12345', secretAccessKey: 'wJalrXUtnFEMI/SECRETCANARY/bPxRfiCYEXAMPLEKEY' };
const ASIA = {
  accessKeyId: 'ASIAQQSESSNMIDX6789A',
  secretAccessKey: 'tmpSecretCANARYtmpSecretCANARYtmpSecret0',
  sessionToken: 'IQoJb3JpZ2luX2VjSESSIONCANARY+abc/def==',
};
const LONG_SECRET = 'LongSecretCANARY+9f8e7d6c5b4a';

/** A real key minted at a known instant (see helpers/mintKey.ts). */
function mint(at: Date, opts: { region?: string; expiresInSeconds?: number; temporary?: boolean } = {}): Promise<string> {
  return mintShortTermKey(opts.temporary ? ASIA : AKIA, at, { region: opts.region ?? 'us-east-1', ...(opts.expiresInSeconds ? { expiresInSeconds: opts.expiresInSeconds } : {}) });
}

/** The generator refuses > 12 h, so over-long keys are presigned the same way with an explicit signingDate. */
async function presignDirect(at: Date, expiresIn: number): Promise<string> {
  const signer = new SignatureV4({ service: 'bedrock', region: 'us-east-1', credentials: AKIA, sha256: Hash.bind(null, 'sha256') });
  const req = new HttpRequest({ method: 'POST', protocol: 'https', hostname: 'bedrock.amazonaws.com', headers: { host: 'bedrock.amazonaws.com' }, path: '/', query: { Action: 'CallWithBearerToken' } });
  const p = await signer.presign(req, { expiresIn, signingDate: at });
  const qs = Object.entries(p.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  return 'bedrock-api-key-' + Buffer.from(`bedrock.amazonaws.com/?${qs}&Version=1`).toString('base64');
}

const decode = (token: string): string => Buffer.from(token.slice('bedrock-api-key-'.length), 'base64').toString('utf8');
const encode = (url: string): string => 'bedrock-api-key-' + Buffer.from(url).toString('base64');
/** Re-encode a real key after editing its presigned URL (to produce precisely one defect). */
function mutate(token: string, edit: (u: URL) => void): string {
  const u = new URL('https://' + decode(token));
  edit(u);
  return encode(u.toString().replace(/^https:\/\//, ''));
}
const codes = (a: BearerKeyAnalysis) => a.findings.map((f) => `${f.severity}:${f.code}`);

describe('real short-term keys from @aws/bedrock-token-generator', () => {
  it('happy path (AKIA, 12 h, minted 1 h ago): facts and one info with the remaining lifetime', async () => {
    const key = await mint(new Date(NOW.getTime() - H));
    expect(decode(key)).toContain('&Version=1');
    const a = analyseBearerKey(key, NOW, 'us-east-1');
    expect(a.kind).toBe('short-term');
    expect(a.effectiveKey).toBe(key);
    expect(a.shortTerm).toEqual({
      kind: 'short-term', region: 'us-east-1', accessKeyIdHint: 'AKIA…2345',
      issuedAt: new Date('2026-11-25T11:00:00Z'), expiresAt: new Date('2026-11-25T23:00:00Z'),
      lifetimeSeconds: 43_200, fromTemporaryCredentials: false, versionOutsideBase64: false,
    });
    expect(codes(a)).toEqual(['info:bearer.short.valid']);
    expect(a.findings[0]!.message).toContain('2026-11-25T23:00:00Z');
    expect(a.findings[0]!.message).toContain('11 h left');
  });

  it('ASIA credentials with a session token: notes that the session may end first', async () => {
    const key = await mint(new Date(NOW.getTime() - 2 * H), { temporary: true, region: 'eu-west-1', expiresInSeconds: 3 * H / 1000 });
    const a = analyseBearerKey(key, NOW, 'eu-west-1');
    expect(a.shortTerm).toMatchObject({ region: 'eu-west-1', accessKeyIdHint: 'ASIA…789A', fromTemporaryCredentials: true, lifetimeSeconds: 10_800 });
    expect(a.shortTerm!.expiresAt.toISOString()).toBe('2026-11-25T13:00:00.000Z');
    expect(codes(a)).toEqual(['info:bearer.short.temporary-credentials', 'info:bearer.short.valid']);
    expect(a.findings[1]!.message).toContain('1 h left');
  });

  const timeCases: Array<{ name: string; mintedAgoMs: number; expires: number; expected: string[]; says: string[] }> = [
    { name: 'expired 1 h ago', mintedAgoMs: 13 * H, expires: 43_200, expected: ['fail:bearer.short.expired'], says: ['2026-11-25T11:00:00Z', '1 h ago'] },
    { name: 'expired 90 s ago (15-min key)', mintedAgoMs: 16.5 * MIN, expires: 900, expected: ['fail:bearer.short.expired'], says: ['2026-11-25T11:58:30Z', '1 min 30 s ago'] },
    { name: 'expires exactly now', mintedAgoMs: H, expires: 3600, expected: ['fail:bearer.short.expired'], says: ['2026-11-25T12:00:00Z'] },
    { name: '10 min left', mintedAgoMs: 11 * H + 50 * MIN, expires: 43_200, expected: ['warn:bearer.short.near-expiry'], says: ['2026-11-25T12:10:00Z', 'in 10 min'] },
    { name: '14 min 59 s left', mintedAgoMs: 45 * MIN + 1000, expires: 3600, expected: ['warn:bearer.short.near-expiry'], says: ['14 min 59 s'] },
    { name: 'exactly 15 min left', mintedAgoMs: 45 * MIN, expires: 3600, expected: ['info:bearer.short.valid'], says: ['15 min left'] },
    { name: 'issued 10 min in the future', mintedAgoMs: -10 * MIN, expires: 43_200, expected: ['warn:bearer.short.future'], says: ['2026-11-25T12:10:00Z', '10 min in the future'] },
  ];
  it.each(timeCases)('$name', async ({ mintedAgoMs, expires, expected, says }) => {
    const key = await mint(new Date(NOW.getTime() - mintedAgoMs), { expiresInSeconds: expires });
    const a = analyseBearerKey(key, NOW, 'us-east-1');
    expect(a.kind).toBe('short-term');
    expect(a.shortTerm!.expiresAt.getTime()).toBe(NOW.getTime() - mintedAgoMs + expires * 1000);
    expect(codes(a)).toEqual(expected);
    for (const s of says) expect(a.findings[0]!.message).toContain(s);
  });

  it('key for another region fails, naming both regions', async () => {
    const key = await mint(new Date(NOW.getTime() - H), { region: 'eu-central-1' });
    const a = analyseBearerKey(key, NOW, 'us-west-2');
    expect(a.shortTerm!.region).toBe('eu-central-1');
    expect(codes(a)).toEqual(['fail:bearer.short.region-mismatch']);
    expect(a.findings[0]!.message).toMatch(/eu-central-1.*us-west-2/);
    expect(a.findings[0]!.fix).toContain('us-west-2');
  });

  it('no effective region: info naming the key region, key still valid', async () => {
    const a = analyseBearerKey(await mint(new Date(NOW.getTime() - H), { region: 'ap-south-1' }), NOW, null);
    expect(codes(a)).toEqual(['info:bearer.short.region-unset', 'info:bearer.short.valid']);
    expect(a.findings[0]!.fix).toContain('AWS_REGION=ap-south-1');
  });

  it('expired + wrong region + temporary: all reported, no "valid" info', async () => {
    const key = await mint(new Date(NOW.getTime() - 20 * H), { temporary: true, region: 'us-east-2' });
    expect(codes(analyseBearerKey(key, NOW, 'us-east-1'))).toEqual([
      'fail:bearer.short.expired', 'fail:bearer.short.region-mismatch', 'info:bearer.short.temporary-credentials',
    ]);
  });

  it('&Version=1 appended outside the base64, with and without padding', async () => {
    const real = await mint(new Date(NOW.getTime() - H));
    const url = decode(real).replace(/&Version=1$/, '');
    const b64 = Buffer.from(url).toString('base64');
    for (const body of [b64, b64.replace(/=+$/, '')]) {
      const a = analyseBearerKey(`bedrock-api-key-${body}&Version=1`, NOW, 'us-east-1');
      expect(a.shortTerm).toMatchObject({ versionOutsideBase64: true, region: 'us-east-1', lifetimeSeconds: 43_200 });
      expect(codes(a)).toEqual(['info:bearer.short.valid']);
    }
  });

  it('missing base64 padding on the official form is tolerated', async () => {
    // Pad-free variants need a URL whose byte length is not a multiple of 3; try two lifetimes.
    const keys = [await mint(NOW, { expiresInSeconds: 3600 }), await mint(NOW, { expiresInSeconds: 36_000 })];
    const padded = keys.find((k) => k.endsWith('='));
    if (!padded) throw new Error('no padded key to strip');
    const a = analyseBearerKey(padded.replace(/=+$/, ''), NOW, 'us-east-1');
    expect(a.kind).toBe('short-term');
    expect(codes(a)).toEqual(['info:bearer.short.valid']);
  });

  it('X-Amz-Expires above 12 h (presigned with @smithy/signature-v4) warns', async () => {
    const key = await presignDirect(new Date(NOW.getTime() - H), 86_400);
    const a = analyseBearerKey(key, NOW, 'us-east-1');
    expect(a.shortTerm).toMatchObject({ lifetimeSeconds: 86_400, expiresAt: new Date('2026-11-26T11:00:00Z') });
    expect(codes(a)).toEqual(['warn:bearer.short.lifetime-too-long']);
    expect(a.findings[0]!.message).toContain('1 d');
  });
});

describe('malformed short-term keys', () => {
  const cases: Array<[string, (k: string) => string, string, RegExp]> = [
    ['non-base64 characters', () => 'bedrock-api-key-%%%notbase64%%%', 'bearer.short.base64', /not base64/],
    ['URL-safe alphabet', (k) => `${k.slice(0, 40)}-${k.slice(41)}`, 'bearer.short.base64', /URL-safe/],
    ['truncated base64 (impossible length)', (k) => { const bare = k.replace(/=+$/, ''); return bare.slice(0, bare.length - ((bare.length - 16 - 1) % 4)); }, 'bearer.short.base64', /length/],
    ['nothing after the prefix', () => 'bedrock-api-key-', 'bearer.short.base64', /nothing follows/],
    ['binary payload', () => 'bedrock-api-key-' + Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x90]).toString('base64'), 'bearer.short.base64', /UTF-8|binary/],
    ['not a URL', () => encode('hello world, not a url at all'), 'bearer.short.url', /./],
    ['wrong host', (k) => mutate(k, (u) => { u.hostname = 'sts.amazonaws.com'; }), 'bearer.short.url', /sts\.amazonaws\.com/],
    ['wrong action', (k) => mutate(k, (u) => u.searchParams.set('Action', 'GetCallerIdentity')), 'bearer.short.url', /CallWithBearerToken/],
    ['missing signature', (k) => mutate(k, (u) => u.searchParams.delete('X-Amz-Signature')), 'bearer.short.missing-param', /X-Amz-Signature/],
    ['missing date and expires', (k) => mutate(k, (u) => { u.searchParams.delete('X-Amz-Date'); u.searchParams.delete('X-Amz-Expires'); }), 'bearer.short.missing-param', /X-Amz-Date, X-Amz-Expires/],
    ['signature not 64 hex digits', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Signature', u.searchParams.get('X-Amz-Signature')!.slice(0, 40))), 'bearer.short.signature', /X-Amz-Signature/],
    ['wrong service in scope', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Credential', u.searchParams.get('X-Amz-Credential')!.replace('/bedrock/', '/bedrock-mantle/'))), 'bearer.short.service', /bedrock-mantle/],
    ['scope with 4 fields', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Credential', u.searchParams.get('X-Amz-Credential')!.replace('/aws4_request', ''))), 'bearer.short.credential', /X-Amz-Credential/],
    ['scope date differs from X-Amz-Date', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Credential', u.searchParams.get('X-Amz-Credential')!.replace('/20261125/', '/20261124/'))), 'bearer.short.credential', /does not match/],
    ['non-numeric expires', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Expires', '12h')), 'bearer.short.expires', /X-Amz-Expires/],
    ['zero expires', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Expires', '0')), 'bearer.short.expires', /positive/],
    ['malformed date', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Date', '2026-11-25T11:00:00Z')), 'bearer.short.date', /X-Amz-Date/],
    ['impossible date', (k) => mutate(k, (u) => u.searchParams.set('X-Amz-Date', '20261131T110000Z')), 'bearer.short.date', /X-Amz-Date/],
  ];
  it.each(cases)('%s → fail %s', async (_name, make, code, reason) => {
    const key = make(await mint(new Date(NOW.getTime() - H)));
    const a = analyseBearerKey(key, NOW, 'us-east-1');
    expect(a.kind).toBe('short-term');
    expect(a.shortTerm).toBeUndefined();
    expect(codes(a)).toEqual([`fail:${code}`]);
    expect(a.findings[0]!.message).toMatch(reason);
  });
});

describe('hygiene: whitespace, quotes, empty, placeholders', () => {
  it.each(['', ' ', '\t', '\n', ' \r\n '])('empty after trimming (%j) → kind empty, one info', (raw) => {
    const a = analyseBearerKey(raw, NOW, 'us-east-1');
    expect(a).toEqual({ effectiveKey: null, kind: 'empty', findings: [expect.objectContaining({ severity: 'info', code: 'bearer.empty' })] });
    expect(a.findings[0]!.message).toMatch(/ignores.*IAM credentials/);
  });

  it.each([['trailing newline', (k: string) => `${k}\n`], ['spaces', (k: string) => `  ${k} `], ['tab', (k: string) => `\t${k}`]])(
    'surrounding whitespace (%s) → warn, key still analysed', async (_n, wrap) => {
      const key = await mint(new Date(NOW.getTime() - H));
      const a = analyseBearerKey(wrap(key), NOW, 'us-east-1');
      expect(a.effectiveKey).toBe(key);
      expect(codes(a)).toEqual(['warn:bearer.whitespace', 'info:bearer.short.valid']);
    });

  it.each([['double', '"'], ['single', "'"]])('%s quotes → fail (Codex sends them), key still analysed', async (_n, q) => {
    const key = await mint(new Date(NOW.getTime() - 13 * H));
    const a = analyseBearerKey(` ${q}${key}${q}\n`, NOW, 'us-east-1');
    expect(a.effectiveKey).toBe(`${q}${key}${q}`);
    expect(a.kind).toBe('short-term');
    expect(codes(a)).toEqual(['warn:bearer.whitespace', 'fail:bearer.quoted', 'fail:bearer.short.expired']);
    expect(a.findings[1]!.fix).toContain('~/.codex/.env');
  });

  it('a lone quote pair is still a quote failure, not "empty"', () => {
    const a = analyseBearerKey('""', NOW, 'us-east-1');
    expect(a.effectiveKey).toBe('""');
    expect(codes(a)).toEqual(['fail:bearer.quoted']);
  });

  it.each(['<your-bedrock-api-key>', 'your-api-key', 'YOUR_BEDROCK_API_KEY', 'xxxxxxxxxxxx', 'changeme', '...',
    'bedrock-api-key-...', 'bedrock-api-key-xxxx', 'ABSK…', '${AWS_BEARER_TOKEN_BEDROCK}', '<key>'])(
    'placeholder %j → fail', (raw) => {
      const a = analyseBearerKey(raw, NOW, 'us-east-1');
      expect(a.kind).toBe('unknown');
      expect(codes(a)).toEqual(['fail:bearer.placeholder']);
    });

  it('quoted placeholder reports both', () => {
    expect(codes(analyseBearerKey('"<your-bedrock-api-key>"', NOW, null))).toEqual(['fail:bearer.quoted', 'fail:bearer.placeholder']);
  });

  it('line break inside the key, or a leading BOM (Codex does not trim U+FEFF) → fail', async () => {
    const key = await mint(new Date(NOW.getTime() - H));
    for (const raw of [`${key.slice(0, 60)}\n${key.slice(60)}`, `\uFEFF${key}`]) {
      const a = analyseBearerKey(raw, NOW, 'us-east-1');
      expect(codes(a)).toEqual(['fail:bearer.inner-whitespace']);
    }
  });

  it.each(['AKIAIOSFODNN7EXAMPLE', 'sk-proj-abc123def456', 'eyJhbGciOiJIUzI1NiJ9.e30.sig'])('unknown format %j → warn', (raw) => {
    const a = analyseBearerKey(raw, NOW, 'us-east-1');
    expect(a.kind).toBe('unknown');
    expect(codes(a)).toEqual(['warn:bearer.unknown-format']);
  });
});

describe('long-term keys (ABSK…)', () => {
  const absk = (s: string) => 'ABSK' + Buffer.from(s).toString('base64');

  it.each([
    ['padded', absk('alice-at-123456789012:secret'), 'alice'],
    ['unpadded', absk('alice-at-123456789012:secret').replace(/=+$/, ''), 'alice'],
    ['user name containing -at-', absk('bob-at-work-at-210987654321:xyz'), 'bob-at-work'],
    ['console-style user name', absk('BedrockAPIKey-x7q2-at-123456789012:' + LONG_SECRET), 'BedrockAPIKey-x7q2'],
  ])('%s → user and account decoded, expiry unknown offline', (_n, key, user) => {
    expect(absk('alice-at-123456789012:secret').endsWith('=')).toBe(true); // the unpadded case is real
    const a = analyseBearerKey(key, NOW, 'us-east-1');
    expect(a.kind).toBe('long-term');
    expect(a.longTerm).toEqual({ kind: 'long-term', iamUser: user, accountId: user === 'bob-at-work' ? '210987654321' : '123456789012' });
    expect(codes(a)).toEqual(['info:bearer.long.expiry-unknown']);
    expect(a.findings[0]!.message).toMatch(/cannot be read offline/);
    expect(a.findings[0]!.fix).toContain('list-service-specific-credentials');
  });

  it.each([
    ['not base64', 'ABSK!!!!', /not base64/],
    ['no colon', absk('alice-at-123456789012'), /<iam-user>-at-<account-id>:<secret>/],
    ['empty secret', absk('alice-at-123456789012:'), /<secret>/],
    ['11-digit account', absk('alice-at-12345678901:secret'), /12-digit/],
    ['no -at-', absk('alice@123456789012:secret'), /12-digit/],
    ['truncated', absk('alice-at-123456789012:secret').slice(0, 13), /length/],
  ])('%s → fail bearer.long.malformed', (_n, key, reason) => {
    const a = analyseBearerKey(key, NOW, 'us-east-1');
    expect(a.kind).toBe('long-term');
    expect(a.longTerm).toBeUndefined();
    expect(codes(a)).toEqual(['fail:bearer.long.malformed']);
    expect(a.findings[0]!.message).toMatch(reason);
  });
});

describe('secrets never leak into findings or info', () => {
  it('no canary fragment appears in any string of any analysis', async () => {
    const at = new Date(NOW.getTime() - H);
    const perm = await mint(at);
    const temp = await mint(at, { temporary: true, region: 'eu-west-1' });
    const longKey = 'ABSK' + Buffer.from(`canaryuser-at-123456789012:${LONG_SECRET}`).toString('base64');
    const keys = [
      perm, temp, `"${temp}"\n`, await mint(new Date(NOW.getTime() - 20 * H), { temporary: true }),
      mutate(temp, (u) => u.searchParams.delete('X-Amz-Date')), mutate(temp, (u) => u.searchParams.set('X-Amz-Expires', 'x')),
      temp.slice(0, -7), longKey, longKey.slice(0, -2) + '!', 'ABSK' + Buffer.from(`nouser:${LONG_SECRET}`).toString('base64'),
    ];
    const canaries = [AKIA.accessKeyId, ASIA.accessKeyId, 'CANARYMID', 'SESSNMIDX', 'SECRETCANARY', 'SESSIONCANARY', 'LongSecretCANARY', LONG_SECRET];
    for (const k of [perm, temp]) {
      const q = new URL('https://' + decode(k)).searchParams;
      const sig = q.get('X-Amz-Signature')!;
      canaries.push(sig, sig.slice(0, 12), sig.slice(-12), k, k.slice(16, 56), k.slice(-40));
    }
    canaries.push(ASIA.sessionToken, encodeURIComponent(ASIA.sessionToken), longKey.slice(4, 40));
    for (const key of keys) {
      for (const region of ['us-east-1', 'eu-west-1', null]) {
        const { effectiveKey: _sent, ...rest } = analyseBearerKey(key, NOW, region);
        const text = JSON.stringify(rest);
        for (const c of canaries) expect(text).not.toContain(c);
      }
    }
    // The hint is the only trace of the access key id.
    expect(JSON.stringify(analyseBearerKey(perm, NOW, 'us-east-1'))).toContain('AKIA…2345');
  });
});
