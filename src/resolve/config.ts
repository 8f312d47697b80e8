import parseToml from '@iarna/toml/parse-string.js';
import type { FileReader } from '../io/files.js';
import type { ConfigLayerName, Origin, Sourced } from './origin.js';
import { formatKeyPath, lineOfKey, scanToml, type TomlLayout } from './tomlLines.js';

export type TomlTable = { [key: string]: unknown };

export interface ConfigProblem {
  kind: 'syntax' | 'unreadable' | 'missing';
  message: string;
  line?: number;
  column?: number;
}

/** One of Codex's config layers, lowest to highest: config.toml, NAME.config.toml, -c overrides, managed config. */
export interface ConfigLayer {
  name: ConfigLayerName;
  /** File path; for the -c layer, the literal "-c". */
  path: string;
  status: 'ok' | 'missing' | 'error';
  problem?: ConfigProblem;
  table: TomlTable;
  layout: TomlLayout;
  /** Only for the -c layer: each override with its own key path, in order. */
  overrides?: CliOverride[];
  /** The file's text as read (for the support report, which shows it with secret values masked). */
  text?: string;
  /**
   * A legacy profile layer (Codex releases before NAME.config.toml): the table sits at this path inside the
   * file, e.g. ['profiles', 'work'], and its lines are found there.
   */
  tablePath?: string[];
}

export interface CliOverride {
  raw: string;
  path: string[];
  value: unknown;
}

const EMPTY_LAYOUT: TomlLayout = { headers: [], keys: [] };

/**
 * How deep tables, arrays and dotted keys may nest. Codex's parser (toml_edit) refuses nesting past 80 levels;
 * the doctor stops at the same depth, so nothing downstream (merging layers, redaction, rendering) can run out
 * of stack on a hostile file.
 */
export const MAX_TOML_DEPTH = 80;

const TOO_DEEP = `it nests tables, arrays or dotted keys more than ${MAX_TOML_DEPTH} levels deep (Codex's TOML parser refuses that too)`;

