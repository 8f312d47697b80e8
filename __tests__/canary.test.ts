/**
 * Secrets never reach any output (SPEC section 5). Canary values are planted in the shell, in
 * $CODEX_HOME/.env, in config.toml and in auth.json; the built CLI runs in every output mode, offline and
 * against loopback STS and Mantle servers (including one that echoes the credential back in an error),
 * and every byte of stdout and stderr is searched for the canaries and for fragments of them.
 */
import { getToken } from '@aws/bedrock-token-generator';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import { cleanEnv, pool, runCli, type CliRun } from './helpers/scenarios.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const ACCESS_KEY_ID = 'ASIACANARYKEYID77701';
const SECRET_ACCESS_KEY = 'CanarySecretAccessKey/0123456789abcdefXYZ';
const SESSION_TOKEN = 'CanarySessionToken+AbCdEfGhIjKlMnOpQrStUvWxYz0123456789==';
const OPENAI_KEY = 'sk-canary-openai-0123456789abcdefghij';
const HEADER_SECRET = 'CanaryHeaderSecretValue0123456789';
const LONG_TERM_KEY = `ABSK${Buffer.from('canary-user-at-123456789012:CanaryLongTermSecret0123456789').toString('base64')}`;
/** Credentials only the AWS SDK ever sees: printed by a credential_process, served by a container endpoint. */
const PROCESS_KEY_ID = 'ASIAPROCESSCANARY001';
const PROCESS_SECRET = 'CanaryProcessSecret/0123456789abcdefghijk';
const PROCESS_TOKEN = 'CanaryProcessSessionToken+0123456789abcdefghijklmnop==';
const CONTAINER_KEY_ID = 'ASIACONTAINERCANARY1';
const CONTAINER_SECRET = 'CanaryContainerSecret/0123456789abcdefghi';
const CONTAINER_TOKEN = 'CanaryContainerSessionToken+0123456789abcdefghijklm==';
const CONTAINER_AUTH = 'CanaryContainerAuthorizationToken0123456789';
const SSO_ACCESS_TOKEN = 'CanarySsoPortalAccessToken0123456789abcdefghij';
const SSO_KEY_ID = 'ASIASSOCANARYKEY0001';
const SSO_SECRET = 'CanarySsoRoleSecret/0123456789abcdefghijkl';
const SSO_TOKEN = 'CanarySsoRoleSessionToken+0123456789abcdefghijklmn==';
const WEB_IDENTITY_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.CanaryWebIdentityJwtPayload0123456789.CanarySignaturePart0123';
const STORED_KEY = `ABSK${Buffer.from('stored-user-at-123456789012:CanaryStoredLoginSecret98765').toString('base64')}`;

/** Every value and a distinctive middle fragment of it: a partial leak counts as a leak. */
function fragments(secret: string): string[] {
  const middle = secret.slice(Math.floor(secret.length / 4), Math.floor(secret.length / 4) + 12);
  return [secret, middle];
}

