import { BASE_SOURCE_KIND, existingProfiles, type IamSourceKind } from '../auth/profileKind.js';
import { resolveProfileChain, type BaseSource, type ProfileChain, type ProfileChainError } from '../auth/profileChain.js';
import { parseProcessCredentials } from '../auth/processCredentials.js';
import { firstUnsafeFile, type FileReader } from '../io/files.js';
import { maskLikelySecrets } from '../report/redact.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { runCredentialExport } from './authCommand.js';
import { describeRun, runBounded } from './boundedProcess.js';
import { classifyNetworkError, explainNetworkFailure } from './networkErrors.js';
import { decideTokenUse, parseCachedToken, ssoCachePath } from '../auth/ssoToken.js';
import { getRoleCredentials, refreshSsoToken, ssoEndpoints } from './sso.js';
import { assumeRole, assumeRoleWithWebIdentity, defaultSessionName, type StsCredentials } from './stsAssume.js';
import { stsEndpoint } from './sts.js';

export interface IamCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  source: IamSourceKind;
  profile: string | null;
  /** Facts about how they were obtained that a person should read (an SSO token refreshed in memory...). */
  notes?: string[];
}

export type IamResolution =
  | { ok: true; credentials: IamCredentials }
  | { ok: false; source: IamSourceKind | null; profile: string | null; reason: string; fix: string };

export interface IamOptions {
  timeoutMs: number;
  readFile: FileReader;
  /** The home directory the SSO token cache lives under when HOME is not set. */
  homeDir: string;
  now: () => Date;
}

/** Instance metadata off EC2 costs seconds with SDK defaults; on EC2 it answers in milliseconds. The SDK may
 * ask twice (an IMDSv2 token, then IMDSv1), so the worst case is twice this. */
const IMDS_TIMEOUT_MS = 500;
/** Web identity tokens are JWTs of a few kilobytes. */
const MAX_TOKEN_BYTES = 64 * 1024;

type Failure = Extract<IamResolution, { ok: false }>;
class ResolveFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
  }
}
const failWith = (source: IamSourceKind | null, profile: string | null, reason: string, fix: string): never => {
  throw new ResolveFailure({ ok: false, source, profile, reason, fix });
};

const firstLine = (text: string) => maskLikelySecrets(text.trim().split('\n')[0] ?? '').slice(0, 200);

interface Context {
  setup: EffectiveSetup;
  options: IamOptions;
  region: string;
  sts: { url: string; overridden: boolean };
}

