import type http from 'node:http';
import type tls from 'node:tls';
import { TOOL_VERSION } from '../version.js';
import type { IamCredentials } from './iamCredentials.js';
import { classifyNetworkError, unusableUrl, type NetworkFailure } from './networkErrors.js';
import { proxyAgentFor } from './proxy.js';

/** How Codex authenticates to Mantle: the Bedrock key as a bearer token, or SigV4 for service bedrock-mantle. */
export type MantleAuth = { kind: 'bearer'; key: string } | { kind: 'sigv4'; credentials: IamCredentials; region: string };

export interface MantleResponse {
  ok: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  latencyMs: number;
  /** The proxy the request went through, if any (HTTPS_PROXY / NO_PROXY, as Codex's HTTP client does). */
  proxy: string | null;
}

export type MantleResult = MantleResponse | { ok: false; failure: NetworkFailure; latencyMs: number; proxy: string | null };

/** Mantle's signing service. Codex signs with it; bedrock-runtime's `bedrock` is rejected. */
export const MANTLE_SIGNING_SERVICE = 'bedrock-mantle';

/** Headers whose names contain `_` are dropped by Mantle before it verifies a signature, so never sign one. */
const SIGNABLE = (name: string) => !name.includes('_');

async function signedHeaders(url: URL, method: string, body: string, auth: MantleAuth): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': `codex-bedrock/${TOOL_VERSION}`,
  };
  if (auth.kind === 'bearer') return { ...headers, authorization: `Bearer ${auth.key}` };
  const [{ SignatureV4 }, { HttpRequest }, { Hash }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@smithy/protocol-http'),
    import('@smithy/hash-node'),
  ]);
  const signer = new SignatureV4({
    service: MANTLE_SIGNING_SERVICE,
    region: auth.region,
    credentials: {
      accessKeyId: auth.credentials.accessKeyId,
      secretAccessKey: auth.credentials.secretAccessKey,
      ...(auth.credentials.sessionToken ? { sessionToken: auth.credentials.sessionToken } : {}),
    },
    sha256: Hash.bind(null, 'sha256'),
    // Codex signs the body's SHA-256 but sends no x-amz-content-sha256 header (observed with 0.169.0).
    applyChecksum: false,
  });
  const query = Object.fromEntries(url.searchParams.entries());
  const request = new HttpRequest({
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    method,
    path: url.pathname,
    query,
    headers: Object.fromEntries(Object.entries(headers).filter(([name]) => SIGNABLE(name))),
    ...(body ? { body } : {}),
  });
  const signed = await signer.sign(request);
  return signed.headers as Record<string, string>;
}

/**
 * The most of a body the doctor reads. Mantle's answers to the probe and its model list are a few kilobytes;
 * a server that streams without end must not fill the heap.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * One HTTP request to Mantle, never retried. One timer bounds all of it: the proxy's CONNECT, the answer's
 * headers and its body (a body that trickles in is as stuck as one that never starts).
 */
export async function mantleRequest(input: {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  auth: MantleAuth;
  timeoutMs: number;
  env: { get(name: string): string | undefined };
}): Promise<MantleResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const badUrl = unusableUrl(input.url);
  if (badUrl) return { ok: false, failure: { kind: 'bad-setting', code: null, detail: `The endpoint ${JSON.stringify(input.url)} cannot be used (${badUrl})` }, latencyMs: 0, proxy: null };
  const url = new URL(input.url);
  const body = input.body ?? '';
  const { agent, proxy, problem } = await proxyAgentFor(url, input.env);
  if (problem) return { ok: false, failure: { kind: 'bad-setting', code: null, detail: problem }, latencyMs: 0, proxy: null };
  const headers = await signedHeaders(url, input.method, body, input.auth);
  // Loaded on use: offline runs never pay for the HTTP and TLS stacks.
  const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const { checkServerIdentity } = await import('node:tls');
  return new Promise<MantleResult>((resolve) => {
    let phase: 'connect' | 'headers' | 'body' = 'connect';
    let settled = false;
    const finish = (result: MantleResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const failed = (failure: NetworkFailure) => finish({ ok: false, failure, latencyMs: elapsed(), proxy });
    const request = transport.request(
      url,
      {
        method: input.method,
        headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        agent,
        // Through a CONNECT tunnel the agent does not pass the target host on (it cannot be an SNI name when
        // it is an IP), so verify the certificate against the URL's host explicitly.
        checkServerIdentity: (_host: string, certificate: tls.PeerCertificate) => checkServerIdentity(url.hostname, certificate),
      },
      (response) => {
        phase = 'body';
        const status = response.statusCode ?? 0;
        // Through a proxy, 407 is the proxy's own answer (its body may quote the Proxy-Authorization sent).
        if (status === 407 && proxy) return failed({ kind: 'proxy-auth', code: 'HTTP 407', answeredBy: 'proxy' });
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_BODY_BYTES) return failed({ kind: 'too-large', code: `HTTP ${status}`, answeredBy: 'server' });
          chunks.push(chunk);
        });
        response.on('end', () => finish({ ok: true, status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), latencyMs: elapsed(), proxy }));
        response.on('error', (error) => failed(classifyNetworkError(error)));
      },
    );
    // A tunnel's socket is handed over only once the proxy has answered CONNECT.
    request.on('socket', () => (phase = phase === 'connect' ? 'headers' : phase));
    const timer = setTimeout(() => {
      if (phase === 'body') return failed({ kind: 'slow-body', code: null, answeredBy: 'server' });
      if (phase === 'connect' && proxy && url.protocol === 'https:') return failed({ kind: 'timeout', code: 'CONNECT', answeredBy: 'proxy' });
      failed({ kind: 'timeout', code: null });
    }, input.timeoutMs);
    request.on('error', (error) => failed(classifyNetworkError(error)));
    request.end(body || undefined);
  });
}

/** The request Codex's probe sends: the smallest Responses call that proves auth, region and model together. */
export function responsesProbeBody(model: string): string {
  return JSON.stringify({ model, input: 'ping', max_output_tokens: 16, store: false });
}
