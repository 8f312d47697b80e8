import { mergedProfile, type AwsSharedFile } from '../resolve/awsConfig.js';

/**
 * Which credential source an AWS profile selects, decided as the Rust SDK that Codex links decides it
 * (aws-config `profile::credentials::repr::resolve_chain`), before anything runs. The JavaScript SDK's
 * `fromIni` differs: it tries static keys before credential_process and SSO, sends the profile's
 * `duration_seconds` to STS, and runs the source profile's own provider where Rust uses its static keys.
 */
export type BaseSource =
  | { kind: 'static'; profile: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: 'process'; profile: string; command: string }
  | { kind: 'web-identity'; profile: string; roleArn: string; tokenFile: string; sessionName?: string }
  | { kind: 'sso'; profile: string; session: string | null; startUrl: string; region: string; accountId: string; roleName: string }
  | { kind: 'aws-login'; profile: string; loginSession: string }
  | { kind: 'named-source'; profile: string; source: string };

export interface RoleStep {
  profile: string;
  roleArn: string;
  externalId?: string;
  sessionName?: string;
}

export interface ProfileChain {
  base: BaseSource;
  /** Roles assumed in order, starting from the base credentials. */
  roles: RoleStep[];
}

/**
 * Why no chain could be built. `notLoaded` errors let Codex's default chain go on to web identity, container
 * and instance credentials (Rust `CredentialsError::not_loaded`); the others stop it (invalid configuration).
 */
export interface ProfileChainError {
  code: 'no-profiles' | 'no-credentials' | 'missing-profile' | 'missing-source-profile' | 'invalid' | 'loop' | 'parse';
  notLoaded: boolean;
  profile: string;
  message: string;
}

export type ProfileChainResult = { ok: true; chain: ProfileChain } | { ok: false; error: ProfileChainError };

type Settings = Map<string, { value: string; line: number; path: string }>;

const get = (settings: Settings, key: string) => settings.get(key)?.value;

function staticCreds(profile: string, settings: Settings): BaseSource | ProfileChainError {
  const accessKeyId = get(settings, 'aws_access_key_id');
  const secretAccessKey = get(settings, 'aws_secret_access_key');
  const sessionToken = get(settings, 'aws_session_token');
  if (accessKeyId === undefined && secretAccessKey === undefined && sessionToken === undefined) {
    return { code: 'no-credentials', notLoaded: true, profile, message: `profile "${profile}" holds no credential settings (no keys, role_arn, sso_session, credential_process, login_session or web identity)` };
  }
  if (accessKeyId === undefined) return { code: 'invalid', notLoaded: false, profile, message: `profile "${profile}" is missing aws_access_key_id` };
  if (secretAccessKey === undefined) return { code: 'invalid', notLoaded: false, profile, message: `profile "${profile}" is missing aws_secret_access_key` };
  return { kind: 'static', profile, accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) };
}

function ssoSource(profile: string, settings: Settings, config: AwsSharedFile): BaseSource | ProfileChainError | null {
  const keys = ['sso_account_id', 'sso_region', 'sso_role_name', 'sso_start_url', 'sso_session'];
  if (keys.every((key) => !settings.has(key))) return null;
  const invalid = (message: string): ProfileChainError => ({ code: 'invalid', notLoaded: false, profile, message: `profile "${profile}": ${message}` });
  const session = get(settings, 'sso_session') ?? null;
  let startUrl = get(settings, 'sso_start_url');
  let region = get(settings, 'sso_region');
  if (session !== null) {
    if (startUrl !== undefined) return invalid('`sso_start_url` can only be specified in the [sso-session] config when a session name is given');
    if (region !== undefined) return invalid('`sso_region` can only be specified in the [sso-session] config when a session name is given');
    const section = config.ssoSessions.get(session);
    if (!section) return invalid(`sso_session = ${session}, but there is no [sso-session ${session}] section in ${config.path}`);
    startUrl = section.values.get('sso_start_url')?.value;
    region = section.values.get('sso_region')?.value;
  }
  const accountId = get(settings, 'sso_account_id');
  const roleName = get(settings, 'sso_role_name');
  if (accountId !== undefined && roleName === undefined) return invalid('if `sso_account_id` is set, then `sso_role_name` must also be set');
  if (roleName !== undefined && accountId === undefined) return invalid('if `sso_role_name` is set, then `sso_account_id` must also be set');
  if (region === undefined) return invalid('missing `sso_region`');
  if (startUrl === undefined) return invalid('missing `sso_start_url`');
  // An sso-session profile without account and role gives a token only; Rust's chain then moves on (not loaded).
  if (accountId === undefined || roleName === undefined) return { ...invalid('an SSO profile needs sso_account_id and sso_role_name to give credentials'), notLoaded: true };
  return { kind: 'sso', profile, session, startUrl, region, accountId, roleName };
}