let root: string;
let sts: StsServer;
let mantle: MantleServer;
let echo: http.Server;
let echoUrl: string;
let shortTermKey: string;
let canaries: string[];
let secrets: Map<string, { secretAccessKey: string; sessionToken?: string }>;
let container: http.Server;
let containerUrl: string;
let ssoEcho: http.Server;
let ssoEchoUrl: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'canary-'));
  secrets = new Map([
    [ACCESS_KEY_ID, { secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN }],
    [PROCESS_KEY_ID, { secretAccessKey: PROCESS_SECRET, sessionToken: PROCESS_TOKEN }],
    [CONTAINER_KEY_ID, { secretAccessKey: CONTAINER_SECRET, sessionToken: CONTAINER_TOKEN }],
  ]);
  sts = await startStsServer({ secrets });
  mantle = await startMantleServer({ secrets, longTermKeys: new Set([LONG_TERM_KEY]), modelsByRegion: { 'us-east-1': ['openai.gpt-5.5'] }, region: 'us-east-1' });
  // A server that echoes the credential it received inside an error message, as a misbehaving proxy might: the
  // whole Authorization header, the bare signature out of it, and the session token.
  echo = http.createServer((req, res) => {
    const signature = /Signature=([0-9a-f]+)/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'permission_denied_error', message: `Access denied for ${req.headers.authorization} and token ${req.headers['x-amz-security-token'] ?? ''} signature ${signature}` } }));
  });
  // The ECS/EKS container credential endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI), with its authorization token.
  container = http.createServer((req, res) => {
    if (req.headers.authorization !== CONTAINER_AUTH) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ AccessKeyId: CONTAINER_KEY_ID, SecretAccessKey: CONTAINER_SECRET, Token: CONTAINER_TOKEN, Expiration: new Date(Date.now() + 3600_000).toISOString() }));
  });
  await new Promise<void>((resolve) => container.listen(0, '127.0.0.1', resolve));
  // IAM Identity Center's portal (GetRoleCredentials) and, on the same port, an STS that echoes the session
  // token it was sent inside a JSON error.
  ssoEcho = http.createServer((req, res) => {
    if (req.url?.startsWith('/federation/credentials')) {
      const ok = req.headers['x-amz-sso_bearer_token'] === SSO_ACCESS_TOKEN;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify({ roleCredentials: { accessKeyId: SSO_KEY_ID, secretAccessKey: SSO_SECRET, sessionToken: SSO_TOKEN, expiration: Date.now() + 3600_000 } }) : '{}');
      return;
    }
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `Denied token ${req.headers['x-amz-security-token'] ?? ''}` }));
  });
  await new Promise<void>((resolve) => ssoEcho.listen(0, '127.0.0.1', resolve));
  ssoEchoUrl = `http://127.0.0.1:${(ssoEcho.address() as { port: number }).port}`;
  containerUrl = `http://127.0.0.1:${(container.address() as { port: number }).port}/v2/credentials`;
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}/openai/v1`;
  shortTermKey = await getToken({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN }, region: 'us-east-1' });
  const decoded = Buffer.from(shortTermKey.slice('bedrock-api-key-'.length), 'base64').toString('utf8');
  const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(decoded)![1]!;
  canaries = [SECRET_ACCESS_KEY, SESSION_TOKEN, encodeURIComponent(SESSION_TOKEN), OPENAI_KEY, HEADER_SECRET, LONG_TERM_KEY, STORED_KEY, shortTermKey, signature, 'CANARYKEYID777']
    .flatMap(fragments);
});

afterAll(async () => {
  await Promise.all([sts.close(), mantle.close(), new Promise((resolve) => echo.close(resolve)), new Promise((resolve) => container.close(resolve)), new Promise((resolve) => ssoEcho.close(resolve))]);
  rmSync(root, { recursive: true, force: true });
});

interface World {
  name: string;
  env: Record<string, string>;
  dotenv?: string;
  baseUrl?: () => string;
  authJson?: string;
  args?: string[];
}

function makeHome(world: World): string {
  const dir = join(root, world.name);
  const codexHome = join(dir, 'home', '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      'model_provider = "amazon-bedrock"',
      'model = "openai.gpt-5.5"',
      '',
      '[model_providers.amazon-bedrock]',
      ...(world.baseUrl ? [`base_url = "${world.baseUrl()}"`] : []),
      '',
      '[model_providers.amazon-bedrock.http_headers]',
      `Authorization = "Bearer ${HEADER_SECRET}"`,
      '',
      '[model_providers.amazon-bedrock.aws]',
      'region = "us-east-1"',
      '',
    ].join('\n'),
  );
  if (world.dotenv) writeFileSync(join(codexHome, '.env'), world.dotenv, { mode: 0o644 });
  if (world.authJson) writeFileSync(join(codexHome, 'auth.json'), world.authJson);
  return dir;
}

const iamEnv = () => ({ AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: SESSION_TOKEN, AWS_ENDPOINT_URL_STS: sts.url });

const worlds: World[] = [
  { name: 'iam-env-online', env: {}, baseUrl: () => mantle.baseUrl, dotenv: '' },
  { name: 'bearer-in-dotenv-online', env: {}, baseUrl: () => mantle.baseUrl, dotenv: 'SHORT_TERM_PLACEHOLDER' },
  { name: 'quoted-bearer', env: {}, dotenv: 'QUOTED_PLACEHOLDER' },
  { name: 'long-term-bearer-echoed', env: { AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY }, baseUrl: () => echoUrl },
  { name: 'iam-echoed', env: {}, baseUrl: () => echoUrl },
  { name: 'stored-login', env: {}, authJson: JSON.stringify({ auth_mode: 'bedrockApiKey', bedrock_api_key: { api_key: STORED_KEY, region: 'us-east-1' } }) },
  { name: 'stored-access-keys', env: {}, authJson: JSON.stringify({ auth_mode: 'bedrockAccessKeys', bedrock_access_keys: { access_key_id: ACCESS_KEY_ID, secret_access_key: SECRET_ACCESS_KEY, session_token: SESSION_TOKEN } }), baseUrl: () => mantle.baseUrl },
  { name: 'sts-rejects', env: {}, baseUrl: () => mantle.baseUrl, args: ['--timeout', '2'] },
  { name: 'usage-error', env: {}, args: ['-c', `${SECRET_ACCESS_KEY}`] },
];

const MODES: string[][] = [[], ['--verbose'], ['--json'], ['--json', '--verbose'], ['--offline'], ['--offline', '--json', '--verbose']];

function envFor(world: World, dir: string): Record<string, string> {
  const iamWorlds = ['iam-env-online', 'iam-echoed', 'sts-rejects', 'usage-error', 'stored-login', 'stored-access-keys'];
  const base = iamWorlds.includes(world.name) ? iamEnv() : {};
  return cleanEnv(dir, { ...base, OPENAI_API_KEY: OPENAI_KEY, ...world.env });
}

it('plants canaries in every source and finds none in any output mode', async () => {
  for (const world of worlds) {
    if (world.dotenv === 'SHORT_TERM_PLACEHOLDER') world.dotenv = `AWS_BEARER_TOKEN_BEDROCK=${shortTermKey}\nAWS_SESSION_TOKEN=${SESSION_TOKEN}\n`;
    if (world.dotenv === 'QUOTED_PLACEHOLDER') world.dotenv = `AWS_BEARER_TOKEN_BEDROCK='"${shortTermKey}"'\n`;
  }
  // Each world's home is written once, before any run: runs of one world share it, and rewriting
  // config.toml while another run reads it made that run see an empty file.
  const homes = new Map(worlds.map((world) => [world.name, makeHome(world)]));
  const runs = worlds.flatMap((world) => MODES.map((mode) => ({ world, mode })));
  const results = await pool(runs, 4, async ({ world, mode }) => {
    const dir = homes.get(world.name)!;
    const run: CliRun = await runCli(['doctor', ...mode, ...(world.args ?? [])], envFor(world, dir), dir);
    return { label: `${world.name} ${mode.join(' ') || '(human)'}`, run };
  });
  const leaks = results.flatMap(({ label, run }) =>
    canaries.filter((canary) => run.stdout.includes(canary) || run.stderr.includes(canary)).map((canary) => `${label}: leaked ${canary.slice(0, 6)}…`),
  );
  expect(leaks).toEqual([]);
  // The runs really exercised the paths whose output could carry secrets.
  const byLabel = new Map(results.map(({ label, run }) => [label, run]));
  const json = (label: string) => JSON.parse(byLabel.get(label)!.stdout) as { checks: { id: string; status: string; summary: string }[] };
  const check = (label: string, id: string) => json(label).checks.find((c) => c.id === id)!;
  expect(check('iam-env-online --json', 'bedrock.responses').status).toBe('pass');
  expect(check('bearer-in-dotenv-online --json', 'bedrock.responses').status).toBe('pass');
  expect(check('quoted-bearer --json', 'auth.token').status).toBe('fail');
  expect(check('long-term-bearer-echoed --json', 'bedrock.responses').summary).toMatch(/denied/i);
  expect(check('iam-echoed --json', 'bedrock.responses').summary).toMatch(/denied/i);
  expect(check('stored-login --json', 'auth.token').summary).toMatch(/stored-user/);
  expect(check('stored-access-keys --json', 'bedrock.responses').status).toBe('pass');
  expect(byLabel.get('usage-error --json')!.code).toBe(2);
  // Every run printed a report, except a usage error in human mode, which prints only to stderr.
  for (const { label, run } of results) {
    const expectOutput = !label.startsWith('usage-error') || label.includes('--json');
    expect({ label, printed: run.stdout.trim() !== '' }).toEqual({ label, printed: expectOutput });
  }
}, 120_000);

/** A default profile whose credential_process prints the process canaries; STS at `stsUrl`. */
function processWorld(name: string, stsUrl: () => string) {
  return {
    name,
    env: () => ({ AWS_ENDPOINT_URL_STS: stsUrl() }),
    awsConfig: (dir: string) => `[default]\nregion = us-east-1\ncredential_process = ${process.execPath} ${join(dir, 'creds.cjs')}\n`,
    setup: (dir: string) =>
      writeFileSync(
        join(dir, 'creds.cjs'),
        `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: '${PROCESS_KEY_ID}', SecretAccessKey: '${PROCESS_SECRET}', SessionToken: '${PROCESS_TOKEN}' }));\n`,
      ),
  };
}

/** Output modes beyond the report: human, verbose, JSON, GitHub, JUnit and the Markdown support report. */
const ALL_MODES: string[][] = [[], ['--verbose'], ['--json', '--verbose'], ['--format', 'github', '--verbose'], ['--format', 'junit'], ['--report', '-']];

it('credentials the AWS SDK resolves itself (credential_process, SSO, container, web identity) are never printed, even when servers echo them', async () => {
  const sdkWorlds: { name: string; env: () => Record<string, string>; awsConfig?: (dir: string) => string; setup?: (dir: string) => void }[] = [
    // STS echoes what it got: the answer is not STS's XML, and its text (quoting the token) reaches a message.
    processWorld('credential-process-echoed', () => echoUrl.replace(/\/openai\/v1$/, '')),
    processWorld('credential-process-mantle-echoed', () => sts.url),
    {
      name: 'container-echoed',
      env: () => ({ AWS_CONTAINER_CREDENTIALS_FULL_URI: containerUrl, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_AUTH, AWS_ENDPOINT_URL_STS: sts.url }),
    },
    {
      name: 'sso-echoed',
      env: () => ({ AWS_ENDPOINT_URL_SSO: ssoEchoUrl, AWS_ENDPOINT_URL_STS: ssoEchoUrl }),
      awsConfig: () =>
        '[default]\nregion = us-east-1\nsso_session = canary\nsso_account_id = 123456789012\nsso_role_name = CanaryRole\n\n[sso-session canary]\nsso_region = us-east-1\nsso_start_url = https://canary.awsapps.com/start\n',
      setup: (dir) => {
        // The token `aws sso login` caches, under the SHA-1 of the session name.
        const cache = join(dir, 'home', '.aws', 'sso', 'cache');
        mkdirSync(cache, { recursive: true });
        const token = { accessToken: SSO_ACCESS_TOKEN, expiresAt: new Date(Date.now() + 3600_000).toISOString(), region: 'us-east-1', startUrl: 'https://canary.awsapps.com/start' };
        writeFileSync(join(cache, `${createHash('sha1').update('canary').digest('hex')}.json`), JSON.stringify(token));
      },
    },
    {
      name: 'web-identity-echoed',
      env: () => ({ AWS_ENDPOINT_URL_STS: sts.url, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/canary', AWS_ROLE_SESSION_NAME: 'canary' }),
      setup: (dir) => writeFileSync(join(dir, 'web-token'), WEB_IDENTITY_TOKEN),
    },
  ];
  const runs = sdkWorlds.flatMap((world) => ALL_MODES.map((mode) => ({ world, mode })));
  const results = await pool(runs, 4, async ({ world, mode }) => {
    const dir = makeHome({ name: `${world.name}-${ALL_MODES.indexOf(mode)}`, env: {}, baseUrl: () => echoUrl });
    world.setup?.(dir);
    mkdirSync(join(dir, 'home', '.aws'), { recursive: true });
    if (world.awsConfig) writeFileSync(join(dir, 'home', '.aws', 'config'), world.awsConfig(dir));
    const extra: Record<string, string> = world.name.startsWith('web-identity') ? { AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'web-token') } : {};
    const run = await runCli(['doctor', ...mode, '--timeout', '5'], cleanEnv(dir, { ...world.env(), ...extra }), dir);
    return { label: `${world.name} ${mode.join(' ') || '(human)'}`, run };
  });
  const issued = sts.issued.flatMap((creds) => [creds.secretAccessKey, creds.sessionToken]);
  expect(issued.length).toBeGreaterThan(0);
  const sdkCanaries = [SSO_ACCESS_TOKEN, SSO_SECRET, SSO_TOKEN, PROCESS_SECRET, PROCESS_TOKEN, CONTAINER_SECRET, CONTAINER_TOKEN, CONTAINER_AUTH, WEB_IDENTITY_TOKEN, ...issued].flatMap(fragments);
  const leaks = results.flatMap(({ label, run }) =>
    sdkCanaries.filter((canary) => run.stdout.includes(canary) || run.stderr.includes(canary)).map((canary) => `${label}: leaked ${canary.slice(0, 6)}…`),
  );
  expect(leaks).toEqual([]);
  // No bare 64-hex signature either (the echo server sends the one it received).
  expect(results.filter(({ run }) => /\b[0-9a-f]{64}\b/.test(run.stdout + run.stderr)).map(({ label }) => label)).toEqual([]);
  // The runs reached the servers that echo: the credentials really were resolved and used.
  const json = (name: string) => JSON.parse(results.find(({ label }) => label === `${name} --json --verbose`)!.run.stdout) as { checks: { id: string; status: string; summary: string }[] };
  const status = (name: string, id: string) => json(name).checks.find((c) => c.id === id)!;
  expect(status('credential-process-echoed', 'auth.identity').summary).toMatch(/not with an STS XML document/);
  expect(status('credential-process-mantle-echoed', 'bedrock.responses').summary).toMatch(/denied/i);
  expect(status('container-echoed', 'bedrock.responses').summary).toMatch(/denied/i);
  expect(status('sso-echoed', 'auth.identity').summary).toMatch(/not with an STS XML document/);
  expect(status('web-identity-echoed', 'bedrock.responses').summary).toMatch(/denied/i);
}, 180_000);
