import type { CachedSsoToken } from '../auth/ssoToken.js';
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
