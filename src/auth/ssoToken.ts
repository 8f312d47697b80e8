import { join } from 'node:path';
import type { FileRead } from '../io/files.js';
import type { ProfileChainResult } from './profileChain.js';

/**
 * The IAM Identity Center (SSO) token cache as the Rust SDK reads and judges it (aws-config `sso::cache` and
 * `sso::token`). Pure: the network side (refresh, role credentials) is in src/net/sso.ts.
 */
export interface CachedSsoToken {
  accessToken: string;
  expiresAt: Date;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  registrationExpiresAt?: Date;
}

/** Rust `REFRESH_BUFFER_TIME`: a token this close to expiry is refreshed first. */
export const SSO_REFRESH_BUFFER_MS = 5 * 60 * 1000;

/** ~/.aws/sso/cache/<sha1 of the sso-session name, or of the start URL for a legacy profile>.json */
export function ssoCachePath(homeDir: string, identifier: string): string {
  // getBuiltinModule loads node:crypto only here: offline runs without SSO never pay for it.
  const { createHash } = process.getBuiltinModule('node:crypto');
  return join(homeDir, '.aws', 'sso', 'cache', `${createHash('sha1').update(identifier).digest('hex')}.json`);
}

export function parseCachedToken(read: FileRead): { ok: true; token: CachedSsoToken } | { ok: false; reason: string; missing: boolean } {
  if (read.status === 'missing') return { ok: false, missing: true, reason: `there is no cached SSO token (${read.path})` };
  if (read.status === 'unreadable') return { ok: false, missing: false, reason: `the SSO token cache ${read.path} cannot be read (${read.reason})` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    return { ok: false, missing: false, reason: `the SSO token cache ${read.path} is not valid JSON` };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, missing: false, reason: `the SSO token cache ${read.path} is not a JSON object` };
  const fields = new Map(Object.entries(parsed).map(([key, value]) => [key.toLowerCase(), value]));
  const text = (key: string) => (typeof fields.get(key) === 'string' ? (fields.get(key) as string) : undefined);
  const date = (key: string) => {
    const value = text(key);
    const parsedDate = value === undefined ? undefined : new Date(value);
    return parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : undefined;
  };
  const accessToken = text('accesstoken');
  const expiresAt = date('expiresat');
  if (!accessToken) return { ok: false, missing: false, reason: `the SSO token cache ${read.path} has no accessToken` };
  if (!expiresAt) return { ok: false, missing: false, reason: `the SSO token cache ${read.path} has no valid expiresAt` };
  const optional = { clientId: text('clientid'), clientSecret: text('clientsecret'), refreshToken: text('refreshtoken'), registrationExpiresAt: date('registrationexpiresat') };
  return { ok: true, token: { accessToken, expiresAt, ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) } };
}

export type TokenDecision = { action: 'use' } | { action: 'refresh' } | { action: 'expired' };

/** Rust `SsoTokenProvider::resolve_token` for sso-session profiles (legacy profiles use the cached token as it is). */
export function decideTokenUse(token: CachedSsoToken, now: Date): TokenDecision {
  const expired = token.expiresAt.getTime() <= now.getTime();
  const expiresSoon = token.expiresAt.getTime() - SSO_REFRESH_BUFFER_MS <= now.getTime();
  const registrationExpired = token.registrationExpiresAt ? token.registrationExpiresAt.getTime() <= now.getTime() : true;
  const refreshable = Boolean(token.clientId && token.clientSecret && token.refreshToken && token.registrationExpiresAt) && !registrationExpired;
  if (expired && !refreshable) return { action: 'expired' };
  if (expiresSoon && refreshable) return { action: 'refresh' };
  return { action: 'use' };
}

/** The SSO token cache of the profile Codex would take credentials from, read by the resolver (never written). */
export interface SsoCacheRead {
  profile: string;
  /** Legacy profiles (sso_start_url in the profile) use the cached token as it is; sso-session ones may refresh it. */
  legacy: boolean;
  read: FileRead;
}

export function readSsoCacheFor(chain: ProfileChainResult, homeDir: string, readFile: (path: string) => FileRead): SsoCacheRead | null {
  if (!chain.ok || chain.chain.base.kind !== 'sso') return null;
  const base = chain.chain.base;
  return { profile: base.profile, legacy: base.session === null, read: readFile(ssoCachePath(homeDir, base.session ?? base.startUrl)) };
}

/** What Codex would do with the cached token, judged offline: nothing is refreshed or sent. */
export function judgeSsoCache(cache: SsoCacheRead, now: Date): { ok: boolean; sentence: string } {
  const parsed = parseCachedToken(cache.read);
  if (!parsed.ok) return { ok: false, sentence: parsed.reason };
  const { token } = parsed;
  const until = token.expiresAt.toISOString();
  if (cache.legacy) {
    return token.expiresAt.getTime() > now.getTime()
      ? { ok: true, sentence: `the cached SSO token is valid until ${until}` }
      : { ok: false, sentence: `the cached SSO token expired at ${until}; a legacy SSO profile cannot refresh it` };
  }
  const decision = decideTokenUse(token, now);
  if (decision.action === 'expired') return { ok: false, sentence: `the cached SSO token expired at ${until} and cannot be refreshed` };
  if (decision.action === 'refresh') return { ok: true, sentence: `the cached SSO token ${token.expiresAt.getTime() <= now.getTime() ? 'expired' : 'expires'} at ${until}; Codex refreshes it with the refresh token when it starts` };
  return { ok: true, sentence: `the cached SSO token is valid until ${until}` };
}
