import type http from 'node:http';
import type tls from 'node:tls';
import { TOOL_VERSION } from '../version.js';
import type { IamCredentials } from './iamCredentials.js';
import { classifyNetworkError, type NetworkFailure } from './networkErrors.js';
import { extraTrustedCertificates, proxyAgentFor } from './proxy.js';

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

/** One HTTP request to Mantle, bounded by the timeout, never retried. */
export async function mantleRequest(input: {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  auth: MantleAuth;
  timeoutMs: number;
  env: { get(name: string): string | undefined };
}): Promise<MantleResult> {
  const url = new URL(input.url);
  const body = input.body ?? '';
  const headers = await signedHeaders(url, input.method, body, input.auth);
  const { agent, proxy } = await proxyAgentFor(url, input.env);
  const ca = url.protocol === 'https:' ? await extraTrustedCertificates(input.env) : null;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // Loaded on use: offline runs never pay for the HTTP and TLS stacks.
  const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const { checkServerIdentity } = await import('node:tls');
  return new Promise<MantleResult>((resolve) => {
    const request = transport.request(
      url,
      {
        method: input.method,
        headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        agent,
        ...(ca ? { ca } : {}),
        signal: AbortSignal.timeout(input.timeoutMs),
        // Through a CONNECT tunnel the agent does not pass the target host on (it cannot be an SNI name when
        // it is an IP), so verify the certificate against the URL's host explicitly.
        checkServerIdentity: (_host: string, certificate: tls.PeerCertificate) => checkServerIdentity(url.hostname, certificate),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ ok: true, status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), latencyMs: elapsed(), proxy }),
        );
        response.on('error', (error) => resolve({ ok: false, failure: classifyNetworkError(error), latencyMs: elapsed(), proxy }));
      },
    );
    request.on('error', (error) => resolve({ ok: false, failure: classifyNetworkError(error), latencyMs: elapsed(), proxy }));
    request.end(body || undefined);
  });
}

/** The request Codex's probe sends: the smallest Responses call that proves auth, region and model together. */
export function responsesProbeBody(model: string): string {
  return JSON.stringify({ model, input: 'ping', max_output_tokens: 16, store: false });
}
