/**
 * A loopback IAM Identity Center: the SSO portal (`GET /federation/credentials?account_id=&role_name=` with
 * the `x-amz-sso_bearer_token` header, as GetRoleCredentials) and SSO-OIDC (`POST /token` with
 * grantType refresh_token, as CreateToken), on one port or two. Status codes and error shapes follow the real
 * services: 401 UnauthorizedException for an unknown or expired access token, 403 ForbiddenException for a
 * role the user may not use, 400 InvalidGrantException for a bad refresh token.
 *
 * Role credentials it hands out are ASIA… keys added to the shared secrets map, so the loopback STS and
 * Mantle servers accept them.
 */
import { randomBytes } from 'node:crypto';
import { recordRequest, startLoopback, type RecordedRequest, type SecretMap } from './sigv4Verify.js';

export interface SsoServerOptions {
  secrets: SecretMap;
  /** Access tokens the portal accepts. */
  accessTokens: Set<string>;
  /** Refresh tokens OIDC accepts, with the client id and secret they belong to. */
  refreshTokens?: Map<string, { clientId: string; clientSecret: string }>;
  /** Roles the signed-in user may use, as `account/role`. Default: any. */
  roles?: Set<string>;
  /** The lifetime OIDC gives a refreshed access token, in seconds. */
  expiresIn?: number;
}

export interface IssuedRoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  accountId: string;
  roleName: string;
}

export interface SsoServer {
  url: string;
  requests: RecordedRequest[];
  issued: IssuedRoleCredentials[];
  /** Access tokens minted by refreshes, in order. */
  refreshedTokens: string[];
  close(): Promise<void>;
}

const randomId = (prefix: string, length: number) => prefix + randomBytes(length).toString('hex').toUpperCase().slice(0, length);

export async function startSsoServer(opts: SsoServerOptions): Promise<SsoServer> {
  const requests: RecordedRequest[] = [];
  const issued: IssuedRoleCredentials[] = [];
  const refreshedTokens: string[] = [];
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    if (errorType) res.setHeader('x-amzn-ErrorType', `${errorType}:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/`);
    res.end(JSON.stringify(body));
  };
  const server = await startLoopback(async (req, res, body) => {
    requests.push(recordRequest(req, body, new Date()));
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname.endsWith('/federation/credentials')) {
      const token = String(req.headers['x-amz-sso_bearer_token'] ?? '');
      if (!opts.accessTokens.has(token)) return json(res, 401, { message: 'Session token not found or invalid' }, 'UnauthorizedException');
      const accountId = url.searchParams.get('account_id') ?? '';
      const roleName = url.searchParams.get('role_name') ?? '';
      if (opts.roles && !opts.roles.has(`${accountId}/${roleName}`)) return json(res, 403, { message: 'No access' }, 'ForbiddenException');
      const creds: IssuedRoleCredentials = {
        accessKeyId: randomId('ASIA', 16),
        secretAccessKey: randomBytes(30).toString('base64'),
        sessionToken: randomBytes(96).toString('base64'),
        expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000),
        accountId,
        roleName,
      };
      opts.secrets.set(creds.accessKeyId, { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, expiration: creds.expiration });
      issued.push(creds);
      return json(res, 200, { roleCredentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, expiration: creds.expiration.getTime() } });
    }
    if (req.method === 'POST' && url.pathname.endsWith('/token')) {
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: 'invalid_request' }, 'InvalidRequestException');
      }
      const known = opts.refreshTokens?.get(String(input['refreshToken']));
      if (input['grantType'] !== 'refresh_token' || !known || known.clientId !== input['clientId'] || known.clientSecret !== input['clientSecret']) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token provided' }, 'InvalidGrantException');
      }
      const accessToken = `aoa${randomBytes(40).toString('base64url')}`;
      opts.accessTokens.add(accessToken);
      refreshedTokens.push(accessToken);
      return json(res, 200, { accessToken, tokenType: 'Bearer', expiresIn: opts.expiresIn ?? 28_800, refreshToken: `aor${randomBytes(40).toString('base64url')}` });
    }
    return json(res, 404, { message: 'not found' });
  });
  return { url: server.url, requests, issued, refreshedTokens, close: () => server.close() };
}