/** Rust `base_provider`: credential_source, then web identity, SSO, login session, credential_process, static keys. */
function baseSource(profile: string, settings: Settings, config: AwsSharedFile): BaseSource | ProfileChainError {
  const source = get(settings, 'credential_source');
  if (source !== undefined) return { kind: 'named-source', profile, source };
  const tokenFile = get(settings, 'web_identity_token_file');
  const roleArn = get(settings, 'role_arn');
  if (tokenFile !== undefined) {
    if (roleArn === undefined) return { code: 'invalid', notLoaded: false, profile, message: `profile "${profile}": \`web_identity_token_file\` was specified but \`role_arn\` was missing` };
    const sessionName = get(settings, 'role_session_name');
    return { kind: 'web-identity', profile, roleArn, tokenFile, ...(sessionName !== undefined ? { sessionName } : {}) };
  }
  const sso = ssoSource(profile, settings, config);
  if (sso) return sso;
  const loginSession = get(settings, 'login_session');
  if (loginSession !== undefined) return { kind: 'aws-login', profile, loginSession };
  const command = get(settings, 'credential_process');
  if (command !== undefined) return { kind: 'process', profile, command };
  return staticCreds(profile, settings);
}

const isError = (value: BaseSource | ProfileChainError): value is ProfileChainError => 'code' in value;

export function resolveProfileChain(config: AwsSharedFile, credentials: AwsSharedFile, selected: string): ProfileChainResult {
  const fail = (error: ProfileChainError): ProfileChainResult => ({ ok: false, error });
  const broken = [config, credentials].find((file) => file.parseError);
  if (broken) {
    return fail({ code: 'parse', notLoaded: false, profile: selected, message: `${broken.path} line ${broken.parseError!.line} cannot be parsed (${broken.parseError!.message}), so no profile can be loaded` });
  }
  const visited: string[] = [];
  const roles: RoleStep[] = [];
  let name = selected;
  for (;;) {
    const settings = mergedProfile(config, credentials, name);
    if (!settings) {
      if (visited.length === 0) {
        if (name === 'default') return fail({ code: 'no-profiles', notLoaded: true, profile: name, message: 'there is no default profile' });
        return fail({ code: 'missing-profile', notLoaded: true, profile: name, message: `AWS profile "${name}" does not exist in ${config.path} or ${credentials.path}` });
      }
      return fail({
        code: 'missing-source-profile',
        notLoaded: true,
        profile: visited[visited.length - 1]!,
        message: `profile "${visited[visited.length - 1]}" names source_profile = ${name}, but profile "${name}" does not exist in ${config.path} or ${credentials.path}`,
      });
    }
    if (visited.includes(name)) return fail({ code: 'loop', notLoaded: false, profile: name, message: `profiles form a loop: ${[...visited, name].join(' -> ')}` });
    visited.push(name);
    // A source profile with static keys is used as it is, whatever else it sets (Rust resolve_chain).
    if (visited.length > 1) {
      const keys = staticCreds(name, settings);
      if (!isError(keys)) return { ok: true, chain: { base: keys, roles: roles.reverse() } };
    }
    const roleArn = get(settings, 'role_arn');
    if (roleArn === undefined || settings.has('web_identity_token_file')) {
      const base = baseSource(name, settings, config);
      if (!isError(base)) return { ok: true, chain: { base, roles: roles.reverse() } };
      if (visited.length === 1) return fail(base);
      return fail({ ...base, code: base.code === 'no-credentials' ? 'invalid' : base.code, notLoaded: false, message: `could not load source profile "${name}": ${base.message}` });
    }
    const sourceProfile = get(settings, 'source_profile');
    const credentialSource = get(settings, 'credential_source');
    if (sourceProfile !== undefined && credentialSource !== undefined) {
      return fail({ code: 'invalid', notLoaded: false, profile: name, message: `profile "${name}" contains both source_profile and credential_source; only one may be set` });
    }
    if (sourceProfile === undefined && credentialSource === undefined) {
      return fail({ code: 'invalid', notLoaded: false, profile: name, message: `profile "${name}" has role_arn but neither source_profile nor credential_source` });
    }
    const externalId = get(settings, 'external_id');
    const sessionName = get(settings, 'role_session_name');
    roles.push({ profile: name, roleArn, ...(externalId !== undefined ? { externalId } : {}), ...(sessionName !== undefined ? { sessionName } : {}) });
    if (sourceProfile === undefined || sourceProfile === name) {
      const base = baseSource(name, settings, config);
      if (isError(base)) return fail(base);
      return { ok: true, chain: { base, roles: roles.reverse() } };
    }
    name = sourceProfile;
  }
}
