/**
 * TLS on loopback for the live Mantle tests.
 *
 * makeSelfSignedCert() runs the `openssl` CLI at test time to create a fresh self-signed certificate for
 * IP 127.0.0.1 (subjectAltName IP:127.0.0.1; optionally also DNS:localhost) in a temporary folder; nothing is
 * checked into the repository. Keep the IP-only form for IP-literal URLs: Node checks a TLS connection that
 * was given no host name against "localhost", so a DNS:localhost entry would hide exactly that mistake.
 * Because it is self-signed, a client trusts it only when it is given as a CA (NODE_EXTRA_CA_CERTS=<cert>).
 *
 * startTlsFront() is an https server on 127.0.0.1 that terminates TLS and forwards every request unchanged
 * (method, path, headers including Host, body) to a plain-HTTP loopback server, normally a Mantle server
 * from mantleServer.ts. Forwarding the Host header as received keeps SigV4 verification meaningful: the
 * Mantle server re-signs with the host the client actually signed.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

export interface SelfSignedCert {
  /** PEM file of the certificate: the value for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

/**
 * Creates a self-signed certificate for 127.0.0.1 (and, with `alsoLocalhost`, the name localhost) under `dir`
 * (created if missing) with the openssl CLI.
 */
export function makeSelfSignedCert(dir: string, options: { alsoLocalhost?: boolean } = {}): SelfSignedCert {
  mkdirSync(dir, { recursive: true });
  const stem = options.alsoLocalhost ? 'loopback-localhost' : 'loopback-ip';
  const certPath = join(dir, `${stem}-cert.pem`);
  const keyPath = join(dir, `${stem}-key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      `subjectAltName=IP:127.0.0.1${options.alsoLocalhost ? ',DNS:localhost' : ''}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'pipe', timeout: 15_000 },
  );
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

export interface ForwardedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface TlsFront {
  /** https://127.0.0.1:PORT */
  url: string;
  /** url + '/openai/v1', the value a base_url override holds. */
  baseUrl: string;
  port: number;
  /** Requests that completed the TLS handshake and were forwarded. */
  requests: ForwardedRequest[];
  /** TLS handshakes that failed (the client did not trust the certificate, for example). */
  tlsErrors: string[];
  close(): Promise<void>;
}

/** Starts an https server on 127.0.0.1:0 forwarding to http://127.0.0.1:<targetPort>. */
export async function startTlsFront(cert: SelfSignedCert, targetPort: number): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const requests: ForwardedRequest[] = [];
  const tlsErrors: string[] = [];
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers } });
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // The upstream resetting (Mantle behaviour 'reset') resets the client too.
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (error) => tlsErrors.push((error as NodeJS.ErrnoException).code ?? error.message));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `https://127.0.0.1:${port}`,
    baseUrl: `https://127.0.0.1:${port}/openai/v1`,
    port,
    requests,
    tlsErrors,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
