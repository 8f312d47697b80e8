import parseToml from '@iarna/toml/parse-string.js';
import { isTable, type TomlTable } from '../resolve/config.js';
import { formatKeyPath, samePath, scanToml, type TomlHeader } from '../resolve/tomlLines.js';
import { insertLines, joinLines, lineContent, removeLine, replaceLineContent, splitLines } from './textLines.js';

/**
 * Line edits of a TOML file. Nothing here re-serialises a document: each edit inserts, replaces or removes
 * whole lines found through the same line scanner the resolver uses, and `verifyEdit` then parses the result
 * with the real TOML parser to prove the edit changed exactly the values it meant to and nothing else.
 */
export type EditResult = { ok: true; text: string } | { ok: false; reason: string };

/** A change to the parsed document: what `verifyEdit` expects the edit to have done. */
export type ValueChange = { path: string[]; value: string } | { path: string[]; remove: true };

/** A TOML basic string for the values fix writes (ids and regions): printable ASCII only, so no escaping is needed. */
export function tomlString(value: string): string | null {
  return /^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value) ? `"${value}"` : null;
}

function parse(text: string): TomlTable | null {
  try {
    return parseToml(text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n')) as TomlTable;
  } catch {
    return null;
  }
}

/** The document as plain data, with empty tables dropped (TOML cannot tell an empty table from none once a header goes). */
function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (isTable(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => [key, normalise(value[key])] as const)
      .filter(([, item]) => !(isTable(item) && Object.keys(item).length === 0));
    return Object.fromEntries(entries);
  }
  return value;
}

function applyChange(table: TomlTable, change: ValueChange): void {
  let cursor = table;
  for (const part of change.path.slice(0, -1)) {
    if (!isTable(cursor[part])) {
      if ('remove' in change) return;
      cursor[part] = {};
    }
    cursor = cursor[part] as TomlTable;
  }
  const last = change.path[change.path.length - 1]!;
  if ('remove' in change) delete cursor[last];
  else cursor[last] = change.value;
}

/**
 * Null when `after` parses and equals `before` with exactly `changes` applied; else why the edit is not the
 * mechanical change it was meant to be (then fix leaves the file alone and says so).
 */
export function verifyEdit(before: string, after: string, changes: readonly ValueChange[]): string | null {
  const old = before === '' ? {} : parse(before);
  const edited = parse(after);
  if (!old) return 'the file does not parse as TOML before the edit';
  if (!edited) return 'the edited file would not parse as TOML';
  const expected = JSON.parse(JSON.stringify(normalise(old))) as TomlTable;
  changes.forEach((change) => applyChange(expected, change));
  return JSON.stringify(normalise(expected)) === JSON.stringify(normalise(edited))
    ? null
    : 'the line edit would change more than the intended values (the file uses a layout fix cannot edit line by line)';
}

const STRING_TOKEN = /^("(?:[^"\\]|\\.)*"|'[^']*')/;

/** Replaces the one-line string value of the key on `line` (1-based), keeping the key, spacing and any comment. */
export function replaceStringValue(text: string, line: number, value: string): EditResult {
  const literal = tomlString(value);
  if (!literal) return { ok: false, reason: `the value ${JSON.stringify(value)} is not plain text` };
  const doc = splitLines(text);
  const current = doc.lines[line - 1];
  if (current === undefined) return { ok: false, reason: `line ${line} does not exist` };
  const content = lineContent(current);
  const equals = content.indexOf('=');
  if (equals < 0) return { ok: false, reason: `line ${line} is not a key = value line` };
  const afterEquals = content.slice(equals + 1);
  const leading = /^[ \t]*/.exec(afterEquals)![0];
  const rest = afterEquals.slice(leading.length);
  if (rest.startsWith('"""') || rest.startsWith("'''")) return { ok: false, reason: `line ${line} holds a multi-line string` };
  const token = STRING_TOKEN.exec(rest)?.[0];
  if (!token) return { ok: false, reason: `the value on line ${line} is not a one-line string` };
  const updated = `${content.slice(0, equals + 1)}${leading}${literal}${rest.slice(token.length)}`;
  return { ok: true, text: joinLines(replaceLineContent(doc, line - 1, updated)) };
}

/** Removes the key line `line` (1-based); verifyEdit catches a value that continues on later lines. */
export function removeKeyLine(text: string, line: number): EditResult {
  const doc = splitLines(text);
  if (doc.lines[line - 1] === undefined) return { ok: false, reason: `line ${line} does not exist` };
  return { ok: true, text: joinLines(removeLine(doc, line - 1)) };
}

