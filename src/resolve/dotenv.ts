/**
 * Parses `$CODEX_HOME/.env` exactly the way Codex does.
 *
 * Codex (codex-rs/arg0/src/lib.rs, `load_dotenv` + `set_filtered`) calls
 * `dotenvy::from_path_iter(codex_home.join(".env"))`, then
 * `for (key, value) in iter.into_iter().flatten()`: every `Err` item is skipped silently and
 * iteration goes on with the next line; keys whose ASCII-uppercase form starts with `CODEX_`
 * are skipped; every other key is `set_var`'d, overriding the shell.
 *
 * codex-rs/Cargo.toml pins dotenvy 0.15.7 (the last crates.io release). What follows is a
 * line-for-line port of its parser, quirks included, because the point is to predict Codex:
 * - allan2/dotenvy `dotenv/src/iter.rs` (QuotedLines, eval_end_state): how physical lines
 *   are joined into one logical line (open quotes continue onto the next line).
 * - allan2/dotenvy `dotenv/src/parse.rs` (LineParser, parse_value, apply_substitution).
 * Rust's `char::is_whitespace` is the Unicode White_Space property, `is_alphanumeric` is
 * Alphabetic + Nd/Nl/No; the regexes below use exactly those properties.
 */

export interface DotenvEntry { key: string; value: string; line: number }
export interface DotenvDropped { line: number; reason: string }
export interface DotenvParse {
  entries: DotenvEntry[];
  dropped: DotenvDropped[];
  ignoredCodexKeys: { key: string; line: number }[];
  /** Lines whose ${...} expansion outgrew the doctor's limits: not expanded, not applied. */
  oversized: { key: string; line: number }[];
}

/**
 * Expansion limits. dotenvy expands without any (`A=${B}${B}` doubling on each line reaches gigabytes in a few
 * dozen lines); no real variable is this long, so the doctor stops and reports the line instead.
 */
export const MAX_EXPANDED_VALUE_CHARS = 64 * 1024;
export const MAX_EXPANDED_TOTAL_CHARS = 1024 * 1024;

const WS = /^\p{White_Space}$/u;
const ALNUM = /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]$/u;
const trimStart = (s: string): string => s.replace(/^\p{White_Space}+/u, '');
/** A loop, not /\s+$/: that regex retries at every blank of a long blank run, which is quadratic. */
const trimEnd = (s: string): string => {
  let end = s.length;
  while (end > 0 && WS.test(s[end - 1]!)) end--;
  return s.slice(0, end);
};

/**
 * Thrown for a line dotenvy answers with `Err(LineParse)`. Reasons never quote the line. Not an Error: a file
 * of many bad lines would spend seconds capturing stack traces nobody reads.
 */
class LineError {
  constructor(readonly message: string) {}
}
/** Thrown when a line's expansion passes the limits above. */
class ExpansionTooLarge {
  key = '?';
}

type State =
  | 'Complete' | 'Escape' | 'StrongOpen' | 'StrongOpenEscape'
  | 'WeakOpen' | 'WeakOpenEscape' | 'Comment' | 'WhiteSpace';

/** Port of iter.rs `eval_end_state`: the quoting state at the end of one physical line. */
function evalEndState(prev: State, chunk: string): [number, State] {
  let state = prev;
  let pos = 0;
  for (let i = 0; i < chunk.length; ) {
    const c = String.fromCodePoint(chunk.codePointAt(i) ?? 0);
    pos = i;
    const opener = c === '\\' ? 'Escape' : c === '"' ? 'WeakOpen' : c === "'" ? 'StrongOpen' : null;
    switch (state) {
      // Only a '#' right after ONE blank starts a comment here: in WhiteSpace any other
      // char (even a second space) returns to Complete. So `A=1  # it's` opens a quote.
      case 'WhiteSpace':
        if (c === '#') return [pos, 'Comment'];
        state = opener ?? 'Complete';
        break;
      case 'Escape': state = 'Complete'; break;
      case 'Complete':
        state = WS.test(c) && c !== '\n' && c !== '\r' ? 'WhiteSpace' : opener ?? 'Complete';
        break;
      case 'WeakOpen': state = c === '\\' ? 'WeakOpenEscape' : c === '"' ? 'Complete' : 'WeakOpen'; break;
      case 'WeakOpenEscape': state = 'WeakOpen'; break;
      case 'StrongOpen': state = c === '\\' ? 'StrongOpenEscape' : c === "'" ? 'Complete' : 'StrongOpen'; break;
      case 'StrongOpenEscape': state = 'StrongOpen'; break;
      case 'Comment': return [pos, 'Comment']; // unreachable: Comment returns immediately
    }
    i += c.length;
  }
  return [pos, state];
}

interface Logical { line: number; text: string; eof?: { state: State; lastLine: number } }

/**
 * Port of iter.rs `QuotedLines::next`. `BufRead::read_line` splits after '\n' only. Linear in the file's
 * size: the physical lines of one logical line are kept as a list and joined once, and the "starts with '#'"
 * test is decided by the first non-blank character (re-testing a growing buffer made an unterminated quote
 * near the top of a large file quadratic).
 */
