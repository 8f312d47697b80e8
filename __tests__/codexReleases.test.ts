/**
 * What the rule table changes in the resolver and the checks, release by release (issue 8): the same machine
 * judged as each Codex release would judge it. Each row is a tiny world resolved by the real resolver with
 * the rules of a named release (as --codex-version does); the three differences the issue names come first.
 */
import { describe, expect, it } from '@jest/globals';
import { codexVersion } from '../src/checks/codexVersion.js';
import { configProvider } from '../src/checks/configProvider.js';
import { modelId } from '../src/checks/modelId.js';
import { regionSet } from '../src/checks/regionSet.js';
import type { CheckOutcome } from '../src/checks/types.js';
import { AUTH_JSON, CODEX_HOME, CONFIG, lines, makeWorld, type WorldSpec } from './helpers/world.js';

const BEARER = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=';
const BEDROCK = 'model_provider = "amazon-bedrock"';
const WITH_BASE_URL = lines(BEDROCK, '[model_providers.amazon-bedrock]', 'base_url = "https://proxy.example.internal/openai/v1"', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"');
const REGION_TABLE = (region: string) => lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', `region = "${region}"`);

const at = (codexVersion: string, spec: WorldSpec): WorldSpec => ({ ...spec, codexVersion });

describe('the differences issue 8 names', () => {
  it('0.171.0 sends openai.gpt-6.2-sol with no model set; 0.169.0 sends openai.gpt-6.1-sol', () => {
    const world = { files: { [CONFIG]: REGION_TABLE('us-east-1') } };
    expect(makeWorld(at('0.171.0', world)).resolve().model.value).toBe('openai.gpt-6.2-sol');
    expect(makeWorld(at('0.169.0', world)).resolve().model.value).toBe('openai.gpt-6.1-sol');
  });

  it.each([
    ['0.128.0', 'fail'],
    ['0.140.0', 'fail'],
    ['0.144.6', 'fail'],
    ['0.145.0', 'warn'],
    ['0.171.0', 'warn'],
  ])('base_url under the provider, Codex %s: config.provider %s', async (version, status) => {
    const outcome = await makeWorld(at(version, { files: { [CONFIG]: WITH_BASE_URL } })).runCheck(configProvider);
    expect(outcome.status).toBe(status);
    if (status === 'fail') {
      expect(outcome.summary).toContain(`Codex ${version} refuses the config: base_url (${CONFIG}:3)`);
      expect(outcome.details).toContain('Codex says: model_providers.amazon-bedrock only supports changing `aws.profile` and `aws.region`; other non-default provider fields are not supported');
      expect(outcome.remediation).toContain('accepted by later Codex releases');
    } else {
      expect(outcome.summary).toContain('base_url is overridden');
    }
  });

  it('0.128.0 answers -p work with "config profile `work` not found"; 0.140.0 reads work.config.toml', async () => {
    const files = { [CONFIG]: REGION_TABLE('us-east-1'), [`${CODEX_HOME}/work.config.toml`]: 'model = "openai.gpt-5.5"\n' };
    const old = await makeWorld(at('0.128.0', { files, profile: 'work' })).runCheck(configProvider);
    expect(old.status).toBe('fail');
    expect(old.summary).toContain('config profile `work` not found');
    expect(old.remediation).toContain('[profiles.work]');
    const newer = makeWorld(at('0.140.0', { files, profile: 'work' }));
    expect((await newer.runCheck(configProvider)).status).toBe('pass');
    expect(newer.resolve().model.value).toBe('openai.gpt-5.5');
  });

  it('0.145.0 uses AWS_BEARER_TOKEN_BEDROCK over aws.profile; 0.155.0 uses the profile', () => {
    const world = { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', 'profile = "work"') }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } };
    const old = makeWorld(at('0.145.0', world)).resolve().auth;
    expect(old).toMatchObject({ mode: 'bearer', source: 'bearer-env' });
    expect(old.ignored.map((i) => i.what)).toContain('model_providers.amazon-bedrock.aws.profile = "work"');
    const newer = makeWorld(at('0.155.0', world)).resolve().auth;
    expect(newer).toMatchObject({ mode: 'iam', source: 'aws-profile-config', awsProfile: { value: 'work' } });
    expect(newer.ignored.map((i) => i.what)).toContain('AWS_BEARER_TOKEN_BEDROCK');
  });

  it('with only aws.profile (no bearer key), every release signs with the profile', () => {
    const world = { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', 'profile = "work"') } };
    for (const version of ['0.128.0', '0.145.0', '0.171.0']) expect(makeWorld(at(version, world)).resolve().auth.source).toBe('aws-profile-config');
  });
});

describe('legacy [profiles.NAME] tables (releases before NAME.config.toml)', () => {
  const LEGACY = lines('model = "openai.gpt-5.4"', '', '[profiles.work]', BEDROCK, 'model = "openai.gpt-5.5"', '', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"');

  it('-p work layers [profiles.work] over config.toml, with file:line provenance inside the table', () => {
    const setup = makeWorld(at('0.128.0', { files: { [CONFIG]: LEGACY }, profile: 'work' })).resolve();
    expect(setup.profileSource).toBe('legacy-table');
    expect(setup.provider).toMatchObject({ value: 'amazon-bedrock', origin: { path: CONFIG, line: 4 } });
    expect(setup.model).toMatchObject({ value: 'openai.gpt-5.5', origin: { line: 5 } });
  });

  it('a top-level profile = "work" selects the table too, and is no error there', async () => {
    const world = makeWorld(at('0.128.0', { files: { [CONFIG]: lines('profile = "work"', LEGACY) } }));
    expect(world.resolve().profileName).toBe('work');
    expect((await world.runCheck(configProvider)).status).toBe('pass');
  });

  it('the same file under 0.140.0: profile = "work" is refused as legacy', async () => {
    const outcome = await makeWorld(at('0.140.0', { files: { [CONFIG]: lines('profile = "work"', LEGACY) } })).runCheck(configProvider);
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain('legacy `profile = "work"`');
  });
});

describe('other rows of the table', () => {
  it.each([
    { version: '0.148.0', status: 'warn', says: 'does so silently' },
    { version: '0.149.0', status: 'pass', says: 'amazon-bedrock' },
  ])('aws.auth_refresh under Codex $version: $status (never refused; unknown before 0.149.0)', async ({ version, status, says }) => {
    const world = { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', '[model_providers.amazon-bedrock.aws.auth_refresh]', 'command = "aws"') } };
    const outcome = await makeWorld(at(version, world)).runCheck(configProvider);
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toContain(says);
  });

  it.each([
    { version: '0.155.1', says: 'does so silently' },
    { version: '0.156.0', says: 'Codex is ignoring' },
  ])('an unknown provider key under Codex $version: warn, saying whether Codex itself warns', async ({ version, says }) => {
    const outcome = await makeWorld(at(version, { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock]', 'colour = "blue"') } })).runCheck(configProvider);
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toContain('model_providers.amazon-bedrock.colour');
    expect(outcome.summary).toContain(says);
  });

  it.each([
    { version: '0.145.0', list: '`base_url`, `auth`, `http_headers`, `aws.profile` and `aws.region`' },
    { version: '0.149.0', list: '`base_url`, `auth`, `http_headers`, `aws.profile`, `aws.region` and `aws.auth_refresh`' },
    { version: '0.155.0', list: '`base_url`, `auth`, `http_headers`, `aws.profile`, `aws.region`, `aws.credential_export` and `aws.auth_refresh`' },
  ])('a refused field (name) under Codex $version: Codex names what that release accepts', async ({ version, list }) => {
    const outcome = await makeWorld(at(version, { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock]', 'name = "Bedrock"') } })).runCheck(configProvider);
    expect(outcome.status).toBe('fail');
    expect(outcome.details?.join('\n').replace(/,? and /, ' and ')).toContain(list);
  });

  it.each([
    { version: '0.149.1', says: 'Codex fails with "Amazon Bedrock Mantle does not support region `ca-central-1`"' },
    { version: '0.150.0', says: 'Codex fails with "Amazon Bedrock does not support region `ca-central-1`"' },
  ])('a region outside the allow-list under Codex $version: quoted in that release\'s words', async ({ version, says }) => {
    const outcome = await makeWorld(at(version, { files: { [CONFIG]: REGION_TABLE('ca-central-1') }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } })).runCheck(regionSet);
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain(says);
  });

  it('a bearer key with AWS_REGION only: 0.135.0 has no region for it, 0.136.0 takes AWS_REGION', async () => {
    const world = { files: { [CONFIG]: lines(BEDROCK) }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, AWS_REGION: 'us-west-2' } };
    const old = await makeWorld(at('0.135.0', world)).runCheck(regionSet);
    expect(old.status).toBe('fail');
    expect(old.summary).toContain('"Amazon Bedrock bearer token auth requires `model_providers.amazon-bedrock.aws.region`"');
    expect(old.details?.join('\n')).toContain('AWS_REGION (shell environment) was ignored');
    expect(old.remediation).toContain('config.toml');
    expect(old.remediation).not.toContain('.env');
    const newer = await makeWorld(at('0.136.0', world)).runCheck(regionSet);
    expect(newer).toMatchObject({ status: 'pass', summary: expect.stringContaining('us-west-2') });
  });

  it.each([
    { version: '0.160.1', status: 'fail', says: 'this release refuses us-gov-west-1' },
    { version: '0.134.0', status: 'pass', says: 'us-gov-west-1' },
    { version: '0.161.0', status: 'pass', says: 'us-gov-west-1' },
  ])('us-gov-west-1 under Codex $version: region.set $status', async ({ version, status, says }) => {
    const outcome = await makeWorld(at(version, { files: { [CONFIG]: REGION_TABLE('us-gov-west-1') }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } })).runCheck(regionSet);
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toContain(says);
  });

  it.each([
    { version: '0.169.0', status: 'warn' },
    { version: '0.171.0', status: 'pass' },
  ])('model openai.gpt-6.2-astra under Codex $version: model.id $status', async ({ version, status }) => {
    const outcome: CheckOutcome = await makeWorld(at(version, { files: { [CONFIG]: lines(BEDROCK, 'model = "openai.gpt-6.2-astra"') } })).runCheck(modelId);
    expect(outcome.status).toBe(status);
    if (status === 'warn') {
      expect(outcome.summary).toContain('not in the model catalogue of Codex 0.169.0');
      expect(outcome.remediation).toContain('npm install -g @openai/codex@latest');
    }
  });
});

describe('credentials stored in auth.json by a Bedrock sign-in', () => {
  const STORED_KEY = JSON.stringify({ auth_mode: 'bedrockApiKey', bedrock_api_key: { api_key: BEARER, region: 'us-east-1' } });
  const STORED_KEYS = JSON.stringify({ auth_mode: 'bedrockAccessKeys', bedrock_access_keys: { access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });

  it.each([
    { version: '0.139.0', file: STORED_KEY, mode: 'bedrockApiKey', status: 'fail' },
    { version: '0.140.0', file: STORED_KEY, mode: 'bedrockApiKey', status: 'pass' },
    { version: '0.146.1', file: STORED_KEYS, mode: 'bedrockAccessKeys', status: 'fail' },
    { version: '0.147.0', file: STORED_KEYS, mode: 'bedrockAccessKeys', status: 'pass' },
  ])('auth_mode $mode under Codex $version: config.provider $status', async ({ version, file, mode, status }) => {
    const world = makeWorld(at(version, { files: { [CONFIG]: REGION_TABLE('us-east-1'), [AUTH_JSON]: file } }));
    const outcome = await world.runCheck(configProvider);
    expect(outcome.status).toBe(status);
    if (status === 'fail') {
      expect(outcome.summary).toContain(`Codex ${version} refuses to start`);
      expect(outcome.summary).toContain(`unknown variant \`${mode}\``);
      expect(JSON.stringify(outcome)).not.toContain(BEARER);
    }
  });

  it('stored access keys with a bearer key in the shell: 0.149.1 sends the bearer key, 0.150.0 signs with the stored keys', () => {
    const world = { files: { [CONFIG]: REGION_TABLE('us-east-1'), [AUTH_JSON]: STORED_KEYS }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } };
    const old = makeWorld(at('0.149.1', world)).resolve().auth;
    expect(old.source).toBe('bearer-env');
    expect(old.ignored.find((i) => i.what.includes('AWS access keys stored'))?.why).toContain('0.150.0 and later use the stored keys');
    expect(makeWorld(at('0.150.0', world)).resolve().auth.source).toBe('codex-login-keys');
  });

  it('a release that does not know stored keys does not count them as credentials', () => {
    const world = { files: { [CONFIG]: REGION_TABLE('us-east-1'), [AUTH_JSON]: JSON.stringify({ bedrock_api_key: { api_key: BEARER, region: 'us-east-1' } }) }, env: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) } };
    expect(makeWorld(at('0.139.0', world)).resolve().auth.source).toBe('env-keys');
    expect(makeWorld(at('0.140.0', world)).resolve().auth.source).toBe('codex-login');
  });
});

describe('codex.version names the release and the rules applied', () => {
  it('a named release: pass, with every rule and its range in the details', async () => {
    const outcome = await makeWorld(at('0.145.0', { files: { [CONFIG]: REGION_TABLE('us-east-1') } })).runCheck(codexVersion);
    expect(outcome).toMatchObject({ status: 'pass', summary: expect.stringContaining('rules of Codex 0.145.0 (--codex-version)') });
    expect(outcome.details?.join('\n')).toContain('providerKeys: 0.145.0 and later');
    expect(outcome.facts).toMatchObject({ version: '0.145.0', rulesFor: '0.145.0', basis: 'flag' });
  });

  it('newer than the newest known: warn naming both versions and how to report it', async () => {
    const outcome = await makeWorld(at('0.180.0', {})).runCheck(codexVersion);
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toContain('Codex 0.180.0');
    expect(outcome.summary).toContain('0.171.0');
    expect(outcome.remediation).toContain('--report');
  });

  it('no Codex found: warn that the newest known rules apply', async () => {
    const outcome = await makeWorld({}).runCheck(codexVersion);
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toContain('newest known release, 0.171.0');
  });
});
