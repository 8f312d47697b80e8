/**
 * Advice that leads straight to the fix (issue 11): the desktop-app advice only where a desktop can exist,
 * never a value the doctor itself flagged, the stale .env line named as the root cause, no STS call on a
 * malformed region, SSO failures linking the SSO docs, and placeholders in advice surviving the redactor.
 * Each case is a tiny machine resolved by the real resolver; checks run through the real runner where
 * prerequisites matter.
 */
import { describe, expect, it } from '@jest/globals';
import { ALL_CHECKS } from '../src/checks/index.js';
import { authIdentity } from '../src/checks/authIdentity.js';
import { authToken } from '../src/checks/authToken.js';
import { envDotenv } from '../src/checks/envDotenv.js';
import { runChecks } from '../src/checks/runner.js';
import type { CheckResult } from '../src/checks/types.js';
import { NO_NETWORK, type Services } from '../src/net/services.js';
import { isContinuousIntegration } from '../src/platform.js';
import { Redactor } from '../src/report/redact.js';
import { mintShortTermKey } from './helpers/mintKey.js';
import { AWS_CONFIG, CONFIG, DOTENV, FIXED_NOW, lines, makeWorld, type WorldSpec } from './helpers/world.js';

const AKID = 'AKIAADVICETEST000001';
const SECRET = 'adviceTestSecretKey/0123456789abcdefghij';
const BEDROCK = 'model_provider = "amazon-bedrock"';

/** Runs every offline check through the real runner (so `earlier` holds what the doctor flagged). */
async function runAll(spec: WorldSpec): Promise<Map<string, CheckResult>> {
  const world = makeWorld(spec);
  const results = await runChecks(ALL_CHECKS, world.checkContext());
  return new Map(results.map((result) => [result.id, result]));
}

describe('isContinuousIntegration', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ GITHUB_ACTIONS: 'true' }, true],
    [{ GITLAB_CI: 'true' }, true],
    [{ BUILDKITE: 'true' }, true],
    [{ TF_BUILD: 'True' }, true],
    [{ JENKINS_URL: 'https://ci.example/' }, true],
    [{ CI: 'false' }, false],
    [{ CI: '0' }, false],
    [{ CI: '' }, false],
    [{}, false],
  ] as const)('%j -> %s', (env, expected) => {
    expect(isContinuousIntegration(env)).toBe(expected);
  });
});

describe('env.dotenv: the desktop-app advice only where it applies', () => {
  const envKeys = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1' };
  const world = (env: Record<string, string>): WorldSpec => ({ files: { [CONFIG]: lines(BEDROCK, 'model = "openai.gpt-5.5"') }, env });

  it('on a desktop, env keys only in the shell warn, with placeholders for the secrets', async () => {
    const outcome = await makeWorld(world(envKeys)).runCheck(envDotenv);
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toContain('desktop app');
    expect(outcome.remediation).toContain('AWS_SECRET_ACCESS_KEY=<secret access key>');
    expect(outcome.remediation).toContain('AWS_REGION=us-east-1');
    expect(JSON.stringify(outcome)).not.toContain(SECRET);
  });

  it.each<Record<string, string>>([{ CI: 'true' }, { GITHUB_ACTIONS: 'true' }, { GITLAB_CI: 'true' }])('under CI (%j) the same set-up passes and says why', async (ci) => {
    const outcome = await makeWorld(world({ ...envKeys, ...ci })).runCheck(envDotenv);
    expect(outcome.status).toBe('pass');
    expect(outcome.remediation).toBeUndefined();
    expect((outcome.details ?? []).join('\n')).toContain('running under CI');
  });

  it('under CI, a real .env problem still warns (CODEX_* keys Codex ignores)', async () => {
    const spec = world({ ...envKeys, CI: 'true' });
    const outcome = await makeWorld({ ...spec, files: { ...spec.files, [DOTENV]: lines('CODEX_HOME=/elsewhere') } }).runCheck(envDotenv);
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toContain('CODEX_HOME');
    expect(outcome.summary).not.toContain('desktop app');
  });
});

