import type { ByteReader } from '../io/bytes.js';
import type { FileRead } from '../io/files.js';
import { parseDotenv, type DotenvParse } from './dotenv.js';
import type { Origin, Sourced } from './origin.js';

export type ShellEnv = Readonly<Record<string, string | undefined>>;

export interface DotenvState {
  path: string;
  read: FileRead;
  parse: DotenvParse | null;
  /** Keys whose .env value replaced a different value already set in the shell (names only, never values). */
  overriddenShellKeys: string[];
}

/**
 * The environment Codex actually runs with: the shell, overlaid by `$CODEX_HOME/.env`, whose values win
 * (Codex calls set_var for every parsed entry at start-up). Every later rule reads this, never the raw shell.
 */
export class EffectiveEnvironment {
  private readonly values = new Map<string, Sourced<string>>();

  constructor(
    readonly shell: ShellEnv,
    readonly dotenv: DotenvState,
  ) {
    Object.entries(shell).forEach(([name, value]) => {
      if (value !== undefined) this.values.set(name, { value, origin: { kind: 'env', name, from: 'shell' } });
    });
    dotenv.parse?.entries.forEach((entry) => {
      this.values.set(entry.key, {
        value: entry.value,
        origin: { kind: 'env', name: entry.key, from: 'dotenv', path: dotenv.path, line: entry.line },
      });
    });
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.value;
  }

  /** The variable with where it came from; undefined when unset. */
  sourced(name: string): Sourced<string> | undefined {
    return this.values.get(name);
  }

  /** Set and non-empty after trimming: how Codex and the AWS SDKs treat most AWS_* variables. */
  nonEmpty(name: string): Sourced<string> | undefined {
    const found = this.values.get(name);
    return found && found.value.trim() !== '' ? found : undefined;
  }

  originOf(name: string): Origin | undefined {
    return this.values.get(name)?.origin;
  }

  /** A plain object for code that must hand an environment to the AWS SDK or a child process. */
  toRecord(): Record<string, string> {
    return Object.fromEntries([...this.values].map(([name, sourced]) => [name, sourced.value]));
  }
}

/**
 * Codex's .env reader (dotenvy) reads line by line: a line that is not UTF-8 fails alone and is dropped, the
 * other lines still load. The file reader refuses such a file whole, so its bytes are decoded here line by line.
 */
function salvageNonUtf8(read: FileRead, readBytes: ByteReader | undefined): { read: FileRead; nonUtf8Lines: number[] } {
  const raw = read.status === 'unreadable' && readBytes ? readBytes(read.path) : null;
  if (!raw || raw.bytes.includes(0)) return { read, nonUtf8Lines: [] };
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const nonUtf8Lines: number[] = [];
  const lines: string[] = [];
  let start = 0;
  for (let index = 0; index <= raw.bytes.length; index += 1) {
    if (index < raw.bytes.length && raw.bytes[index] !== 0x0a) continue;
    try {
      lines.push(decoder.decode(raw.bytes.subarray(start, index)));
    } catch {
      nonUtf8Lines.push(lines.length + 1);
      lines.push('');
    }
    start = index + 1;
  }
  return { read: { status: 'ok', path: read.path, text: lines.join('\n'), mode: raw.mode, size: raw.bytes.length }, nonUtf8Lines };
}

export function loadEffectiveEnvironment(shell: ShellEnv, rawRead: FileRead, readBytes?: ByteReader): EffectiveEnvironment {
  const { read: dotenvRead, nonUtf8Lines } = salvageNonUtf8(rawRead, readBytes);
  const parsed = dotenvRead.status === 'ok' ? parseDotenv(dotenvRead.text, (name) => shell[name]) : null;
  const parse = parsed && nonUtf8Lines.length > 0
    ? { ...parsed, dropped: [...parsed.dropped, ...nonUtf8Lines.map((line) => ({ line, reason: 'not valid UTF-8 text' }))].sort((a, b) => a.line - b.line) }
    : parsed;
  const finalValues = new Map<string, string>();
  parse?.entries.forEach((entry) => finalValues.set(entry.key, entry.value));
  const overriddenShellKeys = [...finalValues]
    .filter(([key, value]) => shell[key] !== undefined && shell[key] !== value)
    .map(([key]) => key);
  return new EffectiveEnvironment(shell, { path: dotenvRead.path, read: dotenvRead, parse, overriddenShellKeys });
}
