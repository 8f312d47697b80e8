import { describe, expect, it } from '@jest/globals';
import { parseDotenv, type DotenvParse } from '../src/resolve/dotenv.js';

/** Expected values follow dotenvy 0.15.7 (allan2/dotenvy dotenv/src/{iter,parse}.rs), as used by Codex. */
interface Case {
  name: string;
  text: string;
  env?: Record<string, string>;
  expected: Partial<DotenvParse>;
}

const NO_EQ = "no '=' after key (a key may contain only letters, digits, '_' and '.')";
const BAD_KEY = "invalid key name: a key must start with a letter or '_'";
const SPACE = 'unquoted value contains a space or tab; wrap the value in quotes';
const BAD_ESC = "unsupported backslash escape (only \\\\, \\', \\\", \\$, \\n and backslash-space are allowed)";
const BOM =
  'starts with a UTF-8 byte order mark (BOM), which Codex does not strip, so this line is lost; re-save the file as UTF-8 without BOM';
const SQ_EOF = (span: string): string =>
  `unterminated single quote (an apostrophe outside double quotes opens one, even in some trailing comments): everything to the end of the file (${span}) is dropped`;

const e = (key: string, value: string, line: number) => ({ key, value, line });

const cases: Case[] = [
  { name: 'plain', text: 'A=1\nB=two\n', expected: { entries: [e('A', '1', 1), e('B', 'two', 2)] } },
  {
    name: 'export prefix, and export as a key',
    text: 'export A=1\nexport   B=2\nexport=3\nexportC=4\n',
    expected: { entries: [e('A', '1', 1), e('B', '2', 2), e('export', '3', 3), e('exportC', '4', 4)] },
  },
  {
    name: "export with nothing after it",
    text: 'export\nexport 9X=1\n',
    expected: {
      dropped: [
        { line: 1, reason: "invalid or missing key name after 'export'" },
        { line: 2, reason: "invalid or missing key name after 'export'" },
      ],
    },
  },
  {
    name: 'single quotes are literal (no escapes, no substitution)',
    text: "A='x $HOME \\n ${USER} y'\nB='it''s'\n",
    env: { HOME: '/h', USER: 'u' },
    expected: { entries: [e('A', 'x $HOME \\n ${USER} y', 1), e('B', 'its', 2)] },
  },
  {
    name: 'double quotes with the escapes dotenvy supports',
    text: 'A="a\\"b\\\\c\\$d\\ne\\\'f\\ g"\nB=un\\ quoted\\$x\n',
    expected: { entries: [e('A', 'a"b\\c$d\ne\'f g', 1), e('B', 'un quoted$x', 2)] },
  },
  {
    name: 'unsupported escape drops the line',
    text: 'A="tab\\there"\nB=ok\n',
    expected: { entries: [e('B', 'ok', 2)], dropped: [{ line: 1, reason: BAD_ESC }] },
  },
  {
    name: "'#' is a comment only after a blank or right after '='",
    text: 'A=val # c\nB=val#notc\nC="q # in" # c\nD=#x\nE= # c\nF=\'s\'#x\n',
    expected: {
      entries: [e('A', 'val', 1), e('B', 'val#notc', 2), e('C', 'q # in', 3), e('D', '', 4), e('E', '', 5), e('F', 's#x', 6)],
    },
  },
  {
    name: 'substitution: $NAME stops at non-alphanumerics, ${NAME} does not; unknown is empty',
    text: 'A=$HOME/x\nB=${MY_USER}.y\nC=$HOME_DIR\nD=$A$B\nE=$NOPE.\nF=a$\n',
    env: { HOME: '/h', MY_USER: 'u' },
    expected: {
      entries: [e('A', '/h/x', 1), e('B', 'u.y', 2), e('C', '/h_DIR', 3), e('D', '/h/xu.y', 4), e('E', '.', 5), e('F', 'a', 6)],
    },
  },
  {
    name: 'substitution sees earlier entries, which Codex has already applied over the shell',
    text: 'R=file\nX=${R}-$R\n',
    env: { R: 'shell' },
    expected: { entries: [e('R', 'file', 1), e('X', 'file-file', 2)] },
  },
  {
    name: 'substitution of an ignored CODEX_ key uses the file value when the shell lacks it',
    text: 'CODEX_HOME=/c\nX=${CODEX_HOME}/y\n',
    expected: { entries: [e('X', '/c/y', 2)], ignoredCodexKeys: [{ key: 'CODEX_HOME', line: 1 }] },
  },
  {
    name: 'substitution of an ignored CODEX_ key prefers the shell value',
    text: 'CODEX_HOME=/c\nX=${CODEX_HOME}/y\n',
    env: { CODEX_HOME: '/s' },
    expected: { entries: [e('X', '/s/y', 2)], ignoredCodexKeys: [{ key: 'CODEX_HOME', line: 1 }] },
  },
  {
    name: '"$NAME" swallows the closing quote and drops the line; "${NAME}" works',
    text: 'A="$HOME"\nB="${HOME}"\nC="$HOME/x"\n',
    env: { HOME: '/h' },
    expected: {
      entries: [e('B', '/h', 2), e('C', '/h/x', 3)],
      dropped: [
        { line: 1, reason: 'unterminated double quote: a $NAME right before the closing quote swallows it in dotenvy; write ${NAME}' },
      ],
    },
  },
  {
    name: 'unterminated ${',
    text: 'A=${HOME\nB=1\n',
    expected: { entries: [e('B', '1', 2)], dropped: [{ line: 1, reason: 'unterminated ${...} substitution' }] },
  },
  {
    name: 'empty values',
    text: 'A=\nB=   \nC=""\nD=\'\'\n',
    expected: { entries: [e('A', '', 1), e('B', '', 2), e('C', '', 3), e('D', '', 4)] },
  },
  {
    name: "whitespace around '=' and around the line",
    text: 'A = 1\n  B=  2  \n\tC\t=\t"3 3"\t\n',
    expected: { entries: [e('A', '1', 1), e('B', '2', 2), e('C', '3 3', 3)] },
  },
  {
    name: 'unquoted value with an inner space is dropped',
    text: 'A=hello world\nB=ok\n',
    expected: { entries: [e('B', 'ok', 2)], dropped: [{ line: 1, reason: SPACE }] },
  },
  {
    name: 'invalid lines are dropped and later lines still parse',
    text: '1BAD=x\nno equals\nKEY-NAME=x\n=v\nA="x" y\nGOOD=ok\n',
    expected: {
      entries: [e('GOOD', 'ok', 6)],
      dropped: [
        { line: 1, reason: BAD_KEY },
        { line: 2, reason: NO_EQ },
        { line: 3, reason: NO_EQ },
        { line: 4, reason: "no key before '='" },
        { line: 5, reason: SPACE },
      ],
    },
  },
  {
    name: 'CODEX_ keys are ignored in any case; CODEXY is not',
    text: 'CODEX_HOME=/x\ncodex_foo=1\nexport Codex_Bar=2\nCODEXY=3\n',
    expected: {
      entries: [e('CODEXY', '3', 4)],
      ignoredCodexKeys: [
        { key: 'CODEX_HOME', line: 1 },
        { key: 'codex_foo', line: 2 },
        { key: 'Codex_Bar', line: 3 },
      ],
    },
  },
  {
    name: 'multi-line double-quoted value',
    text: 'A="line1\n# not a comment\nline3"\nB=after\n',
    expected: { entries: [e('A', 'line1\n# not a comment\nline3', 1), e('B', 'after', 4)] },
  },
  {
    name: 'multi-line single-quoted value keeps CRLF inside the quotes',
    text: "A='x\r\ny'\r\nB=1\r\n",
    expected: { entries: [e('A', 'x\r\ny', 1), e('B', '1', 3)] },
  },
  {
    name: 'an unterminated quote swallows the rest of the file',
    text: 'OK=1\nA="abc\nB=1\nC=2\n',
    expected: {
      entries: [e('OK', '1', 1)],
      dropped: [{ line: 2, reason: 'unterminated double quote: everything to the end of the file (lines 2-4) is dropped' }],
    },
  },
  {
    name: "an apostrophe in a comment after two blanks opens a quote; after one blank it does not",
    text: "A=1 # don't\nB=2  # don't\nC=3\n",
    expected: { entries: [e('A', '1', 1)], dropped: [{ line: 2, reason: SQ_EOF('lines 2-3') }] },
  },
  {
    name: 'CRLF line endings',
    text: 'A=1\r\nB="two"\r\n# c\r\nC=3 # x\r\nD=\r\n',
    expected: { entries: [e('A', '1', 1), e('B', 'two', 2), e('C', '3', 4), e('D', '', 5)] },
  },
  {
    name: 'a UTF-8 BOM makes Codex drop the first line (from_path_iter does not strip it)',
    text: '\uFEFFA=1\nB=2\n',
    expected: { entries: [e('B', '2', 2)], dropped: [{ line: 1, reason: BOM }] },
  },
  {
    name: 'BOM before a comment: the comment is not skipped early, its apostrophe opens a quote',
    text: "\uFEFF# it's\nA=1\n",
    expected: { dropped: [{ line: 1, reason: SQ_EOF('lines 1-2') }] },
  },
  {
    name: 'last line with one trailing blank and no newline is dropped; two blanks are fine',
    text: 'A=1\nB=2 ',
    expected: {
      entries: [e('A', '1', 1)],
      dropped: [{ line: 2, reason: 'the last line ends with a space or tab and has no final newline, which dotenvy treats as unfinished' }],
    },
  },
  { name: 'last line with two trailing blanks', text: 'A=1\nB=2  ', expected: { entries: [e('A', '1', 1), e('B', '2', 2)] } },
  {
    name: 'trailing backslash: dropped at end of file, ignored before a newline',
    text: 'A=abc\\\nB=x\\',
    expected: {
      entries: [e('A', 'abc', 1)],
      dropped: [{ line: 2, reason: 'the last line ends with a backslash and has no final newline' }],
    },
  },
  { name: 'a lone blank at the end of the file loses nothing', text: 'A=1\n ', expected: { entries: [e('A', '1', 1)] } },
  {
    name: 'blank lines and comments',
    text: '\n# comment\n   # indented \'comment\'\n\nA=1\n',
    expected: { entries: [e('A', '1', 5)] },
  },
  { name: 'keys may contain dots', text: 'a.b=1\n_x=2\n', expected: { entries: [e('a.b', '1', 1), e('_x', '2', 2)] } },
  {
    name: 'duplicate keys are all kept, in order',
    text: 'A=1\nA=2\n',
    expected: { entries: [e('A', '1', 1), e('A', '2', 2)] },
  },
  { name: 'empty file', text: '', expected: {} },
];

describe('parseDotenv', () => {
  it.each(cases)('$name', ({ text, env, expected }) => {
    const lookup = (name: string): string | undefined => env?.[name];
    expect(parseDotenv(text, lookup)).toEqual({ entries: [], dropped: [], ignoredCodexKeys: [], oversized: [], ...expected });
  });

  it.each([
    'AWS_BEARER_TOKEN_BEDROCK="SEKRET',
    "AWS_BEARER_TOKEN_BEDROCK='SEKRET",
    'AWS_BEARER_TOKEN_BEDROCK=SEKRET SEKRET',
    'AWS_BEARER_TOKEN_BEDROCK="SEKRET\\q"',
    'AWS_BEARER_TOKEN_BEDROCK=${SEKRET',
    'SEKRET',
    'SEKRET: x',
    '\uFEFFSEKRET=1',
    'A=SEKRET ',
  ])('never puts line text in a reason: %j', (text) => {
    const { dropped } = parseDotenv(text, () => undefined);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.reason).not.toContain('SEKRET');
  });
});
