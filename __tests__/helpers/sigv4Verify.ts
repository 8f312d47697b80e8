/**
 * Test-side verification of AWS Signature Version 4, used by the loopback STS and Mantle servers.
 *
 * Nothing here trusts the client: the request is rebuilt from the headers the client says it signed,
 * signed again with the known test secret at the request's own `x-amz-date`, and the two signatures
 * are compared in constant time. Short-term Bedrock API keys (presigned URLs) are verified the same
 * way, by presigning the URL again.
 *
 * The second half of the file holds the small bits of HTTP plumbing the two servers share
 * (request recording, socket tracking, cancellable sleeps).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** A known test credential. `expiration` marks temporary credentials whose session has an end. */
export interface SecretEntry {
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Access key id → secret. Servers may add entries (STS AssumeRole does). */
export type SecretMap = Map<string, SecretEntry>;

export interface VerifiableRequest {
  method: string;
  /** Path as received on the wire, including the query string (`/a/b?x=1`). */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer | Uint8Array | string;
}

export type VerifyFailureCode =
  | 'MissingAuth'
  | 'UnknownKey'
  | 'SignatureDoesNotMatch'
  | 'SignatureExpired'
  | 'WrongService'
  | 'WrongRegion'
  | 'BadToken'
  | 'ExpiredToken'
  | 'Malformed';

export interface VerifyFailure {
  ok: false;
  code: VerifyFailureCode;
  message: string;
  /** Filled when the request got far enough to name them. */
  accessKeyId?: string;
  region?: string;
}

export interface SigV4Success {
  ok: true;
  accessKeyId: string;
  region: string;
  service: string;
  signingDate: Date;
  sessionToken?: string;
  signedHeaders: string[];
}

export type SigV4Result = SigV4Success | VerifyFailure;

export interface VerifySigV4Options {
  /** Accepted signing service name(s) in the credential scope. */
  service: string | readonly string[];
  secrets: SecretMap;
  now: Date;
  /** Allowed distance between `x-amz-date` and `now`, either way. Default 300 s, as AWS. */
  maxSkewSeconds?: number;
  /** When set, the credential scope must name this region. */
  expectedRegion?: string;
  /**
   * Headers the receiving service drops before verifying (Mantle drops names containing `_`).
   * A signed header that is dropped is canonicalised as an empty value, so the signature fails.
   */
  dropHeader?: (lowercaseName: string) => boolean;
  /** S3 signs the path as is; every other service escapes it once more. Default true. */
  uriEscapePath?: boolean;
}

export interface BearerSuccess {
  ok: true;
  accessKeyId: string;
  region: string;
  issuedAt: Date;
  expiresAt: Date;
  sessionToken?: string;
  /** Where `Version=1` sat: inside the base64 (official generator), appended outside it, or absent. */
  versionPlacement: 'inside' | 'outside' | 'none';
}

export type BearerResult = BearerSuccess | VerifyFailure;

export interface VerifyBearerOptions {
  secrets: SecretMap;
  now: Date;
  /** When set, the key's credential scope must name this region (keys only work where issued). */
  expectedRegion?: string;
  /** Tolerance for keys issued in the future. Default 300 s. */
  maxSkewSeconds?: number;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const ALGORITHM = 'AWS4-HMAC-SHA256';
const sha256Ctor = Hash.bind(null, 'sha256');

/** `Date` → `YYYYMMDDTHHMMSSZ`. */
export function toAmzDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** `YYYYMMDDTHHMMSSZ` → `Date`, or undefined when malformed. */
export function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  return toAmzDate(date) === s ? date : undefined;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : String(v);
}

function fail(code: VerifyFailureCode, message: string, extra: Partial<VerifyFailure> = {}): VerifyFailure {
  return { ok: false, code, message, ...extra };
}

function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    // Still spend a comparison so timing does not reveal the length check.
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Raw query string → the shape `HttpRequest.query` wants (values decoded, repeats as arrays). */
export function parseQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

function skewMessages(date: Date, now: Date, maxSkewSeconds: number): string | undefined {
  const skewMs = maxSkewSeconds * 1000;
  const minutes = `${Math.round(maxSkewSeconds / 60)} min.`;
  if (date.getTime() < now.getTime() - skewMs) {
    return `Signature expired: ${toAmzDate(date)} is now earlier than ${toAmzDate(new Date(now.getTime() - skewMs))} (${toAmzDate(now)} - ${minutes})`;
  }
  if (date.getTime() > now.getTime() + skewMs) {
    return `Signature not yet current: ${toAmzDate(date)} is still later than ${toAmzDate(new Date(now.getTime() + skewMs))} (${toAmzDate(now)} + ${minutes})`;
  }
  return undefined;
}

interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(value: string): CredentialScope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string, string];
  if (!accessKeyId || !/^\d{8}$/.test(date) || !region || !service) return undefined;
  return { accessKeyId, date, region, service };
}

