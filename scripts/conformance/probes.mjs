// The behaviour probes: one Codex run each, named by the letter of the behaviour it establishes (issue 8).
// `setup(ctx)` returns the run's files and environment (see world.makeHome / probe.runProbe):
//   config, authJson, dotenv, aws, extraFiles, env, args, ca ('SSL_CERT_FILE' | 'CODEX_CA_CERTIFICATE' | 'none'),
//   viaProxy (false: no HTTPS_PROXY; the config's base_url points at the loopback Mantle instead).
// Without base_url, Codex goes to https://bedrock-mantle.REGION.api.aws, which the intercepting proxy answers.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AKID, PROFILE_FILES, REGION, SECRET, bedrockConfig } from './world.mjs';

const bearer = (ctx) => ({ AWS_BEARER_TOKEN_BEDROCK: ctx.keys.good });
const CONFIG_ONLY = { timeoutMs: 12_000 };

/** An executable shell script under the run's root (for auth / credential_export commands). */
function script(ctx, name, body) {
  const file = join(ctx.root, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** The CONNECT target's region, or how Codex ended. */
const regionOf = (obs) => {
  const c = obs.connects.find((e) => e.kind === 'connect' && /^bedrock-mantle\./.test(e.target));
  const sent = obs.requests.find((r) => r.method === 'POST');
  if (c) return `sent to ${c.target}${sent ? ` (${sent.auth})` : ''}`;
  return `no request: ${obs.errorLine}`;
};

/** When (whole seconds after start) and with what Codex sent its first request. */
const timeToSend = (obs) => {
  const post = obs.requests.find((r) => r.method === 'POST');
  return post ? `sent ${post.auth} after ~${Math.round((post.at - obs.startedAt) / 1000)} s` : `no request: ${obs.errorLine}`;
};

/** How many POSTs Codex made before giving up (or before the time limit). */
const countPosts = (obs) => `${obs.requests.filter((r) => r.method === 'POST').length} POST(s)${obs.timedOut ? ' (still retrying at the limit)' : ''}; first ${obs.requests[0]?.auth ?? '-'}`;

/** Whether the loopback base_url request went through the proxy (ports masked: they change per run). */
const proxied = (obs) => {
  const via = [...new Set(obs.connects.map((c) => `${c.kind} ${c.target.replace(/:\d+/, ':PORT')}`))];
  return `${via.length > 0 ? `via proxy (${via.join(', ')})` : 'direct'}; POSTs reaching Mantle directly: ${obs.requests.filter((r) => r.method === 'POST').length}`;
};

const providerKey = (name, line) => ({
  name,
  behaviour: 'j',
  what: `[model_providers.amazon-bedrock] ${line}`,
  ...CONFIG_ONLY,
  setup: (ctx) => ({ config: bedrockConfig({ providerLines: [line] }), env: bearer(ctx) }),
});

const regionProbe = (region) => ({
  name: `region-${region}`,
  behaviour: 'h',
  what: `aws.region = "${region}", bearer key: refused before sending, or sent to bedrock-mantle.${region}.api.aws`,
  ...CONFIG_ONLY,
  setup: (ctx) => ({ config: bedrockConfig({ region }), env: bearer(ctx) }),
  observe: regionOf,
});

export const PROBES = [
  // --- How to reach a release without base_url: which CA variable it trusts.
  { name: 'ca-ssl-cert-file', behaviour: 'ca', what: 'no base_url; test CA in SSL_CERT_FILE', setup: (ctx) => ({ config: bedrockConfig(), env: bearer(ctx), ca: 'SSL_CERT_FILE' }) },
  { name: 'ca-codex-ca-certificate', behaviour: 'ca', what: 'no base_url; test CA in CODEX_CA_CERTIFICATE', setup: (ctx) => ({ config: bedrockConfig(), env: bearer(ctx), ca: 'CODEX_CA_CERTIFICATE' }) },
  { name: 'ca-none', behaviour: 'ca', what: 'no base_url; test CA not given', setup: (ctx) => ({ config: bedrockConfig(), env: bearer(ctx), ca: 'none' }) },

  // --- a. provider overrides
  {
    name: 'base-url',
    behaviour: 'a',
    what: 'base_url -> loopback Mantle, bearer key',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: bedrockConfig({ baseUrl: ctx.mantle.baseUrl }), env: bearer(ctx), viaProxy: false }),
  },
  {
    name: 'http-headers',
    behaviour: 'a',
    what: 'http_headers = { "X-Conformance" = "1" }',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: bedrockConfig({ providerLines: ['http_headers = { "X-Conformance" = "1" }'] }), env: bearer(ctx) }),
  },
  {
    name: 'auth-command',
    behaviour: 'a,l',
    what: '[model_providers.amazon-bedrock.auth] command printing the good key (no aws table; AWS_REGION set)',
    ...CONFIG_ONLY,
    setup: (ctx) => ({
      config: bedrockConfig({ region: null, tail: ['', '[model_providers.amazon-bedrock.auth]', `command = "${script(ctx, 'key.sh', `printf '%s' '${ctx.keys.good}'`)}"`] }),
      env: { AWS_REGION: REGION },
    }),
  },
  {
    name: 'auth-command-fails',
    from: '0.145.0',
    behaviour: 'l',
    what: 'auth command exits 1 (env keys present as a possible fallback)',
    ...CONFIG_ONLY,
    setup: (ctx) => ({
      config: bedrockConfig({ region: null, tail: ['', '[model_providers.amazon-bedrock.auth]', `command = "${script(ctx, 'fail.sh', 'echo nope >&2; exit 1')}"`] }),
      env: { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET },
    }),
  },
  {
    name: 'auth-with-aws',
    behaviour: 'j',
    what: 'auth command table next to an aws table',
    ...CONFIG_ONLY,
    setup: (ctx) => ({
      config: bedrockConfig({ tail: ['', '[model_providers.amazon-bedrock.auth]', `command = "${script(ctx, 'key.sh', `printf '%s' '${ctx.keys.good}'`)}"`] }),
      env: {},
    }),
  },

  {
    name: 'auth-command-hangs',
    from: '0.145.0',
    behaviour: 'l',
    what: 'auth command that sleeps 30 s: how long until Codex sends, and with what',
    timeoutMs: 25_000,
    setup: (ctx) => ({
      config: bedrockConfig({ region: null, tail: ['', '[model_providers.amazon-bedrock.auth]', `command = "${script(ctx, 'hang.sh', 'sleep 30')}"`] }),
      env: { AWS_REGION: REGION },
    }),
    observe: timeToSend,
  },
  {
    name: 'auth-command-args',
    from: '0.145.0',
    behaviour: 'l',
    what: 'auth table with command = "/bin/sh" and args = ["-c", "printf %s KEY"]',
    ...CONFIG_ONLY,
    setup: (ctx) => ({
      config: bedrockConfig({ region: null, tail: ['', '[model_providers.amazon-bedrock.auth]', 'command = "/bin/sh"', `args = ["-c", "printf %s '${ctx.keys.good}'"]`] }),
      env: { AWS_REGION: REGION },
    }),
  },
  {
    name: 'auth-command-timeout-ms',
    from: '0.145.0',
    behaviour: 'l',
    what: 'auth command that sleeps 30 s with timeout_ms = 1000: how long until Codex sends',
    timeoutMs: 25_000,
    setup: (ctx) => ({
      config: bedrockConfig({ region: null, tail: ['', '[model_providers.amazon-bedrock.auth]', `command = "${script(ctx, 'hang.sh', 'sleep 30')}"`, 'timeout_ms = 1000'] }),
      env: { AWS_REGION: REGION },
    }),
    observe: timeToSend,
  },
  {
    name: 'credential-export-fails',
    from: '0.155.0',
    behaviour: 'f',
    what: 'aws.credential_export command exiting 1 + good bearer key and env keys: fallback or not',
    setup: (ctx) => ({
      config: bedrockConfig({ awsLines: [`credential_export = { command = "${script(ctx, 'export-fail.sh', 'echo nope >&2; exit 1')}" }`] }),
      env: { ...bearer(ctx), AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET },
    }),
  },

  // --- b. aws.auth_refresh
  {
    name: 'auth-refresh',
    behaviour: 'b',
    what: 'aws.auth_refresh = { command = "aws", args = ["login"] }, bearer key',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: bedrockConfig({ awsLines: ['auth_refresh = { command = "aws", args = ["login"] }'] }), env: bearer(ctx) }),
  },

  {
    name: 'auth-refresh-runs',
    behaviour: 'b',
    what: 'aws.auth_refresh = { command = "aws", args = ["login"] } with a fake `aws` on PATH and aws.profile keys the server rejects: is `aws login` run?',
    timeoutMs: 15_000,
    runToEnd: true,
    setup: (ctx) => {
      const marker = join(ctx.root, 'aws-called');
      script(ctx, 'fakebin/aws', `echo "$@" >> '${marker}'`);
      ctx.marker = marker;
      return {
        config: bedrockConfig({ awsLines: ['profile = "bad"', 'auth_refresh = { command = "aws", args = ["login"] }'] }),
        env: { PATH: `${join(ctx.root, 'fakebin')}:${process.env.PATH}` },
        aws: PROFILE_FILES,
      };
    },
    observe: (obs, ctx) => {
      let called = '';
      try {
        called = readFileSync(ctx.marker, 'utf8').trim().split('\n').join(' | ');
      } catch {
        /* not called */
      }
      return `${called ? `aws called with: ${called}` : 'aws never called'}; ${obs.requests.filter((r) => r.method === 'POST').length} POST(s)${obs.code !== null && obs.requests.length === 0 ? `; ${obs.errorLine}` : ''}`;
    },
  },

  // --- c. -p NAME
  {
    name: 'profile-file',
    behaviour: 'c',
    what: '-p work with $CODEX_HOME/work.config.toml holding the Bedrock config (config.toml empty)',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: '', extraFiles: { 'work.config.toml': bedrockConfig() }, env: bearer(ctx), args: ['-p', 'work', 'exec', '--skip-git-repo-check', 'ping'] }),
  },
  {
    name: 'profile-legacy-table',
    behaviour: 'c',
    what: '-p work with a legacy [profiles.work] table in config.toml (no work.config.toml)',
    ...CONFIG_ONLY,
    setup: (ctx) => ({
      config: `${bedrockConfig({ model: null })}\n[profiles.work]\nmodel = "openai.gpt-5.5"\n`,
      env: bearer(ctx),
      args: ['-p', 'work', 'exec', '--skip-git-repo-check', 'ping'],
    }),
  },
  {
    name: 'profile-missing',
    behaviour: 'c',
    what: '-p nosuch, no nosuch.config.toml, Bedrock config in config.toml',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: bedrockConfig(), env: bearer(ctx), args: ['-p', 'nosuch', 'exec', '--skip-git-repo-check', 'ping'] }),
  },

  // --- d. bearer key region sources
  { name: 'bearer-region-aws-region', behaviour: 'd', what: 'bearer key, no aws.region, AWS_REGION=us-east-1', ...CONFIG_ONLY, setup: (ctx) => ({ config: bedrockConfig({ region: null }), env: { ...bearer(ctx), AWS_REGION: REGION } }), observe: regionOf },
  { name: 'bearer-region-default-region', behaviour: 'd', what: 'bearer key, no aws.region, AWS_DEFAULT_REGION=us-east-1', ...CONFIG_ONLY, setup: (ctx) => ({ config: bedrockConfig({ region: null }), env: { ...bearer(ctx), AWS_DEFAULT_REGION: REGION } }), observe: regionOf },
  { name: 'bearer-region-dotenv', behaviour: 'd', what: 'bearer key, no aws.region, AWS_REGION=us-east-1 in $CODEX_HOME/.env', ...CONFIG_ONLY, setup: (ctx) => ({ config: bedrockConfig({ region: null }), env: bearer(ctx), dotenv: `AWS_REGION=${REGION}\n` }), observe: regionOf },
  { name: 'bearer-region-none', behaviour: 'd', what: 'bearer key, no region anywhere', ...CONFIG_ONLY, setup: (ctx) => ({ config: bedrockConfig({ region: null }), env: bearer(ctx) }), observe: regionOf },

  // --- e. aws.profile vs bearer key
  {
    name: 'profile-vs-bearer',
    behaviour: 'e',
    what: 'aws.profile = "p" (good keys in ~/.aws) + good AWS_BEARER_TOKEN_BEDROCK: which one is sent',
    setup: (ctx) => ({ config: bedrockConfig({ awsLines: ['profile = "p"'] }), env: bearer(ctx), aws: PROFILE_FILES }),
  },

  // --- f. aws.credential_export
  {
    name: 'credential-export',
    behaviour: 'f',
    what: 'aws.credential_export command printing credential_process JSON for AKID…01, plus a bearer key',
    setup: (ctx) => ({
      config: bedrockConfig({
        awsLines: [`credential_export = { command = "${script(ctx, 'export.sh', `printf '%s' '{"Version":1,"AccessKeyId":"${AKID}","SecretAccessKey":"${SECRET}"}'`)}" }`],
      }),
      env: bearer(ctx),
    }),
  },

  // --- g. default model
  { name: 'default-model', behaviour: 'g', what: 'model unset, bearer key: the model in the request body', setup: (ctx) => ({ config: bedrockConfig({ model: null }), env: bearer(ctx) }) },

  {
    name: 'catalogue',
    behaviour: 'g',
    what: '`codex debug models` with the Bedrock provider: the model slugs in priority order (offline)',
    runToEnd: true,
    setup: () => ({ config: bedrockConfig({ model: null }), env: {}, args: ['debug', 'models'] }),
    observe: (obs) => {
      try {
        const data = JSON.parse(obs.stdout);
        const models = Array.isArray(data) ? data : data.models;
        return models.map((m) => m.slug).join(' ');
      } catch {
        return `no catalogue: ${obs.errorLine}`;
      }
    },
  },

  // --- h. regions
  {
    name: 'region-us-gov-west-1',
    behaviour: 'h',
    what: 'aws.region = "us-gov-west-1", bearer key minted there',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: bedrockConfig({ region: 'us-gov-west-1' }), env: { AWS_BEARER_TOKEN_BEDROCK: ctx.keys.govWest } }),
    observe: regionOf,
  },
  ...['us-east-2', 'us-west-2', 'us-west-1', 'ca-central-1', 'ap-southeast-1', 'ap-northeast-1', 'ap-south-1', 'ap-southeast-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-west-1', 'eu-west-2', 'sa-east-1', 'us-gov-east-1'].map(regionProbe),

  // --- i. retries (base_url route where accepted; else intercepted)
  ...[
    ['retry-404', { models: ['openai.some-other-model'] }],
    ['retry-401', {}],
    ['retry-403', { behaviour: 'forbidden' }],
    ['retry-429', { behaviour: '429' }],
    ['retry-500', { behaviour: '5xx' }],
  ].map(([name, servers]) => ({
    name,
    behaviour: 'i',
    what: `count POSTs when every answer is ${name.slice(6)}`,
    servers,
    runToEnd: true,
    timeoutMs: 30_000,
    setup: (ctx) => ({ config: bedrockConfig(), env: name === 'retry-401' ? { AWS_BEARER_TOKEN_BEDROCK: ctx.keys.otherRegion } : bearer(ctx) }),
    observe: countPosts,
  })),

  {
    name: 'retry-404-url',
    behaviour: 'i',
    what: 'count POSTs when base_url points at a path the server does not know (404 unknown_url)',
    from: '0.145.0',
    runToEnd: true,
    timeoutMs: 30_000,
    setup: (ctx) => ({ config: bedrockConfig({ baseUrl: `${ctx.mantle.url}/nope/v1` }), env: bearer(ctx), viaProxy: false }),
    observe: countPosts,
  },

  // --- j. provider keys
  providerKey('provider-unknown-key', 'conformance_unknown_key = 1'),
  providerKey('provider-name', 'name = "Other"'),
  providerKey('provider-env-key', 'env_key = "SOME_KEY"'),
  providerKey('provider-request-max-retries', 'request_max_retries = 3'),
  providerKey('provider-wire-api-chat', 'wire_api = "chat"'),
  providerKey('provider-wire-api-responses', 'wire_api = "responses"'),

  // --- k. auth.json
  {
    name: 'stored-api-key',
    behaviour: 'k',
    what: 'auth.json bedrock_api_key (us-east-1 key) + shell key for us-west-2',
    setup: (ctx) => ({
      config: bedrockConfig(),
      env: { AWS_BEARER_TOKEN_BEDROCK: ctx.keys.otherRegion },
      authJson: { auth_mode: 'bedrockApiKey', OPENAI_API_KEY: null, bedrock_api_key: { api_key: ctx.keys.good, region: REGION } },
    }),
  },
  {
    name: 'stored-access-keys',
    behaviour: 'k',
    what: 'auth.json bedrock_access_keys (AKID…01) + shell key for us-west-2',
    setup: (ctx) => ({
      config: bedrockConfig(),
      env: { AWS_BEARER_TOKEN_BEDROCK: ctx.keys.otherRegion },
      authJson: { auth_mode: 'bedrockAccessKeys', OPENAI_API_KEY: null, bedrock_access_keys: { access_key_id: AKID, secret_access_key: SECRET, session_token: null } },
    }),
  },

  // --- m. proxies on a loopback http base_url
  {
    name: 'http-proxy-loopback',
    from: '0.145.0',
    behaviour: 'm',
    what: 'base_url http://127.0.0.1 + HTTP_PROXY -> recording proxy: proxied or direct',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: bedrockConfig({ baseUrl: ctx.mantle.baseUrl }), env: { ...bearer(ctx), HTTP_PROXY: ctx.proxy.url, http_proxy: ctx.proxy.url }, viaProxy: false }),
    observe: proxied,
  },
  {
    name: 'no-proxy-star',
    from: '0.145.0',
    behaviour: 'm',
    what: 'base_url http://127.0.0.1 + HTTP_PROXY -> recording proxy + NO_PROXY=*',
    ...CONFIG_ONLY,
    setup: (ctx) => ({ config: bedrockConfig({ baseUrl: ctx.mantle.baseUrl }), env: { ...bearer(ctx), HTTP_PROXY: ctx.proxy.url, http_proxy: ctx.proxy.url, NO_PROXY: '*', no_proxy: '*' }, viaProxy: false }),
    observe: proxied,
  },
];

