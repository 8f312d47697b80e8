/**
 * A loopback AWS STS endpoint speaking the Query protocol (form-encoded POST, XML answers) that
 * verifies SigV4 (service `sts`) against known test secrets.
 *
 * Actions: GetCallerIdentity; AssumeRole (mints ASIA… temporary credentials and adds them to the
 * shared `secrets` map, so this server, and a Mantle server given the same map, accept them);
 * AssumeRoleWithWebIdentity (unsigned, as in AWS).
 *
 * Error shapes and statuses follow real STS: `<ErrorResponse><Error><Type>Sender</Type><Code>…`
 * with HTTP 403 for InvalidClientTokenId, SignatureDoesNotMatch (also clock skew: "Signature
 * expired: …"), AccessDenied and ExpiredToken (403 as observed from sts:GetCallerIdentity; the
 * Java SDK models ExpiredTokenException as 400, but the wire status is 403).
 */
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  closedPort as closedPortImpl,
  parseQuery,
  recordRequest,
  resetSocket,
  sleep,
  startLoopback,
  verifySigV4,
  type RecordedRequest,
  type SecretMap,
  type SigV4Result,
} from './sigv4Verify.js';

export type { RecordedRequest, SecretMap, SecretEntry } from './sigv4Verify.js';

export type StsBehaviour =
  | 'ok'
  | 'ExpiredToken'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'AccessDenied'
  | 'slow'
  | 'reset';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface StsServerOptions {
  /** Known keys. AssumeRole adds the temporary credentials it mints to this same map. */
  secrets: SecretMap;
  behaviour?: StsBehaviour;
  /** How long 'slow' waits before answering normally. Default 5000 ms. */
  slowMs?: number;
  /** Identity per access key id; keys not listed get a deterministic IAM user in 123456789012. */
  accounts?: Map<string, CallerIdentity>;
  /** The server's clock (signature window, credential expiry, Date header). Default: real time. */
  now?: () => Date;
  /** When set, the credential scope must name this region (a regional endpoint). */
  region?: string;
  /** The roles' MaxSessionDuration: an explicit DurationSeconds above it is refused, as STS does (default 3600). */
  maxSessionSeconds?: number;
  /** When set, AssumeRoleWithWebIdentity only accepts these tokens. */
  webIdentityTokens?: Set<string>;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  arn: string;
  action: 'AssumeRole' | 'AssumeRoleWithWebIdentity';
}

export interface StsServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Temporary credentials handed out by AssumeRole / AssumeRoleWithWebIdentity, in order. */
  issued: IssuedCredentials[];
  setBehaviour(b: StsBehaviour, extra?: { slowMs?: number }): void;
  close(): Promise<void>;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALNUM[(bytes[i] ?? 0) % ALNUM.length];
  return out;
}