function stsProblem(error: unknown, what: string, ctx: Context, source: IamSourceKind, profile: string | null, fix: string): never {
  const network = classifyNetworkError(error);
  if (network.kind !== 'other') {
    const explained = explainNetworkFailure(network, 'AWS STS', new URL(ctx.sts.url).host, Math.round(ctx.options.timeoutMs / 1000));
    return failWith(source, profile, `${what}: ${explained.summary}`, explained.fix);
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return failWith(source, profile, `${what}: STS answered ${name}: ${firstLine(message)}`, fix);
}

async function runCredentialProcess(base: Extract<BaseSource, { kind: 'process' }>, ctx: Context): Promise<StsCredentials> {
  // Codex runs `sh -c <command>` once with its own environment (the .env overlay included).
  const run = await runBounded({ file: 'sh', args: ['-c', base.command], env: ctx.setup.env.toRecord(), timeoutMs: ctx.options.timeoutMs });
  const profile = base.profile;
  const fix = `Run the credential_process command of profile ${profile} by hand and fix what it reports; it must print JSON with Version 1, AccessKeyId and SecretAccessKey.`;
  if (run.code !== 0) {
    const said = firstLine(run.stderr);
    const timeoutNote = run.timedOut ? ' (Codex itself would wait for it without a limit)' : '';
    return failWith('process', profile, `credential_process of profile ${profile} failed (${describeRun(run, ctx.options.timeoutMs)})${timeoutNote}${said ? `; its first line of error output: ${said}` : ''}`, fix);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(run.stdout);
  } catch {
    return failWith('process', profile, `credential_process of profile ${profile} printed something that is not UTF-8 text`, fix);
  }
  const parsed = parseProcessCredentials(text);
  if (!parsed.ok) return failWith('process', profile, `credential_process of profile ${profile} ran, but ${parsed.reason}`, fix);
  return parsed.credentials;
}

async function ssoCredentials(base: Extract<BaseSource, { kind: 'sso' }>, ctx: Context): Promise<{ credentials: StsCredentials; notes: string[] }> {
  const { env } = ctx.setup;
  const login = `Run: aws sso login --profile ${base.profile}`;
  const home = env.get('HOME') || ctx.options.homeDir;
  const path = ssoCachePath(home, base.session ?? base.startUrl);
  const cached = parseCachedToken(ctx.options.readFile(path));
  if (!cached.ok) return failWith('sso', base.profile, `the IAM Identity Center (SSO) session of profile ${base.profile} is missing or expired: ${cached.reason}`, login);
  const now = ctx.options.now();
  const endpoints = ssoEndpoints(env, base.region);
  const notes: string[] = [];
  let token = cached.token;
  // Legacy profiles (sso_start_url in the profile) use the cached token as it is, as the Rust SDK does.
  if (base.session !== null) {
    const decision = decideTokenUse(token, now);
    if (decision.action === 'expired') {
      return failWith('sso', base.profile, `the IAM Identity Center (SSO) session of profile ${base.profile} expired at ${token.expiresAt.toISOString()} and cannot be refreshed`, login);
    }
    if (decision.action === 'refresh') {
      // Codex refreshes and rewrites the cache file; the doctor refreshes in memory only and never writes it.
      const refreshed = await refreshSsoToken(token, { oidcEndpoint: endpoints.oidc, timeoutMs: ctx.options.timeoutMs, env, now });
      if (refreshed.ok) {
        token = refreshed.value;
        notes.push(`the cached SSO access token expires at ${cached.token.expiresAt.toISOString()}; Codex refreshes it with the refresh token (SSO-OIDC ${endpoints.oidc}) and saves it to ${path}; the doctor refreshed it in memory only and wrote nothing`);
      } else {
        notes.push(`refreshing the SSO access token failed (${refreshed.reason}); Codex then goes on with the cached token`);
      }
    }
  }
  const role = await getRoleCredentials(token.accessToken, { portalEndpoint: endpoints.portal, accountId: base.accountId, roleName: base.roleName, timeoutMs: ctx.options.timeoutMs, env });
  if (!role.ok) {
    if (role.errorType === 'UnauthorizedException') return failWith('sso', base.profile, `the IAM Identity Center (SSO) session of profile ${base.profile} has expired or was signed out (the SSO portal said UnauthorizedException)`, login);
    if (role.errorType === 'ForbiddenException') {
      return failWith('sso', base.profile, `the SSO portal refused role ${base.roleName} in account ${base.accountId} (ForbiddenException): the signed-in user may not use that permission set`, `Check sso_account_id and sso_role_name of profile ${base.profile} (aws sso list-account-roles).`);
    }
    return failWith('sso', base.profile, `getting SSO role credentials for profile ${base.profile} failed at ${endpoints.portal}: ${role.reason}`, `Check AWS_ENDPOINT_URL_SSO and the network path to the SSO portal; then ${login.replace('Run: ', '')}.`);
  }
  return { credentials: role.value, notes };
}

async function webIdentity(input: { roleArn: string; tokenFile: string; sessionName: string; profile: string | null; tokenFileVariable?: string }, ctx: Context): Promise<StsCredentials> {
  const read = ctx.options.readFile(input.tokenFile);
  const named = input.tokenFileVariable ?? `web_identity_token_file of profile ${input.profile}`;
  if (read.status !== 'ok') return failWith('web-identity', input.profile, `the web identity token file ${input.tokenFile} (${named}) ${read.status === 'missing' ? 'does not exist' : `cannot be read (${read.reason})`}`, 'Point it at the token your platform writes (GitHub Actions OIDC, EKS IRSA).');
  if (read.size > MAX_TOKEN_BYTES || read.text.trim() === '') return failWith('web-identity', input.profile, `the web identity token file ${input.tokenFile} (${named}) is ${read.text.trim() === '' ? 'empty' : 'far too large'}`, 'Point it at the token your platform writes.');
  const result = await assumeRoleWithWebIdentity({ roleArn: input.roleArn, sessionName: input.sessionName, token: read.text.trim() }, { region: ctx.region, endpoint: ctx.sts, timeoutMs: ctx.options.timeoutMs, env: ctx.setup.env });
  if (!result.ok) return stsProblem(result.error, `AssumeRoleWithWebIdentity for ${input.roleArn} failed`, ctx, 'web-identity', input.profile, 'Check that the role trusts this identity provider and that the token has not expired.');
  return result.credentials;
}

/** The JavaScript SDK's identity, as the credentials the doctor carries on. */
function fromSdkIdentity(identity: StsCredentials): StsCredentials {
  return { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey, ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}), ...(identity.expiration ? { expiration: identity.expiration } : {}) };
}

