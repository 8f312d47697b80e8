/** The line edits fix makes, as tables of input -> expected text; each edit is then verified by re-parsing. */
import { describe, expect, it } from '@jest/globals';
import { unifiedDiff } from '../src/fix/diff.js';
import { extractTable, holdsTable, insertInTable, insertTopLevel, removeKeyLine, replaceStringValue, verifyEdit } from '../src/fix/tomlEdit.js';

const ok = (result: { ok: true; text: string } | { ok: false; reason: string }) => {
  if (!result.ok) throw new Error(result.reason);
  return result.text;
};

describe('insertTopLevel', () => {
  it.each([
    ['empty file', '', 'model_provider = "amazon-bedrock"\n'],
    ['no table: appended after the last line', 'model = "x"\n', 'model = "x"\nmodel_provider = "amazon-bedrock"\n'],
    ['no final newline: the last line gets one first', 'model = "x"', 'model = "x"\nmodel_provider = "amazon-bedrock"\n'],
    ['trailing blank lines stay after it', 'model = "x"\n\n\n', 'model = "x"\nmodel_provider = "amazon-bedrock"\n\n\n'],
    ['above the comments leading into the first table', 'model = "x"\n\n# the region\n[t]\na = 1\n', 'model = "x"\nmodel_provider = "amazon-bedrock"\n\n# the region\n[t]\na = 1\n'],
    ['only a table: at the very top', '[t]\na = 1\n', 'model_provider = "amazon-bedrock"\n[t]\na = 1\n'],
    ['CRLF file: CRLF line', 'a = 1\r\n[t]\r\n', 'a = 1\r\nmodel_provider = "amazon-bedrock"\r\n[t]\r\n'],
    ['BOM stays first', '\uFEFF[t]\na = 1\n', '\uFEFFmodel_provider = "amazon-bedrock"\n[t]\na = 1\n'],
  ])('%s', (_name, before, after) => {
    const text = ok(insertTopLevel(before, 'model_provider', 'amazon-bedrock'));
    expect(text).toBe(after);
    expect(verifyEdit(before, text, [{ path: ['model_provider'], value: 'amazon-bedrock' }])).toBeNull();
  });
});

describe('replaceStringValue', () => {
  it.each([
    ['keeps spacing and comment', 'model  =   "gpt-5.5"   # mine\n', 1, 'model  =   "openai.gpt-5.5"   # mine\n'],
    ['literal string', "model = 'gpt-5.5'\n", 1, 'model = "openai.gpt-5.5"\n'],
    ['CRLF kept', 'a = 1\r\nmodel = "x"\r\n', 2, 'a = 1\r\nmodel = "openai.gpt-5.5"\r\n'],
    ['escaped quote inside the old value', 'model = "a\\"b" # c\n', 1, 'model = "openai.gpt-5.5" # c\n'],
  ])('%s', (_name, before, line, after) => {
    expect(ok(replaceStringValue(before, line, 'openai.gpt-5.5'))).toBe(after);
  });

  it.each([
    ['a multi-line string', 'model = """\ngpt\n"""\n', 1, /multi-line/],
    ['not a string', 'model = 5\n', 1, /not a one-line string/],
    ['a value that is not plain text', 'model = "x"\n', 1, /not plain text/],
  ])('refuses %s', (_name, before, line, reason) => {
    const result = replaceStringValue(before, line, _name.startsWith('a value') ? 'bad"quote' : 'openai.gpt-5.5');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('verifyEdit', () => {
  it('rejects a removal that cuts a multi-line value in half', () => {
    const before = 'name = """\nAmazon\n"""\nb = 1\n';
    const text = ok(removeKeyLine(before, 1));
    expect(verifyEdit(before, text, [{ path: ['name'], remove: true }])).toMatch(/would not parse|more than the intended/);
  });

  it('rejects an edit that changes another value too', () => {
    expect(verifyEdit('a = "1"\nb = "2"\n', 'a = "9"\nb = "3"\n', [{ path: ['a'], value: '9' }])).toMatch(/more than the intended values/);
  });

  it('a dotted key under the provider table is removed by its own line', () => {
    const before = '[model_providers.amazon-bedrock]\nname = "x"\naws.region = "us-east-1"\n';
    const text = ok(removeKeyLine(before, 2));
    expect(verifyEdit(before, text, [{ path: ['model_providers', 'amazon-bedrock', 'name'], remove: true }])).toBeNull();
  });
});

describe('insertInTable', () => {
  it('puts the key right under an existing header', () => {
    expect(ok(insertInTable('[a.b]\nx = 1\n[c]\n', ['a', 'b'], 'region', 'us-east-1'))).toBe('[a.b]\nregion = "us-east-1"\nx = 1\n[c]\n');
  });

  it('appends a new table after a blank line when there is none', () => {
    expect(ok(insertInTable('model = "x"\n', ['model_providers', 'amazon-bedrock', 'aws'], 'region', 'us-east-1'))).toBe('model = "x"\n\n[model_providers.amazon-bedrock.aws]\nregion = "us-east-1"\n');
  });

  it('a table already defined by dotted keys is caught by verification, not written twice', () => {
    const before = '[model_providers.amazon-bedrock]\naws.profile = "p"\n';
    const text = ok(insertInTable(before, ['model_providers', 'amazon-bedrock', 'aws'], 'region', 'us-east-1'));
    expect(verifyEdit(before, text, [{ path: ['model_providers', 'amazon-bedrock', 'aws', 'region'], value: 'us-east-1' }])).not.toBeNull();
  });
});

describe('extractTable', () => {
  it('moves a table and its sub-tables, leaving the comments that introduce the next table', () => {
    const before = 'a = 1\n\n[profiles.work]\nmodel = "m"\n[profiles.work.extra]\nk = "v"\n\n# next\n[other]\nz = 2\n';
    const cut = extractTable(before, ['profiles', 'work']);
    if (!cut.ok) throw new Error(cut.reason);
    expect(cut.remaining).toBe('a = 1\n\n\n# next\n[other]\nz = 2\n');
    expect(cut.extracted).toBe('model = "m"\n[extra]\nk = "v"\n');
    expect(holdsTable(cut.extracted, { model: 'm', extra: { k: 'v' } })).toBeNull();
  });

  it('at the end of the file, takes everything and the blank lines before it', () => {
    const cut = extractTable('a = 1\n\n[profiles.work]\nmodel = "m"\n# mine\n', ['profiles', 'work']);
    expect(cut).toEqual({ ok: true, remaining: 'a = 1\n', extracted: 'model = "m"\n# mine\n' });
  });
});

describe('unifiedDiff', () => {
  it('shows one hunk with three lines of context, as diff -u does', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].map((n) => `line ${n}\n`).join('');
    const after = before.replace('line 5\n', 'line five\n');
    expect(unifiedDiff('/h/config.toml', before, after)).toBe(
      ['--- a/h/config.toml', '+++ b/h/config.toml', '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8', ''].join('\n'),
    );
  });

  it('a created file diffs against /dev/null; CR and a missing final newline are marked', () => {
    expect(unifiedDiff('/h/x.toml', null, 'a = 1\r\nb = 2')).toBe(['--- /dev/null', '+++ b/h/x.toml', '@@ -0,0 +1,2 @@', '+a = 1 ␍', '+b = 2', '\\ No newline at end of file', ''].join('\n'));
  });

  it('no change, no diff', () => {
    expect(unifiedDiff('/h/x', 'a\n', 'a\n')).toBe('');
  });
});
