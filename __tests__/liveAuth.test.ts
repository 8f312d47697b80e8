/**
 * Live credential checks, end to end: the BUILT CLI (`node bin/codex-bedrock.cjs doctor --json`) runs as a
 * child process in a temporary copy of fixtures/auth/ (HOME, CODEX_HOME and the AWS shared files point at
 * the copy, the environment is clean), NOT --offline, against loopback servers only:
 *
 * - an STS server per run (AWS_ENDPOINT_URL_STS) that verifies SigV4 with the known test secrets and
 *   mints ASIA… credentials for AssumeRole; each run gets its own, so its recorded requests are that run's;
 * - one Mantle server, reached through a `base_url` override, so bedrock.responses never leaves the
 *   machine (its result is not asserted here; another test file covers it);
 * - a guard server standing in for the SSO portal and SSO OIDC (AWS_ENDPOINT_URL_SSO[_OIDC]): nothing may
 *   reach it. Instance metadata is off (AWS_EC2_METADATA_DISABLED=true).
 *
 * Bedrock API keys are real short-term keys minted with @aws/bedrock-token-generator from test credentials
 * (with Date faked to mint at a known instant) and a long-term ABSK key of the documented shape.
 *
 * The children run in beforeAll, four at a time; each test then checks its run. SPEC sections 3, 4
 * (auth.token, auth.identity), 5 (secrets never appear in any output) and 7.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mintShortTermKey } from './helpers/mintKey.js';
import {
  assertBuilt,
  cleanEnv,
  parseReport,
  pool,
  reportInvariants,
  REPO_ROOT,
  runCli,
  stackTraceLines,
  type CliRun,
  type Report,
  type ReportCheck,
} from './helpers/scenarios.js';
import { closedPort, startStsServer, type CallerIdentity, type IssuedCredentials, type StsBehaviour } from './helpers/stsServer.js';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import { startLoopback, type LoopbackServer, type RecordedRequest, type SecretMap } from './helpers/sigv4Verify.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const FIXTURE_SRC = join(REPO_ROOT, 'fixtures', 'auth');
const CONCURRENCY = 4;
const H = 3_600_000;
const REGION = 'us-east-1';

// ---------------------------------------------------------------------------------------------------------
// Test credentials. Every secret here must stay out of every output.

const ENV_KEYS = { accessKeyId: 'AKIAENVKEYTEST000001', secretAccessKey: 'envSecretEnvSecretEnvSecretEnvSecret0001' };
/** In fixtures/auth/home/.aws/credentials, profile [static]; also the source_profile of [assumer]. */
const STATIC_KEYS = { accessKeyId: 'AKIASTATICTEST000002', secretAccessKey: 'staticSecretStaticSecretStaticSecret0002' };
/** What fixtures/auth/bin/cred-ok.sh prints. */
const PROCESS_KEYS = {
  accessKeyId: 'ASIAPROCESSTEST00003',
  secretAccessKey: 'processSecretProcessSecretProcessSecr003',
  sessionToken: 'processSessionTokenCANARY/IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ',
};
/** Mints the short-term Bedrock API keys. */
const MINT_KEYS = { accessKeyId: 'AKIABEARERTEST000004', secretAccessKey: 'bearerMintSecretBearerMintSecretBearer04' };
/** Temporary env keys for the ExpiredToken case. */
const TEMP_ENV_KEYS = {
  accessKeyId: 'ASIAENVTEMPTEST00005',
  secretAccessKey: 'tempEnvSecretTempEnvSecretTempEnvSecret5',
  sessionToken: 'tempEnvSessionTokenCANARY/FwoGZXIvYXdzEBYaDHJlYWxseWxvbmd0b2tlbg==',
};
/** Known to nobody: STS answers InvalidClientTokenId. */
const UNKNOWN_KEYS = { accessKeyId: 'AKIAUNKNOWNTEST00006', secretAccessKey: 'unknownSecretUnknownSecretUnknownSecre06' };
/** The right access key id with a secret the STS server does not know for it. */
const WRONG_SECRET = 'wrongSecretWrongSecretWrongSecretWrong007';

const LONG_SECRET = 'LongTermSecretCANARY+0123456789abcdef';
const LONG_TERM_KEY = 'ABSK' + Buffer.from(`codex-bot-at-123456789012:${LONG_SECRET}`).toString('base64');

/** From fixtures/auth: the SSO token cache and the canaries cred-fail.sh prints on stderr. */
const SSO_ACCESS_TOKEN = 'aoaSsoAccessTokenCANARYexpiredLongAgo0000000000000000000000000000';
const PROCESS_STDERR_SECRETS = ['LeakCanarySecretKEYwJalrXUtnFEMIK7MDENG0', 'hvs.LeakCanaryVaultToken0123456789abcdef'];

