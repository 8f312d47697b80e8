import type http from 'node:http';

/**
 * Which proxy a request goes through, decided the way Codex's HTTP client (reqwest / hyper-util) reads the
 * environment: upper-case names before lower-case ones, ALL_PROXY as the fallback, HTTP_PROXY ignored under
 * CGI (REQUEST_METHOD set), and NO_PROXY entries that are `*`, IP addresses, CIDR blocks or domains (a
 * domain matches itself and its subdomains; a leading dot matches subdomains and the domain).
 */
type Env = { get(name: string): string | undefined };


function firstSet(env: Env, ...names: string[]): string | undefined {
  return firstSetting(env, ...names)?.value;
}

function firstSetting(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env.get(name)?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** 4 or 6 for an IP literal, else 0 (node:net's isIP, without loading the net stack on offline runs). */
function isIP(text: string): 0 | 4 | 6 {
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(text)) return 4;
  const groups = text.split('::');
  if (groups.length > 2 || !/^[0-9a-f:]+$/i.test(text)) return 0;
  const parts = groups.flatMap((group) => (group === '' ? [] : group.split(':')));
  const valid = parts.every((part) => /^[0-9a-f]{1,4}$/i.test(part));
  return valid && (groups.length === 2 ? parts.length < 8 : parts.length === 8) ? 6 : 0;
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, part) => total * 256 + Number(part), 0);
}

function ipv6ToBigInt(address: string): bigint {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((total, group) => (total << 16n) + BigInt(parseInt(group || '0', 16)), 0n);
}

function inCidr(host: string, network: string, bits: number): boolean {
  const family = isIP(host);
  if (family !== isIP(network)) return false;
  if (family === 4) {
    if (bits === 0) return true;
    const mask = (~0 << (32 - bits)) >>> 0;
    return ((ipv4ToNumber(host) & mask) >>> 0) === ((ipv4ToNumber(network) & mask) >>> 0);
  }
  const shift = BigInt(128 - bits);
  return ipv6ToBigInt(host) >> shift === ipv6ToBigInt(network) >> shift;
}

function bypassesProxy(hostname: string, noProxy: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return noProxy
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
      // An invalid prefix length makes the entry a (never matching) domain, as an IpNet parse failure does in reqwest.
      if (cidr && isIP(cidr[1]!) && Number(cidr[2]) <= (isIP(cidr[1]!) === 4 ? 32 : 128)) return inCidr(host, cidr[1]!, Number(cidr[2]));
      if (isIP(entry)) return isIP(host) > 0 && entry === host;
      if (entry === host || entry.replace(/^\./, '') === host) return true;
      return entry.startsWith('.') ? host.endsWith(entry) : host.endsWith(`.${entry}`);
    });
}

/** The proxy setting for a request to `url` (the variable and its value), or null for a direct connection. */
function proxySetting(url: URL, env: Env): { name: string; value: string } | null {
  const all = firstSetting(env, 'ALL_PROXY', 'all_proxy');
  const cgi = env.get('REQUEST_METHOD') !== undefined;
  const proxy =
    url.protocol === 'https:'
      ? (firstSetting(env, 'HTTPS_PROXY', 'https_proxy') ?? all)
      : ((cgi ? firstSetting(env, 'http_proxy') : firstSetting(env, 'HTTP_PROXY', 'http_proxy')) ?? all);
  if (!proxy) return null;
  const noProxy = firstSet(env, 'NO_PROXY', 'no_proxy');
  if (noProxy && bypassesProxy(url.hostname, noProxy)) return null;
  return { name: proxy.name, value: proxy.value.includes('://') ? proxy.value : `http://${proxy.value}` };
}

/** The proxy URL for a request to `url`, or null for a direct connection. */
export function proxyFor(url: URL, env: Env): string | null {
  return proxySetting(url, env)?.value ?? null;
}

/**
 * The agent that sends a request through the proxy Codex would use for `url`, if any. A proxy setting that is
 * not a usable URL comes back as `problem` (naming the variable), never as an exception.
 */
export async function proxyAgentFor(url: URL, env: { get(name: string): string | undefined }): Promise<{ agent: http.Agent | undefined; proxy: string | null; problem?: string }> {
  const setting = proxySetting(url, env);
  if (!setting) return { agent: undefined, proxy: null };
  const proxy = setting.value;
  let parsed: URL | null = null;
  try {
    parsed = new URL(proxy);
  } catch {
    parsed = null;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.hostname === '') {
    const why = parsed ? `its scheme is ${parsed.protocol.slice(0, -1)}, not http or https` : 'it is not a valid URL';
    return { agent: undefined, proxy: null, problem: `${setting.name} cannot be used as a proxy (${why})` };
  }
  if (url.protocol === 'https:') {
    const { HttpsProxyAgent } = await import('https-proxy-agent');
    return { agent: new HttpsProxyAgent(proxy), proxy };
  }
  const { HttpProxyAgent } = await import('http-proxy-agent');
  return { agent: new HttpProxyAgent(proxy), proxy };
}

/** Strips credentials from a proxy URL before it is shown. */
export function displayProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return 'the configured proxy';
  }
}