describe('env.dotenv never suggests a value the doctor flagged', () => {
  it('a malformed shell region (us-east1) fails region.set and is not offered as an .env line', async () => {
    const results = await runAll({ files: { [CONFIG]: lines(BEDROCK) }, env: { AWS_BEARER_TOKEN_BEDROCK: 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=', AWS_REGION: 'us-east1' } });
    expect(results.get('region.set')!.status).toBe('fail');
    const dotenv = results.get('env.dotenv')!;
    expect(dotenv.status).toBe('warn');
    expect(dotenv.remediation).not.toContain('us-east1');
    expect(dotenv.remediation).toContain('AWS_REGION=<a supported region, e.g. us-east-1: see region.set>');
  });

  it('a region outside Codex\'s allow-list (ca-central-1) is not offered either, even when env.dotenv runs alone', async () => {
    const outcome = await makeWorld({ files: { [CONFIG]: lines(BEDROCK) }, env: { AWS_PROFILE: 'work', AWS_REGION: 'ca-central-1' } }).runCheck(envDotenv);
    expect(outcome.remediation).not.toContain('ca-central-1');
  });

  it('an AWS_PROFILE that does not exist (wrok) is not offered; an existing one (work) is', async () => {
    const aws = { [AWS_CONFIG]: lines('[profile work]', 'region = us-east-1', 'credential_process = /bin/true') };
    const typo = await runAll({ files: { [CONFIG]: lines(BEDROCK), ...aws }, env: { AWS_PROFILE: 'wrok' } });
    expect(typo.get('auth.token')!.status).toBe('fail');
    expect(typo.get('env.dotenv')!.remediation).not.toContain('wrok');
    expect(typo.get('env.dotenv')!.remediation).toContain('AWS_PROFILE=<a profile from ~/.aws/config: see auth.token>');
    const good = await runAll({ files: { [CONFIG]: lines(BEDROCK), ...aws }, env: { AWS_PROFILE: 'work' } });
    expect(good.get('env.dotenv')!.remediation).toContain('AWS_PROFILE=work');
  });
});

describe('a stale .env key overriding a sound shell key: the fix is to delete the line', () => {
  const credentials = { accessKeyId: AKID, secretAccessKey: SECRET };

  it('auth.token says "Delete line N of .env", not "mint a new key"; env.dotenv names the line too', async () => {
    // Minted two days before the test clock with a 1 h lifetime: expired. The shell's key is fresh.
    const stale = await mintShortTermKey(credentials, new Date(FIXED_NOW.getTime() - 2 * 86_400_000), { region: 'us-east-1', expiresInSeconds: 3600 });
    const fresh = await mintShortTermKey(credentials, new Date(FIXED_NOW.getTime() - 60_000), { region: 'us-east-1', expiresInSeconds: 3600 });
    const spec: WorldSpec = {
      files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"'), [DOTENV]: lines('# keys', `AWS_BEARER_TOKEN_BEDROCK=${stale}`) },
      env: { AWS_BEARER_TOKEN_BEDROCK: fresh },
    };
    const token = await makeWorld(spec).runCheck(authToken);
    expect(token.status).toBe('fail');
    expect(token.summary).toMatch(/expired/);
    expect(token.remediation).toContain(`Delete line 2 of ${DOTENV}`);
    expect(token.remediation).not.toMatch(/mint|generate|create a new/i);
    const dotenv = await makeWorld(spec).runCheck(envDotenv);
    expect(dotenv.summary).toContain('AWS_BEARER_TOKEN_BEDROCK (line 2)');
    expect(dotenv.remediation).toContain(`delete that line of ${DOTENV}`);
    expect(JSON.stringify([token, dotenv])).not.toContain(stale.slice(20, 60));
  });

  it('when the shell key is bad too, the usual fix stays', async () => {
    const stale = await mintShortTermKey(credentials, new Date(FIXED_NOW.getTime() - 2 * 86_400_000), { region: 'us-east-1', expiresInSeconds: 3600 });
    const alsoStale = await mintShortTermKey(credentials, new Date(FIXED_NOW.getTime() - 3 * 86_400_000), { region: 'us-east-1', expiresInSeconds: 3600 });
    const token = await makeWorld({
      files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"'), [DOTENV]: lines(`AWS_BEARER_TOKEN_BEDROCK=${stale}`) },
      env: { AWS_BEARER_TOKEN_BEDROCK: alsoStale },
    }).runCheck(authToken);
    expect(token.status).toBe('fail');
    expect(token.remediation).not.toContain('Delete line');
  });
});

describe('auth.identity on a malformed region', () => {
  const spec = (env: Record<string, string>): WorldSpec => ({ files: { [CONFIG]: lines(BEDROCK) }, env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, ...env } });

  it('skips, naming region.set, without asking for credentials or calling STS (NO_NETWORK would reject)', async () => {
    const outcome = await makeWorld(spec({ AWS_REGION: 'US-EAST-1' })).runCheck(authIdentity, { offline: false });
    expect(outcome.status).toBe('skip');
    expect(outcome.skipReason).toContain('region.set');
  });

  it('with AWS_ENDPOINT_URL_STS the region does not pick the host, so STS is still asked', async () => {
    const asked: string[] = [];
    const services: Services = {
      ...NO_NETWORK,
      iamCredentials: async () => {
        asked.push('credentials');
        return { ok: false, source: 'env-keys', profile: null, reason: 'none', fix: 'none' };
      },
    };
    const outcome = await makeWorld(spec({ AWS_REGION: 'US-EAST-1', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' })).runCheck(authIdentity, { offline: false }, services);
    expect(asked).toEqual(['credentials']);
    expect(outcome.skipReason).toContain('no IAM credentials');
  });
});

describe('SSO failures link the SSO docs', () => {
  it('auth.token: an SSO session that is missing links the AWS CLI SSO guide, not the API-key page', async () => {
    const services: Services = {
      ...NO_NETWORK,
      iamCredentials: async () => ({ ok: false, source: 'sso', profile: 'dev', reason: 'the IAM Identity Center (SSO) session of profile dev is missing or expired', fix: 'Run: aws sso login --profile dev' }),
    };
    const outcome = await makeWorld({
      files: { [CONFIG]: lines(BEDROCK), [AWS_CONFIG]: lines('[profile dev]', 'sso_session = corp', 'sso_account_id = 123456789012', 'sso_role_name = Dev', 'region = us-east-1', '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = us-east-1') },
      env: { AWS_PROFILE: 'dev' },
    }).runCheck(authToken, { offline: false }, services);
    expect(outcome.status).toBe('fail');
    expect(outcome.remediation).toContain('aws sso login --profile dev');
    expect(outcome.docs).toBe('https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html');
  });
});

describe('the redactor and placeholders in advice', () => {
  it.each(['AWS_SECRET_ACCESS_KEY=<your secret access key>', 'aws_secret_access_key = <secret access key>', 'AWS_SESSION_TOKEN=<session token>'])('%s is left as it is', (advice) => {
    expect(new Redactor().scrub(advice)).toBe(advice);
  });

  it('real values after the same names are still redacted', () => {
    expect(new Redactor().scrub(`AWS_SECRET_ACCESS_KEY=${SECRET}`)).toBe('AWS_SECRET_ACCESS_KEY=[REDACTED]');
    expect(new Redactor().scrub('aws_session_token = FwoGZXIvYXdzEXAMPLE')).toBe('aws_session_token = [REDACTED]');
  });
});