const ACCOUNTS = new Map<string, CallerIdentity>([
  [ENV_KEYS.accessKeyId, { account: '222233334444', arn: 'arn:aws:iam::222233334444:user/codex-env', userId: 'AIDAENVUSERTEST000001' }],
  [STATIC_KEYS.accessKeyId, { account: '111122223333', arn: 'arn:aws:iam::111122223333:user/codex-static', userId: 'AIDASTATICUSER0000002' }],
  [PROCESS_KEYS.accessKeyId, { account: '333344445555', arn: 'arn:aws:sts::333344445555:assumed-role/CredHelperRole/cred-ok', userId: 'AROAPROCESSROLE00003:cred-ok' }],
  [TEMP_ENV_KEYS.accessKeyId, { account: '222233334444', arn: 'arn:aws:sts::222233334444:assumed-role/Temp/env', userId: 'AROATEMPENVROLE00005:env' }],
]);

/** One map for every server: AssumeRole adds what it mints, so Mantle accepts those credentials too. */
const SECRETS: SecretMap = new Map([
  [ENV_KEYS.accessKeyId, { secretAccessKey: ENV_KEYS.secretAccessKey }],
  [STATIC_KEYS.accessKeyId, { secretAccessKey: STATIC_KEYS.secretAccessKey }],
  [PROCESS_KEYS.accessKeyId, { secretAccessKey: PROCESS_KEYS.secretAccessKey, sessionToken: PROCESS_KEYS.sessionToken }],
  [MINT_KEYS.accessKeyId, { secretAccessKey: MINT_KEYS.secretAccessKey }],
  [TEMP_ENV_KEYS.accessKeyId, { secretAccessKey: TEMP_ENV_KEYS.secretAccessKey, sessionToken: TEMP_ENV_KEYS.sessionToken }],
]);

const STATIC_SECRETS = [
  ENV_KEYS.secretAccessKey, STATIC_KEYS.secretAccessKey, PROCESS_KEYS.secretAccessKey, PROCESS_KEYS.sessionToken,
  MINT_KEYS.secretAccessKey, TEMP_ENV_KEYS.secretAccessKey, TEMP_ENV_KEYS.sessionToken, UNKNOWN_KEYS.secretAccessKey,
  WRONG_SECRET, LONG_TERM_KEY, LONG_SECRET, SSO_ACCESS_TOKEN, ...PROCESS_STDERR_SECRETS,
];
/** Access key ids may only be shown as first 4 + last 4 (SPEC section 5). */
const FULL_ACCESS_KEY_IDS = [ENV_KEYS, STATIC_KEYS, PROCESS_KEYS, MINT_KEYS, TEMP_ENV_KEYS, UNKNOWN_KEYS].map((k) => k.accessKeyId);
const hint = (akid: string) => `${akid.slice(0, 4)}…${akid.slice(-4)}`;

// ---------------------------------------------------------------------------------------------------------
// Bedrock API keys, minted in beforeAll (Date is faked while minting, so nothing else may run then).

interface MintedKeys {
  /** Minted a minute ago in us-east-1 with the default 12 h lifetime. */
  valid: string;
  validExpiresAt: Date;
  /** Minted 13 h ago: expired an hour ago. */
  expired: string;
  expiredAt: Date;
  /** Minted a minute ago in eu-west-1. */
  otherRegion: string;
  /** For auth.json: minted 2 minutes ago in us-east-1, 2 h lifetime. */
  stored: string;
  storedExpiresAt: Date;
}

function mint(at: Date, opts: { region?: string; expiresInSeconds?: number } = {}): Promise<string> {
  return mintShortTermKey(MINT_KEYS, at, { region: opts.region ?? REGION, ...(opts.expiresInSeconds ? { expiresInSeconds: opts.expiresInSeconds } : {}) });
}

async function mintAll(): Promise<MintedKeys> {
  const now = Math.floor(Date.now() / 1000) * 1000; // X-Amz-Date has whole seconds
  const validAt = new Date(now - 60_000);
  const expiredAt = new Date(now - 13 * H);
  const storedAt = new Date(now - 120_000);
  return {
    valid: await mint(validAt),
    validExpiresAt: new Date(validAt.getTime() + 12 * H),
    expired: await mint(expiredAt),
    expiredAt: new Date(expiredAt.getTime() + 12 * H),
    otherRegion: await mint(validAt, { region: 'eu-west-1' }),
    stored: await mint(storedAt, { expiresInSeconds: 7200 }),
    storedExpiresAt: new Date(storedAt.getTime() + 2 * H),
  };
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

// ---------------------------------------------------------------------------------------------------------
// Runs

type StsSetup = StsBehaviour | 'closed';

interface RunDef {
  name: string;
  /** Extra environment, computed once the keys are minted. null unsets a cleanEnv default. */
  env?: (keys: MintedKeys) => Record<string, string | null>;
  args?: string[];
  offline?: boolean;
  sts?: StsSetup;
  /** A file of fixtures/auth copied over home/.codex/config.toml. */
  configToml?: string;
  /** Written to $CODEX_HOME/auth.json. */
  authJson?: (keys: MintedKeys) => unknown;
}

interface Outcome {
  def: RunDef;
  root: string;
  env: Record<string, string>;
  cli: CliRun;
  report: Report | null;
  parseProblem: string | null;
  stsUrl: string;
  stsRequests: RecordedRequest[];
  stsIssued: IssuedCredentials[];
  /** Secrets of this run that must not appear (minted keys, credentials STS handed out). */
  secrets: string[];
}

type Check = ReportCheck & { facts?: Record<string, unknown> };

const envKeys = (k: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: k.accessKeyId,
  AWS_SECRET_ACCESS_KEY: k.secretAccessKey,
  ...(k.sessionToken ? { AWS_SESSION_TOKEN: k.sessionToken } : {}),
});

