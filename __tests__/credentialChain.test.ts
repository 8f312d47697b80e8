/**
 * IAM credentials resolved as Codex's Rust SDK resolves them (issue 9), against loopback servers only: the
 * STS server (SigV4 verified), an SSO portal + SSO-OIDC server and a container credentials endpoint. Each
 * test writes real files under a temporary HOME, resolves the setup with the real resolver and reader, and
 * calls resolveIamCredentials; nothing is mocked.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { directoryState, readFileFromDisk } from '../src/io/files.js';
import { resolveIamCredentials, type IamResolution } from '../src/net/iamCredentials.js';
import { resolveSetup } from '../src/resolve/setup.js';
import { startContainerServer, type ContainerServer } from './helpers/containerServer.js';
import { stateAfterKill } from './helpers/processState.js';
import { startSsoServer, type SsoServer } from './helpers/ssoServer.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';
import type { SecretMap } from './helpers/sigv4Verify.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const STATIC = { accessKeyId: 'AKIACHAINSTATIC00001', secretAccessKey: 'chainStaticSecretChainStaticSecret000001' };
const SSO_TOKEN = 'aoaValidSsoAccessTokenForTheLoopbackPortal000000000000000000';
const REFRESH = { token: 'aorRefreshTokenKnownToTheLoopbackOidc0000000000', clientId: 'client-id-1', clientSecret: 'client-secret-CANARY-1' };
const MIN = 60_000;

const secrets: SecretMap = new Map([[STATIC.accessKeyId, { secretAccessKey: STATIC.secretAccessKey }]]);
let sts: StsServer;
let sso: SsoServer;
let root: string;
let counter = 0;

/** The AWS SDK clients built in this process read process.env (shared config files under HOME): point it away from the real home. */
const SDK_ENV = ['HOME', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS'];
const savedEnv = Object.fromEntries(SDK_ENV.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'codex-bedrock-chain-'));
  SDK_ENV.forEach((name) => delete process.env[name]);
  Object.assign(process.env, { HOME: root, AWS_CONFIG_FILE: join(root, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-credentials') });
  sts = await startStsServer({ secrets, region: 'us-east-1' });
  sso = await startSsoServer({ secrets, accessTokens: new Set([SSO_TOKEN]), refreshTokens: new Map([[REFRESH.token, { clientId: REFRESH.clientId, clientSecret: REFRESH.clientSecret }]]) });
});

afterAll(async () => {
  SDK_ENV.forEach((name) => (savedEnv[name] === undefined ? delete process.env[name] : (process.env[name] = savedEnv[name])));
  await sts?.close();
  await sso?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Home {
  home: string;
  file(path: string, text: string, mode?: number): string;
  resolve(env?: Record<string, string>, options?: { timeoutMs?: number; now?: Date }): Promise<IamResolution>;
}

/** A fresh HOME with ~/.aws/config and ~/.aws/credentials as given; servers reached through the env. */
function makeHome(files: { config?: string; credentials?: string } = {}): Home {
  const home = join(root, `home-${++counter}`);
  mkdirSync(join(home, '.codex'), { recursive: true });
  const file = (path: string, text: string, mode = 0o644) => {
    const full = path.startsWith('/') ? path : join(home, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    chmodSync(full, mode);
    return full;
  };
  if (files.config !== undefined) file('.aws/config', files.config);
  if (files.credentials !== undefined) file('.aws/credentials', files.credentials);
  return {
    home,
    file,
    async resolve(env = {}, options = {}) {
      const shellEnv = {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: home,
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_STS: sts.url,
        AWS_ENDPOINT_URL_SSO: sso.url,
        AWS_ENDPOINT_URL_SSO_OIDC: sso.url,
        ...env,
      };
      const setup = resolveSetup({ configOverrides: [], shellEnv, homeDir: home, managedConfigPath: join(home, 'managed.toml'), readFile: readFileFromDisk, directoryState });
      const now = options.now ?? new Date();
      return resolveIamCredentials(setup, { timeoutMs: options.timeoutMs ?? 5000, readFile: readFileFromDisk, homeDir: home, now: () => now });
    },
  };
}

const ok = (r: IamResolution) => {
  if (!r.ok) throw new Error(`expected credentials, got: ${r.reason}`);
  return r.credentials;
};
const failed = (r: IamResolution) => {
  if (r.ok) throw new Error(`expected a failure, got credentials from ${r.credentials.source}`);
  return r;
};
const requestsSince = <T>(list: T[], start: number) => list.slice(start);
const iso = (ms: number) => new Date(ms).toISOString();

const SSO_SESSION_CONFIG = [
  '[profile dev]',
  'sso_session = corp',
  'sso_account_id = 111122223333',
  'sso_role_name = BedrockDeveloper',
  'region = us-east-1',
  '',
  '[sso-session corp]',
  'sso_start_url = https://corp-example.awsapps.com/start',
  'sso_region = us-east-1',
  '',
].join('\n');
const cacheFile = (home: Home, identifier: string, body: object) =>
  home.file(`.aws/sso/cache/${createHash('sha1').update(identifier).digest('hex')}.json`, JSON.stringify(body, null, 2), 0o600);

describe('SSO (IAM Identity Center) with the SSO endpoints only', () => {
  it('an sso-session profile with a valid token gets role credentials from the portal while AWS_ENDPOINT_URL_STS points elsewhere; STS sees no SSO call', async () => {
    const home = makeHome({ config: SSO_SESSION_CONFIG });
    cacheFile(home, 'corp', { accessToken: SSO_TOKEN, expiresAt: iso(Date.now() + 8 * 60 * MIN), region: 'us-east-1', startUrl: 'https://corp-example.awsapps.com/start' });
    const [ssoStart, stsStart] = [sso.requests.length, sts.requests.length];
    const creds = ok(await home.resolve({ AWS_PROFILE: 'dev' }));
    expect(creds).toMatchObject({ source: 'sso', profile: 'dev', accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(creds.accessKeyId).toBe(sso.issued.at(-1)!.accessKeyId);
    const calls = requestsSince(sso.requests, ssoStart);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /federation/credentials?account_id=111122223333&role_name=BedrockDeveloper']);
    expect(calls[0]!.headers['x-amz-sso_bearer_token']).toBe(SSO_TOKEN);
    expect(requestsSince(sts.requests, stsStart)).toEqual([]);
  });

  it('with only AWS_ENDPOINT_URL (global) and AWS_ENDPOINT_URL_STS set, SSO goes to the global endpoint, never to the STS one', async () => {
    const home = makeHome({ config: SSO_SESSION_CONFIG });
    cacheFile(home, 'corp', { accessToken: SSO_TOKEN, expiresAt: iso(Date.now() + 60 * MIN) });
    const [ssoStart, stsStart] = [sso.requests.length, sts.requests.length];
    const creds = ok(await home.resolve({ AWS_PROFILE: 'dev', AWS_ENDPOINT_URL: sso.url, AWS_ENDPOINT_URL_SSO: '', AWS_ENDPOINT_URL_SSO_OIDC: '' }));
    expect(creds.source).toBe('sso');
    expect(requestsSince(sso.requests, ssoStart)).toHaveLength(1);
    expect(requestsSince(sts.requests, stsStart)).toEqual([]);
  });

  it.each([
    ['expires in 2 minutes', 2 * MIN],
    ['expired an hour ago', -60 * MIN],
  ])('an access token that %s with a good refresh token: refreshed through SSO-OIDC in memory, the cache file is left byte for byte as it was', async (_what, offset) => {
    const home = makeHome({ config: SSO_SESSION_CONFIG });
    const path = cacheFile(home, 'corp', {
      accessToken: 'aoaStaleAccessTokenThePortalDoesNotKnow000000000000',
      expiresAt: iso(Date.now() + offset),
      clientId: REFRESH.clientId,
      clientSecret: REFRESH.clientSecret,
      refreshToken: REFRESH.token,
      registrationExpiresAt: iso(Date.now() + 30 * 24 * 60 * MIN),
      region: 'us-east-1',
      startUrl: 'https://corp-example.awsapps.com/start',
    });
    const before = { text: readFileSync(path, 'utf8'), mtime: statSync(path).mtimeMs };
    const start = sso.requests.length;
    const creds = ok(await home.resolve({ AWS_PROFILE: 'dev' }));
    const calls = requestsSince(sso.requests, start);
    expect(calls.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['POST /token', 'GET /federation/credentials']);
    expect(JSON.parse(calls[0]!.body)).toEqual({ clientId: REFRESH.clientId, clientSecret: REFRESH.clientSecret, grantType: 'refresh_token', refreshToken: REFRESH.token });
    expect(calls[1]!.headers['x-amz-sso_bearer_token']).toBe(sso.refreshedTokens.at(-1));
    expect(creds.notes?.join('\n')).toMatch(/refreshed it in memory only and wrote nothing/);
    expect({ text: readFileSync(path, 'utf8'), mtime: statSync(path).mtimeMs }).toEqual(before);
  });

  it('an expired token without a refresh token fails with `aws sso login --profile dev` and calls nothing', async () => {
    const home = makeHome({ config: SSO_SESSION_CONFIG });
    cacheFile(home, 'corp', { accessToken: SSO_TOKEN, expiresAt: iso(Date.now() - MIN) });
    const start = sso.requests.length;
    const failure = failed(await home.resolve({ AWS_PROFILE: 'dev' }));
    expect(failure).toMatchObject({ source: 'sso', profile: 'dev', reason: expect.stringMatching(/expired/), fix: 'Run: aws sso login --profile dev' });
    expect(requestsSince(sso.requests, start)).toEqual([]);
  });

  it('a token the portal no longer accepts (signed out) fails with aws sso login', async () => {
    const home = makeHome({ config: SSO_SESSION_CONFIG });
    cacheFile(home, 'corp', { accessToken: 'aoaRevokedToken000000000000000000000000', expiresAt: iso(Date.now() + 60 * MIN) });
    const failure = failed(await home.resolve({ AWS_PROFILE: 'dev' }));
    expect(failure).toMatchObject({ source: 'sso', reason: expect.stringMatching(/UnauthorizedException/), fix: 'Run: aws sso login --profile dev' });
  });

  it('a legacy SSO profile (sso_start_url in the profile) reads the cache named after the start URL', async () => {
    const home = makeHome({
      config: ['[profile legacy]', 'sso_start_url = https://legacy-example.awsapps.com/start', 'sso_region = us-east-1', 'sso_account_id = 111122223333', 'sso_role_name = Legacy', ''].join('\n'),
    });
    cacheFile(home, 'https://legacy-example.awsapps.com/start', { accessToken: SSO_TOKEN, expiresAt: iso(Date.now() + 60 * MIN) });
    const creds = ok(await home.resolve({ AWS_PROFILE: 'legacy' }));
    expect(creds).toMatchObject({ source: 'sso', profile: 'legacy' });
    expect(sso.issued.at(-1)).toMatchObject({ roleName: 'Legacy', accountId: '111122223333' });
  });

  it('an SSO profile named by aws.profile in the Codex config works too', async () => {
    const home = makeHome({ config: SSO_SESSION_CONFIG });
    cacheFile(home, 'corp', { accessToken: SSO_TOKEN, expiresAt: iso(Date.now() + 60 * MIN) });
    home.file('.codex/config.toml', 'model_provider = "amazon-bedrock"\n[model_providers.amazon-bedrock.aws]\nprofile = "dev"\n');
    const creds = ok(await home.resolve({ CODEX_HOME: join(home.home, '.codex') }));
    expect(creds).toMatchObject({ source: 'sso', profile: 'dev' });
  });
});

describe('credential_process as the Rust SDK runs it', () => {
  const processProfile = (home: Home, name: string, script: string) => {
    const path = home.file(`bin/${name}.sh`, `#!/bin/sh\n${script}\n`, 0o755);
    return `[profile ${name}]\ncredential_process = /bin/sh "${path}"\n`;
  };

  it('camelCase keys are accepted (the JavaScript SDK refuses them)', async () => {
    const home = makeHome();
    home.file('.aws/config', processProfile(home, 'camel', `echo '{"version": 1, "accessKeyId": "ASIACAMELCASE0000001", "secretAccessKey": "camelSecret", "sessionToken": "camelToken", "expiration": "2099-01-01T00:00:00Z"}'`));
    const creds = ok(await home.resolve({ AWS_PROFILE: 'camel' }));
    expect(creds).toMatchObject({ source: 'process', accessKeyId: 'ASIACAMELCASE0000001', sessionToken: 'camelToken', expiration: new Date('2099-01-01T00:00:00Z') });
  });

  it('an Expiration already past is still used, with that expiration (Codex signs with it; AWS then refuses)', async () => {
    const home = makeHome();
    home.file('.aws/config', processProfile(home, 'stale', `echo '{"Version": 1, "AccessKeyId": "ASIASTALEPROCESS0001", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2020-01-01T00:00:00Z"}'`));
    const creds = ok(await home.resolve({ AWS_PROFILE: 'stale' }));
    expect(creds.expiration).toEqual(new Date('2020-01-01T00:00:00Z'));
  });

  it('a failing process runs exactly once and its exit status is reported', async () => {
    const home = makeHome();
    const count = join(home.home, 'runs');
    home.file('.aws/config', processProfile(home, 'failing', `echo run >> "${count}"\necho "helper: no session" >&2\nexit 7`));
    const failure = failed(await home.resolve({ AWS_PROFILE: 'failing' }));
    expect(failure.reason).toMatch(/exit status 7.*helper: no session/);
    expect(readFileSync(count, 'utf8')).toBe('run\n');
  });

  it('a hanging process is killed with everything it started when the timeout passes', async () => {
    const home = makeHome();
    const pidFile = join(home.home, 'grandchild.pid');
    home.file('.aws/config', processProfile(home, 'hang', `sleep 600 &\necho $! > "${pidFile}"\nwait`));
    const failure = failed(await home.resolve({ AWS_PROFILE: 'hang' }, { timeoutMs: 1000 }));
    expect(failure.reason).toMatch(/did not finish within 1 s and was killed/);
    // Gone, or a zombie waiting to be reaped: either way no longer running.
    expect(['gone', 'Z', 'X']).toContain(await stateAfterKill(readFileSync(pidFile, 'utf8').trim()));
  });

  it('a role profile whose source_profile has static keys AND a failing credential_process: the process is never run, AssumeRole is signed with the keys', async () => {
    const home = makeHome();
    const marker = join(home.home, 'process-ran');
    const source = processProfile(home, 'base', `touch "${marker}"\nexit 1`);
    home.file('.aws/config', `${source}\n[profile role]\nrole_arn = arn:aws:iam::444455556666:role/Codex\nsource_profile = base\nrole_session_name = chain-test\n`);
    home.file('.aws/credentials', `[base]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n`);
    const start = sts.requests.length;
    const creds = ok(await home.resolve({ AWS_PROFILE: 'role' }));
    expect(creds).toMatchObject({ source: 'assume-role', profile: 'role' });
    expect(existsSync(marker)).toBe(false);
    expect(requestsSince(sts.requests, start).map((r) => r.auth)).toEqual([expect.objectContaining({ kind: 'sigv4', ok: true, accessKeyId: STATIC.accessKeyId })]);
  });
});

describe('assume-role', () => {
  const roleConfig = (extra: string) =>
    `[profile base]\nregion = us-east-1\n\n[profile long]\nrole_arn = arn:aws:iam::444455556666:role/LongSessions\nsource_profile = base\n${extra}`;
  const baseKeys = `[base]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n`;

  it('duration_seconds = 43200 is not sent (Codex never sends DurationSeconds), so a role with a 1 h maximum still works', async () => {
    const home = makeHome({ config: roleConfig('duration_seconds = 43200\n'), credentials: baseKeys });
    const start = sts.requests.length;
    const creds = ok(await home.resolve({ AWS_PROFILE: 'long' }));
    expect(creds.source).toBe('assume-role');
    const body = requestsSince(sts.requests, start)[0]!.body;
    expect(body).toMatch(/Action=AssumeRole/);
    expect(body).not.toMatch(/DurationSeconds/);
    // Rust's default session name when role_session_name is absent.
    expect(decodeURIComponent(body)).toMatch(/RoleSessionName=assume-role-from-profile-\d+/);
  });

  it('a source_profile that does not exist is named as such', async () => {
    const home = makeHome({ config: '[profile orphan]\nrole_arn = arn:aws:iam::444455556666:role/X\nsource_profile = nowhere\n', credentials: baseKeys });
    const failure = failed(await home.resolve({ AWS_PROFILE: 'orphan' }));
    expect(failure.reason).toBe(`profile "orphan" names source_profile = nowhere, but profile "nowhere" does not exist in ${join(home.home, '.aws', 'config')} or ${join(home.home, '.aws', 'credentials')}`);
    expect(failure.fix).toMatch(/source_profile/);
  });
});

describe('shared files read as Codex reads them', () => {
  it('~ in AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE is expanded', async () => {
    const home = makeHome();
    home.file('elsewhere/creds', `[tilde]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n`);
    home.file('elsewhere/config', '[profile tilde]\nregion = us-east-1\n');
    const creds = ok(await home.resolve({ AWS_PROFILE: 'tilde', AWS_CONFIG_FILE: '~/elsewhere/config', AWS_SHARED_CREDENTIALS_FILE: '~/elsewhere/creds' }));
    expect(creds).toMatchObject({ source: 'profile-keys', accessKeyId: STATIC.accessKeyId });
  });

  it.each([
    ['[default] first', `[default]\ncredential_process = /bin/false\n\n[profile default]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n`],
    ['[profile default] first', `[profile default]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n\n[default]\ncredential_process = /bin/false\n`],
  ])('[profile default] is used over [default] (%s)', async (_order, config) => {
    const home = makeHome({ config });
    const creds = ok(await home.resolve());
    expect(creds).toMatchObject({ source: 'profile-keys', profile: 'default', accessKeyId: STATIC.accessKeyId });
  });
});

describe('environment-only sources', () => {
  it('AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN names the missing variable', async () => {
    const home = makeHome();
    const token = home.file('token.jwt', 'eyJhbGciOi.payload.sig');
    const failure = failed(await home.resolve({ AWS_WEB_IDENTITY_TOKEN_FILE: token }));
    expect(failure.reason).toBe('AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; Codex stops there');
  });

  it('web identity from the environment (GitHub Actions OIDC, EKS IRSA): AssumeRoleWithWebIdentity at the STS endpoint, with the token from the file', async () => {
    const home = makeHome();
    const token = home.file('token.jwt', 'eyJhbGciOi.webidentity.sig\n');
    const start = sts.requests.length;
    const creds = ok(await home.resolve({ AWS_WEB_IDENTITY_TOKEN_FILE: token, AWS_ROLE_ARN: 'arn:aws:iam::444455556666:role/GitHubActions', AWS_ROLE_SESSION_NAME: 'gha-run' }));
    expect(creds).toMatchObject({ source: 'web-identity', accessKeyId: sts.issued.at(-1)!.accessKeyId });
    const body = decodeURIComponent(requestsSince(sts.requests, start)[0]!.body);
    expect(body).toMatch(/Action=AssumeRoleWithWebIdentity/);
    expect(body).toContain('WebIdentityToken=eyJhbGciOi.webidentity.sig');
  });

  describe('container credentials (ECS, EKS Pod Identity)', () => {
    let container: ContainerServer;
    beforeAll(async () => {
      container = await startContainerServer({ secrets, authorizationToken: 'pod-identity-token-CANARY' });
    });
    afterAll(() => container?.close());

    it('EKS Pod Identity: FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE sends the token and gets credentials', async () => {
      const home = makeHome();
      const tokenFile = home.file('eks-pod-identity-token', 'pod-identity-token-CANARY');
      const creds = ok(await home.resolve({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }));
      expect(creds).toMatchObject({ source: 'container', accessKeyId: container.issued.at(-1)!.accessKeyId });
      expect(container.requests.at(-1)!.headers.authorization).toBe('pod-identity-token-CANARY');
    });

    it('FULL_URI without any authorization token says which variable is missing', async () => {
      const home = makeHome();
      const failure = failed(await home.resolve({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/v1/credentials` }));
      expect(failure.source).toBe('container');
      expect(failure.reason).toMatch(/AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(or AWS_CONTAINER_AUTHORIZATION_TOKEN\) is not set/);
      expect(failure.fix).toMatch(/AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE/);
    });
  });

  it('nothing set at all: the plain "no credentials anywhere" sentence', async () => {
    const failure = failed(await makeHome().resolve());
    expect(failure.reason).toMatch(/no AWS credentials were found anywhere/);
  });
});

describe('a credential_process that floods its output', () => {
  it('is stopped at the output cap and reported as such', async () => {
    const home = makeHome();
    const script = home.file('bin/flood.sh', '#!/bin/sh\nyes AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n', 0o755);
    home.file('.aws/config', `[profile flood]\ncredential_process = /bin/sh "${script}"\n`);
    const failure = failed(await home.resolve({ AWS_PROFILE: 'flood' }));
    expect(failure.reason).toMatch(/printed far more than a credential and was stopped/);
  });
});

describe('aws login (login_session)', () => {
  it('a login_session profile without a cached login says to run aws login for that profile', async () => {
    const home = makeHome({ config: '[profile console]\nlogin_session = arn:aws:iam::111122223333:user/dev\nregion = us-east-1\n' });
    const failure = failed(await home.resolve({ AWS_PROFILE: 'console' }));
    expect(failure).toMatchObject({ source: 'aws-login', profile: 'console', fix: 'Run: aws login --profile console' });
  });
});
