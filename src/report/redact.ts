import { accessKeyHint } from '../format.js';
import { isTable, type TomlTable } from '../resolve/config.js';
import { isSecretName } from '../resolve/secretNames.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { splitKeyPath } from '../resolve/tomlLines.js';

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
  // A SigV4 signature (or any SHA-256 in hex) echoed back bare by a server, without its X-Amz-Signature= name.
  /\b[0-9a-f]{64}\b/g,
  // user:password in a URL (base_url, AWS_ENDPOINT_URL*, a proxy): the password is a credential.
  /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*(?=@)/gi,
  // A proxy's 407 may quote the Proxy-Authorization header it was sent.
  /(\bProxy-Authorization["']?\s*[:=]\s*["']?)[^"'\r\n]{4,}/gi,
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

/**
 * Config keys whose values are secret or may carry one, wherever they sit: headers Codex sends, the environment
 * it passes to commands, and the `auth` command with its arguments (`args = ["--token", "…"]`).
 */
const SECRET_KEY_SEGMENT = /^(http_headers|env_http_headers|env|auth|args|command|credential_process)$/i;

/** True when a TOML key path names a secret value or sits under a table of them. */
export function isSecretKeyPath(path: readonly string[]): boolean {
  return path.some((segment) => isSecretName(segment) || SECRET_KEY_SEGMENT.test(segment));
}

function addSecretConfigValues(redactor: Redactor, table: TomlTable, underSecret: boolean): void {
  Object.entries(table).forEach(([key, value]) => {
    const secret = underSecret || isSecretKeyPath([key]);
    if (isTable(value)) addSecretConfigValues(redactor, value, secret);
    else if (secret && typeof value === 'string') redactor.add(value);
    else if (secret && Array.isArray(value)) value.forEach((item) => (typeof item === 'string' ? redactor.add(item) : isTable(item) && addSecretConfigValues(redactor, item, true)));
  });
}

/** Where a TOML value is after reading some of its text: inside which multi-line string, how deep in [ and {. */
interface ValueScan {
  depth: number;
  multiline: '"""' | "'''" | null;
}

/** Scans one line of a value; one-line strings are skipped whole, and a comment ends the line. */
function scanValue(text: string, state: ValueScan): ValueScan {
  let { depth, multiline } = state;
  for (let i = 0; i < text.length; i++) {
    if (multiline) {
      if (text[i] === '\\' && multiline === '"""') i++;
      else if (text.startsWith(multiline, i)) {
        i += 2;
        multiline = null;
      }
      continue;
    }
    const c = text[i];
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      multiline = text.slice(i, i + 3) as ValueScan['multiline'];
      i += 2;
    } else if (c === '"' || c === "'") {
      // An unterminated one-line string ends with the line.
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#') break;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return { depth, multiline };
}

/** The index of the `=` that ends a key (outside quoted key parts), or -1. */
function keyEnd(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '=') return i;
  }
  return -1;
}

/**
 * Masks the secret values of a TOML text line by line, by key path (the table header plus the dotted key), so
 * an inline table, a dotted key or a value continued over several lines is masked like a plain `key = value`
 * under its table. It works on text that does not parse too: a line it cannot read as a header, a comment or
 * an assignment is replaced whole, since it may be a broken line holding a secret.
 */
export function maskTomlText(text: string): string {
  let table: string[] = [];
  let open: { secret: boolean; state: ValueScan } | null = null;
  return text
    .split(/\r?\n/)
    .map((line) => {
      if (open) {
        const secret = open.secret;
        open.state = scanValue(line, open.state);
        if (open.state.depth === 0 && !open.state.multiline) open = null;
        return secret ? `  ${REDACTED}` : line;
      }
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return line;
      const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
      if (header) {
        table = splitKeyPath(header[1]!) ?? [header[1]!];
        return line;
      }
      const equals = keyEnd(line);
      const key = equals > 0 ? splitKeyPath(line.slice(0, equals)) : null;
      if (!key) return `# ${REDACTED} (a line that is not a TOML header or key = value, ${line.length} characters)`;
      const secret = isSecretKeyPath([...table, ...key]);
      const state = scanValue(line.slice(equals + 1), { depth: 0, multiline: null });
      if (state.depth > 0 || state.multiline) open = { secret, state };
      return secret ? `${line.slice(0, equals + 1)} "${REDACTED}"` : line;
    })
    .join('\n');
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