const DEFS: RunDef[] = [];
const def = (d: RunDef): string => {
  DEFS.push(d);
  return d.name;
};

const RUN = {
  envKeys: def({ name: 'env-keys', env: () => envKeys(ENV_KEYS) }),
  envKeysAndProfile: def({ name: 'env-keys-and-aws-profile', env: () => ({ ...envKeys(ENV_KEYS), AWS_PROFILE: 'static' }) }),
  configProfileOverBearer: def({
    name: 'config-aws-profile-over-bearer',
    configToml: 'config-aws-profile.toml',
    env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k.valid }),
  }),
  awsProfileStatic: def({ name: 'aws-profile-static', env: () => ({ AWS_PROFILE: 'static' }) }),
  ssoExpired: def({ name: 'sso-expired', env: () => ({ AWS_PROFILE: 'sso-expired' }) }),
  processOk: def({ name: 'credential-process-ok', env: () => ({ AWS_PROFILE: 'cred-ok' }) }),
  processFail: def({ name: 'credential-process-fail', env: () => ({ AWS_PROFILE: 'cred-fail' }) }),
  processFailConfig: def({ name: 'credential-process-fail-config-profile', args: ['-c', 'model_providers.amazon-bedrock.aws.profile="cred-fail"'] }),
  missingProfile: def({ name: 'missing-profile', env: () => ({ AWS_PROFILE: 'does-not-exist' }) }),
  assumeRole: def({ name: 'assume-role', env: () => ({ AWS_PROFILE: 'assumer' }) }),
  stsExpiredToken: def({ name: 'sts-expired-token', sts: 'ExpiredToken', env: () => envKeys(TEMP_ENV_KEYS) }),
  stsInvalidClientTokenId: def({ name: 'sts-invalid-client-token-id', env: () => envKeys(UNKNOWN_KEYS) }),
  stsSignatureDoesNotMatch: def({
    name: 'sts-signature-does-not-match',
    env: () => envKeys({ accessKeyId: ENV_KEYS.accessKeyId, secretAccessKey: WRONG_SECRET }),
  }),
  stsAccessDenied: def({ name: 'sts-access-denied', sts: 'AccessDenied', env: () => envKeys(ENV_KEYS) }),
  stsSlow: def({ name: 'sts-slow', sts: 'slow', args: ['--timeout', '1'], env: () => envKeys(ENV_KEYS) }),
  stsRefused: def({ name: 'sts-refused', sts: 'closed', env: () => envKeys(ENV_KEYS) }),
  bearerValid: def({ name: 'bearer-valid', env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k.valid }) }),
  bearerExpired: def({ name: 'bearer-expired', env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k.expired }) }),
  bearerOtherRegion: def({ name: 'bearer-other-region', env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k.otherRegion }) }),
  bearerLongTerm: def({ name: 'bearer-long-term', env: () => ({ AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY }) }),
  bearerQuoted: def({ name: 'bearer-quoted', env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: `"${k.valid}"` }) }),
  bearerNewline: def({ name: 'bearer-trailing-newline', env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: `${k.valid}\n` }) }),
  bearerEmpty: def({ name: 'bearer-empty-with-env-keys', env: () => ({ AWS_BEARER_TOKEN_BEDROCK: '', ...envKeys(ENV_KEYS) }) }),
  bearerOffline: def({ name: 'bearer-offline', offline: true, env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k.valid }) }),
};