// ---------------------------------------------------------------------------------------------
// SigV4 (Authorization header)
// ---------------------------------------------------------------------------------------------

/**
 * Verifies a SigV4 `Authorization: AWS4-HMAC-SHA256 ...` request against the known secrets.
 * Checks, in order: header syntax, key, session token, credential expiry, scope date/service/region,
 * date window, payload hash, signature.
 */
export async function verifySigV4(req: VerifiableRequest, opts: VerifySigV4Options): Promise<SigV4Result> {
  const maxSkewSeconds = opts.maxSkewSeconds ?? 300;
  const services = typeof opts.service === 'string' ? [opts.service] : [...opts.service];
  const authorization = headerValue(req.headers, 'authorization');
  if (!authorization) return fail('MissingAuth', 'Missing Authentication Token');

  const m = /^(\S+)\s+(.*)$/s.exec(authorization.trim());
  if (!m || m[1] !== ALGORITHM) {
    return fail('Malformed', `Unsupported or malformed Authorization header (expected ${ALGORITHM}).`);
  }
  const params = new Map<string, string>();
  for (const piece of (m[2] ?? '').split(',')) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    params.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!params.get(required)) {
      return fail('Malformed', `Authorization header requires '${required}' parameter.`);
    }
  }
  const scope = parseCredential(params.get('Credential')!);
  if (!scope) return fail('Malformed', 'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request.');
  const claimedSignature = params.get('Signature')!;
  const signedHeaders = params.get('SignedHeaders')!.split(';');
  const where = { accessKeyId: scope.accessKeyId, region: scope.region };
  if (signedHeaders.some((h) => h === '' || h !== h.toLowerCase())) {
    return fail('Malformed', 'SignedHeaders must be lower-case names separated by semicolons.', where);
  }
  if (!signedHeaders.includes('host')) {
    return fail('Malformed', "'Host' must be a 'SignedHeader' in the AWS Authorization.", where);
  }

  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (!amzDate) {
    return fail('Malformed', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", where);
  }
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) return fail('Malformed', `Invalid X-Amz-Date '${amzDate}'.`, where);

  const secret = opts.secrets.get(scope.accessKeyId);
  if (!secret) return fail('UnknownKey', 'The security token included in the request is invalid.', where);

  const token = headerValue(req.headers, 'x-amz-security-token');
  if (secret.sessionToken !== undefined || token !== undefined) {
    if (token === undefined || secret.sessionToken === undefined || !safeEqualHex(token, secret.sessionToken)) {
      return fail('BadToken', 'The security token included in the request is invalid.', where);
    }
    if (!signedHeaders.includes('x-amz-security-token')) {
      return fail('BadToken', "'x-amz-security-token' must be a 'SignedHeader' when a session token is used.", where);
    }
  }
  if (secret.expiration && secret.expiration.getTime() <= opts.now.getTime()) {
    return fail('ExpiredToken', 'The security token included in the request is expired', where);
  }

  if (scope.date !== amzDate.slice(0, 8)) {
    return fail(
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      where,
    );
  }
  if (!services.includes(scope.service)) {
    return fail('WrongService', `Credential should be scoped to correct service: '${services[0]}'. `, where);
  }
  if (opts.expectedRegion !== undefined && scope.region !== opts.expectedRegion) {
    return fail('WrongRegion', `Credential should be scoped to a valid region, not '${scope.region}'. `, where);
  }
  const skew = skewMessages(signingDate, opts.now, maxSkewSeconds);
  if (skew) return fail('SignatureExpired', skew, where);

  // Payload: hash what actually arrived; a signed x-amz-content-sha256 must agree with it.
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body);
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const claimedPayloadHash = headerValue(req.headers, 'x-amz-content-sha256');
  if (signedHeaders.includes('x-amz-content-sha256') && claimedPayloadHash !== undefined) {
    if (claimedPayloadHash !== bodyHash && claimedPayloadHash !== 'UNSIGNED-PAYLOAD') {
      return fail('SignatureDoesNotMatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", where);
    }
  }

  // Rebuild the request from the signed headers only.
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    if (name === 'authorization') continue;
    const dropped = opts.dropHeader?.(name) ?? false;
    headers[name] = dropped ? '' : (headerValue(req.headers, name) ?? '');
  }
  const q = req.path.indexOf('?');
  const path = q < 0 ? req.path : req.path.slice(0, q);
  const query = q < 0 ? {} : parseQuery(req.path.slice(q + 1));
  const hostHeader = headers['host'] ?? '';
  const request = new HttpRequest({
    method: req.method.toUpperCase(),
    protocol: 'https:',
    hostname: hostHeader.replace(/:\d+$/, ''),
    path: path || '/',
    query,
    headers,
    // An empty body hashes like an absent one; pass bytes so the signer hashes exactly what arrived.
    body: body.length > 0 ? body : undefined,
  });

  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    // The token (if any) is already among the signed headers; do not let the signer add it again.
    credentials: { accessKeyId: scope.accessKeyId, secretAccessKey: secret.secretAccessKey },
    sha256: sha256Ctor,
    applyChecksum: false,
    uriEscapePath: opts.uriEscapePath ?? true,
  });
  const signed = await signer.sign(request, {
    signingDate,
    signingRegion: scope.region,
    signingService: scope.service,
    signableHeaders: new Set(signedHeaders),
  });
  const expectedAuth = String(signed.headers['authorization'] ?? '');
  const expectedSignature = /Signature=([0-9a-f]+)/.exec(expectedAuth)?.[1] ?? '';
  const expectedSignedHeaders = /SignedHeaders=([^,]+)/.exec(expectedAuth)?.[1] ?? '';
  const sameHeaders = expectedSignedHeaders === [...signedHeaders].sort().join(';');
  if (!safeEqualHex(expectedSignature, claimedSignature) || !sameHeaders) {
    return fail(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      where,
    );
  }
  return {
    ok: true,
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    signingDate,
    ...(token !== undefined ? { sessionToken: token } : {}),
    signedHeaders,
  };
}

