import { proxyFor } from '../src/net/proxy.js';

/** A tiny environment object, as the effective environment offers it. */
const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });

describe('proxyFor mirrors how Codex (reqwest) reads *_PROXY and NO_PROXY', () => {
  it.each<{ name: string; url: string; vars: Record<string, string>; expected: string | null }>([
    { name: 'no proxy variables: direct', url: 'https://bedrock-mantle.us-east-1.api.aws/openai/v1', vars: {}, expected: null },
    { name: 'HTTPS_PROXY for https', url: 'https://bedrock-mantle.us-east-1.api.aws/x', vars: { HTTPS_PROXY: 'http://proxy:3128' }, expected: 'http://proxy:3128' },
    { name: 'HTTPS_PROXY is not used for http', url: 'http://127.0.0.1:9/x', vars: { HTTPS_PROXY: 'http://proxy:3128' }, expected: null },
    { name: 'HTTP_PROXY for http', url: 'http://127.0.0.1:9/x', vars: { HTTP_PROXY: 'http://proxy:3128' }, expected: 'http://proxy:3128' },
    { name: 'upper case wins over lower case', url: 'https://a.example/x', vars: { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }, expected: 'http://upper:1' },
    { name: 'lower case alone is read', url: 'https://a.example/x', vars: { https_proxy: 'http://lower:1' }, expected: 'http://lower:1' },
    { name: 'ALL_PROXY is the fallback', url: 'https://a.example/x', vars: { ALL_PROXY: 'http://all:1' }, expected: 'http://all:1' },
    { name: 'a proxy without scheme gets http://', url: 'https://a.example/x', vars: { HTTPS_PROXY: 'proxy:3128' }, expected: 'http://proxy:3128' },
    { name: 'NO_PROXY=* bypasses nothing (Codex 0.169.0 has no wildcard)', url: 'https://a.example/x', vars: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, expected: 'http://p:1' },
    { name: 'NO_PROXY domain matches itself', url: 'https://api.aws/x', vars: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.aws' }, expected: null },
    { name: 'NO_PROXY domain matches subdomains', url: 'https://bedrock-mantle.us-east-1.api.aws/x', vars: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.aws' }, expected: null },
    { name: 'NO_PROXY domain does not match a longer name', url: 'https://notapi.aws/x', vars: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.aws' }, expected: 'http://p:1' },
    { name: 'NO_PROXY leading dot matches subdomains', url: 'https://x.api.aws/x', vars: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.api.aws' }, expected: null },
    { name: 'NO_PROXY leading dot matches the domain too', url: 'https://api.aws/x', vars: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.api.aws' }, expected: null },
    { name: 'NO_PROXY IPv4 address', url: 'http://127.0.0.1:8/x', vars: { HTTP_PROXY: 'http://p:1', NO_PROXY: 'localhost, 127.0.0.1' }, expected: null },
    { name: 'NO_PROXY CIDR block', url: 'http://127.0.0.5:8/x', vars: { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.0/8' }, expected: null },
    { name: 'NO_PROXY CIDR block that does not contain the host', url: 'http://10.1.2.3:8/x', vars: { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.0/8' }, expected: 'http://p:1' },
    { name: 'NO_PROXY IPv6 CIDR', url: 'http://[::1]:8/x', vars: { HTTP_PROXY: 'http://p:1', NO_PROXY: '::1/128' }, expected: null },
    { name: 'NO_PROXY upper case wins over lower case', url: 'http://127.0.0.1:8/x', vars: { HTTP_PROXY: 'http://p:1', NO_PROXY: 'example.com', no_proxy: '127.0.0.1' }, expected: 'http://p:1' },
    { name: 'HTTP_PROXY is ignored under CGI (REQUEST_METHOD set)', url: 'http://127.0.0.1:8/x', vars: { HTTP_PROXY: 'http://p:1', REQUEST_METHOD: 'GET' }, expected: null },
  ])('$name', ({ url, vars, expected }) => {
    expect(proxyFor(new URL(url), env(vars))).toBe(expected);
  });
});

describe('IP literals in NO_PROXY', () => {
  it.each<{ url: string; noProxy: string; bypass: boolean }>([
    { url: 'http://[2001:db8::1]:8/x', noProxy: '2001:db8::/32', bypass: true },
    { url: 'http://[2001:db9::1]:8/x', noProxy: '2001:db8::/32', bypass: false },
    { url: 'http://[::1]:8/x', noProxy: '::1', bypass: true },
    { url: 'http://256.1.1.1.example:8/x', noProxy: '256.1.1.1', bypass: false },
    { url: 'http://10.0.0.1:8/x', noProxy: '10.0.0.0/33', bypass: false },
  ])('$url with NO_PROXY=$noProxy', ({ url, noProxy, bypass }) => {
    expect(proxyFor(new URL(url), env({ HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy }))).toBe(bypass ? null : 'http://p:1');
  });
});