/** auth.json as Codex 0.169.0 writes a stored Bedrock API key (with auth_mode, and the older form without). */
const STORED_SHAPES: [string, (key: string) => unknown][] = [
  ['auth_mode bedrockApiKey', (key) => ({ auth_mode: 'bedrockApiKey', OPENAI_API_KEY: null, bedrock_api_key: { api_key: key, region: REGION } })],
  ['no auth_mode', (key) => ({ bedrock_api_key: { api_key: key, region: REGION } })],
];
const STORED_RUNS = STORED_SHAPES.map(([field, shape]) =>
  def({
    name: `stored-login-${field}`,
    authJson: (k) => shape(k.stored),
    // The variable holds an expired key: if Codex's precedence were ignored, auth.token would fail.
    env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k.expired }),
  }),
);
/** AWS access keys stored in auth.json (auth_mode bedrockAccessKeys) beat a bearer key and env keys. */
const STORED_ACCESS_KEYS = def({
  name: 'stored-access-keys',
  authJson: () => ({ auth_mode: 'bedrockAccessKeys', bedrock_access_keys: { access_key_id: STATIC_KEYS.accessKeyId, secret_access_key: STATIC_KEYS.secretAccessKey, session_token: null } }),
  env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k.expired, ...envKeys(ENV_KEYS) }),
});

// ---------------------------------------------------------------------------------------------------------

