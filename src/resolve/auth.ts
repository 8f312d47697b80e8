import { codexTrim } from '../auth/bedrockKey.js';
import type { FileRead } from '../io/files.js';
import type { EffectiveEnvironment } from './environment.js';
import type { Origin, Sourced } from './origin.js';

export type AuthMode = 'bearer' | 'iam' | 'command';

export type AuthSourceKind =
  | 'auth-command'
  | 'aws-profile-config'
  | 'codex-login'
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
  /** Credentials that are present but that Codex will not use, with why. */
  ignored: IgnoredCredential[];
  /** An empty AWS_BEARER_TOKEN_BEDROCK that Codex ignored on the way. */
  emptyBearerIgnored?: Origin;
}

export interface StoredLogin {
  path: string;
  read: FileRead;
  /** A Bedrock API key stored by `codex login`, when the file holds one. */
  bedrockKey?: string;
  problem?: string;
}

/**
 * `codex login` can store a Bedrock API key in $CODEX_HOME/auth.json. The exact field is looked up in the
 * shapes Codex writes; an auth.json holding only ChatGPT or OpenAI credentials has no Bedrock key.
 */
export function readStoredLogin(read: FileRead): StoredLogin {
  const login: StoredLogin = { path: read.path, read };
  if (read.status === 'missing') return login;
  if (read.status === 'unreadable') return { ...login, problem: read.reason };
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    return { ...login, problem: 'it is not valid JSON' };
  }
  const key = findStoredBedrockKey(parsed);
  return key ? { ...login, bedrockKey: key } : login;
}

function findStoredBedrockKey(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  for (const field of ['AWS_BEARER_TOKEN_BEDROCK', 'bedrock_api_key']) {
    const value = record[field];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  const nested = record['bedrock'];
  if (typeof nested === 'object' && nested !== null) {
    const value = (nested as Record<string, unknown>)['api_key'];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

export function planAuth(input: {
  authCommand: Sourced<unknown> | undefined;
  configAwsProfile: Sourced<unknown> | undefined;
  storedLogin: StoredLogin;
  env: EffectiveEnvironment;
}): AuthPlan {
  const { env } = input;
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
    { what: `the Bedrock API key stored by codex login (${input.storedLogin.path})`, present: Boolean(input.storedLogin.bedrockKey) },
    { what: 'AWS_BEARER_TOKEN_BEDROCK', present: Boolean(bearerEnv) },
    { what: 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY', present: Boolean(envKeys) },
  ];
  const ignoredExcept = (winner: string, why: string): IgnoredCredential[] => [
    ...present.filter((p) => p.present && p.what !== winner).map((p) => ({ what: p.what, why })),
    // A profile selected by AWS_PROFILE is IAM credentials too, passed over by anything that wins before the chain.
    ...(awsProfileEnv ? [{ what: `AWS_PROFILE=${awsProfileEnv.value}`, why }] : []),
  ];

  if (input.authCommand) {
    return {
      mode: 'command',
      source: 'auth-command',
      description: `the auth command configured at model_providers.amazon-bedrock.auth`,
      origin: input.authCommand.origin,
      ignored: ignoredExcept('', 'a configured auth command takes precedence over every other credential'),
      ...extra,
    };
  }
  if (input.configAwsProfile && typeof input.configAwsProfile.value === 'string') {
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
  }
  if (input.storedLogin.bedrockKey) {
    const winner = present[0]!.what;
    return {
      mode: 'bearer',
      source: 'codex-login',
      description: `the Bedrock API key stored by codex login`,
      origin: loginOrigin,
      bearerKey: { value: input.storedLogin.bedrockKey, origin: loginOrigin },
      ignored: ignoredExcept(winner, 'a Bedrock API key stored by codex login takes precedence'),
      ...extra,
    };
  }
  if (bearerEnv) {
    return {
      mode: 'bearer',
      source: 'bearer-env',
      description: 'the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK',
      origin: bearerEnv.origin,
      bearerKey: bearerEnv,
      ignored: ignoredExcept('AWS_BEARER_TOKEN_BEDROCK', 'AWS_BEARER_TOKEN_BEDROCK takes precedence over IAM credentials'),
      ...extra,
    };
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