async function containerCredentials(ctx: Context): Promise<StsCredentials> {
  const { env } = ctx.setup;
  const full = env.nonEmpty('AWS_CONTAINER_CREDENTIALS_FULL_URI')?.value;
  const relative = env.nonEmpty('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')?.value;
  const tokenFile = env.nonEmpty('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')?.value;
  const token = env.nonEmpty('AWS_CONTAINER_AUTHORIZATION_TOKEN')?.value;
  if (tokenFile) {
    const read = ctx.options.readFile(tokenFile);
    if (read.status !== 'ok') return failWith('container', null, `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names ${tokenFile}, which ${read.status === 'missing' ? 'does not exist' : `cannot be read (${read.reason})`}`, 'On EKS Pod Identity the agent mounts this file; check the pod identity association.');
  }
  try {
    const { fromHttp } = await import('@aws-sdk/credential-providers');
    const identity = await fromHttp({
      ...(full ? { awsContainerCredentialsFullUri: full } : {}),
      ...(relative ? { awsContainerCredentialsRelativeUri: relative } : {}),
      ...(tokenFile ? { awsContainerAuthorizationTokenFile: tokenFile } : {}),
      ...(token ? { awsContainerAuthorizationToken: token } : {}),
      timeout: ctx.options.timeoutMs,
      maxRetries: 0,
    })();
    return fromSdkIdentity(identity);
  } catch (error) {
    const variable = full ? 'AWS_CONTAINER_CREDENTIALS_FULL_URI' : 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI';
    const missingToken = full && !tokenFile && !token ? '; AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or AWS_CONTAINER_AUTHORIZATION_TOKEN) is not set, and EKS Pod Identity endpoints refuse requests without it' : '';
    const message = error instanceof Error ? firstLine(error.message) : String(error);
    return failWith('container', null, `the container credentials endpoint from ${variable} gave no credentials (${message})${missingToken}`, missingToken ? 'Set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE to the token file the platform mounts (EKS Pod Identity: /var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token).' : `Check ${variable} and that the credentials endpoint is reachable from here.`);
  }
}

async function instanceCredentials(ctx: Context): Promise<StsCredentials | null> {
  if ((ctx.setup.env.get('AWS_EC2_METADATA_DISABLED') ?? '').trim().toLowerCase() === 'true') return null;
  try {
    const { fromInstanceMetadata } = await import('@aws-sdk/credential-providers');
    const identity = await fromInstanceMetadata({ timeout: Math.min(IMDS_TIMEOUT_MS, ctx.options.timeoutMs), maxRetries: 0 })();
    return fromSdkIdentity(identity);
  } catch {
    return null;
  }
}

function envKeyCredentials(ctx: Context): StsCredentials | null {
  const { env } = ctx.setup;
  const accessKeyId = env.nonEmpty('AWS_ACCESS_KEY_ID')?.value.trim();
  const secretAccessKey = env.nonEmpty('AWS_SECRET_ACCESS_KEY')?.value.trim();
  if (!accessKeyId || !secretAccessKey) return null;
  const token = env.nonEmpty('AWS_SESSION_TOKEN')?.value;
  const expiry = env.nonEmpty('AWS_CREDENTIAL_EXPIRATION')?.value;
  return { accessKeyId, secretAccessKey, ...(token ? { sessionToken: token.trim() } : {}), ...(expiry && !Number.isNaN(Date.parse(expiry)) ? { expiration: new Date(expiry) } : {}) };
}

