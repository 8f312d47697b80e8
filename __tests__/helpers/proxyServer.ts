/**
 * A tiny forward proxy on 127.0.0.1 for the live Mantle tests: what HTTP_PROXY / HTTPS_PROXY point at.
 *
 * - Absolute-URI requests (`POST http://127.0.0.1:PORT/path HTTP/1.1`, what an HTTP proxy agent sends for
 *   http:// targets) are forwarded to the target and the answer is piped back.
 * - `CONNECT host:port` (what an HTTPS proxy agent sends for https:// targets) opens a TCP tunnel.
 *
 * Every request is recorded. Only loopback targets (127.0.0.1, localhost, ::1) are served; anything else gets
 * 403 and is recorded as refused, so a test can never reach the internet through it. `localhost` is connected
 * to as 127.0.0.1 without any name lookup.
 */
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  kind: 'http' | 'connect';
  method: string;
  /** The absolute URL (kind http) or host:port (kind connect) the client asked for. */
  target: string;
  headers: http.IncomingHttpHeaders;
  /** False when the target was not loopback and the proxy refused it. */
  forwarded: boolean;
}

export interface ProxyServer {
  /** http://127.0.0.1:PORT, the value for HTTP_PROXY / HTTPS_PROXY. */
  url: string;
  port: number;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** Where to connect for a loopback name: localhost is pinned to 127.0.0.1 (the test servers listen there). */
const connectHost = (host: string): string => (host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, ''));

function splitHostPort(authority: string): { host: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(authority);
  return m ? { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) } : null;
}

/** Starts the proxy on 127.0.0.1:0. */
export async function startProxyServer(): Promise<ProxyServer> {
  const sockets = new Set<Socket>();
  const requests: ProxiedRequest[] = [];

  const server = http.createServer((req, res) => {
    const raw = req.url ?? '';
    let target: URL | null = null;
    try {
      target = /^https?:\/\//i.test(raw) ? new URL(raw) : null;
    } catch {
      target = null;
    }
    const loopback = target !== null && LOOPBACK.has(target.hostname);
    requests.push({ kind: 'http', method: req.method ?? 'GET', target: raw, headers: { ...req.headers }, forwarded: loopback });
    if (!target || !loopback || target.protocol !== 'http:') {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('loopback test proxy: only http://127.0.0.1 targets are forwarded');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(
      { host: connectHost(target.hostname), port: Number(target.port || 80), method: req.method, path: `${target.pathname}${target.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const parsed = splitHostPort(authority);
    const loopback = parsed !== null && LOOPBACK.has(parsed.host);
    requests.push({ kind: 'connect', method: 'CONNECT', target: authority, headers: { ...req.headers }, forwarded: loopback });
    if (!parsed || !loopback) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(parsed.port, connectHost(parsed.host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
