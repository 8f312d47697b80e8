/**
 * Text that did not come from the doctor itself (server answers, file contents, env values, command output)
 * must not be able to draw on the user's terminal: an ESC starts a colour, a cursor move or an OSC sequence
 * (window title, hyperlink, clipboard), a CR returns to the start of the line and lets a server print over
 * a verdict, a newline in a one-line summary starts a fake "[PASS]" line. Human, GitHub, JUnit and Markdown
 * output show such characters as visible escapes; JSON keeps every string exact (JSON escapes them itself).
 */

/** C0 controls and DEL (except tab), C1 controls, and the bidirectional overrides that reorder what is shown. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_KEEPING_NEWLINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\x1b' };

function escapeControl(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`);
}

/** One line of visible text: every control character, newlines included, becomes a visible escape. */
export function visibleLine(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/** Visible text that may span lines (a remediation, a detail): newlines stay, every other control is escaped. */
export function visibleText(text: string): string {
  return text.replace(CONTROL_KEEPING_NEWLINES, escapeControl);
}

/** Fields the doctor writes over several lines on purpose; everything else is one line. */
const MULTI_LINE_FIELDS = new Set(['remediation', 'details', 'text']);

/** Makes every string inside a report (or any JSON-like value) terminal-safe, keeping its shape. */
export function visibleDeep<T>(value: T, multiLine = false): T {
  if (typeof value === 'string') return (multiLine ? visibleText(value) : visibleLine(value)) as T;
  if (Array.isArray(value)) return value.map((item) => visibleDeep(item, multiLine)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visibleDeep(item, MULTI_LINE_FIELDS.has(key))])) as T;
  }
  return value;
}
