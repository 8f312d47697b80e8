import { describe, expect, it } from '@jest/globals';
import { decodeText, describeFsError } from '../src/io/files.js';

/** Errors a root-run test cannot provoke on disk (EACCES, EPERM) still get a sentence a person can act on. */
describe('describeFsError', () => {
  it.each<[string, RegExp]>([
    ['EACCES', /permission denied/],
    ['EPERM', /permission denied/],
    ['EISDIR', /directory, not a file/],
    ['ELOOP', /symbolic link loop/],
    ['ENOTDIR', /parent of this path is a file/],
    ['ENAMETOOLONG', /path is too long/],
    ['EIO', /could not be read \(EIO\)/],
  ])('%s', (code, sentence) => {
    expect(describeFsError(Object.assign(new Error(code), { code }))).toMatch(sentence);
  });
});

describe('decodeText', () => {
  it.each<[string, Buffer, { ok: boolean; text?: string; reason?: RegExp }]>([
    ['UTF-8 text', Buffer.from('model = "x"\n'), { ok: true, text: 'model = "x"\n' }],
    ['a byte-order mark is kept (Codex does not strip it from .env)', Buffer.from([0xef, 0xbb, 0xbf, 0x41]), { ok: true, text: '\uFEFFA' }],
    ['NUL bytes: binary', Buffer.from([0x61, 0x00, 0x62]), { ok: false, reason: /binary/ }],
    ['invalid UTF-8', Buffer.from([0x61, 0xff, 0x62]), { ok: false, reason: /not valid UTF-8/ }],
  ])('%s', (_name, bytes, expected) => {
    const decoded = decodeText(bytes);
    expect(decoded.ok).toBe(expected.ok);
    if (decoded.ok) expect(decoded.text).toBe(expected.text);
    else expect(decoded.reason).toMatch(expected.reason!);
  });
});
