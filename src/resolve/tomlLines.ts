/**
 * @iarna/toml gives values but not positions. This scanner recovers, line by line, which table header each
 * key sits under and on which line, so findings can say "config.toml:7, under [model_providers.amazon-bedrock.aws]".
 * It only locates; the values always come from the real TOML parser.
 */
export interface TomlHeader {
  path: string[];
  line: number;
  text: string;
}

export interface TomlKeyLocation {
  /** Full dotted path: the header's path followed by the key's own path. */
  path: string[];
  line: number;
  header: TomlHeader | null;
}

export interface TomlLayout {
  headers: TomlHeader[];
  keys: TomlKeyLocation[];
}

const BARE_KEY = /^[A-Za-z0-9_-]+/;

/** Splits `a."b.c".d` into ['a', 'b.c', 'd']; returns null when it is not a key path. */
export function splitKeyPath(source: string): string[] | null {
  const parts: string[] = [];
  let rest = source.trim();
  while (rest.length > 0) {
    let part: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const quote = rest[0]!;
      const end = rest.indexOf(quote, 1);
      if (end < 0) return null;
      part = rest.slice(1, end);
      rest = rest.slice(end + 1).trimStart();
    } else {
      const match = BARE_KEY.exec(rest);
      if (!match) return null;
      part = match[0];
      rest = rest.slice(part.length).trimStart();
    }
    parts.push(part);
    if (rest.length === 0) break;
    if (!rest.startsWith('.')) return null;
    rest = rest.slice(1).trimStart();
  }
  return parts.length > 0 ? parts : null;
}

function countOccurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

export function scanToml(text: string): TomlLayout {
  const headers: TomlHeader[] = [];
  const keys: TomlKeyLocation[] = [];
  let current: TomlHeader | null = null;
  let multilineDelimiter: string | null = null;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    if (multilineDelimiter) {
      if (countOccurrences(raw, multilineDelimiter) % 2 === 1) multilineDelimiter = null;
      return;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      const path = splitKeyPath(header[1]!);
      if (path) {
        current = { path, line: lineNumber, text: line.replace(/\s*#.*$/, '') };
        headers.push(current);
      }
      return;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) return;
    const keyPath = splitKeyPath(line.slice(0, equals));
    if (!keyPath) return;
    const base: string[] = current ? (current as TomlHeader).path : [];
    keys.push({ path: [...base, ...keyPath], line: lineNumber, header: current });
    const value = line.slice(equals + 1);
    for (const delimiter of ['"""', "'''"]) {
      if (countOccurrences(value, delimiter) % 2 === 1) multilineDelimiter = delimiter;
    }
  });
  return { headers, keys };
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** The line of a key, or of the [table] header when the path names a whole table. */
export function lineOfKey(layout: TomlLayout, path: readonly string[]): number | undefined {
  return layout.keys.find((key) => samePath(key.path, path))?.line ?? layout.headers.find((header) => samePath(header.path, path))?.line;
}

/** Renders a key path as TOML would write it, quoting segments that are not bare keys. */
export function formatKeyPath(path: readonly string[]): string {
  return path.map((part) => (/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part))).join('.');
}
