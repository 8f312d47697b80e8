import { join } from 'node:path';
import type { FileRead } from '../io/files.js';
import { classifyNetworkError, explainNetworkFailure, type NetworkFailure } from './networkErrors.js';
import { proxyAgentFor } from './proxy.js';

/**
 * IAM Identity Center (SSO) credentials as Codex gets them through the Rust SDK (aws-config `sso`):
 * read the token cache, refresh through SSO-OIDC when the token expires within 5 minutes and can be
 * refreshed, then ask the SSO portal for role credentials. Endpoints are the SSO ones only:
 * AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC, then AWS_ENDPOINT_URL, then the regional hosts; an STS
 * override never applies here. Unlike Codex, the doctor never writes the refreshed token back to the cache.
 */
type Env = { get(name: string): string | undefined };

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
export async function ssoCachePath(homeDir: string, identifier: string): Promise<string> {
  // Loaded on use: offline runs never pay for the crypto module.
  const { createHash } = await import('node:crypto');
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

export function ssoEndpoints(env: Env, ssoRegion: string): { portal: string; oidc: string } {
  const pick = (name: string) => env.get(name)?.trim() || env.get('AWS_ENDPOINT_URL')?.trim();
  return {
    portal: pick('AWS_ENDPOINT_URL_SSO') || `https://portal.sso.${ssoRegion}.amazonaws.com`,
    oidc: pick('AWS_ENDPOINT_URL_SSO_OIDC') || `https://oidc.${ssoRegion}.amazonaws.com`,
  };
}

type HttpAnswer = { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: string } | { ok: false; failure: NetworkFailure };

/** One bounded request, never retried, through the proxy Codex's HTTP client would use. */
async function request(url: URL, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; timeoutMs: number; env: Env }): Promise<HttpAnswer> {
  const { agent } = await proxyAgentFor(url, init.env);
  const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const req = transport.request(
      url,
      { method: init.method, headers: { ...init.headers, ...(init.body ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) }, agent, signal: AbortSignal.timeout(init.timeoutMs) },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 256 * 1024) chunks.push(chunk);
        });
        response.on('end', () => resolve({ ok: true, status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => resolve({ ok: false, failure: classifyNetworkError(error) }));
      },
    );
    req.on('error', (error) => resolve({ ok: false, failure: classifyNetworkError(error) }));
    req.end(init.body);
  });
}

const joinPath = (base: string, path: string) => new URL(`${base.replace(/\/+$/, '')}${path}`);

function errorType(answer: Extract<HttpAnswer, { ok: true }>): string {
  const header = answer.headers['x-amzn-errortype'];
  const fromHeader = (Array.isArray(header) ? header[0] : header)?.split(':')[0];
  if (fromHeader) return fromHeader;
  try {
    const body = JSON.parse(answer.body) as { __type?: unknown; error?: unknown };
    return String(body.__type ?? body.error ?? `HTTP ${answer.status}`).split('#').pop()!;
  } catch {
    return `HTTP ${answer.status}`;
  }
}

export type SsoCallResult<T> = { ok: true; value: T } | { ok: false; reason: string; errorType: string | null };

function networkReason(failure: NetworkFailure, what: string, url: URL, timeoutMs: number): SsoCallResult<never> {
  return { ok: false, errorType: null, reason: explainNetworkFailure(failure, what, url.host, Math.round(timeoutMs / 1000)).summary };
}

/** SSO-OIDC CreateToken with the refresh token; the answer is only kept in memory. */
export async function refreshSsoToken(token: CachedSsoToken, options: { oidcEndpoint: string; timeoutMs: number; env: Env; now: Date }): Promise<SsoCallResult<CachedSsoToken>> {
  const url = joinPath(options.oidcEndpoint, '/token');
  const body = JSON.stringify({ clientId: token.clientId, clientSecret: token.clientSecret, grantType: 'refresh_token', refreshToken: token.refreshToken });
  const answer = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: options.timeoutMs, env: options.env });
  if (!answer.ok) return networkReason(answer.failure, 'The SSO-OIDC service', url, options.timeoutMs);
  if (answer.status !== 200) return { ok: false, errorType: errorType(answer), reason: `SSO-OIDC refused the token refresh (${errorType(answer)})` };
  try {
    const parsed = JSON.parse(answer.body) as { accessToken?: unknown; expiresIn?: unknown; refreshToken?: unknown };
    if (typeof parsed.accessToken !== 'string' || typeof parsed.expiresIn !== 'number') return { ok: false, errorType: null, reason: 'SSO-OIDC answered without an access token' };
    return {
      ok: true,
      value: { ...token, accessToken: parsed.accessToken, expiresAt: new Date(options.now.getTime() + parsed.expiresIn * 1000), ...(typeof parsed.refreshToken === 'string' ? { refreshToken: parsed.refreshToken } : {}) },
    };
  } catch {
    return { ok: false, errorType: null, reason: 'SSO-OIDC answered with something that is not JSON' };
  }
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration: Date;
}

/** SSO portal GetRoleCredentials. */
export async function getRoleCredentials(accessToken: string, options: { portalEndpoint: string; accountId: string; roleName: string; timeoutMs: number; env: Env }): Promise<SsoCallResult<RoleCredentials>> {
  const url = joinPath(options.portalEndpoint, `/federation/credentials?${new URLSearchParams({ account_id: options.accountId, role_name: options.roleName })}`);
  const answer = await request(url, { method: 'GET', headers: { 'x-amz-sso_bearer_token': accessToken, accept: 'application/json' }, timeoutMs: options.timeoutMs, env: options.env });
  if (!answer.ok) return networkReason(answer.failure, 'The SSO portal', url, options.timeoutMs);
  if (answer.status !== 200) return { ok: false, errorType: errorType(answer), reason: `the SSO portal refused GetRoleCredentials (${errorType(answer)}, HTTP ${answer.status})` };
  try {
    const parsed = (JSON.parse(answer.body) as { roleCredentials?: Record<string, unknown> }).roleCredentials;
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = parsed ?? {};
    if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || typeof expiration !== 'number') {
      return { ok: false, errorType: null, reason: 'the SSO portal answered without role credentials' };
    }
    return { ok: true, value: { accessKeyId, secretAccessKey, ...(typeof sessionToken === 'string' ? { sessionToken } : {}), expiration: new Date(expiration) } };
  } catch {
    return { ok: false, errorType: null, reason: 'the SSO portal answered with something that is not JSON' };
  }
}
