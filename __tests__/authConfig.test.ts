/**
 * How the resolver reads Codex's own auth settings (issue 9): the auth command and aws.credential_export in
 * planAuth, the release rules planAuth takes as inputs, and the combinations Codex refuses at start-up. Pure:
 * a virtual file system, the real resolver and check.
 */
import { describe, expect, it } from '@jest/globals';
import { configProvider } from '../src/checks/configProvider.js';
import { planAuth } from '../src/resolve/auth.js';
import { CONFIG, CODEX_HOME, lines, makeWorld } from './helpers/world.js';

const BEDROCK = 'model_provider = "amazon-bedrock"';
const setupOf = (config: string, env: Record<string, string> = {}) => makeWorld({ files: { [CONFIG]: config }, env }).resolve();

describe('planAuth: the auth command and aws.credential_export', () => {
  it('the auth command is read as Codex deserialises it: args, timeout_ms (default 5000), cwd relative to the config folder', () => {
    const setup = setupOf(lines(BEDROCK, '[model_providers.amazon-bedrock.auth]', 'command = "./bin/token"', 'args = ["--for", "bedrock"]', 'cwd = "tools"'));
    expect(setup.auth).toMatchObject({ mode: 'command', authCommand: { command: './bin/token', args: ['--for', 'bedrock'], timeoutMs: 5000, cwd: `${CODEX_HOME}/tools` } });
    expect(setupOf(lines(BEDROCK, '[model_providers.amazon-bedrock.auth]', 'command = "t"', 'timeout_ms = 250')).auth.authCommand?.timeoutMs).toBe(250);
  });

  it.each([
    ['a string instead of a table', 'auth = "get-token"', 'it must be a table with a `command` key'],
    ['no command', 'auth = { args = ["x"] }', 'it has no `command` string'],
    ['args not a list of strings', 'auth = { command = "t", args = "x" }', '`args` must be a list of strings'],
    ['timeout_ms zero', 'auth = { command = "t", timeout_ms = 0 }', '`timeout_ms` must be a positive whole number of milliseconds'],
  ])('an auth command with %s is still the auth source (Codex never falls back) but unusable', (_what, line, problem) => {
    const setup = setupOf(lines(BEDROCK, '[model_providers.amazon-bedrock]', line), { AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-x' });
    expect(setup.auth).toMatchObject({ mode: 'command', commandProblem: problem });
    expect(setup.auth.authCommand).toBeUndefined();
  });

  it('aws.credential_export beats the stored, bearer and env credentials, which are listed as ignored', () => {
    const setup = setupOf(lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'credential_export = { command = "/usr/local/bin/export-creds", args = ["--json"] }'), {
      AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-x',
      AWS_ACCESS_KEY_ID: 'AKIAX',
      AWS_SECRET_ACCESS_KEY: 's',
    });
    expect(setup.auth).toMatchObject({ mode: 'iam', source: 'credential-export', credentialExport: { command: '/usr/local/bin/export-creds', args: ['--json'], timeoutMs: null } });
    expect(setup.auth.ignored.map((i) => i.what)).toEqual(['AWS_BEARER_TOKEN_BEDROCK', 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY']);
  });

  it('release inputs: before credential_export was used, and before aws.profile beat the bearer key', () => {
    const env = makeWorld({ env: { AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-x' } }).resolve().env;
    const login = { path: '/auth.json', read: { status: 'missing' as const, path: '/auth.json' } };
    const exporter = { value: { command: 'x' }, origin: { kind: 'default' as const, note: 't' } };
    const profile = { value: 'work', origin: { kind: 'default' as const, note: 't' } };
    expect(planAuth({ authCommand: undefined, configAwsProfile: undefined, credentialExport: exporter, storedLogin: login, env }).source).toBe('credential-export');
    expect(planAuth({ authCommand: undefined, configAwsProfile: undefined, credentialExport: exporter, storedLogin: login, env, credentialExportUsed: false }).source).toBe('bearer-env');
    expect(planAuth({ authCommand: undefined, configAwsProfile: profile, storedLogin: login, env }).source).toBe('aws-profile-config');
    const old = planAuth({ authCommand: undefined, configAwsProfile: profile, storedLogin: login, env, profileBeatsBearer: false });
    expect(old.source).toBe('bearer-env');
    expect(old.ignored.map((i) => i.what)).toContain('model_providers.amazon-bedrock.aws.profile = "work"');
  });
});

describe('auth combinations Codex refuses (config.provider fails)', () => {
  it.each([
    ['an auth command next to an EMPTY aws table', lines(BEDROCK, '[model_providers.amazon-bedrock.auth]', 'command = "t"', '[model_providers.amazon-bedrock.aws]'), /auth command .* cannot be combined with \[model_providers.amazon-bedrock.aws\] .*even an empty one/],
    ['credential_export with aws.profile', lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'profile = "work"', 'credential_export = { command = "x" }'), /aws.credential_export .* cannot be combined with aws.profile/],
    ['auth_refresh with another command', lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'auth_refresh = { command = "/usr/bin/aws-sso-refresh" }'), /aws.auth_refresh .* has command = "\/usr\/bin\/aws-sso-refresh"; Codex only accepts "aws"/],
  ])('%s', async (_what, config, summary) => {
    const outcome = await makeWorld({ files: { [CONFIG]: config } }).runCheck(configProvider);
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(summary);
  });

  it('auth_refresh with command = "aws" is accepted', async () => {
    const outcome = await makeWorld({ files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', 'auth_refresh = { command = "aws", args = ["sso", "login"] }') } }).runCheck(configProvider);
    expect(outcome.status).toBe('pass');
  });
});
