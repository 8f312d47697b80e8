import { resolveProfileChain, type BaseSource, type ProfileChainError } from './profileChain.js';
import type { EffectiveSetup } from '../resolve/setup.js';

/** How an IAM credential was (or would be) obtained, in the user's words. */
export type IamSourceKind =
  | 'codex-login'
  | 'credential-export'
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
  'credential-export': 'model_providers.amazon-bedrock.aws.credential_export',
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

/** The kind a profile's base source gives (a named credential_source is only known once it is used). */
export const BASE_SOURCE_KIND: Record<BaseSource['kind'], IamSourceKind> = {
  static: 'profile-keys',
  process: 'process',
  'web-identity': 'web-identity',
  sso: 'sso',
  'aws-login': 'aws-login',
  'named-source': 'unknown',
};

/** What Codex would take credentials from for a profile, from configuration alone (nothing is run). */
export function profileSourceKind(setup: EffectiveSetup, profile: string): { ok: true; kind: IamSourceKind } | { ok: false; error: ProfileChainError } {
  const resolved = resolveProfileChain(setup.awsConfig, setup.awsCredentials, profile);
  if (!resolved.ok) return { ok: false, error: resolved.error };
  const { base, roles } = resolved.chain;
  if (roles.length > 0) return { ok: true, kind: 'assume-role' };
  return { ok: true, kind: BASE_SOURCE_KIND[base.kind] };
}

export function existingProfiles(setup: EffectiveSetup): string[] {
  return [...new Set([...setup.awsConfig.profiles.keys(), ...setup.awsCredentials.profiles.keys()])].sort();
}

/** Shared files that exist but cannot be read: the SDKs (and Codex) then see no profiles in them at all. */
export function unreadableAwsFiles(setup: EffectiveSetup): string[] {
  return [setup.awsConfig, setup.awsCredentials]
    .filter((file) => file.status === 'unreadable')
    .map((file) => `${file.path} cannot be read (${file.reason ?? 'unreadable'})`);
}