async function namedSource(base: Extract<BaseSource, { kind: 'named-source' }>, ctx: Context): Promise<{ credentials: StsCredentials; kind: IamSourceKind }> {
  const name = base.source.toLowerCase();
  if (name === 'environment') {
    const keys = envKeyCredentials(ctx);
    return keys ? { credentials: keys, kind: 'env-keys' } : failWith('env-keys', base.profile, `profile ${base.profile} has credential_source = Environment, but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set`, 'Export the source access keys, or use source_profile instead.');
  }
  if (name === 'ecscontainer') return { credentials: await containerCredentials(ctx), kind: 'container' };
  if (name === 'ec2instancemetadata') {
    const found = await instanceCredentials(ctx);
    return found ? { credentials: found, kind: 'instance-metadata' } : failWith('instance-metadata', base.profile, `profile ${base.profile} has credential_source = Ec2InstanceMetadata, but instance metadata gave no credentials`, 'Run where an instance role is attached, or use source_profile.');
  }
  return failWith(null, base.profile, `profile ${base.profile} has credential_source = ${base.source}, which is not one of Environment, EcsContainer, Ec2InstanceMetadata`, 'Fix credential_source.');
}

async function awsLoginCredentials(base: Extract<BaseSource, { kind: 'aws-login' }>, ctx: Context): Promise<StsCredentials> {
  try {
    const { fromLoginCredentials } = await import('@aws-sdk/credential-providers');
    const identity = await fromLoginCredentials({ profile: base.profile, filepath: ctx.setup.awsCredentials.path, configFilepath: ctx.setup.awsConfig.path })();
    return fromSdkIdentity(identity);
  } catch (error) {
    return failWith('aws-login', base.profile, `the aws login session of profile ${base.profile} is missing or expired: ${firstLine(error instanceof Error ? error.message : String(error))}`, `Run: aws login --profile ${base.profile}`);
  }
}

async function runChain(chain: ProfileChain, ctx: Context, selected: string): Promise<IamCredentials> {
  const { base } = chain;
  let credentials: StsCredentials;
  let kind = BASE_SOURCE_KIND[base.kind];
  let notes: string[] = [];
  switch (base.kind) {
    case 'static':
      credentials = { accessKeyId: base.accessKeyId, secretAccessKey: base.secretAccessKey, ...(base.sessionToken ? { sessionToken: base.sessionToken } : {}) };
      break;
    case 'process':
      credentials = await runCredentialProcess(base, ctx);
      break;
    case 'sso':
      ({ credentials, notes } = await ssoCredentials(base, ctx));
      break;
    case 'web-identity':
      credentials = await webIdentity({ ...base, sessionName: base.sessionName ?? defaultSessionName('web-identity-token-profile', ctx.options.now()) }, ctx);
      break;
    case 'aws-login':
      credentials = await awsLoginCredentials(base, ctx);
      break;
    case 'named-source':
      ({ credentials, kind } = await namedSource(base, ctx));
      break;
  }
  for (const role of chain.roles) {
    const result = await assumeRole(credentials, { roleArn: role.roleArn, sessionName: role.sessionName ?? defaultSessionName('assume-role-from-profile', ctx.options.now()), ...(role.externalId !== undefined ? { externalId: role.externalId } : {}) }, { region: ctx.region, endpoint: ctx.sts, timeoutMs: ctx.options.timeoutMs, env: ctx.setup.env });
    if (!result.ok) return stsProblem(result.error, `assuming role ${role.roleArn} (profile ${role.profile}) failed`, ctx, 'assume-role', selected, `Check the source credentials of profile ${role.profile} and that they may assume its role_arn.`);
    credentials = result.credentials;
    kind = 'assume-role';
  }
  return { ...credentials, source: kind, profile: selected, ...(notes.length > 0 ? { notes } : {}) };
}

