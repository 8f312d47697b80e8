import type { AwsProfileSection } from '../resolve/awsConfig.js';
import type { EffectiveSetup } from '../resolve/setup.js';

/** How an IAM credential was (or would be) obtained, in the user's words. */
export type IamSourceKind =
  | 'codex-login'
  | 'env-keys'
  | 'profile-keys'
  | 'assume-role'
  | 'sso'
  | 'aws-login'
  | 'process'
  | 'web-identity'
  | 'container'
  | 'instance-metadata'
  | 'unknown';

export const IAM_SOURCE_LABELS: Record<IamSourceKind, string> = {
  'codex-login': 'AWS access keys stored in $CODEX_HOME/auth.json',
  'env-keys': 'environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
  'profile-keys': 'static keys in a shared config/credentials profile',
  'assume-role': 'an assumed role (role_arn)',
  sso: 'IAM Identity Center (SSO)',
  'aws-login': 'aws login',
  process: 'credential_process',
  'web-identity': 'web identity token',
  container: 'container credentials endpoint',
  'instance-metadata': 'EC2 instance metadata (IMDS)',
  unknown: 'the AWS credential chain',
};

/** One profile's settings, with the credentials file over the config file as the AWS SDKs merge them. */
export function profileSettings(setup: EffectiveSetup, profile: string): Map<string, string> | null {
  const sections = [setup.awsConfig.profiles.get(profile), setup.awsCredentials.profiles.get(profile)].filter(
    (section): section is AwsProfileSection => section !== undefined,
  );
  if (sections.length === 0) return null;
  const merged = new Map<string, string>();
  sections.forEach((section) => section.values.forEach((entry, key) => merged.set(key, entry.value)));
  return merged;
}

/** The credential kind a profile's settings select, in the AWS SDK's resolution order. */
export function profileKind(settings: Map<string, string>): IamSourceKind | null {
  if (settings.has('role_arn')) return 'assume-role';
  if (settings.has('aws_access_key_id') && settings.has('aws_secret_access_key')) return 'profile-keys';
  if (settings.has('web_identity_token_file')) return 'web-identity';
  if (settings.has('credential_process')) return 'process';
  if (settings.has('sso_session') || settings.has('sso_start_url')) return 'sso';
  if (settings.has('login_session')) return 'aws-login';
  return null;
}

export function existingProfiles(setup: EffectiveSetup): string[] {
  return [...new Set([...setup.awsConfig.profiles.keys(), ...setup.awsCredentials.profiles.keys()])].sort();
}

/** Maps the AWS SDK's credential feature ids (`$source`) to a kind; assume-role wins over what it assumed from. */
export function kindFromSdkSource(source: Record<string, unknown> | undefined): IamSourceKind {
  const has = (...ids: string[]) => ids.some((id) => source !== undefined && id in source);
  if (has('CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN', 'CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN', 'CREDENTIALS_STS_ASSUME_ROLE_WEB_ID')) return 'web-identity';
  if (has('CREDENTIALS_PROFILE_SOURCE_PROFILE', 'CREDENTIALS_STS_ASSUME_ROLE')) return 'assume-role';
  if (has('CREDENTIALS_SSO', 'CREDENTIALS_SSO_LEGACY', 'CREDENTIALS_PROFILE_SSO', 'CREDENTIALS_PROFILE_SSO_LEGACY')) return 'sso';
  if (has('CREDENTIALS_LOGIN', 'CREDENTIALS_PROFILE_LOGIN')) return 'aws-login';
  if (has('CREDENTIALS_PROCESS', 'CREDENTIALS_PROFILE_PROCESS')) return 'process';
  if (has('CREDENTIALS_HTTP')) return 'container';
  if (has('CREDENTIALS_IMDS')) return 'instance-metadata';
  if (has('CREDENTIALS_ENV_VARS')) return 'env-keys';
  if (has('CREDENTIALS_PROFILE')) return 'profile-keys';
  // The default chain sets no feature id for instance metadata.
  return source === undefined || Object.keys(source).length === 0 ? 'instance-metadata' : 'unknown';
}

/** Shared files that exist but cannot be read: the SDKs (and Codex) then see no profiles in them at all. */
export function unreadableAwsFiles(setup: EffectiveSetup): string[] {
  return [setup.awsConfig, setup.awsCredentials]
    .filter((file) => file.status === 'unreadable')
    .map((file) => `${file.path} cannot be read (${file.reason ?? 'unreadable'})`);
}