const isBlankOrComment = (line: string) => /^\s*(#.*)?$/.test(lineContent(line));

/**
 * Adds a top-level `key = "value"` where TOML reads it as top-level: before the first [table] header (above
 * the comments and blank lines that lead into that header), or at the end of a file without headers.
 */
export function insertTopLevel(text: string, key: string, value: string): EditResult {
  const literal = tomlString(value);
  if (!literal) return { ok: false, reason: `the value ${JSON.stringify(value)} is not plain text` };
  const doc = splitLines(text);
  const firstHeader = scanToml(text).headers[0];
  let index = firstHeader ? firstHeader.line - 1 : doc.lines.length;
  if (firstHeader) while (index > 0 && isBlankOrComment(doc.lines[index - 1]!)) index -= 1;
  if (!firstHeader) while (index > 0 && /^\s*$/.test(doc.lines[index - 1]!)) index -= 1;
  return { ok: true, text: joinLines(insertLines(doc, index, [`${key} = ${literal}`])) };
}

function findHeader(text: string, path: readonly string[]): TomlHeader | undefined {
  return scanToml(text).headers.find((header) => samePath(header.path, path) && !header.text.startsWith('[['));
}

/** Sets `key = "value"` in the table at `tablePath`: right under its header, or in a new table at the end of the file. */
export function insertInTable(text: string, tablePath: readonly string[], key: string, value: string): EditResult {
  const literal = tomlString(value);
  if (!literal) return { ok: false, reason: `the value ${JSON.stringify(value)} is not plain text` };
  const doc = splitLines(text);
  const header = findHeader(text, tablePath);
  if (header) return { ok: true, text: joinLines(insertLines(doc, header.line, [`${key} = ${literal}`])) };
  const last = doc.lines[doc.lines.length - 1];
  const gap = last === undefined || /^\s*$/.test(last) ? [] : [''];
  return { ok: true, text: joinLines(insertLines(doc, doc.lines.length, [...gap, `[${formatKeyPath(tablePath)}]`, `${key} = ${literal}`])) };
}

/**
 * Cuts the table at `tablePath` and its sub-tables out of the file: from its header through the last
 * non-blank, non-comment line before the next unrelated header (or through the end of the file). Returns the file without it and the table's
 * body as a file of its own (sub-table headers made relative), for moving a legacy [profiles.NAME] table
 * into NAME.config.toml.
 */
export function extractTable(text: string, tablePath: readonly string[]): { ok: true; remaining: string; extracted: string } | { ok: false; reason: string } {
  const doc = splitLines(text);
  const headers = scanToml(text).headers;
  const within = (header: TomlHeader) => header.path.length >= tablePath.length && samePath(header.path.slice(0, tablePath.length), tablePath);
  const start = headers.findIndex((header) => samePath(header.path, tablePath));
  if (start < 0) return { ok: false, reason: `there is no [${formatKeyPath(tablePath)}] header` };
  const nextIndex = headers.findIndex((header, i) => i > start && !within(header));
  const ownHeaders = headers.slice(start, nextIndex < 0 ? undefined : nextIndex);
  if (ownHeaders.some((header) => header.text.startsWith('[['))) return { ok: false, reason: 'the table holds an array of tables' };
  const next = nextIndex < 0 ? undefined : headers[nextIndex];
  let end = next ? next.line - 1 : doc.lines.length;
  // Comments just above the next header introduce that header: they stay. At the end of the file all goes.
  if (next) while (end > ownHeaders[0]!.line && isBlankOrComment(doc.lines[end - 1]!)) end -= 1;
  // At the end of the file, the blank lines that separated the table from what came before go with it.
  let begin = ownHeaders[0]!.line - 1;
  if (end === doc.lines.length) while (begin > 0 && /^\s*$/.test(doc.lines[begin - 1]!)) begin -= 1;
  const body: string[] = [];
  for (let index = ownHeaders[0]!.line - 1; index < end; index++) {
    const header = ownHeaders.find((h) => h.line === index + 1);
    if (header === ownHeaders[0]) continue;
    body.push(header ? `[${formatKeyPath(header.path.slice(tablePath.length))}]${doc.eol}` : doc.lines[index]!.replace(/[^\n]$/, `$&${doc.eol}`));
  }
  const remaining = { ...doc, lines: [...doc.lines.slice(0, begin), ...doc.lines.slice(end)] };
  return { ok: true, remaining: joinLines(remaining), extracted: body.join('') };
}

/** Null when `text` parses to exactly `table` (the body of a moved table); else why not. */
export function holdsTable(text: string, table: TomlTable): string | null {
  const parsed = parse(text);
  if (!parsed) return 'the moved table would not parse as TOML on its own';
  return JSON.stringify(normalise(parsed)) === JSON.stringify(normalise(table)) ? null : 'the moved table would not hold the same settings on its own';
}