function profileFailure(error: ProfileChainError, setup: EffectiveSetup): Failure {
  if (error.code === 'missing-profile') {
    const existing = existingProfiles(setup);
    return {
      ok: false,
      source: null,
      profile: error.profile,
      reason: error.message,
      fix: existing.length > 0 ? `Use one of the profiles that exist: ${existing.join(', ')}; or create it: aws configure --profile ${error.profile}` : `Create it: aws configure --profile ${error.profile} (or aws configure sso --profile ${error.profile})`,
    };
  }
  if (error.code === 'missing-source-profile') return { ok: false, source: 'assume-role', profile: error.profile, reason: error.message, fix: `Create the source profile, or fix source_profile in profile ${error.profile}.` };
  if (error.code === 'no-credentials') return { ok: false, source: null, profile: error.profile, reason: error.message, fix: `Add credentials to profile ${error.profile} (aws configure --profile ${error.profile}) or point Codex at another profile.` };
  return { ok: false, source: null, profile: error.profile, reason: error.message, fix: 'Fix the AWS config file as the message says; Codex refuses the profile until then.' };
}

/** Rust DefaultCredentialsChain after the profile: web identity from the environment, container, instance metadata. */
async function restOfDefaultChain(ctx: Context, profileError: ProfileChainError | null): Promise<IamResolution> {
  const { env } = ctx.setup;
  const tokenFile = env.nonEmpty('AWS_WEB_IDENTITY_TOKEN_FILE')?.value;
  const roleArn = env.nonEmpty('AWS_ROLE_ARN')?.value;
  if (tokenFile) {
    if (!roleArn) return failWith('web-identity', null, 'AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; Codex stops there', 'Set AWS_ROLE_ARN to the role the token may assume (GitHub Actions: role-to-assume; EKS IRSA sets it for you).');
    const sessionName = env.nonEmpty('AWS_ROLE_SESSION_NAME')?.value ?? defaultSessionName('web-identity-token', ctx.options.now());
    const credentials = await webIdentity({ roleArn, tokenFile, sessionName, profile: null, tokenFileVariable: 'AWS_WEB_IDENTITY_TOKEN_FILE' }, ctx);
    return { ok: true, credentials: { ...credentials, source: 'web-identity', profile: null } };
  }
  if (env.nonEmpty('AWS_CONTAINER_CREDENTIALS_FULL_URI') || env.nonEmpty('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')) {
    return { ok: true, credentials: { ...(await containerCredentials(ctx)), source: 'container', profile: null } };
  }
  const instance = await instanceCredentials(ctx);
  if (instance) return { ok: true, credentials: { ...instance, source: 'instance-metadata', profile: null } };
  if (profileError && profileError.code !== 'no-profiles') return profileFailure(profileError, ctx.setup);
  const halfSet = [
    roleArn ? 'AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not' : null,
    env.nonEmpty('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE') || env.nonEmpty('AWS_CONTAINER_AUTHORIZATION_TOKEN') ? 'a container authorization token is set but neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is' : null,
    env.nonEmpty('AWS_ACCESS_KEY_ID') && !env.nonEmpty('AWS_SECRET_ACCESS_KEY') ? 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not' : null,
    env.nonEmpty('AWS_SECRET_ACCESS_KEY') && !env.nonEmpty('AWS_ACCESS_KEY_ID') ? 'AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not' : null,
  ].filter((note): note is string => note !== null);
  if (halfSet.length > 0) return { ok: false, source: null, profile: null, reason: `no AWS credentials: ${halfSet.join('; ')}`, fix: 'Set the missing variable named above, or remove the half-set ones.' };
  return {
    ok: false,
    source: null,
    profile: null,
    reason: 'no AWS credentials were found anywhere in the credential chain (environment, shared files, SSO, web identity, container, instance metadata)',
    fix: 'Set AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key, or configure IAM credentials: aws configure, aws sso login --profile NAME (then AWS_PROFILE=NAME), or aws login.',
  };
}

