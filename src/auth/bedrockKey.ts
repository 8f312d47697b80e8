/**
 * Offline analysis of an `AWS_BEARER_TOKEN_BEDROCK` value (SPEC §3 "Bearer key hygiene", §4 `auth.token`).
 *
 * Pure: no I/O, no clock of its own. Nothing the caller could print (messages, fixes, info objects) ever
 * contains the key, the SigV4 signature, a session token or the secret half of a long-term key; the access
 * key id only appears as first 4 + '…' + last 4.
 */

import { accessKeyHint, formatDuration, formatTime } from '../format.js';

export type BearerKeyFinding = { severity: 'fail' | 'warn' | 'info'; code: string; message: string; fix?: string };
export interface ShortTermKeyInfo {
  kind: 'short-term';
  region: string;
  accessKeyIdHint: string /* first4…last4 */;
  issuedAt: Date;
  expiresAt: Date;
  lifetimeSeconds: number;
  fromTemporaryCredentials: boolean;
  versionOutsideBase64: boolean;
}
export interface LongTermKeyInfo { kind: 'long-term'; iamUser: string; accountId: string }
export interface BearerKeyAnalysis {
  /** The value Codex would send after its own hygiene: surrounding whitespace trimmed; null when empty after trimming (Codex then ignores the variable). */
  effectiveKey: string | null;
  kind: 'short-term' | 'long-term' | 'unknown' | 'empty';
  shortTerm?: ShortTermKeyInfo;
  longTerm?: LongTermKeyInfo;
  findings: BearerKeyFinding[];
}

const SHORT_PREFIX = 'bedrock-api-key-';
const LONG_PREFIX = 'ABSK';
/** AWS caps short-term keys (and the official generator's expiresInSeconds) at 12 h. */
const MAX_LIFETIME_S = 43_200;
/** Same threshold the doctor uses for IAM credentials: under 15 minutes left is worth a warning. */
const NEAR_EXPIRY_MS = 15 * 60 * 1000;

// Codex is Rust and trims with `str::trim`, i.e. Unicode White_Space. That set differs from JS `\s`:
// it includes U+0085 and excludes U+FEFF (a BOM is NOT trimmed by Codex, so it would be sent).
const WS = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM_RE = new RegExp(`^${WS}+|${WS}+$`, 'g');

/** Trims a bearer key exactly as Codex does (Rust `str::trim`). */
export const codexTrim = (value: string): string => value.replace(TRIM_RE, '');
const INNER_BAD_RE = new RegExp(`${WS}|[\\u0000-\\u001f\\u007f\\ufeff]`);

const PLACEHOLDERS: RegExp[] = [
  /^<.*>$/, // <your-bedrock-api-key>
  /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/, // an unexpanded $VAR / ${VAR}
  /your[-_ ]?(aws[-_ ]?)?(bedrock[-_ ]?)?(api[-_ ]?)?(key|token)/i,
  /^[xX*]{3,}$/, // xxxx, ****
  /\.\.\.|…/, // base64 and presigned URLs never contain '...', so an ellipsis means an elided example
  /^(changeme|change[-_]me|replace[-_ ]?me|placeholder|todo|dummy|example|null|undefined|none|token|key)$/i,
];

const fmtTime = formatTime;
const hint = accessKeyHint;

/** Strict standard-alphabet base64 → UTF-8 text, or a reason (never containing the input). */
function decodeBase64(b64: string): { text: string } | { reason: string } {
  if (b64.length === 0) return { reason: 'nothing follows the prefix' };
  if (/[-_]/.test(b64)) return { reason: "it uses the URL-safe base64 alphabet ('-' or '_') instead of the standard one" };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return { reason: 'it contains characters that are not base64' };
  const bare = b64.replace(/=+$/, '');
  if (bare.length % 4 === 1 || (b64.length !== bare.length && b64.length % 4 !== 0)) {
    return { reason: 'its base64 length is impossible (truncated or over-padded; was it copied only partly?)' };
  }
  try {
    // Buffer tolerates missing padding; fatal TextDecoder rejects bytes that are not text.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(bare, 'base64'));
    if (/[\u0000-\u001f\u007f]/.test(text)) return { reason: 'its base64 decodes to binary data, not text' };
    return { text };
  } catch {
    return { reason: 'its base64 decodes to bytes that are not UTF-8 text' };
  }
}

