import { existingProfiles, kindFromSdkSource, profileKind, profileSettings, type IamSourceKind } from '../auth/profileKind.js';
import { maskLikelySecrets } from '../report/redact.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { firstUnsafeFile } from '../io/files.js';
import { classifyNetworkError, explainNetworkFailure } from './networkErrors.js';
import { cappedBodyPlugin } from './sts.js';

export interface IamCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  source: IamSourceKind;
  profile: string | null;
}

export type IamResolution =
  | { ok: true; credentials: IamCredentials }
  | { ok: false; source: IamSourceKind | null; profile: string | null; reason: string; fix: string };

/** Instance metadata off EC2 costs seconds with SDK defaults; on EC2 it answers in milliseconds. The SDK may
 * ask twice (an IMDSv2 token, then IMDSv1), so the worst case is twice this. */
const IMDS_TIMEOUT_MS = 500;

function sdkMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}

/** A failing credential_process: the SDK keeps its stderr but drops the exit status, so ask once more. */
async function processExitStatus(command: string, timeoutMs: number, env: Record<string, string>): Promise<string> {
  const { exec } = await import('node:child_process');
  return new Promise((resolve) => {
    exec(command, { timeout: timeoutMs, env, windowsHide: true }, (error) => {
      if (!error) resolve('exited 0 this time (it may fail intermittently)');
      else if (error.killed) resolve(`did not finish within ${Math.round(timeoutMs / 1000)} s`);
      else resolve(`exit status ${error.code ?? 'unknown'}`);
    });
  });
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), timeoutMs);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function explainFailure(error: unknown, setup: EffectiveSetup, profile: string | null, kind: IamSourceKind | null, timeoutMs: number): Promise<IamResolution> {
  const message = sdkMessage(error);
  const name = error instanceof Error ? error.name : '';
  const fail = (reason: string, fix: string): IamResolution => ({ ok: false, source: kind, profile, reason, fix });
  const profileFlag = profile ? ` --profile ${profile}` : '';
  if (kind === 'sso' || /SSO session|sso_session|SSO token|Token is expired|sso login/i.test(message)) {
    return fail(`the IAM Identity Center (SSO) session of profile ${profile ?? 'default'} is missing or expired (the AWS SDK says: ${message.split('\n')[0]})`, `Run: aws sso login${profileFlag}`);
  }
  if (kind === 'aws-login' || /aws login|login_session/i.test(message)) {
    return fail(`the aws login session is missing or expired: ${message}`, `Run: aws login${profileFlag}`);
  }
  if (kind === 'process' || /^Command failed/.test(message)) {
    const command = profile ? profileSettings(setup, profile)?.get('credential_process') : undefined;
    const status = command ? await processExitStatus(command, timeoutMs, setup.env.toRecord()) : 'exit status unknown';
    const firstLine = maskLikelySecrets(message.replace(/^Command failed:[^\n]*\n?/, '').trim().split('\n')[0] ?? '').slice(0, 200);
    return fail(
      `credential_process of profile ${profile ?? '?'} failed (${status})${firstLine ? `; its first line of error output: ${firstLine}` : ''}`,
      `Run the credential_process command of profile ${profile ?? '?'} by hand and fix what it reports; it must print JSON with Version 1, AccessKeyId and SecretAccessKey.`,
    );
  }
  if (/multi-factor authentication/i.test(message)) {
    return fail(message, 'Codex cannot prompt for an MFA code: use a profile with cached credentials (aws sso login, or aws sts get-session-token into env variables).');
  }
  if (/Could not load credentials from any providers/i.test(message)) {
    return fail(
      'no AWS credentials were found anywhere in the credential chain (environment, shared files, SSO, container, instance metadata)',
      'Set AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key, or configure IAM credentials: aws configure, aws sso login --profile NAME (then AWS_PROFILE=NAME), or aws login.',
    );
  }
  if (/Could not resolve credentials using profile/i.test(message)) {
    return fail(
      `profile ${profile ?? 'default'} exists but holds no credential settings (no keys, role_arn, sso_session, credential_process or web identity)`,
      `Add credentials to profile ${profile ?? 'default'} (aws configure${profileFlag}) or point Codex at another profile.`,
    );
  }
  if (['ExpiredToken', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied'].includes(name)) {
    return fail(`assuming the role failed: STS answered ${name}: ${message}`, `Check the source credentials of profile ${profile ?? '?'} and that they may assume its role_arn.`);
  }
  const network = classifyNetworkError(error);
  if (network.kind !== 'other') {
    const { summary, fix } = explainNetworkFailure(network, 'The credential provider', 'its endpoint', Math.round(timeoutMs / 1000));
    return fail(summary, fix);
  }
  return fail(message || 'the AWS SDK could not resolve credentials', 'Check the profile settings with: aws configure list' + profileFlag);
}

/**
 * Files the SDK opens by itself while resolving: the shared files, token files named by env or any profile, and
 * the SSO token cache (~/.aws/sso/cache/SHA1(session name or start URL).json, as aws sso login writes it).
 */
function filesTheSdkReads(setup: EffectiveSetup): string[] {
  const profiles = [setup.awsConfig, setup.awsCredentials].flatMap((file) => [...file.profiles.values()]);
  const profileTokens = profiles.map((profile) => profile.values.get('web_identity_token_file')?.value);
  const home = setup.env.get('HOME') || homedir();
  const ssoCache = profiles
    .flatMap((profile) => [profile.values.get('sso_session')?.value, profile.values.get('sso_start_url')?.value])
    .filter((key): key is string => Boolean(key))
    .map((key) => join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(key).digest('hex')}.json`));
  return [
    ...ssoCache,
    setup.awsConfig.path,
    setup.awsCredentials.path,
    setup.env.get('AWS_WEB_IDENTITY_TOKEN_FILE'),
    setup.env.get('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'),
    ...profileTokens,
  ].filter((path): path is string => typeof path === 'string' && path.trim() !== '');
}

/**
 * Resolves the IAM credentials Codex would use, through the real AWS SDK, with Codex's precedence already
 * decided by the resolver. Env keys are taken as they are (Codex reads them before any profile); a profile
 * goes to fromIni; otherwise the default chain runs with instance metadata bounded.
 */
export async function resolveIamCredentials(setup: EffectiveSetup, options: { timeoutMs: number; stsEndpoint?: string }): Promise<IamResolution> {
  const plan = setup.auth;
  const stored = setup.storedLogin.accessKeys;
  if (plan.source === 'codex-login-keys' && stored) {
    return { ok: true, credentials: { ...stored, source: 'codex-login', profile: null } };
  }
  if (plan.source === 'env-keys') {
    const token = setup.env.nonEmpty('AWS_SESSION_TOKEN')?.value;
    const expiry = setup.env.nonEmpty('AWS_CREDENTIAL_EXPIRATION')?.value;
    return {
      ok: true,
      credentials: {
        accessKeyId: setup.env.get('AWS_ACCESS_KEY_ID')!.trim(),
        secretAccessKey: setup.env.get('AWS_SECRET_ACCESS_KEY')!.trim(),
        ...(token ? { sessionToken: token.trim() } : {}),
        ...(expiry && !Number.isNaN(Date.parse(expiry)) ? { expiration: new Date(expiry) } : {}),
        source: 'env-keys',
        profile: null,
      },
    };
  }
  const profile = plan.awsProfile?.value ?? null;
  const settings = profileSettings(setup, profile ?? 'default');
  if (profile && !settings) {
    const existing = existingProfiles(setup);
    return {
      ok: false,
      source: null,
      profile,
      reason: `AWS profile "${profile}" does not exist in ${setup.awsConfig.path} or ${setup.awsCredentials.path}`,
      fix: existing.length > 0 ? `Use one of the profiles that exist: ${existing.join(', ')}; or create it: aws configure --profile ${profile}` : `Create it: aws configure --profile ${profile} (or aws configure sso --profile ${profile})`,
    };
  }
  const kind = settings ? profileKind(settings) : null;
  // A profile with credential settings goes to fromIni directly: through the default chain, a failing
  // credential_process or SSO profile is reported only as "Could not load credentials from any providers".
  const profileName = profile ?? (kind ? 'default' : null);
  const region = typeof setup.region.effective?.value === 'string' ? setup.region.effective.value : undefined;
  const clientConfig = { ...(region ? { region } : {}), ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}) };
  const unsafe = firstUnsafeFile(filesTheSdkReads(setup));
  if (unsafe) {
    return { ok: false, source: kind, profile, reason: `${unsafe.path} cannot be used: ${unsafe.reason}; the AWS SDK (and so Codex) would read it with no limit`, fix: `Replace ${unsafe.path} with a regular file, or point the variable that names it elsewhere.` };
  }
  try {
    const providers = await import('@aws-sdk/credential-providers');
    const provider =
      profileName !== null
        ? providers.fromIni({ profile: profileName, clientConfig, clientPlugins: [cappedBodyPlugin()] })
        : providers.fromNodeProviderChain({ clientConfig, clientPlugins: [cappedBodyPlugin()], timeout: Math.min(IMDS_TIMEOUT_MS, options.timeoutMs), maxRetries: 0 });
    const resolved = await withTimeout<IamResolution | 'timeout'>(
      provider().then((identity) => ({
        ok: true as const,
        credentials: {
          accessKeyId: identity.accessKeyId,
          secretAccessKey: identity.secretAccessKey,
          ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
          ...(identity.expiration ? { expiration: identity.expiration } : {}),
          source: kindFromSdkSource((identity as { $source?: Record<string, unknown> }).$source),
          profile: profileName,
        },
      })),
      options.timeoutMs,
      () => 'timeout',
    );
    if (resolved === 'timeout') {
      return { ok: false, source: kind, profile, reason: `resolving credentials took longer than ${Math.round(options.timeoutMs / 1000)} s`, fix: 'Check what the profile depends on (SSO portal, credential_process, STS, instance metadata) or raise --timeout.' };
    }
    return resolved;
  } catch (error) {
    return explainFailure(error, setup, profileName, kind, options.timeoutMs);
  }
}