describe('live auth.token / auth.identity against loopback STS (built CLI, not --offline)', () => {
  let tmpRoot = '';
  let keys: MintedKeys;
  let mantle: MantleServer;
  let guard: LoopbackServer;
  const guardRequests: string[] = [];
  const outcomes = new Map<string, Outcome>();

  function prepare(d: RunDef): string {
    const root = join(tmpRoot, d.name);
    cpSync(FIXTURE_SRC, root, { recursive: true });
    const awsConfig = join(root, 'home', '.aws', 'config');
    writeFileSync(awsConfig, readFileSync(awsConfig, 'utf8').replaceAll('__FIXTURE__', root));
    if (d.configToml) cpSync(join(root, d.configToml), join(root, 'home', '.codex', 'config.toml'));
    if (d.authJson) writeFileSync(join(root, 'home', '.codex', 'auth.json'), JSON.stringify(d.authJson(keys), null, 2), { mode: 0o600 });
    mkdirSync(join(root, 'etc'), { recursive: true });
    return root;
  }

  async function execute(d: RunDef): Promise<Outcome> {
    const root = prepare(d);
    const sts = d.sts === 'closed' ? null : await startStsServer({ secrets: SECRETS, accounts: ACCOUNTS, behaviour: d.sts ?? 'ok', slowMs: 20_000 });
    const stsUrl = sts ? sts.url : `http://127.0.0.1:${await closedPort()}`;
    try {
      const env = cleanEnv(root, {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_STS: stsUrl,
        // Nothing may reach the SSO portal or OIDC service; if anything tries, it lands on the guard.
        AWS_ENDPOINT_URL_SSO: guard.url,
        AWS_ENDPOINT_URL_SSO_OIDC: guard.url,
        ...(d.env ? d.env(keys) : {}),
      });
      const args = [
        'doctor', '--json', ...(d.offline ? ['--offline'] : []),
        // Keep bedrock.responses on loopback (not asserted here).
        '-c', `model_providers.amazon-bedrock.base_url="${mantle.baseUrl}"`,
        ...(d.args ?? []),
      ];
      const cli = await runCli(args, env, root);
      const parsed = parseReport(cli.stdout);
      return {
        def: d,
        root,
        env,
        cli,
        report: 'report' in parsed ? parsed.report : null,
        parseProblem: 'problem' in parsed ? parsed.problem : null,
        stsUrl,
        stsRequests: sts ? [...sts.requests] : [],
        stsIssued: sts ? [...sts.issued] : [],
        secrets: [],
      };
    } finally {
      await sts?.close();
    }
  }

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-liveauth-'));
    keys = await mintAll(); // before any server traffic: Date is faked while minting
    guard = await startLoopback(async (req, res) => {
      guardRequests.push(`${req.method} ${req.headers.host}${req.url}`);
      res.statusCode = 500;
      res.end('guard: no test may reach this endpoint');
    });
    mantle = await startMantleServer({
      secrets: SECRETS,
      longTermKeys: new Set([LONG_TERM_KEY]),
      modelsByRegion: { [REGION]: ['openai.gpt-5.5'] },
      region: REGION,
    });
    const results = await pool(DEFS, CONCURRENCY, execute);
    for (const outcome of results) {
      outcome.secrets = [keys.valid, keys.expired, keys.otherRegion, keys.stored, ...outcome.stsIssued.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
      outcomes.set(outcome.def.name, outcome);
    }
  }, 120_000);

  afterAll(async () => {
    await mantle?.close();
    await guard?.close();
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  // -------------------------------------------------------------------------------------------------------
  // Helpers over one run

  /** The run, after the properties every run must have: a clean exit, one JSON document, no secret anywhere. */
  function run(name: string): Outcome & { report: Report } {
    const o = outcomes.get(name);
    if (!o) throw new Error(`no run named ${name}`);
    const context = `run ${name}: exit ${o.cli.code}, ${o.cli.durationMs} ms, stderr ${JSON.stringify(o.cli.stderr.slice(0, 600))}`;
    const problems: string[] = [];
    if (o.cli.spawnError) problems.push(`could not start: ${o.cli.spawnError}`);
    if (o.cli.timedOut) problems.push('killed: did not finish in time');
    if (stackTraceLines(o.cli.stderr).length > 0) problems.push('stderr has a stack trace');
    // SPEC section 5: no secret in any output, and access key ids only as first 4 + last 4.
    const output = `${o.cli.stdout}\n${o.cli.stderr}`;
    for (const secret of [...STATIC_SECRETS, ...o.secrets]) if (output.includes(secret)) problems.push(`a secret appears in the output: ${secret.slice(0, 14)}…`);
    for (const id of FULL_ACCESS_KEY_IDS) if (output.includes(id)) problems.push(`a full access key id appears in the output: ${id}`);
    if (o.parseProblem) problems.push(o.parseProblem);
    else {
      const report = o.report!;
      if (report.error !== null) problems.push(`report.error is ${JSON.stringify(report.error)}`);
      // Shape rules every report follows (one-line summaries, skip reasons, counts, SPEC check order).
      problems.push(...reportInvariants(report));
      const derived = report.error ? 2 : report.summary.fail > 0 ? 1 : 0;
      if (o.cli.code !== derived) problems.push(`exit code ${o.cli.code}, but the report gives ${derived}`);
    }
    expect({ context, problems }).toEqual({ context, problems: [] });
    return o as Outcome & { report: Report };
  }

  function check(o: Outcome & { report: Report }, id: string): Check {
    const found = o.report.checks.find((c) => c.id === id);
    if (!found) throw new Error(`${o.def.name}: check ${id} is missing from the report`);
    return found as Check;
  }

  /** The fields a person reads, for toMatchObject (a mismatch then prints the actual values). */
  const view = (c: Check) => ({
    id: c.id,
    status: c.status,
    summary: c.summary,
    remediation: c.remediation,
    skipReason: c.skipReason,
    details: c.details.join('\n'),
    facts: c.facts ?? {},
  });
  /** Everything a check says, in one string: summary, details, remediation. */
  const said = (c: Check) => [c.summary, ...c.details, c.remediation ?? ''].join('\n');

  const callerIdentityCalls = (o: Outcome) => o.stsRequests.filter((r) => /(^|&)Action=GetCallerIdentity(&|$)/.test(r.body));

  /** Exactly one GetCallerIdentity, its SigV4 verified by the server, signed with `akid`. */
  function expectOneVerifiedCallerIdentity(o: Outcome, akid: string | RegExp): void {
    const calls = callerIdentityCalls(o).map((r) => ({ path: r.path, auth: r.auth }));
    expect(calls).toEqual([{ path: expect.any(String), auth: expect.objectContaining({ kind: 'sigv4', ok: true, accessKeyId: akid instanceof RegExp ? expect.stringMatching(akid) : akid, region: REGION }) }]);
  }

  // -------------------------------------------------------------------------------------------------------
  // 1-4: which IAM credential Codex uses

  it('1. env keys: auth.token names the env source and shows the key as first4…last4; auth.identity passes from one verified STS call', () => {
    const o = run(RUN.envKeys);
    expect(o.report.setup).toMatchObject({ authMode: 'iam', region: REGION });
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/AWS_ACCESS_KEY_ID/),
      facts: { credentialSource: 'env-keys', accessKeyId: hint(ENV_KEYS.accessKeyId) },
    });
    expect(token.summary).toContain(hint(ENV_KEYS.accessKeyId));
    const identity = check(o, 'auth.identity');
    expect(view(identity)).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/222233334444.*arn:aws:iam::222233334444:user\/codex-env/),
      facts: { account: '222233334444', arn: 'arn:aws:iam::222233334444:user/codex-env' },
    });
    expectOneVerifiedCallerIdentity(o, ENV_KEYS.accessKeyId);
    expect(o.stsRequests).toHaveLength(1);
  });

  it('2. env keys AND AWS_PROFILE: the env keys sign (unlike the JS SDK chain) and the report says AWS_PROFILE is ignored', () => {
    const o = run(RUN.envKeysAndProfile);
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({ status: 'pass', facts: { credentialSource: 'env-keys', accessKeyId: hint(ENV_KEYS.accessKeyId) } });
    expect(said(token)).toMatch(/AWS_PROFILE(=static)?\b.*\bignored/);
    expectOneVerifiedCallerIdentity(o, ENV_KEYS.accessKeyId);
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'pass', facts: { account: '222233334444' } });
  });

  it('3. aws.profile in config.toml: that profile\'s static keys sign although AWS_BEARER_TOKEN_BEDROCK is set; the bearer key is reported as ignored', () => {
    const o = run(RUN.configProfileOverBearer);
    expect(o.report.setup).toMatchObject({ authMode: 'iam' });
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/profile static/),
      facts: { credentialSource: 'profile-keys', profile: 'static', accessKeyId: hint(STATIC_KEYS.accessKeyId) },
    });
    expect(said(token)).toMatch(/AWS_BEARER_TOKEN_BEDROCK\b.*\bignored/);
    expectOneVerifiedCallerIdentity(o, STATIC_KEYS.accessKeyId);
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'pass', facts: { account: '111122223333', arn: 'arn:aws:iam::111122223333:user/codex-static' } });
  });

  it('4. AWS_PROFILE with static keys: resolved through the default chain', () => {
    const o = run(RUN.awsProfileStatic);
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/static keys.*profile static/),
      facts: { credentialSource: 'profile-keys', profile: 'static', accessKeyId: hint(STATIC_KEYS.accessKeyId), temporary: false },
    });
    expectOneVerifiedCallerIdentity(o, STATIC_KEYS.accessKeyId);
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'pass', summary: expect.stringContaining('arn:aws:iam::111122223333:user/codex-static') });
  });

  // -------------------------------------------------------------------------------------------------------
  // 5-8: profiles that need more than keys

  it('5. SSO profile with an expired token cache: auth.token fails with `aws sso login --profile sso-expired`; auth.identity is skipped', () => {
    const o = run(RUN.ssoExpired);
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({ status: 'fail', summary: expect.stringMatching(/SSO/), facts: { credentialSource: 'sso', profile: 'sso-expired' } });
    expect(token.summary).toMatch(/expired/i);
    expect(token.remediation).toContain('aws sso login --profile sso-expired');
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'skip', skipReason: expect.stringMatching(/auth\.token/) });
    expect(o.stsRequests).toHaveLength(0);
    expect(guardRequests).toEqual([]);
  });

  it('6a. credential_process that succeeds: source "process", expiry shown, identity from the temporary key', () => {
    const o = run(RUN.processOk);
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/credential_process/),
      facts: { credentialSource: 'process', profile: 'cred-ok', accessKeyId: hint(PROCESS_KEYS.accessKeyId), temporary: true, expiresAt: '2099-01-01T00:00:00.000Z' },
    });
    expect(token.summary).toContain('valid until 2099-01-01T00:00:00Z');
    expectOneVerifiedCallerIdentity(o, PROCESS_KEYS.accessKeyId);
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'pass', facts: { account: '333344445555' } });
  });

  it.each([
    ['AWS_PROFILE=cred-fail (default chain)', RUN.processFail],
    ['aws.profile = "cred-fail" (that profile only)', RUN.processFailConfig],
  ])('6b. credential_process that fails, via %s: exit status and stderr reported, the secret-looking part of stderr nowhere in the output', (_how, name) => {
    const o = run(name); // asserts that the canaries cred-fail.sh prints appear on neither stdout nor stderr
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({ status: 'fail', summary: expect.stringMatching(/credential_process/), facts: { profile: 'cred-fail' } });
    expect(said(token)).toMatch(/exit status 3\b/);
    expect(said(token)).toContain('the vault refused to renew the lease (permission denied)');
    expect(token.remediation).toMatch(/credential_process/);
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'skip' });
    expect(o.stsRequests).toHaveLength(0);
  });

  it('7. a missing AWS profile fails and lists the profiles that exist', () => {
    const o = run(RUN.missingProfile);
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({ status: 'fail', summary: expect.stringMatching(/"does-not-exist".*does not exist/) });
    for (const profile of ['assumer', 'cred-fail', 'cred-ok', 'sso-expired', 'static']) expect(token.remediation).toContain(profile);
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'skip' });
    expect(o.stsRequests).toHaveLength(0);
  });

  it('8. assume-role profile whose source_profile has static keys: ASIA credentials from the loopback STS, identity is the assumed role', () => {
    const o = run(RUN.assumeRole);
    expect(o.stsIssued).toHaveLength(1);
    const assumed = o.stsIssued[0]!;
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/assumed role/),
      facts: { credentialSource: 'assume-role', profile: 'assumer', accessKeyId: expect.stringMatching(/^ASIA…/), temporary: true },
    });
    expect(token.facts?.['accessKeyId']).toBe(hint(assumed.accessKeyId));
    const arn = 'arn:aws:sts::444455556666:assumed-role/CodexBedrock/codex-doctor-test';
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'pass', summary: expect.stringContaining(arn), facts: { account: '444455556666', arn } });
    // AssumeRole signed with the source profile's static key, then GetCallerIdentity with the assumed key.
    const assumeCalls = o.stsRequests.filter((r) => /(^|&)Action=AssumeRole(&|$)/.test(r.body)).map((r) => r.auth);
    expect(assumeCalls).toEqual([expect.objectContaining({ kind: 'sigv4', ok: true, accessKeyId: STATIC_KEYS.accessKeyId })]);
    expectOneVerifiedCallerIdentity(o, assumed.accessKeyId);
  });

  // -------------------------------------------------------------------------------------------------------
  // 9: STS errors mapped to sentences with a fix

  describe('9. STS error mapping (auth.token passes, auth.identity fails with a sentence and a fix)', () => {
    it('ExpiredToken', () => {
      const o = run(RUN.stsExpiredToken);
      expect(check(o, 'auth.token').status).toBe('pass');
      expect(view(check(o, 'auth.identity'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/session token of ASIA…0005 has expired \(ExpiredToken\)/),
        remediation: expect.stringMatching(/fresh temporary credentials/),
      });
      expect(callerIdentityCalls(o)).toHaveLength(1);
    });

    it('InvalidClientTokenId (a key STS does not know)', () => {
      const o = run(RUN.stsInvalidClientTokenId);
      expect(view(check(o, 'auth.identity'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/does not recognise access key AKIA…0006 \(InvalidClientTokenId\)/),
        remediation: expect.stringMatching(/IAM console.*list-access-keys/),
      });
      expect(callerIdentityCalls(o).map((r) => r.auth)).toEqual([expect.objectContaining({ ok: false, code: 'UnknownKey' })]);
    });

    it('SignatureDoesNotMatch (a secret the server does not know for that key)', () => {
      const o = run(RUN.stsSignatureDoesNotMatch);
      expect(view(check(o, 'auth.identity'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/signature does not match \(SignatureDoesNotMatch\).*secret access key for AKIA…0001 is wrong/),
        remediation: expect.stringMatching(/Re-enter the secret access key.*check the clock/),
      });
      expect(callerIdentityCalls(o).map((r) => r.auth)).toEqual([expect.objectContaining({ ok: false, code: 'SignatureDoesNotMatch', accessKeyId: ENV_KEYS.accessKeyId })]);
    });

    it('AccessDenied', () => {
      const o = run(RUN.stsAccessDenied);
      expect(view(check(o, 'auth.identity'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/denied GetCallerIdentity for AKIA…0001 \(AccessDenied\)/),
        remediation: expect.stringMatching(/which policy denies sts:GetCallerIdentity/),
      });
    });

    it('a slow STS past --timeout 1: the run ends within a few seconds and says STS did not answer within 1 s', () => {
      const o = run(RUN.stsSlow);
      // The server would answer after 20 s: ending before then (and saying "within 1 s") shows the 1 s limit
      // cut the call. No tighter bound: on a loaded 2-core CI machine start-up and SDK load vary by seconds.
      expect(check(o, 'auth.identity').durationMs).toBeGreaterThanOrEqual(1000);
      expect(o.cli.durationMs).toBeLessThan(20_000);
      const host = new URL(o.stsUrl).host;
      expect(view(check(o, 'auth.identity'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(new RegExp(`did not answer within 1 s.*${host.replace(/\./g, '\\.')}`)),
        remediation: expect.stringMatching(/raise --timeout/),
      });
      expect(callerIdentityCalls(o)).toHaveLength(1);
    });

    it('a closed port: connection refused', () => {
      const o = run(RUN.stsRefused);
      const host = new URL(o.stsUrl).host;
      expect(view(check(o, 'auth.identity'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(new RegExp(`connection to ${host.replace(/\./g, '\\.')} was refused`)),
        remediation: expect.stringMatching(/Nothing is listening there/),
      });
    });
  });

  // -------------------------------------------------------------------------------------------------------
  // 10-12: the bearer path

  describe('10. bearer path with real Bedrock API keys', () => {
    it('a valid short-term key: auth.token passes with its expiry; auth.identity is skipped with the reason; STS is not called', () => {
      const o = run(RUN.bearerValid);
      expect(o.report.setup).toMatchObject({ authMode: 'bearer' });
      expect(view(check(o, 'auth.token'))).toMatchObject({
        status: 'pass',
        summary: expect.stringContaining(`Short-term Bedrock API key for us-east-1, valid until ${iso(keys.validExpiresAt)}`),
        facts: { keyKind: 'short-term', keyRegion: REGION, expiresAt: keys.validExpiresAt.toISOString(), accessKeyId: hint(MINT_KEYS.accessKeyId) },
      });
      expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'skip', skipReason: expect.stringMatching(/Bedrock API key, not IAM credentials/) });
      expect(o.stsRequests).toHaveLength(0);
    });

    it('an expired short-term key fails and says when it expired', () => {
      const o = run(RUN.bearerExpired);
      expect(view(check(o, 'auth.token'))).toMatchObject({
        status: 'fail',
        summary: expect.stringContaining(`expired at ${iso(keys.expiredAt)} (1 h ago)`),
        remediation: expect.stringMatching(/Mint a new short-term key/),
        facts: { expiresAt: keys.expiredAt.toISOString() },
      });
      expect(check(o, 'auth.identity').status).toBe('skip');
    });

    it('a key minted for another region fails', () => {
      const o = run(RUN.bearerOtherRegion);
      expect(view(check(o, 'auth.token'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/minted for eu-west-1, but Codex will use us-east-1/),
        remediation: expect.stringMatching(/Mint a key in us-east-1/),
        facts: { keyRegion: 'eu-west-1' },
      });
    });

    it('a long-term ABSK key passes; auth.identity is skipped and names the account id', () => {
      const o = run(RUN.bearerLongTerm);
      expect(view(check(o, 'auth.token'))).toMatchObject({
        status: 'pass',
        summary: expect.stringMatching(/Long-term Bedrock API key of IAM user codex-bot \(account 123456789012\).*expiry cannot be read offline/),
        facts: { keyKind: 'long-term', iamUser: 'codex-bot', accountId: '123456789012' },
      });
      expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'skip', skipReason: expect.stringContaining('123456789012') });
      expect(o.stsRequests).toHaveLength(0);
    });

    it('a key with surrounding quotes fails (Codex sends them)', () => {
      const o = run(RUN.bearerQuoted);
      expect(view(check(o, 'auth.token'))).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/quote characters/),
        remediation: expect.stringMatching(/Remove the quotes/),
      });
    });

    it('a key with a trailing newline warns (Codex trims it, other tools may not)', () => {
      const o = run(RUN.bearerNewline);
      expect(view(check(o, 'auth.token'))).toMatchObject({
        status: 'warn',
        summary: expect.stringMatching(/surrounding whitespace.*Codex trims it/),
        remediation: expect.stringMatching(/without the surrounding whitespace/),
      });
    });

    it('an empty AWS_BEARER_TOKEN_BEDROCK with env keys: the IAM path is used and the report says the empty variable is ignored', () => {
      const o = run(RUN.bearerEmpty);
      expect(o.report.setup).toMatchObject({ authMode: 'iam' });
      const token = check(o, 'auth.token');
      expect(view(token)).toMatchObject({ status: 'pass', facts: { credentialSource: 'env-keys' } });
      expect(said(token)).toMatch(/AWS_BEARER_TOKEN_BEDROCK is set but empty.*Codex ignores it/);
      expectOneVerifiedCallerIdentity(o, ENV_KEYS.accessKeyId);
      expect(check(o, 'auth.identity').status).toBe('pass');
    });
  });

  it('11. --offline on the bearer path: auth.token still judges the key, auth.identity is skipped, STS gets no request', () => {
    const o = run(RUN.bearerOffline);
    expect(view(check(o, 'auth.token'))).toMatchObject({ status: 'pass', facts: { keyKind: 'short-term', expiresAt: keys.validExpiresAt.toISOString() } });
    expect(view(check(o, 'auth.identity'))).toMatchObject({ status: 'skip', skipReason: expect.any(String) });
    expect(o.stsRequests).toHaveLength(0);
  });

  it.each(STORED_RUNS)('12. a key stored by codex login in $CODEX_HOME/auth.json beats AWS_BEARER_TOKEN_BEDROCK (%s)', (name) => {
    const o = run(name);
    expect(o.report.setup).toMatchObject({ authMode: 'bearer', authSource: expect.stringMatching(/stored in auth\.json/) });
    const token = check(o, 'auth.token');
    // The stored key (valid for 2 h) is judged, not the expired one in the variable.
    expect(view(token)).toMatchObject({
      status: 'pass',
      summary: expect.stringContaining(`valid until ${iso(keys.storedExpiresAt)}`),
      facts: { keyKind: 'short-term', expiresAt: keys.storedExpiresAt.toISOString() },
    });
    expect(token.summary).toContain('auth.json');
    expect(said(token)).toMatch(/AWS_BEARER_TOKEN_BEDROCK\b.*\bignored/);
    expect(check(o, 'auth.identity').status).toBe('skip');
  });

  it('12b. AWS access keys stored in auth.json sign the STS call, ahead of AWS_BEARER_TOKEN_BEDROCK and env keys', () => {
    const o = run(STORED_ACCESS_KEYS);
    expect(o.report.setup).toMatchObject({ authMode: 'iam', authSource: expect.stringMatching(/stored in auth\.json/) });
    const token = check(o, 'auth.token');
    expect(view(token)).toMatchObject({ status: 'pass', facts: { credentialSource: 'codex-login', accessKeyId: hint(STATIC_KEYS.accessKeyId) } });
    expect(said(token)).toMatch(/AWS_BEARER_TOKEN_BEDROCK\b.*\bignored/);
    expect(check(o, 'auth.identity').status).toBe('pass');
    expectOneVerifiedCallerIdentity(o, STATIC_KEYS.accessKeyId);
  });

  it('no run reached the SSO portal or OIDC guard, and every run finished well within its limit', () => {
    expect(guardRequests).toEqual([]);
    const slowRuns = [...outcomes.values()].filter((o) => o.cli.durationMs > 8000).map((o) => `${o.def.name}: ${o.cli.durationMs} ms`);
    expect(slowRuns).toEqual([]);
  });
});