/** The files the credential chain may open: the shared files, token files named by env or any profile, SSO caches. */
function filesReadWhileResolving(setup: EffectiveSetup, homeDir: string): string[] {
  const profiles = [setup.awsConfig, setup.awsCredentials].flatMap((file) => [...file.profiles.values()]);
  const home = setup.env.get('HOME') || homeDir;
  const ssoCaches = profiles
    .flatMap((profile) => [profile.values.get('sso_session')?.value, profile.values.get('sso_start_url')?.value])
    .filter((key): key is string => Boolean(key))
    .map((key) => ssoCachePath(home, key));
  return [
    ...ssoCaches,
    setup.awsConfig.path,
    setup.awsCredentials.path,
    setup.env.get('AWS_WEB_IDENTITY_TOKEN_FILE'),
    setup.env.get('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'),
    ...profiles.map((profile) => profile.values.get('web_identity_token_file')?.value),
  ].filter((path): path is string => typeof path === 'string' && path.trim() !== '');
}

/** aws.credential_export: Codex signs with what it prints and stops when it fails (no fallback). */
async function exportedCredentials(ctx: Context): Promise<IamResolution> {
  const plan = ctx.setup.auth;
  const fix = 'Fix the aws.credential_export command (run it by hand: it must print JSON with Version 1, AccessKeyId and SecretAccessKey), or remove it to let Codex use the other credentials.';
  if (!plan.credentialExport) return failWith('credential-export', null, `model_providers.amazon-bedrock.aws.credential_export cannot be used: ${plan.commandProblem ?? 'it is malformed'}`, fix);
  const result = await runCredentialExport(plan.credentialExport, ctx.setup.env.toRecord(), ctx.options.timeoutMs);
  if (!result.ok) return failWith('credential-export', null, `aws.credential_export ${result.reason}; Codex stops there and does not fall back to other credentials`, fix);
  return { ok: true, credentials: { ...result.value, source: 'credential-export', profile: null } };
}

/**
 * Resolves the IAM credentials Codex would use, with the source already chosen by the resolver (Codex's
 * precedence) and the profile chain decided with the Rust SDK's rules; then each step is done once, as
 * Codex does it: static keys as they are, credential_process run once, SSO from the cache (never written),
 * STS AssumeRole without DurationSeconds, web identity, container and instance metadata.
 */
export async function resolveIamCredentials(setup: EffectiveSetup, options: IamOptions): Promise<IamResolution> {
  const plan = setup.auth;
  const region = typeof setup.region.effective?.value === 'string' && setup.region.effective.value.trim() !== '' ? setup.region.effective.value.trim() : 'us-east-1';
  const ctx: Context = { setup, options, region, sts: stsEndpoint(setup.env, region) };
  try {
    if (plan.source === 'credential-export') return await exportedCredentials(ctx);
    const stored = setup.storedLogin.accessKeys;
    if (plan.source === 'codex-login-keys' && stored) return { ok: true, credentials: { ...stored, source: 'codex-login', profile: null } };
    if (plan.source === 'env-keys') {
      const keys = envKeyCredentials(ctx);
      if (keys) return { ok: true, credentials: { ...keys, source: 'env-keys', profile: null } };
    }
    // Files read while resolving (shared files, token files, the SSO cache) must be regular files: a FIFO would hang.
    const unsafe = firstUnsafeFile(filesReadWhileResolving(setup, options.homeDir));
    if (unsafe) {
      return { ok: false, source: null, profile: plan.awsProfile?.value ?? null, reason: `${unsafe.path} cannot be used: ${unsafe.reason}; Codex would read it with no limit`, fix: `Replace ${unsafe.path} with a regular file, or point the variable that names it elsewhere.` };
    }
    const selected = plan.awsProfile?.value ?? 'default';
    const resolved = resolveProfileChain(setup.awsConfig, setup.awsCredentials, selected);
    if (resolved.ok) return { ok: true, credentials: await runChain(resolved.chain, ctx, selected) };
    // aws.profile means that profile only; the default chain goes on past a profile that gives nothing.
    if (!resolved.error.notLoaded || plan.source === 'aws-profile-config') return profileFailure(resolved.error, setup);
    return await restOfDefaultChain(ctx, resolved.error);
  } catch (error) {
    if (error instanceof ResolveFailure) return error.failure;
    throw error;
  }
}