// ---------------------------------------------------------------------------------------------
// Short-term Bedrock API keys (presigned CallWithBearerToken URLs)
// ---------------------------------------------------------------------------------------------

const KEY_PREFIX = 'bedrock-api-key-';
const KEY_HOST = 'bedrock.amazonaws.com';
const PRESIGN_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

function decodeBase64Strict(s: string): Buffer | undefined {
  const t = s.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length === 0) return undefined;
  const unpadded = t.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  return Buffer.from(unpadded, 'base64');
}

/**
 * Verifies a short-term Bedrock API key (`bedrock-api-key-` + base64 of a presigned
 * `bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-...` URL) by presigning the same URL
 * again with the known secret, at the key's own date and lifetime. `&Version=1` may sit inside the
 * base64 (as @aws/bedrock-token-generator writes it) or be appended after it; it is not signed.
 */
export async function verifyPresignedBearerKey(key: string, opts: VerifyBearerOptions): Promise<BearerResult> {
  const maxSkewSeconds = opts.maxSkewSeconds ?? 300;
  if (!key.startsWith(KEY_PREFIX)) return fail('Malformed', 'Not a short-term Bedrock API key.');
  let rest = key.slice(KEY_PREFIX.length);
  let versionPlacement: BearerSuccess['versionPlacement'] = 'none';
  const amp = rest.indexOf('&');
  if (amp >= 0) {
    const outside = rest.slice(amp + 1);
    if (!/^Version=\d+$/.test(outside)) return fail('Malformed', 'Unexpected text after the base64 part of the key.');
    versionPlacement = 'outside';
    rest = rest.slice(0, amp);
  }
  const raw = decodeBase64Strict(rest);
  if (!raw) return fail('Malformed', 'The key is not valid base64.');
  let url = raw.toString('utf8');
  if (Buffer.from(url, 'utf8').compare(raw) !== 0) return fail('Malformed', 'The key does not decode to UTF-8 text.');
  url = url.replace(/^https:\/\//, '');
  if (!url.startsWith(`${KEY_HOST}/?`)) return fail('Malformed', `The key does not decode to a ${KEY_HOST} presigned URL.`);
  const queryString = url.slice(`${KEY_HOST}/?`.length);
  const query = parseQuery(queryString);
  const one = (k: string): string | undefined => {
    const v = query[k];
    return Array.isArray(v) ? undefined : v;
  };
  if (one('Version') !== undefined) {
    if (versionPlacement === 'outside') return fail('Malformed', 'Version appears both inside and outside the key.');
    versionPlacement = 'inside';
  }
  if (one('Action') !== 'CallWithBearerToken') return fail('Malformed', 'The presigned URL is not for Action=CallWithBearerToken.');
  if (one('X-Amz-Algorithm') !== ALGORITHM) return fail('Malformed', `X-Amz-Algorithm must be ${ALGORITHM}.`);
  for (const p of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
    if (!one(p)) return fail('Malformed', `The presigned URL lacks ${p}.`);
  }
  const scope = parseCredential(one('X-Amz-Credential')!);
  if (!scope) return fail('Malformed', 'X-Amz-Credential is malformed.');
  const where = { accessKeyId: scope.accessKeyId, region: scope.region };
  const issuedAt = parseAmzDate(one('X-Amz-Date')!);
  if (!issuedAt) return fail('Malformed', 'X-Amz-Date is malformed.', where);
  if (scope.date !== one('X-Amz-Date')!.slice(0, 8)) return fail('SignatureDoesNotMatch', 'Date in Credential scope does not match X-Amz-Date.', where);
  const expiresText = one('X-Amz-Expires')!;
  const expires = /^\d+$/.test(expiresText) ? Number(expiresText) : NaN;
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) return fail('Malformed', 'X-Amz-Expires is out of range.', where);
  const expiresAt = new Date(issuedAt.getTime() + expires * 1000);
  if (scope.service !== 'bedrock') return fail('WrongService', "Credential should be scoped to correct service: 'bedrock'. ", where);
  if (opts.expectedRegion !== undefined && scope.region !== opts.expectedRegion) {
    return fail('WrongRegion', `The key was issued for region '${scope.region}', not '${opts.expectedRegion}'.`, where);
  }
  if (expiresAt.getTime() <= opts.now.getTime()) {
    return fail('SignatureExpired', `Signature expired: ${toAmzDate(expiresAt)} is now earlier than ${toAmzDate(opts.now)}`, where);
  }
  if (issuedAt.getTime() > opts.now.getTime() + maxSkewSeconds * 1000) {
    return fail('SignatureExpired', `Signature not yet current: ${toAmzDate(issuedAt)} is still later than ${toAmzDate(opts.now)}`, where);
  }

  const secret = opts.secrets.get(scope.accessKeyId);
  if (!secret) return fail('UnknownKey', 'The security token included in the request is invalid.', where);
  const token = one('X-Amz-Security-Token');
  if (secret.sessionToken !== undefined || token !== undefined) {
    if (token === undefined || secret.sessionToken === undefined || !safeEqualHex(token, secret.sessionToken)) {
      return fail('BadToken', 'The security token included in the request is invalid.', where);
    }
  }
  if (secret.expiration && secret.expiration.getTime() <= opts.now.getTime()) {
    return fail('ExpiredToken', 'The security token included in the request is expired', where);
  }

  const signedHeaderNames = one('X-Amz-SignedHeaders')!.split(';');
  if (signedHeaderNames.length !== 1 || signedHeaderNames[0] !== 'host') {
    return fail('SignatureDoesNotMatch', 'Only the host header can be signed in a Bedrock API key.', where);
  }
  // The parameters that were signed besides the X-Amz-* ones presign adds itself.
  const signedQuery: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(query)) {
    if (!PRESIGN_PARAMS.has(k) && k !== 'Version') signedQuery[k] = v;
  }
  const candidates: Array<Record<string, string | string[]>> = [signedQuery];
  if (versionPlacement === 'inside') candidates.push({ ...signedQuery, Version: query['Version']! });

  const signer = new SignatureV4({
    service: 'bedrock',
    region: scope.region,
    credentials: {
      accessKeyId: scope.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      ...(token !== undefined ? { sessionToken: token } : {}),
    },
    sha256: sha256Ctor,
    applyChecksum: false,
  });
  const claimed = one('X-Amz-Signature')!;
  for (const method of ['POST', 'GET']) {
    for (const q of candidates) {
      const presigned = await signer.presign(
        new HttpRequest({ method, protocol: 'https:', hostname: KEY_HOST, path: '/', query: q, headers: { host: KEY_HOST } }),
        { signingDate: issuedAt, expiresIn: expires, signingRegion: scope.region, signingService: 'bedrock' },
      );
      const sig = presigned.query?.['X-Amz-Signature'];
      if (typeof sig === 'string' && safeEqualHex(sig, claimed)) {
        return {
          ok: true,
          accessKeyId: scope.accessKeyId,
          region: scope.region,
          issuedAt,
          expiresAt,
          ...(token !== undefined ? { sessionToken: token } : {}),
          versionPlacement,
        };
      }
    }
  }
  return fail('SignatureDoesNotMatch', 'The presigned signature in the key does not match.', where);
}

