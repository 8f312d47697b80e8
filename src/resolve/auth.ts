import { codexTrim } from '../auth/bedrockKey.js';
import { dirname, isAbsolute, join } from 'node:path';
import type { FileRead } from '../io/files.js';
import type { EffectiveEnvironment } from './environment.js';
import { describeOrigin, type Origin, type Sourced } from './origin.js';

export type AuthMode = 'bearer' | 'iam' | 'command';

export type AuthSourceKind =
  | 'auth-command'
  | 'aws-profile-config'
  | 'credential-export'
  | 'codex-login'
  | 'codex-login-keys'
  | 'bearer-env'
  | 'env-keys'
  | 'sdk-chain';

export interface IgnoredCredential {
  what: string;
  why: string;
}

/** The credential Codex will use, decided with Codex's precedence (SPEC section 3), before any SDK call. */
export interface AuthPlan {
  mode: AuthMode;
  source: AuthSourceKind;
  /** In the user's words, e.g. "AWS_BEARER_TOKEN_BEDROCK (shell environment)". */
  description: string;
  origin: Origin;
  /** Bearer path: the raw value as set (hygiene is judged by auth.token). Never rendered. */
  bearerKey?: Sourced<string>;
  /** IAM path: the AWS profile the SDK chain is asked for, if any. */
  awsProfile?: Sourced<string>;
  /** Command path: the provider auth command as Codex runs it. */
  authCommand?: ConfiguredCommand;
  /** aws.credential_export: the command whose credential_process-style JSON Codex signs with. */
  credentialExport?: ConfiguredCommand;
  /** Why Codex cannot use the configured command as written (the value is not a table, command missing...). */
  commandProblem?: string;
  /** Credentials that are present but that Codex will not use, with why. */
  ignored: IgnoredCredential[];
  /** An empty AWS_BEARER_TOKEN_BEDROCK that Codex ignored on the way. */
  emptyBearerIgnored?: Origin;
}

/** A command from the Codex config (`auth` or `aws.credential_export`): run directly, not through a shell. */
export interface ConfiguredCommand {
  command: string;
  args: string[];
  /** Codex's limit for the auth command (`timeout_ms`, default 5 s); credential_export has none of its own. */
  timeoutMs: number | null;
  /** Where it runs: `cwd` when set, else the folder of the config file that set it (Codex resolves "." there). */
  cwd: string | null;
}

/** Codex's default `timeout_ms` for the provider auth command. */
export const DEFAULT_AUTH_COMMAND_TIMEOUT_MS = 5000;

/** Reads `{command, args, timeout_ms, cwd}` as Codex deserialises it; a string is what people write by mistake. */
export function readConfiguredCommand(sourced: Sourced<unknown>, withTimeout: boolean): ConfiguredCommand | { problem: string } {
  const value = sourced.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'it must be a table with a `command` key' };
  const table = value as Record<string, unknown>;
  const command = table['command'];
  if (typeof command !== 'string' || command.trim() === '') return { problem: 'it has no `command` string' };
  const args = table['args'] ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) return { problem: '`args` must be a list of strings' };
  const timeout = table['timeout_ms'];
  if (withTimeout && timeout !== undefined && !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0)) return { problem: '`timeout_ms` must be a positive whole number of milliseconds' };
  const configDir = sourced.origin.kind === 'config' ? dirname(sourced.origin.path) : null;
  const cwdValue = typeof table['cwd'] === 'string' ? (table['cwd'] as string) : null;
  const cwd = cwdValue !== null ? (isAbsolute(cwdValue) || !configDir ? cwdValue : join(configDir, cwdValue)) : configDir;
  return { command, args: args as string[], timeoutMs: withTimeout ? (typeof timeout === 'number' ? timeout : DEFAULT_AUTH_COMMAND_TIMEOUT_MS) : null, cwd };
}

export interface StoredLogin {
  path: string;
  read: FileRead;
  /** A Bedrock API key stored by Codex's Bedrock sign-in (`bedrock_api_key.api_key`). */
  bedrockKey?: string;
  /** The region stored with that key: Codex uses it, ahead of every other region source. */
  bedrockKeyRegion?: string;
  /** AWS access keys stored by Codex's Bedrock sign-in (`bedrock_access_keys`). */
  accessKeys?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Why Codex would not use the file (it then silently falls back to the other sources). */
  problem?: string;
  /** The file's `auth_mode`, when it is a string (whether this Codex release knows it is in the rule table). */
  authMode?: string;
}

