// The test world every conformance run shares: test-only credentials (known to the loopback servers and
// nowhere else), the per-run HOME/CODEX_HOME layout, and the servers (loopback Mantle + STS, and the
// intercepting proxy for releases that refuse `base_url`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTestCa, startMitmProxy } from './mitm.mjs';

export const REGION = 'us-east-1';
export const OTHER_REGION = 'us-west-2';
export const MODEL = 'openai.gpt-5.5';
export const AKID = 'AKIACONFORMANCE00001';
export const SECRET = 'conformanceSecret/Key+0123456789abcdefgh';
export const WRONG_SECRET = 'notTheSecretTheServerKnows/0123456789abc';
export const TEMP = {
  accessKeyId: 'ASIACONFORMANCE00002',
  secretAccessKey: 'conformanceTempSecret/abcdefghijklmnopqr',
  sessionToken: 'FwoGZXIvYXdzCONFORMANCE+session/token==',
};
export const PROFILE_AKID = 'AKIACONFORMANCE00003';
export const PROFILE_SECRET = 'conformanceProfileSecret/0123456789abcde';
export const LONG_TERM_KEY = `ABSK${Buffer.from('conformance-user-at-123456789012:conformanceLongTermSecret0000').toString('base64')}`;
/** The host Codex sends to when no base_url is set (region us-east-1). */
export const mantleHost = (region) => `bedrock-mantle.${region}.api.aws`;

/** Every model name any release has defaulted to or listed, so the loopback Mantle never 404s a default. */
export const KNOWN_MODELS = [
  'openai.gpt-5.4', 'openai.gpt-5.5', 'openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-6-sol',
  'openai.gpt-6-astra', 'openai.gpt-6-luna', 'openai.gpt-6.1-sol', 'openai.gpt-6.1-terra', 'openai.gpt-6.2-sol', 'openai.gpt-6.2-astra',
  'openai.gpt-oss-120b', 'openai.gpt-oss-20b',
];

export function secretMap() {
  return new Map([
    [AKID, { secretAccessKey: SECRET }],
    [TEMP.accessKeyId, { secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken }],
    [PROFILE_AKID, { secretAccessKey: PROFILE_SECRET }],
  ]);
}

export const PROFILE_FILES = {
  credentials: `[p]\naws_access_key_id = ${PROFILE_AKID}\naws_secret_access_key = ${PROFILE_SECRET}\n\n[bad]\naws_access_key_id = ${PROFILE_AKID}\naws_secret_access_key = ${WRONG_SECRET}\n`,
  config: `[profile p]\nregion = ${REGION}\n\n[profile bad]\nregion = ${REGION}\n`,
};

/** Loads the bundled servers and mints the short-term keys (inside the namespace). */
export async function loadWorld(bundles, tmp) {
  const { startMantleServer } = await import(pathToFileURL(bundles.mantle).href);
  const { startStsServer, closedPort } = await import(pathToFileURL(bundles.sts).href);
  const { getToken } = await import('@aws/bedrock-token-generator');
  const mint = (region) => getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region, expiresInSeconds: 3600 });
  const keys = { good: await mint(REGION), otherRegion: await mint(OTHER_REGION), govWest: await mint('us-gov-west-1') };
  const ca = makeTestCa(join(tmp, 'ca'));
  const secretsToMask = [keys.good, keys.otherRegion, keys.govWest, SECRET, WRONG_SECRET, TEMP.secretAccessKey, TEMP.sessionToken, PROFILE_SECRET, LONG_TERM_KEY];
  const mask = (s) => secretsToMask.reduce((acc, secret) => acc.split(secret).join('<secret>'), String(s));

  /**
   * Starts Mantle (+ STS, + the intercepting proxy) for one run. `region` is the region the Mantle plays;
   * the proxy routes every `bedrock-mantle.*.api.aws:443` tunnel to it, so a release that picked another
   * region is still seen (the CONNECT target names the region it chose).
   */
  async function startServers({ region = REGION, behaviour, behaviourExtra, models = KNOWN_MODELS } = {}) {
    const shared = secretMap();
    const sts = await startStsServer({ secrets: shared, region });
    const mantle = await startMantleServer({
      secrets: shared,
      longTermKeys: new Set([LONG_TERM_KEY]),
      modelsByRegion: { [region]: models },
      region,
      ...(behaviour ? { behaviour, behaviourExtra } : {}),
    });
    const proxy = await startMitmProxy(ca, (host, port) => (/^bedrock-mantle\.[a-z0-9-]+\.api\.aws$/.test(host) && port === 443 ? mantle.port : null));
    return {
      sts,
      mantle,
      proxy,
      secrets: shared,
      async close() {
        await Promise.all([mantle.close(), sts.close(), proxy.close()]);
      },
    };
  }
  return { keys, ca, mask, startServers, closedPort, bundles };
}

/** A fresh HOME (with .codex and .aws), a working folder and TMPDIR under `root`. */
export function makeHome(root, { config, authJson, dotenv, aws, extraFiles } = {}) {
  const codexHome = join(root, 'home', '.codex');
  mkdirSync(codexHome, { recursive: true });
  mkdirSync(join(root, 'home', '.aws'), { recursive: true });
  mkdirSync(join(root, 'work'), { recursive: true });
  mkdirSync(join(root, 'tmp'), { recursive: true });
  if (config !== undefined) writeFileSync(join(codexHome, 'config.toml'), config);
  if (authJson) writeFileSync(join(codexHome, 'auth.json'), `${JSON.stringify(authJson, null, 2)}\n`, { mode: 0o600 });
  if (dotenv !== undefined) writeFileSync(join(codexHome, '.env'), dotenv, { mode: 0o600 });
  if (aws) {
    writeFileSync(join(root, 'home', '.aws', 'credentials'), aws.credentials, { mode: 0o600 });
    writeFileSync(join(root, 'home', '.aws', 'config'), aws.config);
  }
  for (const [rel, text] of Object.entries(extraFiles ?? {})) {
    const file = join(codexHome, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  return { home: join(root, 'home'), codexHome, work: join(root, 'work') };
}

/** The environment every process of a run gets (no variable of the real user leaks in but PATH). */
export function baseEnv(root, { path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', proxyEnv = {} } = {}) {
  return {
    HOME: join(root, 'home'),
    CODEX_HOME: join(root, 'home', '.codex'),
    PATH: path,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    TMPDIR: join(root, 'tmp'),
    AWS_CONFIG_FILE: join(root, 'home', '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(root, 'home', '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CODEX_BEDROCK_MANAGED_CONFIG: join(root, 'no-such-dir', 'managed_config.toml'),
    ...proxyEnv,
  };
}

/** config.toml for Bedrock: `baseUrl` null leaves base_url out (the release's own endpoint, intercepted). */
export function bedrockConfig({ baseUrl = null, model = MODEL, region = REGION, awsLines = [], providerLines = [], top = [], tail = [] } = {}) {
  const aws = [...(region != null ? [`region = "${region}"`] : []), ...awsLines];
  return [
    'model_provider = "amazon-bedrock"',
    ...(model != null ? [`model = "${model}"`] : []),
    ...top,
    '',
    '[model_providers.amazon-bedrock]',
    ...(baseUrl ? [`base_url = "${baseUrl}"`] : []),
    ...providerLines,
    ...(aws.length > 0 ? ['', '[model_providers.amazon-bedrock.aws]', ...aws] : []),
    ...tail,
    '',
  ].join('\n');
}
