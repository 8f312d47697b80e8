/**
 * A text file as a list of physical lines that keep their own line endings, so an edit touches only the
 * lines it means to and every other byte (CRLF or LF, a missing final newline, a byte-order mark) survives.
 */
export interface TextLines {
  /** A byte-order mark at the start, kept out of the lines so an insertion at line 1 cannot move it. */
  bom: string;
  /** Each line with its ending ("\n", "\r\n", or "" for a last line without one). */
  lines: string[];
  /** The ending new lines get: CRLF when the file already uses it, else LF. */
  eol: string;
}

export function splitLines(text: string): TextLines {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const lines = body.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return { bom, lines, eol: body.includes('\r\n') ? '\r\n' : '\n' };
}

export function joinLines(text: TextLines): string {
  return text.bom + text.lines.join('');
}

/** A line without its ending. */
export function lineContent(line: string): string {
  return line.replace(/\r?\n$/, '');
}

/** Inserts whole lines (given without endings) before the 0-based index; appending gives the last line an ending first. */
export function insertLines(text: TextLines, index: number, contents: readonly string[]): TextLines {
  const lines = [...text.lines];
  if (index >= lines.length && lines.length > 0 && !/\n$/.test(lines[lines.length - 1]!)) lines[lines.length - 1] += text.eol;
  lines.splice(index, 0, ...contents.map((content) => `${content}${text.eol}`));
  return { ...text, lines };
}

export function removeLine(text: TextLines, index: number): TextLines {
  const lines = [...text.lines];
  lines.splice(index, 1);
  return { ...text, lines };
}

/** Replaces the content of a line and keeps its ending. */
export function replaceLineContent(text: TextLines, index: number, content: string): TextLines {
  const lines = [...text.lines];
  const ending = /\r?\n$/.exec(lines[index]!)?.[0] ?? '';
  lines[index] = `${content}${ending}`;
  return { ...text, lines };
}
