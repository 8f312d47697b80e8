import { posix } from 'node:path';
import type { Check, CheckContext, CheckOptions, CheckOutcome } from '../../src/checks/types.js';
import type { DirectoryState, FileRead, FileReader } from '../../src/io/files.js';
import type { PlatformFacts } from '../../src/platform.js';
import { namedRelease } from '../../src/codex/release.js';
import { NO_NETWORK, type Services } from '../../src/net/services.js';
import { DEFAULT_MANAGED_CONFIG_PATH, resolveSetup, type EffectiveSetup, type ResolveInputs } from '../../src/resolve/setup.js';

/**
 * An in-memory machine for the real resolver: files, directories and a shell environment as plain data.
 * Nothing of ours is mocked; the world only answers the questions the resolver asks through its explicit
 * inputs (ResolveInputs), the same way readFileFromDisk and directoryState answer them on a real disk.
 */

export const HOME = '/home/user';
export const CODEX_HOME = `${HOME}/.codex`;
export const CONFIG = `${CODEX_HOME}/config.toml`;
export const DOTENV = `${CODEX_HOME}/.env`;
export const AUTH_JSON = `${CODEX_HOME}/auth.json`;
export const AWS_CONFIG = `${HOME}/.aws/config`;
export const AWS_CREDENTIALS = `${HOME}/.aws/credentials`;
export const MANAGED = DEFAULT_MANAGED_CONFIG_PATH;
/** The clock every check sees in these tests. */
export const FIXED_NOW = new Date('2026-05-01T12:00:00.000Z');

export const DEFAULT_CHECK_OPTIONS: CheckOptions = { offline: true, timeoutMs: 1000, allowGovcloud: false };

export interface WorldSpec {
  /** Absolute path → file text. Every file reads as 'ok' (mode 0o600 unless `modes` says otherwise). */
  files?: Record<string, string>;
  /** File modes by path (e.g. 0o644), as stat would report them. */
  modes?: Record<string, number>;
  /** Paths that exist but cannot be read, with the reason readFileFromDisk would give. */
  unreadable?: Record<string, string>;
  /** Extra directories (parents of every file are directories already). */
  dirs?: string[];
  /** The shell environment Codex would be started from. */
  env?: Record<string, string>;
  home?: string;
  codexHomeFlag?: string;
  profile?: string;
  overrides?: string[];
  modelFlag?: string;
  managedConfigPath?: string;
  /** The operating system's rules (default: the resolver's Linux). */
  platform?: PlatformFacts;
  /** The Codex release whose rules apply (as --codex-version); absent: no Codex found, the newest known rules. */
  codexVersion?: string;
}

export interface World extends ResolveInputs {
  /** Runs the real resolver over this world. */
  resolve(): EffectiveSetup;
  /**
   * The context a check gets from runChecks (without `earlier`), with the fixed clock. Services default to
   * NO_NETWORK, which rejects any use: an offline check that reaches for the network is a bug.
   */
  checkContext(options?: Partial<CheckOptions>, services?: Services): Omit<CheckContext, 'earlier'>;
  /** Resolves, then runs one check directly (prerequisites are not consulted: that is the runner's job). */
  runCheck(check: Check, options?: Partial<CheckOptions>, services?: Services): Promise<CheckOutcome>;
}

function normalize(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

function withAncestors(path: string): string[] {
  const found: string[] = [];
  let current = normalize(path);
  for (;;) {
    found.push(current);
    const parent = posix.dirname(current);
    if (parent === current) return found;
    current = parent;
  }
}

export function makeWorld(spec: WorldSpec = {}): World {
  const files = new Map(Object.entries(spec.files ?? {}).map(([path, text]) => [normalize(path), text]));
  const modes = new Map(Object.entries(spec.modes ?? {}).map(([path, mode]) => [normalize(path), mode]));
  const unreadable = new Map(Object.entries(spec.unreadable ?? {}).map(([path, reason]) => [normalize(path), reason]));
  const directories = new Set<string>();
  [...files.keys(), ...unreadable.keys()].forEach((path) => withAncestors(posix.dirname(path)).forEach((dir) => directories.add(dir)));
  (spec.dirs ?? []).forEach((dir) => withAncestors(dir).forEach((d) => directories.add(d)));

  const readFile: FileReader = (rawPath): FileRead => {
    const path = normalize(rawPath);
    const text = files.get(path);
    if (text !== undefined) {
      return { status: 'ok', path: rawPath, text, mode: modes.get(path) ?? 0o600, size: Buffer.byteLength(text) };
    }
    const reason = unreadable.get(path);
    if (reason !== undefined) return { status: 'unreadable', path: rawPath, reason };
    if (directories.has(path)) return { status: 'unreadable', path: rawPath, reason: 'it is a directory, not a file' };
    return { status: 'missing', path: rawPath };
  };

  const directoryState = (rawPath: string): DirectoryState => {
    const path = normalize(rawPath);
    if (directories.has(path)) return 'directory';
    if (files.has(path)) return 'not-a-directory';
    if (unreadable.has(path)) return 'unreadable';
    return 'missing';
  };

  const inputs: ResolveInputs = {
    ...(spec.codexHomeFlag !== undefined ? { codexHomeFlag: spec.codexHomeFlag } : {}),
    ...(spec.profile !== undefined ? { profile: spec.profile } : {}),
    ...(spec.modelFlag !== undefined ? { modelFlag: spec.modelFlag } : {}),
    configOverrides: spec.overrides ?? [],
    shellEnv: { ...(spec.env ?? {}) },
    homeDir: spec.home ?? HOME,
    managedConfigPath: spec.managedConfigPath ?? MANAGED,
    readFile,
    directoryState,
    ...(spec.platform ? { platform: spec.platform } : {}),
    ...(spec.codexVersion !== undefined ? { codex: namedRelease(spec.codexVersion) } : {}),
  };

  const checkContext = (options: Partial<CheckOptions> = {}, services: Services = NO_NETWORK): Omit<CheckContext, 'earlier'> => ({
    setup: resolveSetup(inputs),
    options: { ...DEFAULT_CHECK_OPTIONS, ...options },
    now: () => new Date(FIXED_NOW),
    services,
  });

  return {
    ...inputs,
    resolve: () => resolveSetup(inputs),
    checkContext,
    runCheck: async (check, options, services) => check.run({ ...checkContext(options, services), earlier: new Map() }),
  };
}

/** Joins lines into file text with a final newline, so line numbers in tests read as in an editor. */
export function lines(...content: string[]): string {
  return `${content.join('\n')}\n`;
}