function defaultIdentity(accessKeyId: string): CallerIdentity {
  const h = createHash('sha256').update(accessKeyId).digest();
  let suffix = '';
  for (let i = 0; i < 17; i++) suffix += ALNUM[(h[i] ?? 0) % ALNUM.length];
  return { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/test-user', userId: `AIDA${suffix}` };
}

interface StsError {
  status: number;
  code: string;
  message: string;
}

const ERRORS: Record<Exclude<StsBehaviour, 'ok' | 'slow' | 'reset'>, (arn: string, action: string) => StsError> = {
  ExpiredToken: () => ({ status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' }),
  InvalidClientTokenId: () => ({
    status: 403,
    code: 'InvalidClientTokenId',
    message: 'The security token included in the request is invalid.',
  }),
  SignatureDoesNotMatch: () => ({
    status: 403,
    code: 'SignatureDoesNotMatch',
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  }),
  AccessDenied: (arn, action) => ({
    status: 403,
    code: 'AccessDenied',
    message: `User: ${arn} is not authorized to perform: sts:${action} because no identity-based policy allows the sts:${action} action`,
  }),
};

function verifyFailureToStsError(v: Extract<SigV4Result, { ok: false }>): StsError {
  switch (v.code) {
    case 'MissingAuth':
      return { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
    case 'Malformed':
      return { status: 400, code: 'IncompleteSignature', message: v.message };
    case 'UnknownKey':
    case 'BadToken':
      return { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
    case 'ExpiredToken':
      return { status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' };
    case 'SignatureExpired':
    case 'SignatureDoesNotMatch':
    case 'WrongService':
    case 'WrongRegion':
      return { status: 403, code: 'SignatureDoesNotMatch', message: v.message };
  }
}

/** Starts the STS server on 127.0.0.1 (port 0). */
export async function startStsServer(opts: StsServerOptions): Promise<StsServer> {
  const now = opts.now ?? (() => new Date());
  const accounts = new Map(opts.accounts ?? []);
  const requests: RecordedRequest[] = [];
  const issued: IssuedCredentials[] = [];
  let behaviour: StsBehaviour = opts.behaviour ?? 'ok';
  let slowMs = opts.slowMs ?? 5000;

  const send = (res: ServerResponse, status: number, xml: string, requestId: string): void => {
    res.statusCode = status;
    res.setHeader('x-amzn-RequestId', requestId);
    res.setHeader('Content-Type', 'text/xml');
    res.setHeader('Date', now().toUTCString());
    res.end(xml);
  };
  const sendError = (res: ServerResponse, e: StsError, requestId: string): void => {
    send(
      res,
      e.status,
      `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${xmlEscape(e.code)}</Code>\n    <Message>${xmlEscape(e.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
      requestId,
    );
  };
  const sendResult = (res: ServerResponse, action: string, inner: string, requestId: string): void => {
    send(
      res,
      200,
      `<${action}Response xmlns="${NS}">\n  <${action}Result>\n${inner}  </${action}Result>\n  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`,
      requestId,
    );
  };

  const mint = (
    roleArn: string,
    sessionName: string,
    durationSeconds: number,
    action: IssuedCredentials['action'],
  ): { creds: IssuedCredentials; identity: CallerIdentity } | StsError => {
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
    if (!m) return { status: 400, code: 'ValidationError', message: `${roleArn} is invalid` };
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      return { status: 400, code: 'ValidationError', message: "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint" };
    }
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
      return { status: 400, code: 'ValidationError', message: "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint" };
    }
    if (durationSeconds > (opts.maxSessionSeconds ?? 3600)) {
      return { status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' };
    }
    const account = m[1]!;
    const roleName = m[2]!;
    const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    const roleId = randomId('AROA', 17);
    const creds: IssuedCredentials = {
      accessKeyId: randomId('ASIA', 16),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: new Date(Math.floor(now().getTime() / 1000) * 1000 + durationSeconds * 1000),
      arn,
      action,
    };
    const identity: CallerIdentity = { account, arn, userId: `${roleId}:${sessionName}` };
    opts.secrets.set(creds.accessKeyId, {
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
      expiration: creds.expiration,
    });
    accounts.set(creds.accessKeyId, identity);
    issued.push(creds);
    return { creds, identity };
  };

  const credentialsXml = (c: IssuedCredentials, identity: CallerIdentity): string =>
    `    <AssumedRoleUser>\n      <AssumedRoleId>${xmlEscape(identity.userId)}</AssumedRoleId>\n      <Arn>${xmlEscape(identity.arn)}</Arn>\n    </AssumedRoleUser>\n` +
    `    <Credentials>\n      <AccessKeyId>${c.accessKeyId}</AccessKeyId>\n      <SecretAccessKey>${xmlEscape(c.secretAccessKey)}</SecretAccessKey>\n      <SessionToken>${xmlEscape(c.sessionToken)}</SessionToken>\n      <Expiration>${c.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>\n    </Credentials>\n`;

  const handler = async (req: IncomingMessage, res: ServerResponse, body: Buffer, signal: AbortSignal): Promise<void> => {
    const rec = recordRequest(req, body, now());
    requests.push(rec);
    const requestId = randomUUID();

    if (behaviour === 'reset') {
      resetSocket(req);
      return;
    }
    if (behaviour === 'slow') await sleep(slowMs, signal);

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const params: Record<string, string> = {};
    const merge = (src: Record<string, string | string[]>): void => {
      for (const [k, v] of Object.entries(src)) params[k] = Array.isArray(v) ? (v[0] ?? '') : v;
    };
    if (q >= 0) merge(parseQuery(url.slice(q + 1)));
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.method === 'POST' && (contentType === '' || contentType.startsWith('application/x-www-form-urlencoded'))) {
      merge(parseQuery(body.toString('utf8').replace(/\+/g, '%20')));
    }
    const action = params['Action'] ?? '';

    // Forced outcomes win over everything else.
    if (behaviour !== 'ok' && behaviour !== 'slow') {
      const akid = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
      const arn = accounts.get(akid)?.arn ?? defaultIdentity(akid).arn;
      sendError(res, ERRORS[behaviour](arn, action || 'GetCallerIdentity'), requestId);
      return;
    }

    if (!action) {
      sendError(res, { status: 400, code: 'MissingAction', message: 'Missing Action' }, requestId);
      return;
    }

    // AssumeRoleWithWebIdentity is an unsigned call in AWS.
    if (action === 'AssumeRoleWithWebIdentity') {
      rec.auth = { kind: 'none', ok: true };
      const token = params['WebIdentityToken'] ?? '';
      if (!token || (opts.webIdentityTokens && !opts.webIdentityTokens.has(token))) {
        sendError(
          res,
          { status: 400, code: 'InvalidIdentityToken', message: 'The web identity token that was passed could not be validated by Amazon Web Services.' },
          requestId,
        );
        return;
      }
      const out = mint(params['RoleArn'] ?? '', params['RoleSessionName'] ?? '', Number(params['DurationSeconds'] ?? 3600), action);
      if ('status' in out) {
        sendError(res, out, requestId);
        return;
      }
      sendResult(
        res,
        action,
        credentialsXml(out.creds, out.identity) +
          `    <SubjectFromWebIdentityToken>test-subject</SubjectFromWebIdentityToken>\n    <Provider>loopback.test</Provider>\n    <Audience>sts.amazonaws.com</Audience>\n`,
        requestId,
      );
      return;
    }

    const v = await verifySigV4(
      { method: req.method ?? 'POST', path: url, headers: req.headers, body },
      { service: 'sts', secrets: opts.secrets, now: now(), ...(opts.region !== undefined ? { expectedRegion: opts.region } : {}) },
    );
    rec.auth = v.ok
      ? { kind: 'sigv4', ok: true, accessKeyId: v.accessKeyId, region: v.region }
      : {
          kind: req.headers.authorization ? 'sigv4' : 'none',
          ok: false,
          code: v.code,
          ...(v.accessKeyId !== undefined ? { accessKeyId: v.accessKeyId } : {}),
          ...(v.region !== undefined ? { region: v.region } : {}),
        };
    if (!v.ok) {
      sendError(res, verifyFailureToStsError(v), requestId);
      return;
    }
    const identity = accounts.get(v.accessKeyId) ?? defaultIdentity(v.accessKeyId);

    switch (action) {
      case 'GetCallerIdentity':
        sendResult(
          res,
          action,
          `    <Arn>${xmlEscape(identity.arn)}</Arn>\n    <UserId>${xmlEscape(identity.userId)}</UserId>\n    <Account>${xmlEscape(identity.account)}</Account>\n`,
          requestId,
        );
        return;
      case 'AssumeRole': {
        const out = mint(params['RoleArn'] ?? '', params['RoleSessionName'] ?? '', Number(params['DurationSeconds'] ?? 3600), action);
        if ('status' in out) {
          sendError(res, out, requestId);
          return;
        }
        sendResult(res, action, credentialsXml(out.creds, out.identity), requestId);
        return;
      }
      default:
        sendError(res, { status: 400, code: 'InvalidAction', message: `Could not find operation ${action} for version 2011-06-15` }, requestId);
    }
  };

  const server = await startLoopback(handler);
  return {
    url: server.url,
    port: server.port,
    requests,
    issued,
    setBehaviour(b, extra) {
      behaviour = b;
      if (extra?.slowMs !== undefined) slowMs = extra.slowMs;
    },
    close: () => server.close(),
  };
}

/** A port on 127.0.0.1 that refuses connections: listen, then close. */
export function closedPort(): Promise<number> {
  return closedPortImpl();
}