/** Walks without recursion, so the check itself cannot overflow. */
function nestsTooDeep(root: unknown): boolean {
  const pending: [unknown, number][] = [[root, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (depth > MAX_TOML_DEPTH) return true;
    if (Array.isArray(value)) value.forEach((item) => pending.push([item, depth + 1]));
    else if (isTable(value)) Object.values(value).forEach((item) => pending.push([item, depth + 1]));
  }
  return false;
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Mirrors Codex's `-c key=value`: split at the first '=', key trimmed and split on '.', value parsed as a TOML
 * value, and when that fails taken as a string with surrounding quotes stripped.
 */
export function parseCliOverride(raw: string): CliOverride | { error: string } {
  const equals = raw.indexOf('=');
  // The raw text is not echoed: people paste secrets into -c values.
  if (equals < 0) return { error: `invalid override (missing '='): expected KEY=VALUE, e.g. -c model="openai.gpt-5.5"` };
  const key = raw.slice(0, equals).trim();
  if (key === '') return { error: `invalid override (empty key before '='): expected KEY=VALUE` };
  if (key.split('.').length > MAX_TOML_DEPTH) return { error: `invalid override: the key has more than ${MAX_TOML_DEPTH} dotted parts` };
  const valueSource = raw.slice(equals + 1).trim();
  let value: unknown;
  try {
    value = (parseToml(`_x_ = ${valueSource}`) as TomlTable)['_x_'];
  } catch {
    value = valueSource.replace(/^["']+|["']+$/g, '');
  }
  if (nestsTooDeep(value)) return { error: `invalid override: the value ${TOO_DEEP}` };
  return { raw, path: key.split('.'), value };
}

function setPath(table: TomlTable, path: readonly string[], value: unknown): void {
  let cursor = table;
  path.slice(0, -1).forEach((part) => {
    if (!isTable(cursor[part])) cursor[part] = {};
    cursor = cursor[part] as TomlTable;
  });
  cursor[path[path.length - 1]!] = value;
}

export function cliLayer(overrides: CliOverride[]): ConfigLayer {
  const table: TomlTable = {};
  overrides.forEach((override) => setPath(table, override.path, override.value));
  return { name: 'cli', path: '-c', status: 'ok', table, layout: EMPTY_LAYOUT, overrides };
}

/** @iarna/toml appends an excerpt of the file to its messages; the excerpt may hold secrets, so keep the first sentence only. */
function syntaxMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/ at row \d+|\n/)[0]!.trim();
}

export function fileLayer(name: ConfigLayerName, path: string, readFile: FileReader): ConfigLayer {
  const read = readFile(path);
  if (read.status === 'missing') {
    return { name, path, status: 'missing', problem: { kind: 'missing', message: 'file not found' }, table: {}, layout: EMPTY_LAYOUT };
  }
  if (read.status === 'unreadable') {
    return { name, path, status: 'error', problem: { kind: 'unreadable', message: read.reason }, table: {}, layout: EMPTY_LAYOUT };
  }
  try {
    const table = parseToml(read.text.replace(/^\uFEFF/, '')) as TomlTable;
    if (nestsTooDeep(table)) return { name, path, status: 'error', problem: { kind: 'syntax', message: TOO_DEEP }, table: {}, layout: EMPTY_LAYOUT, text: read.text };
    return { name, path, status: 'ok', table, layout: scanToml(read.text), text: read.text };
  } catch (error) {
    if (error instanceof RangeError) return { name, path, status: 'error', problem: { kind: 'syntax', message: TOO_DEEP }, table: {}, layout: EMPTY_LAYOUT, text: read.text };
    const position = error as { line?: number; col?: number };
    return {
      name,
      path,
      status: 'error',
      problem: {
        kind: 'syntax',
        message: syntaxMessage(error),
        ...(typeof position.line === 'number' ? { line: position.line + 1 } : {}),
        ...(typeof position.col === 'number' ? { column: position.col + 1 } : {}),
      },
      table: {},
      layout: EMPTY_LAYOUT,
      text: read.text,
    };
  }
}

/**
 * `-p NAME` in Codex releases that predate NAME.config.toml: the `[profiles.NAME]` table of config.toml is
 * layered over the rest of that file. A missing table is a layer with status 'missing' (Codex refuses it).
 */
export function legacyProfileLayer(user: ConfigLayer, name: string): ConfigLayer {
  const tablePath = ['profiles', name];
  const table = user.status === 'ok' ? valueAt(user.table, tablePath) : undefined;
  if (!isTable(table)) {
    return { name: 'profile', path: user.path, status: 'missing', problem: { kind: 'missing', message: `no [profiles.${name}] table` }, table: {}, layout: EMPTY_LAYOUT, tablePath };
  }
  return { name: 'profile', path: user.path, status: 'ok', table, layout: user.layout, tablePath };
}

export function valueAt(table: TomlTable, path: readonly string[]): unknown {
  let cursor: unknown = table;
  for (const part of path) {
    if (!isTable(cursor)) return undefined;
    cursor = cursor[part];
  }
  return cursor;
}

export function layerOrigin(layer: ConfigLayer, path: readonly string[]): Origin {
  if (layer.name === 'cli') {
    const key = formatKeyPath(path);
    const holds = (o: CliOverride) => o.path.length <= path.length && o.path.every((part, i) => part === path[i]);
    const override = [...(layer.overrides ?? [])].reverse().find(holds);
    return { kind: 'cli-override', flag: `-c ${override ? override.path.join('.') : key}` };
  }
  const line = lineOfKey(layer.layout, [...(layer.tablePath ?? []), ...path]);
  return { kind: 'config', layer: layer.name, path: layer.path, ...(line ? { line } : {}) };
}

/** The effective value of a key: the highest layer that sets it wins, as in Codex's layered config. */
export function lookupConfig(layers: readonly ConfigLayer[], path: readonly string[]): Sourced<unknown> | undefined {
  for (const layer of [...layers].reverse()) {
    if (layer.status !== 'ok') continue;
    const value = valueAt(layer.table, path);
    if (value !== undefined) return { value, origin: layerOrigin(layer, path) };
  }
  return undefined;
}

/** All layers that set a key, highest first: used to name the losers when layers disagree. */
export function allConfigValues(layers: readonly ConfigLayer[], path: readonly string[]): Sourced<unknown>[] {
  return [...layers]
    .reverse()
    .filter((layer) => layer.status === 'ok' && valueAt(layer.table, path) !== undefined)
    .map((layer) => ({ value: valueAt(layer.table, path), origin: layerOrigin(layer, path) }));
}

/** Keys set under a table path across all layers, with the layer that set each (for "unsupported key" findings). */
export function keysUnder(layers: readonly ConfigLayer[], path: readonly string[]): { key: string[]; origin: Origin }[] {
  const found: { key: string[]; origin: Origin }[] = [];
  const walk = (layer: ConfigLayer, table: TomlTable, prefix: string[]) => {
    Object.entries(table).forEach(([key, value]) => {
      const keyPath = [...prefix, key];
      // An empty table sets nothing (`aws = {}` is accepted); a non-empty one is judged key by key.
      if (isTable(value)) walk(layer, value, keyPath);
      else found.push({ key: keyPath.slice(path.length), origin: layerOrigin(layer, keyPath) });
    });
  };
  layers.forEach((layer) => {
    if (layer.status !== 'ok') return;
    const table = valueAt(layer.table, path);
    if (isTable(table)) walk(layer, table, [...path]);
  });
  return found;
}