function* quotedLines(text: string): Generator<Logical> {
  const chunks = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let i = 0;
  while (i < chunks.length) {
    const line = i + 1;
    const parts: string[] = [];
    let state: State = 'Complete';
    let comment: boolean | null = null; // null while everything read so far is blank
    for (;;) {
      if (i >= chunks.length) {
        // read_line returned 0 with a quote/escape/blank still open: one Err for the whole
        // accumulated buffer, i.e. every line from `line` to the end of the file is lost.
        yield { line, text: parts.join(''), eof: { state, lastLine: i } };
        break;
      }
      const chunk = chunks[i++]!;
      parts.push(chunk);
      // dotenvy skips a line starting with '#' before any quote tracking. Note U+FEFF (BOM)
      // is not White_Space, so a BOM-prefixed comment is NOT skipped here.
      if (comment === null) {
        const rest = trimStart(chunk);
        if (rest !== '') comment = rest.startsWith('#');
      }
      if (comment) { yield { line, text: '' }; break; }
      const [pos, next] = evalEndState(state, chunk);
      state = next;
      if (state === 'Complete') {
        let buf = parts.join('');
        if (buf.endsWith('\n')) { buf = buf.slice(0, -1); if (buf.endsWith('\r')) buf = buf.slice(0, -1); }
        yield { line, text: buf };
        break;
      }
      if (state === 'Comment') { parts[parts.length - 1] = chunk.slice(0, pos); yield { line, text: parts.join('') }; break; }
    }
  }
}

function eofReason(state: State, first: number, last: number): string {
  const span = first === last ? `line ${first}` : `lines ${first}-${last}`;
  switch (state) {
    case 'WeakOpen': case 'WeakOpenEscape':
      return `unterminated double quote: everything to the end of the file (${span}) is dropped`;
    case 'StrongOpen': case 'StrongOpenEscape':
      return `unterminated single quote (an apostrophe outside double quotes opens one, even in some trailing comments): everything to the end of the file (${span}) is dropped`;
    case 'Escape':
      return 'the last line ends with a backslash and has no final newline';
    default:
      return 'the last line ends with a space or tab and has no final newline, which dotenvy treats as unfinished';
  }
}

type Env = (name: string) => string | undefined;

/** Port of parse.rs `LineParser::parse_line`. Returns null for blank and comment lines. */
function parseLine(original: string, subst: Map<string, string | undefined>, env: Env, budget: { chars: number }): [string, string] | LineError | null {
  let line = trimEnd(original); // "we don't want trailing whitespace"
  const skipWs = (): void => { line = trimStart(line); };
  const parseKey = (afterExport: boolean): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(line); // ASCII only; '.' allowed after the first char
    if (m) { line = line.slice(m[0].length); return m[0]; }
    if (line.startsWith('\uFEFF')) {
      throw new LineError('starts with a UTF-8 byte order mark (BOM), which Codex does not strip, so this line is lost; re-save the file as UTF-8 without BOM');
    }
    if (afterExport) throw new LineError("invalid or missing key name after 'export'");
    throw new LineError(line.startsWith('=') ? "no key before '='" : "invalid key name: a key must start with a letter or '_'");
  };
  const expectEqual = (): boolean => {
    if (!line.startsWith('=')) return false;
    line = line.slice(1);
    return true;
  };
  const noEqual = (): LineError => new LineError("no '=' after key (a key may contain only letters, digits, '_' and '.')");

  skipWs();
  if (line === '' || line.startsWith('#')) return null;
  // The common way a line is lost, answered without a throw: a file of many such lines stays fast.
  if (!/^[A-Za-z_\uFEFF=]/.test(line)) return new LineError("invalid key name: a key must start with a letter or '_'");
  let key = parseKey(false);
  skipWs();
  // `export` is either a prefix or a key in its own right (`export=1` sets "export").
  if (key === 'export') {
    if (!expectEqual()) {
      key = parseKey(true);
      skipWs();
      if (!expectEqual()) throw noEqual();
    }
  } else if (!expectEqual()) throw noEqual();
  skipWs();
  // `KEY=`, `KEY=   ` and `KEY=#x` all give ""; dotenvy records None for substitution.
  if (line === '' || line.startsWith('#')) { subst.set(key, undefined); return [key, '']; }
  let value: string;
  try {
    value = parseValue(line, subst, env, budget);
  } catch (error) {
    if (error instanceof ExpansionTooLarge) error.key = key;
    throw error;
  }
  subst.set(key, value);
  return [key, value];
}

