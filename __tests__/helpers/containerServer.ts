/**
 * A loopback container credentials endpoint (ECS task role, EKS Pod Identity agent): `GET <path>` answers
 * `{AccessKeyId, SecretAccessKey, Token, Expiration}`. With `authorizationToken` set it behaves like the
 * EKS Pod Identity agent and refuses a request whose Authorization header is not exactly that token (HTTP 401).
 */
import { randomBytes } from 'node:crypto';
import { recordRequest, startLoopback, type RecordedRequest, type SecretMap } from './sigv4Verify.js';

export interface ContainerServer {
  url: string;
  requests: RecordedRequest[];
  issued: { accessKeyId: string; secretAccessKey: string; sessionToken: string }[];
  close(): Promise<void>;
}

export async function startContainerServer(opts: { secrets: SecretMap; authorizationToken?: string }): Promise<ContainerServer> {
  const requests: RecordedRequest[] = [];
  const issued: ContainerServer['issued'] = [];
  const server = await startLoopback(async (req, res, body) => {
    requests.push(recordRequest(req, body, new Date()));
    res.setHeader('content-type', 'application/json');
    if (opts.authorizationToken !== undefined && req.headers.authorization !== opts.authorizationToken) {
      res.statusCode = 401;
      res.end(JSON.stringify({ message: 'Service account token cannot be empty or invalid' }));
      return;
    }
    const creds = { accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64'), sessionToken: randomBytes(64).toString('base64') };
    const expiration = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    opts.secrets.set(creds.accessKeyId, { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, expiration });
    issued.push(creds);
    res.end(JSON.stringify({ AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, Token: creds.sessionToken, Expiration: expiration.toISOString(), AccountId: '555566667777' }));
  });
  return { url: server.url, requests, issued, close: () => server.close() };
}
