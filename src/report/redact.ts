import { accessKeyHint } from '../format.js';
import { isTable, type TomlTable } from '../resolve/config.js';
import { isSecretName } from '../resolve/secretNames.js';
import type { EffectiveSetup } from '../resolve/setup.js';

export const REDACTED = '[REDACTED]';

/** Shapes of secrets the doctor may meet even when it never learnt their exact value. */
const SECRET_PATTERNS: RegExp[] = [
  /bedrock-api-key-[A-Za-z0-9+/=_%&.-]{8,}/g,
  /\bABSK[A-Za-z0-9+/=]{12,}/g,
  /(\bBearer\s+)[^\s"',;]{6,}/gi,
  /(\bAuthorization["']?\s*[:=]\s*["']?)[^"'\r\n]{6,}/gi,
  /(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s"']+/gi,
  /(\bSignature=)[0-9a-f]{16,}/gi,
  // Not a <placeholder> in advice ("AWS_SECRET_ACCESS_KEY=<secret access key>"): real keys never start with '<'.
  /(aws_secret_access_key\s*=\s*)(?!<)\S+/gi,
  /(aws_session_token\s*=\s*)(?!<)\S+/gi,
];

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA)[A-Z0-9]{12,}\b/g;

/** Values shorter than this are not treated as secrets: replacing "1" or "abc" everywhere would garble output. */
const MIN_SECRET_LENGTH = 8;

/**
 * The one place output is scrubbed. Every renderer (human, JSON, report, errors) passes through it, so a
 * secret that reaches a message by accident still never reaches the screen.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined | null): void {
    if (!value) return;
    for (const variant of [value, value.trim(), value.trim().replace(/^["']|["']$/g, ''), encodeURIComponent(value.trim())]) {
      if (variant.length >= MIN_SECRET_LENGTH) this.secrets.add(variant);
    }
  }

  scrub(text: string): string {
    let result = text;
    [...this.secrets]
      .sort((a, b) => b.length - a.length)
      .forEach((secret) => {
        result = result.split(secret).join(REDACTED);
      });
    for (const pattern of SECRET_PATTERNS) {
      result = result.replace(pattern, (_match, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}${REDACTED}`);
    }
    // Access key ids are public enough to show as first 4 + last 4 (SPEC section 5), never whole.
    return result.replace(ACCESS_KEY_ID, (akid) => accessKeyHint(akid));
  }

  /** Scrubs every string inside a JSON-like value. */
  scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.scrubDeep(item)) as T;
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.scrubDeep(item)])) as T;
    }
    return value;
  }
}

function addSecretConfigValues(redactor: Redactor, table: TomlTable, underSecret: boolean): void {
  Object.entries(table).forEach(([key, value]) => {
    const secret = underSecret || isSecretName(key) || key === 'http_headers' || key === 'env';
    if (isTable(value)) addSecretConfigValues(redactor, value, secret);
    else if (secret && typeof value === 'string') redactor.add(value);
    else if (secret && Array.isArray(value)) value.forEach((item) => typeof item === 'string' && redactor.add(item));
  });
}

/** Registers every secret the effective setup knows: secret-named variables, a stored key, secret config values. */
export function redactorForSetup(setup: EffectiveSetup | null, shellEnv: Readonly<Record<string, string | undefined>>): Redactor {
  const redactor = new Redactor();
  Object.entries(shellEnv).forEach(([name, value]) => isSecretName(name) && redactor.add(value));
  if (!setup) return redactor;
  Object.entries(setup.env.toRecord()).forEach(([name, value]) => isSecretName(name) && redactor.add(value));
  setup.env.dotenv.parse?.entries.forEach((entry) => isSecretName(entry.key) && redactor.add(entry.value));
  redactor.add(setup.storedLogin.bedrockKey);
  redactor.add(setup.storedLogin.accessKeys?.secretAccessKey);
  redactor.add(setup.storedLogin.accessKeys?.sessionToken);
  redactor.add(setup.auth.bearerKey?.value);
  setup.layers.forEach((layer) => addSecretConfigValues(redactor, layer.table, false));
  [setup.awsConfig, setup.awsCredentials].forEach((file) =>
    file.profiles.forEach((profile) =>
      profile.values.forEach((entry, key) => {
        if (isSecretName(key)) redactor.add(entry.value);
      }),
    ),
  );
  return redactor;
}

const LIKELY_SECRET_ASSIGNMENT = /((?:secret|token|password|passwd|key|credential|session|auth)[\w-]*["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi;
const LONG_OPAQUE_STRING = /[A-Za-z0-9+/=._-]{24,}/g;

/**
 * Output of programs the doctor does not control (a failing credential_process) may hold secrets it never
 * learnt: mask anything that looks like one before it reaches a message.
 */
export function maskLikelySecrets(text: string): string {
  return text
    .replace(LIKELY_SECRET_ASSIGNMENT, (_match, prefix: string) => `${prefix}${REDACTED}`)
    .replace(LONG_OPAQUE_STRING, REDACTED);
}
