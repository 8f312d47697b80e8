// A loopback intercepting proxy for releases that cannot be pointed at a loopback Mantle (they refuse
// `base_url` under [model_providers.amazon-bedrock]): Codex is given HTTPS_PROXY=http://127.0.0.1:PORT and
// a test CA (made with openssl at run time, valid one day, in a temporary folder) through SSL_CERT_FILE or
// CODEX_CA_CERTIFICATE. The proxy answers `CONNECT bedrock-mantle.REGION.api.aws:443`, terminates TLS with
// a leaf certificate for that name signed by the test CA, and pipes the decrypted bytes to the loopback
// Mantle server, which sees the Host header Codex signed. Nothing leaves loopback: the proxy never opens a
// connection to the name it was asked for.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const openssl = (args) => execFileSync('openssl', args, { stdio: 'pipe', timeout: 15_000 });

export function makeTestCa(dir) {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'ca-key.pem');
  const certPath = join(dir, 'ca-cert.pem');
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=codex-bedrock conformance test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaves = new Map();
  /** A leaf certificate for `host` (DNS name or IP), signed by this CA; cached per host. */
  const leafFor = (host) => {
    if (leaves.has(host)) return leaves.get(host);
    const stem = join(dir, `leaf-${leaves.size}`);
    const ext = `${stem}.ext`;
    const san = net.isIP(host) ? `IP:${host}` : `DNS:${host}`;
    writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${stem}-key.pem`, '-out', `${stem}.csr`, '-subj', `/CN=${host}`]);
    openssl(['x509', '-req', '-in', `${stem}.csr`, '-CA', certPath, '-CAkey', keyPath, '-CAcreateserial', '-out', `${stem}-cert.pem`, '-days', '1', '-extfile', ext]);
    const leaf = { key: readFileSync(`${stem}-key.pem`, 'utf8'), cert: readFileSync(`${stem}-cert.pem`, 'utf8') };
    leaves.set(host, leaf);
    return leaf;
  };
  return { certPath, leafFor };
}

/**
 * Starts the proxy on 127.0.0.1:0. `route(host, port)` returns the loopback port to pipe a CONNECT tunnel to
 * after TLS (or null: the tunnel is answered 502). Plain-HTTP proxy requests (`GET http://…`) are recorded and
 * answered 502: nothing in the fixtures needs them forwarded.
 */
export async function startMitmProxy(ca, route) {
  const sockets = new Set();
  /** {kind:'connect'|'http', target, tls:'ok'|'error: …'|null, at} in arrival order. */
  const events = [];
  const server = http.createServer((req, res) => {
    events.push({ kind: 'http', target: req.url ?? '', method: req.method, tls: null, at: Date.now() });
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('conformance proxy: plain-HTTP forwarding is not offered');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, socket, head) => {
    const target = req.url ?? '';
    const event = { kind: 'connect', target, tls: null, at: Date.now() };
    events.push(event);
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
    const port = m ? route(m[1], Number(m[2])) : null;
    socket.on('error', () => undefined);
    if (!m || port == null) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head?.length) socket.unshift(head);
    const leaf = ca.leafFor(m[1]);
    const secure = new tls.TLSSocket(socket, { isServer: true, key: leaf.key, cert: leaf.cert, ALPNProtocols: ['http/1.1'] });
    secure.on('error', (e) => {
      if (event.tls === null) event.tls = `error: ${e.code ?? e.message}`;
    });
    secure.on('secure', () => {
      event.tls = 'ok';
      const upstream = net.connect(port, '127.0.0.1');
      upstream.on('error', () => secure.destroy());
      secure.pipe(upstream).pipe(secure);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    events,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