// ---------------------------------------------------------------------------------------------
// Shared loopback-server plumbing
// ---------------------------------------------------------------------------------------------

/** What a server saw. Headers are kept raw (authorization included) so tests can assert on them. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: Date;
  /** How the request authenticated, filled by the server once it has decided. */
  auth?: {
    kind: 'sigv4' | 'bearer-short-term' | 'bearer-long-term' | 'bearer-unknown' | 'none';
    ok: boolean;
    code?: VerifyFailureCode;
    accessKeyId?: string;
    region?: string;
  };
}

export interface LoopbackServer {
  server: http.Server;
  url: string;
  port: number;
  /** Aborted when close() starts; pending sleeps reject with it. */
  signal: AbortSignal;
  close(): Promise<void>;
}

export type LoopbackHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  signal: AbortSignal,
) => Promise<void>;

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Starts an HTTP server on 127.0.0.1:0 whose close() never waits on clients: it destroys sockets. */
export async function startLoopback(handler: LoopbackHandler): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const abort = new AbortController();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.socket.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      handler(req, res, Buffer.concat(chunks), abort.signal).catch(() => {
        if (abort.signal.aborted || res.headersSent) {
          req.socket.destroy();
          return;
        }
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        res.end('loopback test server error');
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    signal: abort.signal,
    close() {
      closing ??= new Promise<void>((resolve) => {
        abort.abort(new Error('server closed'));
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

/** Sleeps `ms`, or rejects as soon as `signal` aborts (server closing). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Drops the connection with a TCP reset where the platform allows it. */
export function resetSocket(req: IncomingMessage): void {
  const s = req.socket as Socket & { resetAndDestroy?: () => Socket };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

export function recordRequest(req: IncomingMessage, body: Buffer, now: Date): RecordedRequest {
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: { ...req.headers },
    body: body.toString('utf8'),
    receivedAt: now,
  };
}

/** A port on 127.0.0.1 that refuses connections (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
