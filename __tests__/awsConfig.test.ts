/**
 * The AWS shared files as Codex's Rust SDK reads them (aws-runtime env_config parse + normalize), and the
 * profile chain as aws-config decides it, as tables of input -> expected. Pure: no disk, no network.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { resolveProfileChain } from '../src/auth/profileChain.js';
import { parseAwsIni } from '../src/resolve/awsConfig.js';
import { authToken } from '../src/checks/authToken.js';
import { createServices } from '../src/net/services.js';
import { AWS_CONFIG, AWS_CREDENTIALS, FIXED_NOW, HOME, lines, makeWorld } from './helpers/world.js';

const read = (text: string, path = '/x') => ({ status: 'ok' as const, path, text, mode: 0o600, size: text.length });
const config = (text: string) => parseAwsIni(read(text, AWS_CONFIG), 'config');
const credentials = (text: string) => parseAwsIni(read(text, AWS_CREDENTIALS), 'credentials');
const value = (text: string, profile: string, key: string) => config(text).profiles.get(profile)?.values.get(key)?.value;

describe('parseAwsIni follows the Rust parser', () => {
  it.each([
    ['region = us-east-2   # Ohio', 'us-east-2'],
    ['region = us-east-2 ; Ohio', 'us-east-2'],
    ['region = us-east-2#not-a-comment', 'us-east-2#not-a-comment'],
    ['region=us-east-2', 'us-east-2'],
    ['REGION = us-east-2', 'us-east-2'],
    ['region =', ''],
  ])('%j in [profile p] gives region %j', (line, expected) => {
    expect(value(lines('[profile p]', line), 'p', 'region')).toBe(expected);
  });

  it('a comment after a header is cut anywhere; indented lines continue the previous property', () => {
    const file = config(lines('[profile p]# note', 's3 =', '  max_concurrent_requests = 20', 'region = eu-west-1'));
    expect(file.profiles.get('p')?.values.get('s3')?.value).toBe('\nmax_concurrent_requests = 20');
    expect(file.profiles.get('p')?.values.get('region')).toEqual({ value: 'eu-west-1', line: 4 });
  });

  it.each([
    ['a property before any header', lines('region = us-east-1', '[default]'), 1, 'Expected a profile definition'],
    ['a line without =', lines('[default]', 'region us-east-1'), 2, "Expected an '=' sign defining a property"],
  ])('%s is a parse error that loads no profile (Codex refuses the whole file)', (_what, text, line, message) => {
    const file = config(text);
    expect(file.parseError).toEqual({ line, message });
    expect(file.profiles.size).toBe(0);
    const chain = resolveProfileChain(file, credentials(''), 'default');
    expect(chain).toMatchObject({ ok: false, error: { code: 'parse', notLoaded: false } });
  });

  it('[profile default] replaces [default] whatever the order; sections with the wrong prefix for the file are ignored', () => {
    for (const text of [lines('[default]', 'region = a', '[profile default]', 'output = json'), lines('[profile default]', 'output = json', '[default]', 'region = a')]) {
      const file = config(text);
      expect([...file.profiles.get('default')!.values.keys()]).toEqual(['output']);
    }
    expect([...config(lines('[work]', 'region = a')).profiles.keys()]).toEqual([]);
    expect([...credentials(lines('[profile work]', 'region = a', '[home]', 'region = b')).profiles.keys()]).toEqual(['home']);
  });
});

describe('resolveProfileChain decides like aws-config repr.rs', () => {
  const chain = (cfg: string, creds = '', profile = 'p') => resolveProfileChain(config(cfg), credentials(creds), profile);

  it.each([
    ['static keys', lines('[profile p]', 'aws_access_key_id = AKIAX', 'aws_secret_access_key = s'), 'static'],
    ['credential_process before static keys', lines('[profile p]', 'credential_process = x', 'aws_access_key_id = AKIAX', 'aws_secret_access_key = s'), 'process'],
    ['SSO before credential_process', lines('[profile p]', 'sso_start_url = u', 'sso_region = us-east-1', 'sso_account_id = 1', 'sso_role_name = r', 'credential_process = x'), 'sso'],
    ['web identity before SSO', lines('[profile p]', 'role_arn = arn', 'web_identity_token_file = /t', 'sso_start_url = u'), 'web-identity'],
    ['credential_source first of all', lines('[profile p]', 'credential_source = Environment', 'credential_process = x'), 'named-source'],
  ])('%s', (_what, cfg, kind) => {
    expect(chain(cfg)).toMatchObject({ ok: true, chain: { base: { kind }, roles: [] } });
  });

  it('role chains end at a source profile with static keys, whatever else it sets', () => {
    const result = chain(
      lines('[profile p]', 'role_arn = arn:1', 'source_profile = q', '[profile q]', 'role_arn = arn:2', 'source_profile = r', '[profile r]', 'credential_process = never', 'aws_access_key_id = AKIAR', 'aws_secret_access_key = s'),
    );
    expect(result).toMatchObject({ ok: true, chain: { base: { kind: 'static', profile: 'r' }, roles: [{ roleArn: 'arn:2' }, { roleArn: 'arn:1' }] } });
  });

  it.each([
    ['role_arn without a source', lines('[profile p]', 'role_arn = arn'), 'invalid', /neither source_profile nor credential_source/],
    ['both source_profile and credential_source', lines('[profile p]', 'role_arn = arn', 'source_profile = q', 'credential_source = Environment'), 'invalid', /both/],
    ['a loop', lines('[profile p]', 'role_arn = a', 'source_profile = q', '[profile q]', 'role_arn = b', 'source_profile = p'), 'loop', /p -> q -> p/],
    ['a missing source profile', lines('[profile p]', 'role_arn = a', 'source_profile = gone'), 'missing-source-profile', /source_profile = gone/],
    ['a missing sso-session section', lines('[profile p]', 'sso_session = s', 'sso_account_id = 1', 'sso_role_name = r'), 'invalid', /\[sso-session s\]/],
    ['web identity without role_arn', lines('[profile p]', 'web_identity_token_file = /t'), 'invalid', /role_arn/],
    ['no settings at all', lines('[profile p]', 'region = us-east-1'), 'no-credentials', /holds no credential settings/],
  ])('%s is named precisely', (_what, cfg, code, message) => {
    const result = chain(cfg);
    expect(result).toMatchObject({ ok: false, error: { code } });
    if (!result.ok) expect(result.error.message).toMatch(message);
  });
});

describe('the resolver uses the merged profile', () => {
  it('a region set only in the credentials file is the profile region Codex uses', () => {
    const setup = makeWorld({ files: { [AWS_CONFIG]: lines('[profile work]', 'output = json'), [AWS_CREDENTIALS]: lines('[work]', 'region = eu-west-1') }, env: { AWS_PROFILE: 'work' } }).resolve();
    expect(setup.region.effective).toMatchObject({ value: 'eu-west-1', origin: { kind: 'aws-config', path: AWS_CREDENTIALS, line: 2 } });
  });

  it('~ in AWS_CONFIG_FILE is expanded against the home directory', () => {
    const setup = makeWorld({ files: { [`${HOME}/cfg/aws`]: lines('[profile t]', 'region = ap-south-1') }, env: { AWS_PROFILE: 't', AWS_CONFIG_FILE: '~/cfg/aws' } }).resolve();
    expect(setup.awsConfig.path).toBe(`${HOME}/cfg/aws`);
    expect(setup.region.effective?.value).toBe('ap-south-1');
  });

  it('--offline names a missing source_profile instead of "no credential settings"', async () => {
    const world = makeWorld({
      files: { [`${HOME}/.codex/config.toml`]: 'model_provider = "amazon-bedrock"\n', [AWS_CONFIG]: lines('[profile p]', 'role_arn = arn:aws:iam::1:role/r', 'source_profile = base', 'region = us-east-1') },
      env: { AWS_PROFILE: 'p' },
    });
    const outcome = await world.runCheck(authToken);
    expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('names source_profile = base, but profile "base" does not exist') });
  });
});

describe('env keys as Codex sends them', () => {
  it('a long-term AKIA key with a leftover AWS_SESSION_TOKEN is not called temporary: it warns that AWS rejects the pair', async () => {
    const world = makeWorld({
      files: { [`${HOME}/.codex/config.toml`]: 'model_provider = "amazon-bedrock"\n' },
      env: { AWS_ACCESS_KEY_ID: 'AKIALONGTERMKEY00001', AWS_SECRET_ACCESS_KEY: 'longTermSecret', AWS_SESSION_TOKEN: 'leftoverSessionToken', AWS_REGION: 'us-east-1' },
    });
    const setup = world.resolve();
    const services = createServices(setup, { timeoutMs: 1000, readFile: world.readFile, homeDir: HOME, now: () => new Date() });
    const outcome = await world.runCheck(authToken, { offline: false }, services);
    expect(outcome).toMatchObject({ status: 'warn', summary: expect.stringContaining('long-term access key AKIA…0001'), facts: { temporary: false } });
    expect(outcome.summary).not.toMatch(/temporary/);
    expect(outcome.remediation).toMatch(/AWS_SESSION_TOKEN/);
  });
});

describe('--offline judges the SSO token cache as Codex would find it (read only)', () => {
  const SSO = lines('[profile dev]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = Dev', 'region = us-east-1', '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = us-east-1');
  // sha1("corp"), the cache file name Codex reads for sso_session = corp.
  const CACHE = `${HOME}/.aws/sso/cache/${createHash('sha1').update('corp').digest('hex')}.json`;
  const at = (offsetMs: number) => new Date(FIXED_NOW.getTime() + offsetMs).toISOString();
  const run = (cache: object | null) =>
    makeWorld({
      files: { [`${HOME}/.codex/config.toml`]: 'model_provider = "amazon-bedrock"\n', [AWS_CONFIG]: SSO, ...(cache ? { [CACHE]: JSON.stringify(cache) } : {}) },
      env: { AWS_PROFILE: 'dev' },
    }).runCheck(authToken);

  it.each([
    ['no cache file', null, 'fail', /there is no cached SSO token/],
    ['an expired token without a refresh token', { accessToken: 'a', expiresAt: at(-60_000) }, 'fail', /expired at .* and cannot be refreshed/],
    ['a valid token', { accessToken: 'a', expiresAt: at(3_600_000) }, 'pass', /valid until/],
    [
      'an expired token with a good refresh token',
      { accessToken: 'a', expiresAt: at(-60_000), clientId: 'c', clientSecret: 's', refreshToken: 'r', registrationExpiresAt: at(86_400_000) },
      'pass',
      /Codex refreshes it with the refresh token/,
    ],
  ])('%s', async (_what, cache, status, said) => {
    const outcome = await run(cache);
    expect(outcome.status).toBe(status);
    expect([outcome.summary, ...(outcome.details ?? [])].join('\n')).toMatch(said);
    if (status === 'fail') expect(outcome.remediation).toBe('Run: aws sso login --profile dev');
  });
});