/** auth_mode values under which Codex reads the Bedrock blocks of auth.json (observed with 0.169.0). */
const BEDROCK_AUTH_MODES = ['bedrockApiKey', 'bedrockAccessKeys'];
/** Every auth_mode Codex 0.169.0 deserialises; any other value makes it ignore the whole file. */
const KNOWN_AUTH_MODES = ['apikey', 'chatgpt', 'chatgptAuthTokens', ...BEDROCK_AUTH_MODES];

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * Reads $CODEX_HOME/auth.json the way Codex 0.169.0 does:
 * `{"auth_mode": "bedrockApiKey" | "bedrockAccessKeys" | ..., "bedrock_api_key": {"api_key", "region"},
 *   "bedrock_access_keys": {"access_key_id", "secret_access_key", "session_token"}}`. The Bedrock blocks count
 * when auth_mode is absent or a Bedrock mode; an unknown auth_mode makes Codex skip the file silently.
 */
export function readStoredLogin(read: FileRead): StoredLogin {
  const login: StoredLogin = { path: read.path, read };
  if (read.status === 'missing') return login;
  if (read.status === 'unreadable') return { ...login, problem: read.reason };
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    return { ...login, problem: 'it is not valid JSON, so Codex ignores it' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ...login, problem: 'it is not a JSON object, so Codex ignores it' };
  const record = parsed as Record<string, unknown>;
  const mode = record['auth_mode'];
  if (mode !== undefined && mode !== null && (typeof mode !== 'string' || !KNOWN_AUTH_MODES.includes(mode))) {
    return { ...login, problem: `auth_mode ${JSON.stringify(mode)} is not one Codex knows, so Codex silently ignores the file` };
  }
  if (typeof mode === 'string' && !BEDROCK_AUTH_MODES.includes(mode)) return { ...login, authMode: mode };
  const apiKey = record['bedrock_api_key'] as Record<string, unknown> | undefined;
  const keys = record['bedrock_access_keys'] as Record<string, unknown> | undefined;
  const key = text(apiKey?.['api_key']);
  const accessKeyId = text(keys?.['access_key_id']);
  const secretAccessKey = text(keys?.['secret_access_key']);
  const sessionToken = text(keys?.['session_token']);
  const region = text(apiKey?.['region']);
  return {
    ...login,
    ...(typeof mode === 'string' ? { authMode: mode } : {}),
    ...(key ? { bedrockKey: key, ...(region ? { bedrockKeyRegion: region.trim() } : {}) } : {}),
    ...(accessKeyId && secretAccessKey ? { accessKeys: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
  };
}

export function planAuth(input: {
  authCommand: Sourced<unknown> | undefined;
  configAwsProfile: Sourced<unknown> | undefined;
  /** `aws.credential_export`, if configured. */
  credentialExport?: Sourced<unknown> | undefined;
  storedLogin: StoredLogin;
  env: EffectiveEnvironment;
  /** Release rule: Codex uses aws.credential_export (from about 0.155.0; earlier releases ignore it). Default: 0.169.0. */
  credentialExportUsed?: boolean;
  /**
   * Release-dependent (src/codex/rules.ts): `aws.profile` in the Codex config beats AWS_BEARER_TOKEN_BEDROCK.
   * Before that change the bearer key won and the profile was used only without one. Default: the newer order.
   */
  profileBeatsBearer?: boolean;
  /**
   * Release-dependent: AWS access keys stored in auth.json beat AWS_BEARER_TOKEN_BEDROCK (0.150.0 on); from
   * 0.147.0 to 0.149.1 the bearer key wins over them. Default: the newer order.
   */
  storedAccessKeysBeatBearer?: boolean;
}): AuthPlan {
  const { env } = input;
  const credentialExportUsed = input.credentialExportUsed ?? true;
  const bearerVar = env.sourced('AWS_BEARER_TOKEN_BEDROCK');
  // Codex trims the key and treats an empty value as unset.
  const bearerEnv = bearerVar && codexTrim(bearerVar.value) !== '' ? bearerVar : undefined;
  const emptyBearer = bearerVar && !bearerEnv ? bearerVar.origin : undefined;
  const accessKey = env.nonEmpty('AWS_ACCESS_KEY_ID');
  const secretKey = env.nonEmpty('AWS_SECRET_ACCESS_KEY');
  const envKeys = accessKey && secretKey ? accessKey : undefined;
  const awsProfileEnv = env.nonEmpty('AWS_PROFILE');
  const loginOrigin: Origin = { kind: 'auth-json', path: input.storedLogin.path };
  const extra = emptyBearer ? { emptyBearerIgnored: emptyBearer } : {};

  const present: { what: string; present: boolean }[] = [
    { what: `the Bedrock API key stored in ${input.storedLogin.path}`, present: Boolean(input.storedLogin.bedrockKey) },
    { what: `the AWS access keys stored in ${input.storedLogin.path}`, present: Boolean(input.storedLogin.accessKeys) },
    { what: 'AWS_BEARER_TOKEN_BEDROCK', present: Boolean(bearerEnv) },
    { what: 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY', present: Boolean(envKeys) },
  ];
  const ignoredExcept = (winner: string, why: string): IgnoredCredential[] => [
    ...present.filter((p) => p.present && p.what !== winner).map((p) => ({ what: p.what, why })),
    // A profile selected by AWS_PROFILE is IAM credentials too, passed over by anything that wins before the chain.
    ...(awsProfileEnv ? [{ what: `AWS_PROFILE=${awsProfileEnv.value}`, why }] : []),
  ];

  if (input.authCommand) {
    const command = readConfiguredCommand(input.authCommand, true);
    return {
      mode: 'command',
      source: 'auth-command',
      description: `the auth command configured at model_providers.amazon-bedrock.auth`,
      origin: input.authCommand.origin,
      ...('problem' in command ? { commandProblem: command.problem } : { authCommand: command }),
      ignored: ignoredExcept('', 'a configured auth command takes precedence over every other credential, and Codex never falls back from it'),
      ...extra,
    };
  }
  const profileBeatsBearer = input.profileBeatsBearer ?? true;
  const configProfilePlan = (): AuthPlan | undefined => {
    if (!input.configAwsProfile || typeof input.configAwsProfile.value !== 'string') return undefined;
    const profile = { value: input.configAwsProfile.value, origin: input.configAwsProfile.origin };
    return {
      mode: 'iam',
      source: 'aws-profile-config',
      description: `AWS profile "${profile.value}" (model_providers.amazon-bedrock.aws.profile)`,
      origin: profile.origin,
      awsProfile: profile,
      ignored: ignoredExcept('', `model_providers.amazon-bedrock.aws.profile is set, so Codex takes credentials from profile "${profile.value}" only`),
      ...extra,
    };
  };
  if (profileBeatsBearer) {
    const plan = configProfilePlan();
    if (plan) return plan;
  }
  if (input.credentialExport && credentialExportUsed) {
    const command = readConfiguredCommand(input.credentialExport, false);
    return {
      mode: 'iam',
      source: 'credential-export',
      description: 'the credentials printed by model_providers.amazon-bedrock.aws.credential_export',
      origin: input.credentialExport.origin,
      ...('problem' in command ? { commandProblem: command.problem } : { credentialExport: command }),
      ignored: ignoredExcept('', 'aws.credential_export takes precedence over stored, bearer and environment credentials, and Codex never falls back from it'),
      ...extra,
    };
  }
  if (input.storedLogin.bedrockKey) {
    const winner = present[0]!.what;
    return {
      mode: 'bearer',
      source: 'codex-login',
      description: `the Bedrock API key stored in auth.json`,
      origin: loginOrigin,
      bearerKey: { value: input.storedLogin.bedrockKey, origin: loginOrigin },
      ignored: ignoredExcept(winner, 'a Bedrock API key stored in auth.json takes precedence'),
      ...extra,
    };
  }
  const storedKeysPlan = (): AuthPlan | undefined => {
    if (!input.storedLogin.accessKeys) return undefined;
    const winner = present[1]!.what;
    return {
      mode: 'iam',
      source: 'codex-login-keys',
      description: 'the AWS access keys stored in auth.json',
      origin: loginOrigin,
      ignored: ignoredExcept(winner, 'AWS access keys stored in auth.json take precedence'),
      ...extra,
    };
  };
  const storedKeysBeatBearer = input.storedAccessKeysBeatBearer ?? true;
  if (storedKeysBeatBearer || !bearerEnv) {
    const plan = storedKeysPlan();
    if (plan) return plan;
  }
  if (bearerEnv) {
    const profileLoses = !profileBeatsBearer && typeof input.configAwsProfile?.value === 'string';
    return {
      mode: 'bearer',
      source: 'bearer-env',
      description: 'the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK',
      origin: bearerEnv.origin,
      bearerKey: bearerEnv,
      ignored: [
        ...ignoredExcept('AWS_BEARER_TOKEN_BEDROCK', 'AWS_BEARER_TOKEN_BEDROCK takes precedence over IAM credentials'),
        ...(profileLoses
          ? [{ what: `model_providers.amazon-bedrock.aws.profile = "${String(input.configAwsProfile!.value)}"`, why: 'this Codex release lets AWS_BEARER_TOKEN_BEDROCK win over aws.profile (later releases use the profile)' }]
          : []),
      ].map((item) =>
        !storedKeysBeatBearer && item.what === present[1]!.what
          ? { ...item, why: 'this Codex release lets AWS_BEARER_TOKEN_BEDROCK win over access keys stored in auth.json (0.150.0 and later use the stored keys)' }
          : item,
      ),
      ...extra,
    };
  }
  if (!profileBeatsBearer) {
    const plan = configProfilePlan();
    if (plan) return plan;
  }
  if (envKeys) {
    const ignored: IgnoredCredential[] = awsProfileEnv
      ? [{ what: `AWS_PROFILE=${awsProfileEnv.value}`, why: 'Codex uses AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY before any profile' }]
      : [];
    return {
      mode: 'iam',
      source: 'env-keys',
      description: 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
      origin: envKeys.origin,
      ignored,
      ...extra,
    };
  }
  return {
    mode: 'iam',
    source: 'sdk-chain',
    description: awsProfileEnv ? `the AWS credential chain with profile "${awsProfileEnv.value}"` : 'the AWS default credential chain',
    origin: awsProfileEnv?.origin ?? { kind: 'default', note: 'AWS SDK default credential chain' },
    ...(awsProfileEnv ? { awsProfile: awsProfileEnv } : {}),
    ignored: [],
    ...extra,
  };
}

/** A provider auth setting Codex refuses at start-up, in the words a person acts on. */
export interface AuthConfigRefusal {
  /** The finding code (schema/report.schema.json). */
  code: string;
  summary: string;
  codexSays: string;
  remediation: string;
}

/**
 * Auth settings under [model_providers.amazon-bedrock] that make Codex refuse the config (SPEC 3.9): an `auth`
 * command next to any `aws` table, even an empty one; `aws.credential_export` together with `aws.profile`;
 * `aws.auth_refresh.command` other than `aws`. Judged on the merged layers, as Codex merges them.
 */
export function authConfigRefusal(
  lookup: (path: string[]) => Sourced<unknown> | undefined,
  /** Which of these settings the Codex release knows at all (older releases ignore unknown ones). Default: all. */
  knows: { auth: boolean; credentialExport: boolean; authRefresh: boolean } = { auth: true, credentialExport: true, authRefresh: true },
): AuthConfigRefusal | null {
  const where = (sourced: Sourced<unknown>) => describeOrigin(sourced.origin);
  const auth = lookup(['auth']);
  const aws = lookup(['aws']);
  if (knows.auth && auth && aws) {
    return {
      code: 'config.auth-with-aws',
      summary: `an auth command (${where(lookup(['auth', 'command']) ?? auth)}) cannot be combined with [model_providers.amazon-bedrock.aws] (${where(aws)}), even an empty one`,
      codexSays: 'model_providers.amazon-bedrock: provider aws cannot be combined with auth',
      remediation: 'Keep either the auth command or the aws table under model_providers.amazon-bedrock (remove the other, empty headers included); with an auth command, set the region through AWS_REGION.',
    };
  }
  const exporter = lookup(['aws', 'credential_export']);
  const profile = lookup(['aws', 'profile']);
  if (knows.credentialExport && exporter && profile) {
    return {
      code: 'config.credential-export-with-profile',
      summary: `aws.credential_export (${where(exporter)}) cannot be combined with aws.profile (${where(profile)})`,
      codexSays: 'model_providers.amazon-bedrock.aws: credential_export cannot be combined with profile',
      remediation: 'Keep either aws.profile (credentials from that AWS profile) or aws.credential_export (credentials printed by your command), not both.',
    };
  }
  const refresh = lookup(['aws', 'auth_refresh']);
  const refreshCommand = refresh && typeof refresh.value === 'object' && refresh.value !== null ? (refresh.value as Record<string, unknown>)['command'] : undefined;
  if (knows.authRefresh && refresh && refreshCommand !== 'aws') {
    return {
      code: 'config.auth-refresh-command',
      summary: `aws.auth_refresh (${where(refresh)}) has command = ${JSON.stringify(refreshCommand ?? null)}; Codex only accepts "aws"`,
      codexSays: 'model_providers.amazon-bedrock.aws.auth_refresh.command must be `aws`',
      remediation: 'Set command = "aws" under [model_providers.amazon-bedrock.aws.auth_refresh] (its args then name the aws CLI login command), or remove auth_refresh.',
    };
  }
  return null;
}