/** Port of parse.rs `parse_value`, including the order of its checks (which creates quirks). */
function parseValue(input: string, subst: Map<string, string | undefined>, env: Env, budget: { chars: number }): string {
  let strong = false; // inside '...'
  let weak = false; // inside "..."
  let escaped = false;
  let expectingEnd = false;
  let quoteSwallowed = false; // a `$NAME` ate the closing '"' (for a clearer reason only)
  let mode: 'None' | 'Block' | 'EscapedBlock' = 'None';
  let name = '';
  let out = '';
  // apply_substitution: the process environment first (shell overlaid with entries Codex has
  // already set_var'd), then values parsed earlier in this file (incl. CODEX_* keys), else "".
  const apply = (): void => {
    const piece = env(name) ?? subst.get(name) ?? '';
    if (out.length + piece.length > MAX_EXPANDED_VALUE_CHARS || piece.length > budget.chars) throw new ExpansionTooLarge();
    budget.chars -= piece.length;
    out += piece;
    name = '';
  };

  for (const c of input) {
    if (expectingEnd) {
      // After an unquoted blank only blanks or a '#' comment may follow.
      if (c === ' ' || c === '\t') continue;
      if (c === '#') break;
      throw new LineError('unquoted value contains a space or tab; wrap the value in quotes');
    } else if (escaped) {
      if (c === '\\' || c === "'" || c === '"' || c === '$' || c === ' ') out += c;
      else if (c === 'n') out += '\n';
      else throw new LineError("unsupported backslash escape (only \\\\, \\', \\\", \\$, \\n and backslash-space are allowed)");
      escaped = false;
    } else if (strong) {
      // Single quotes are fully literal: no escapes, no substitution.
      if (c === "'") strong = false; else out += c;
    } else if (mode !== 'None') {
      // `$NAME` takes alphanumerics only (not '_'): `$A_B` is value(A) + "_B". `${...}` takes
      // anything up to '}'. The char ending a `$NAME` is kept literally, even a closing '"'.
      if (ALNUM.test(c)) name += c;
      else if (mode === 'Block') {
        if (c === '{' && name === '') mode = 'EscapedBlock';
        else {
          apply();
          if (c === '$') mode = 'Block';
          else { mode = 'None'; out += c; if (c === '"' && weak) quoteSwallowed = true; }
        }
      } else if (c === '}') { mode = 'None'; apply(); } else name += c;
    } else if (c === '$') {
      mode = 'Block'; // checked before the double-quote branch, so it applies inside "..."
    } else if (weak) {
      if (c === '"') weak = false; else if (c === '\\') escaped = true; else out += c;
    } else if (c === "'") strong = true;
    else if (c === '"') weak = true;
    else if (c === '\\') escaped = true;
    else if (c === ' ' || c === '\t') expectingEnd = true;
    else out += c;
  }
  // A dangling backslash is not an error in dotenvy ("XXX also fail if escaped?").
  if (mode === 'EscapedBlock') throw new LineError('unterminated ${...} substitution');
  if (weak) {
    throw new LineError(quoteSwallowed
      ? 'unterminated double quote: a $NAME right before the closing quote swallows it in dotenvy; write ${NAME}'
      : 'unterminated double quote');
  }
  if (strong) throw new LineError('unterminated single quote');
  apply(); // a trailing `$NAME` (or a lone trailing '$', which substitutes "")
  return out;
}

/**
 * Parses .env text the way Codex (dotenvy) does. `lookup` supplies values for variable
 * substitution from the environment as it stands before the file is applied (earlier entries
 * of the same file are applied as dotenvy does).
 *
 * Pass the file text as read, BOM included: dotenvy 0.15.7's `from_path_iter` does not strip
 * a BOM (only `from_path`/`load` do; allan2/dotenvy issue #168), so Codex loses line 1.
 * Invalid UTF-8 is the caller's concern: dotenvy drops such a line with an I/O error.
 */
export function parseDotenv(text: string, lookup: (name: string) => string | undefined): DotenvParse {
  const result: DotenvParse = { entries: [], dropped: [], ignoredCodexKeys: [], oversized: [] };
  const budget = { chars: MAX_EXPANDED_TOTAL_CHARS };
  const subst = new Map<string, string | undefined>(); // dotenvy's substitution_data
  const applied = new Map<string, string>(); // what Codex has set_var'd so far
  // std::env::var fails for an empty name or one containing NUL.
  const env: Env = (name) =>
    name === '' || name.includes('\0') ? undefined : applied.has(name) ? applied.get(name) : lookup(name);

  for (const logical of quotedLines(text)) {
    if (logical.eof) {
      // A trailing lone blank loses nothing, so it is not worth a warning.
      if (trimStart(logical.text) !== '') {
        result.dropped.push({ line: logical.line, reason: eofReason(logical.eof.state, logical.line, logical.eof.lastLine) });
      }
      continue;
    }
    let parsed: [string, string] | LineError | null;
    try { parsed = parseLine(logical.text, subst, env, budget); } catch (err) {
      if (err instanceof ExpansionTooLarge) {
        result.oversized.push({ key: err.key, line: logical.line });
        continue;
      }
      if (!(err instanceof LineError)) throw err;
      result.dropped.push({ line: logical.line, reason: err.message });
      continue;
    }
    if (parsed instanceof LineError) {
      result.dropped.push({ line: logical.line, reason: parsed.message });
      continue;
    }
    if (!parsed) continue;
    const [key, value] = parsed;
    if (key.toUpperCase().startsWith('CODEX_')) {
      result.ignoredCodexKeys.push({ key, line: logical.line });
    } else {
      result.entries.push({ key, value, line: logical.line });
      applied.set(key, value); // Codex set_var's before dotenvy parses the next line
    }
  }
  return result;
}
