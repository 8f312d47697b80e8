// Conformance fixtures for issue 9: IAM credentials through the Rust aws-config rules Codex uses, where the
// JavaScript SDK (and the doctor's former reader) differ. Each may have `prepare(root, servers, world)`, run
// after the home is made: it writes the fixture's own files (scripts, alternative AWS files, token files, the
// SSO token cache), may add keys the servers know or start the loopback SSO portal/OIDC server, and returns
// `{ env, close }`. All agreed with the real Codex 0.169.0 when added.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AKID, PROFILE_AKID, PROFILE_SECRET, REGION, SECRET, TEMP, WRONG_SECRET } from './world.mjs';

const SSO_TOKEN = 'aoaConformanceSsoAccessToken000000000000000000000000000000';
const SSO_REFRESH = { token: 'aorConformanceRefreshToken0000000000000000', clientId: 'conformance-client', clientSecret: 'conformanceClientSecret0000' };

const keysLines = (akid, secret) => `aws_access_key_id = ${akid}\naws_secret_access_key = ${secret}\n`;

function write(root, rel, text, mode = 0o600) {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

/** ~/.aws/config (and credentials) written by prepare, so they may name files under the fixture root. */
const awsFiles = (config, credentials = '') => (root) => {
  write(root, 'home/.aws/config', config(root));
  write(root, 'home/.aws/credentials', credentials);
  return {};
};

/** A profile `proc` whose credential_process is a script printing `output` (or running `body`). */
const processProfile = (body) =>
  awsFiles((root) => `[profile proc]\nregion = ${REGION}\ncredential_process = /bin/sh ${write(root, 'bin/creds.sh', `#!/bin/sh\n${body}\n`, 0o755)}\n`);

const printJson = (json) => `echo '${JSON.stringify(json)}'`;

const SSO_CONFIG = `[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Bedrock\nregion = ${REGION}\n\n[sso-session corp]\nsso_start_url = https://corp-example.awsapps.com/start\nsso_region = ${REGION}\n`;

/** An sso-session profile with a cached token (`valid`, or expired with a good refresh token) and a loopback SSO server. */
const ssoSession = (state) => async (root, servers, world) => {
  write(root, 'home/.aws/config', SSO_CONFIG);
  const now = Date.now();
  const cache =
    state === 'valid'
      ? { accessToken: SSO_TOKEN, expiresAt: new Date(now + 3_600_000).toISOString() }
      : {
          accessToken: 'aoaExpiredConformanceToken',
          expiresAt: new Date(now - 3_600_000).toISOString(),
          clientId: SSO_REFRESH.clientId,
          clientSecret: SSO_REFRESH.clientSecret,
          refreshToken: SSO_REFRESH.token,
          registrationExpiresAt: new Date(now + 30 * 86_400_000).toISOString(),
        };
  write(root, `home/.aws/sso/cache/${createHash('sha1').update('corp').digest('hex')}.json`, JSON.stringify(cache));
  const { startSsoServer } = await import(pathToFileURL(world.bundles.sso).href);
  const sso = await startSsoServer({
    secrets: servers.secrets,
    accessTokens: new Set([SSO_TOKEN]),
    refreshTokens: new Map([[SSO_REFRESH.token, { clientId: SSO_REFRESH.clientId, clientSecret: SSO_REFRESH.clientSecret }]]),
  });
  // AWS_ENDPOINT_URL_STS stays on the loopback STS: the SSO calls must not go there.
  return { env: { AWS_ENDPOINT_URL_SSO: sso.url, AWS_ENDPOINT_URL_SSO_OIDC: sso.url }, close: () => sso.close() };
};

export function credentialFixtures(keys) {
  const roleConfig = (extra) => `[profile role]\nrole_arn = arn:aws:iam::444455556666:role/Codex\n${extra}region = ${REGION}\n`;
  const tokenFile = (root) => write(root, 'token.jwt', 'eyJhbGciOiJSUzI1NiJ9.conformance.sig');
  return [
    { name: 'sso-session-sts-override', what: 'sso-session profile, valid cached token, AWS_ENDPOINT_URL_STS set', env: { AWS_PROFILE: 'sso' }, prepare: ssoSession('valid'), expect: true },
    { name: 'sso-expired-token-refreshable', what: 'sso-session profile, access token expired, refresh token good', env: { AWS_PROFILE: 'sso' }, prepare: ssoSession('refresh'), expect: true },
    {
      name: 'process-camelcase',
      what: 'credential_process printing camelCase keys',
      env: { AWS_PROFILE: 'proc' },
      prepare: processProfile(printJson({ version: 1, accessKeyId: PROFILE_AKID, secretAccessKey: PROFILE_SECRET })),
      expect: true,
    },
    {
      name: 'process-expired',
      what: 'credential_process with an Expiration in the past (the servers know the session expired)',
      env: { AWS_PROFILE: 'proc' },
      prepare: (root, servers) => {
        servers.secrets.set(TEMP.accessKeyId, { secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken, expiration: new Date('2020-01-01T00:00:00Z') });
        return processProfile(printJson({ Version: 1, AccessKeyId: TEMP.accessKeyId, SecretAccessKey: TEMP.secretAccessKey, SessionToken: TEMP.sessionToken, Expiration: '2020-01-01T00:00:00Z' }))(root);
      },
      expect: false,
    },
    { name: 'process-fails', what: 'credential_process exiting 1 (nothing else configured)', env: { AWS_PROFILE: 'proc' }, prepare: processProfile('echo "helper: denied" >&2; exit 1'), expect: false },
    {
      name: 'assume-role-duration-seconds',
      what: 'role profile with duration_seconds = 43200 (role maximum 1 h)',
      env: { AWS_PROFILE: 'role' },
      aws: { config: roleConfig('source_profile = base\nduration_seconds = 43200\n'), credentials: `[base]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}` },
      expect: true,
    },
    {
      name: 'missing-source-profile',
      what: 'role profile whose source_profile does not exist',
      env: { AWS_PROFILE: 'role' },
      aws: { config: roleConfig('source_profile = nowhere\n'), credentials: '' },
      expect: false,
    },
    {
      name: 'profile-default-preferred',
      what: '[default] with a wrong secret, then [profile default] with good keys, no AWS_PROFILE',
      env: {},
      aws: { config: `[default]\n${keysLines(PROFILE_AKID, WRONG_SECRET)}\n[profile default]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}`, credentials: '' },
      expect: true,
    },
    {
      name: 'region-inline-comment',
      what: 'AWS_PROFILE=p, region = us-east-1   # comment, only in ~/.aws/config',
      env: { AWS_PROFILE: 'p' },
      aws: { config: `[profile p]\nregion = ${REGION}   # N. Virginia\n`, credentials: `[p]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}` },
      configRegion: false,
      expect: true,
    },
    {
      name: 'region-in-credentials-file',
      what: 'AWS_PROFILE=p, region only in ~/.aws/credentials',
      env: { AWS_PROFILE: 'p' },
      aws: { config: '', credentials: `[p]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}region = ${REGION}\n` },
      configRegion: false,
      expect: true,
    },
    {
      name: 'aws-files-tilde',
      what: 'AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE starting with ~',
      env: { AWS_PROFILE: 'p', AWS_CONFIG_FILE: '~/alt/config', AWS_SHARED_CREDENTIALS_FILE: '~/alt/credentials' },
      prepare: (root) => {
        write(root, 'home/alt/config', `[profile p]\nregion = ${REGION}\n`);
        write(root, 'home/alt/credentials', `[p]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}`);
        return {};
      },
      configRegion: false,
      expect: true,
    },
    {
      name: 'akia-leftover-session-token',
      what: 'long-term AKIA env keys + a leftover AWS_SESSION_TOKEN',
      env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: 'FwoGZXIvYXdzLeftoverSessionToken==' },
      expect: false,
    },
    {
      name: 'web-identity-env',
      what: 'AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (GitHub Actions OIDC, EKS IRSA)',
      env: { AWS_ROLE_ARN: 'arn:aws:iam::444455556666:role/GitHubActions' },
      prepare: (root) => ({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile(root) } }),
      expect: true,
    },
    {
      name: 'web-identity-without-role-arn',
      what: 'AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN',
      env: {},
      prepare: (root) => ({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile(root) } }),
      expect: false,
    },
    {
      name: 'credential-export-before-stored-key',
      what: 'aws.credential_export that fails + a good API key stored in auth.json',
      env: {},
      awsLines: (root) => [`credential_export = { command = "${write(root, 'bin/export.sh', '#!/bin/sh\nexit 1\n', 0o755)}" }`],
      authJson: { auth_mode: 'bedrockApiKey', OPENAI_API_KEY: null, bedrock_api_key: { api_key: keys.good, region: REGION } },
      expect: false,
    },
  ];
}
