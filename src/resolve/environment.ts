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

export function loadEffectiveEnvironment(shell: ShellEnv, dotenvRead: FileRead): EffectiveEnvironment {
  const parse = dotenvRead.status === 'ok' ? parseDotenv(dotenvRead.text, (name) => shell[name]) : null;
  const finalValues = new Map<string, string>();
  parse?.entries.forEach((entry) => finalValues.set(entry.key, entry.value));
  const overriddenShellKeys = [...finalValues]
    .filter(([key, value]) => shell[key] !== undefined && shell[key] !== value)
    .map(([key]) => key);
  return new EffectiveEnvironment(shell, { path: dotenvRead.path, read: dotenvRead, parse, overriddenShellKeys });
}