function analyseShortTerm(body: string, now: Date, region: string | null, out: BearerKeyFinding[]): ShortTermKeyInfo | undefined {
  const mintFix = 'Mint a new short-term key (Bedrock console, or `getToken` from @aws/bedrock-token-generator) and set AWS_BEARER_TOKEN_BEDROCK to it.';
  const bad = (code: string, why: string): undefined => {
    out.push({ severity: 'fail', code, message: `AWS_BEARER_TOKEN_BEDROCK looks like a short-term Bedrock API key, but ${why}; Bedrock will reject it.`, fix: mintFix });
    return undefined;
  };
  // The official generator appends "&Version=1" before base64-encoding; some tools append it to the
  // encoded text instead. Both forms are in circulation, so accept either.
  const outside = /&Version=1$/.test(body);
  const decoded = decodeBase64(outside ? body.slice(0, -'&Version=1'.length) : body);
  if ('reason' in decoded) return bad('bearer.short.base64', decoded.reason);

  let url: URL;
  try {
    url = new URL(/^https?:\/\//.test(decoded.text) ? decoded.text : `https://${decoded.text}`);
  } catch {
    return bad('bearer.short.url', 'it does not decode to a presigned URL');
  }
  if (url.hostname !== 'bedrock.amazonaws.com' || url.pathname !== '/') {
    return bad('bearer.short.url', `it decodes to a URL for ${url.hostname || 'no host'} instead of bedrock.amazonaws.com/`);
  }
  const q = url.searchParams;
  if (q.get('Action') !== 'CallWithBearerToken') return bad('bearer.short.url', 'its presigned URL is not for Action=CallWithBearerToken');
  const required = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Signature'];
  const missing = required.filter((p) => !q.get(p));
  if (missing.length) return bad('bearer.short.missing-param', `its presigned URL lacks ${missing.join(', ')}`);
  // A SigV4 signature is always 64 lowercase hex digits; anything else means a cut or edited key.
  if (!/^[0-9a-f]{64}$/.test(q.get('X-Amz-Signature') ?? '')) return bad('bearer.short.signature', 'its X-Amz-Signature is not a 64-digit hex SigV4 signature (cut or edited?)');

  // X-Amz-Credential = AKID/yyyymmdd/region/service/aws4_request (URL-decoded by URLSearchParams).
  const scope = (q.get('X-Amz-Credential') ?? '').split('/');
  const [akid = '', scopeDate = '', keyRegion = '', service = '', terminator = ''] = scope;
  if (scope.length !== 5 || !akid || !/^\d{8}$/.test(scopeDate) || !keyRegion || terminator !== 'aws4_request') {
    return bad('bearer.short.credential', 'its X-Amz-Credential is not AKID/date/region/service/aws4_request');
  }
  if (service !== 'bedrock') {
    return bad('bearer.short.service', `it was signed for service "${service}" instead of "bedrock"`);
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get('X-Amz-Date') ?? '');
  const issuedAt = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : null;
  if (!m || !issuedAt || fmtTime(issuedAt).replace(/[-:]/g, '') !== m[0]) {
    return bad('bearer.short.date', 'its X-Amz-Date is not a valid yyyymmddThhmmssZ time');
  }
  if (!m[0].startsWith(scopeDate)) return bad('bearer.short.credential', 'the date in its X-Amz-Credential does not match X-Amz-Date');
  const expiresRaw = q.get('X-Amz-Expires') ?? '';
  if (!/^\d+$/.test(expiresRaw) || Number(expiresRaw) <= 0) {
    return bad('bearer.short.expires', 'its X-Amz-Expires is not a positive whole number of seconds');
  }

  const lifetimeSeconds = Number(expiresRaw);
  const expiresAt = new Date(issuedAt.getTime() + lifetimeSeconds * 1000);
  // SigV4 session credentials are ASIA… ids and always travel with X-Amz-Security-Token.
  const fromTemporaryCredentials = akid.startsWith('ASIA') || q.has('X-Amz-Security-Token');
  const info: ShortTermKeyInfo = {
    kind: 'short-term', region: keyRegion, accessKeyIdHint: hint(akid), issuedAt, expiresAt,
    lifetimeSeconds, fromTemporaryCredentials, versionOutsideBase64: outside,
  };
  const leftMs = expiresAt.getTime() - now.getTime();
  const skewMs = issuedAt.getTime() - now.getTime();
  const before = out.length;

  if (lifetimeSeconds > MAX_LIFETIME_S) out.push({
    severity: 'warn', code: 'bearer.short.lifetime-too-long',
    message: `The key claims a lifetime of ${formatDuration(lifetimeSeconds * 1000)} (X-Amz-Expires=${lifetimeSeconds}), more than the 12 h maximum for short-term Bedrock API keys; it was not made by the official generator and Bedrock may reject it.`,
    fix: mintFix,
  });
  if (leftMs <= 0) out.push({
    severity: 'fail', code: 'bearer.short.expired',
    message: `The short-term Bedrock API key expired at ${fmtTime(expiresAt)} (${formatDuration(leftMs)} ago).`,
    fix: mintFix,
  });
  else if (leftMs < NEAR_EXPIRY_MS) out.push({
    severity: 'warn', code: 'bearer.short.near-expiry',
    message: `The short-term Bedrock API key expires at ${fmtTime(expiresAt)}, in ${formatDuration(leftMs)}; a Codex session started now will fail when it does.`,
    fix: mintFix,
  });
  if (skewMs > 0) out.push({
    severity: 'warn', code: 'bearer.short.future',
    message: `The key was issued at ${fmtTime(issuedAt)}, ${formatDuration(skewMs)} in the future by this machine's clock: this clock or the one that minted the key is wrong, and AWS rejects signatures dated too far from its own time.`,
    fix: 'Sync the system clock (NTP), then mint the key again if needed.',
  });
  // A short-term key is a presigned URL whose scope names one Region; Bedrock verifies it there only.
  if (region === null) out.push({
    severity: 'info', code: 'bearer.short.region-unset',
    message: `The key was minted for ${keyRegion} and only works there; no effective region is set for Codex.`,
    fix: `Set AWS_REGION=${keyRegion} (or model_providers.amazon-bedrock.aws.region = "${keyRegion}").`,
  });
  else if (region !== keyRegion) out.push({
    severity: 'fail', code: 'bearer.short.region-mismatch',
    message: `The key was minted for ${keyRegion}, but Codex will use ${region}; short-term keys only work in the Region that issued them.`,
    fix: `Mint a key in ${region}, or set the region to ${keyRegion} (AWS_REGION or model_providers.amazon-bedrock.aws.region).`,
  });
  if (fromTemporaryCredentials) out.push({
    severity: 'info', code: 'bearer.short.temporary-credentials',
    message: `The key was minted from temporary credentials (${info.accessKeyIdHint}); it stops working when that session ends, which may be before ${fmtTime(expiresAt)}.`,
  });
  if (!out.slice(before).some((f) => f.severity !== 'info') && leftMs > 0) out.push({
    severity: 'info', code: 'bearer.short.valid',
    message: `Short-term Bedrock API key for ${keyRegion} (access key ${info.accessKeyIdHint}), issued ${fmtTime(issuedAt)}, valid until ${fmtTime(expiresAt)}: ${formatDuration(leftMs)} left.`,
  });
  return info;
}

function analyseLongTerm(body: string, out: BearerKeyFinding[]): LongTermKeyInfo | undefined {
  const fail = (why: string): undefined => {
    out.push({
      severity: 'fail', code: 'bearer.long.malformed',
      message: `AWS_BEARER_TOKEN_BEDROCK looks like a long-term Bedrock API key (ABSK…), but ${why}; Bedrock will reject it.`,
      fix: 'Copy the key again from the Bedrock console (it is shown once), or create a new long-term key.',
    });
    return undefined;
  };
  const decoded = decodeBase64(body);
  if ('reason' in decoded) return fail(decoded.reason);
  // <iam-user>-at-<account-id>:<secret>. IAM user names cannot contain ':', so the first ':' splits.
  const colon = decoded.text.indexOf(':');
  if (colon < 0 || colon === decoded.text.length - 1) return fail('it does not decode to <iam-user>-at-<account-id>:<secret>');
  const m = /^([\w+=,.@-]{1,64})-at-(\d{12})$/.exec(decoded.text.slice(0, colon));
  if (!m) return fail('the part before the secret is not <iam-user>-at-<12-digit account id>');
  const info: LongTermKeyInfo = { kind: 'long-term', iamUser: m[1]!, accountId: m[2]! };
  out.push({
    severity: 'info', code: 'bearer.long.expiry-unknown',
    message: `Long-term Bedrock API key of IAM user ${info.iamUser} in account ${info.accountId}; its expiry is not stored in the key and cannot be read offline.`,
    fix: `aws iam list-service-specific-credentials --user-name ${info.iamUser} --service-name bedrock.amazonaws.com`,
  });
  return info;
}

/** rawValue is the variable exactly as set; now is the clock; effectiveRegion is the region Codex will use (or null). */
export function analyseBearerKey(rawValue: string, now: Date, effectiveRegion: string | null): BearerKeyAnalysis {
  const findings: BearerKeyFinding[] = [];
  const trimmed = rawValue.replace(TRIM_RE, '');
  if (trimmed === '') {
    return {
      effectiveKey: null, kind: 'empty',
      findings: [{
        severity: 'info', code: 'bearer.empty',
        message: 'AWS_BEARER_TOKEN_BEDROCK is set but empty; Codex ignores it and falls through to IAM credentials.',
      }],
    };
  }
  const result: BearerKeyAnalysis = { effectiveKey: trimmed, kind: 'unknown', findings };
  if (trimmed !== rawValue) findings.push({
    severity: 'warn', code: 'bearer.whitespace',
    message: 'AWS_BEARER_TOKEN_BEDROCK has surrounding whitespace (spaces, tabs or a trailing newline); Codex trims it, but other AWS tools and SDKs may send it as is.',
    fix: 'Set the variable again without the surrounding whitespace (e.g. no trailing newline from `echo` or a file).',
  });

  // Codex does not strip quotes: a value like "bedrock-api-key-…" goes out as `Bearer "bedrock-api-key-…"`.
  let key = trimmed;
  if (/^["']|["']$/.test(trimmed)) {
    findings.push({
      severity: 'fail', code: 'bearer.quoted',
      message: 'AWS_BEARER_TOKEN_BEDROCK still has quote characters around it; Codex sends them as part of the key and Bedrock rejects it.',
      fix: 'Remove the quotes: in ~/.codex/.env write KEY=value or KEY="value" (one pair of quotes at most); in the shell, do not nest quotes.',
    });
    key = trimmed.replace(/^["']+|["']+$/g, '').replace(TRIM_RE, '');
    if (key === '') return result;
  }
  // Analyse past the prefix too, so that `bedrock-api-key-xxxx` or `ABSK...` count as placeholders.
  const body = key.startsWith(SHORT_PREFIX) ? key.slice(SHORT_PREFIX.length) : key.startsWith(LONG_PREFIX) ? key.slice(LONG_PREFIX.length) : key;
  if (PLACEHOLDERS.some((re) => re.test(key) || re.test(body))) {
    findings.push({
      severity: 'fail', code: 'bearer.placeholder',
      message: 'AWS_BEARER_TOKEN_BEDROCK holds a placeholder from an example, not a real Bedrock API key.',
      fix: 'Generate a Bedrock API key (Bedrock console → API keys) and set AWS_BEARER_TOKEN_BEDROCK to it.',
    });
    return result;
  }
  if (INNER_BAD_RE.test(key)) {
    // A key wrapped over two lines, or with a BOM: not a valid HTTP header value, never a valid key.
    findings.push({
      severity: 'fail', code: 'bearer.inner-whitespace',
      message: 'AWS_BEARER_TOKEN_BEDROCK contains whitespace or control characters inside the key (was it wrapped or pasted with a line break?).',
      fix: 'Set the variable again with the key on a single line.',
    });
    return result;
  }
  if (key.startsWith(SHORT_PREFIX)) {
    result.kind = 'short-term';
    const info = analyseShortTerm(body, now, effectiveRegion, findings);
    if (info) result.shortTerm = info;
  } else if (key.startsWith(LONG_PREFIX)) {
    result.kind = 'long-term';
    const info = analyseLongTerm(body, findings);
    if (info) result.longTerm = info;
  } else {
    findings.push({
      severity: 'warn', code: 'bearer.unknown-format',
      message: 'AWS_BEARER_TOKEN_BEDROCK is neither a short-term (bedrock-api-key-…) nor a long-term (ABSK…) Bedrock API key; Codex will send it anyway and Bedrock will likely reject it.',
      fix: 'Check that the variable holds a Bedrock API key, not an access key id, secret key or another service token.',
    });
  }
  return result;
}
