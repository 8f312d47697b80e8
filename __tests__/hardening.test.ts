/**
 * The hardening pieces of issue 10 one by one, as tables: what the redactor now catches, what terminal-safe
 * text looks like, which files are refused before anyone reads them, and the limits on .env expansion and TOML
 * depth. The end-to-end proof of each lives in faults.test.ts, canary.test.ts and supportReport.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { firstUnsafeFile, MAX_FILE_BYTES, readFileFromDisk } from '../src/io/files.js';
import { unusableUrl } from '../src/net/networkErrors.js';
import { proxyAgentFor } from '../src/net/proxy.js';
import { fileLayer, MAX_TOML_DEPTH, parseCliOverride } from '../src/resolve/config.js';
import { MAX_EXPANDED_VALUE_CHARS, parseDotenv } from '../src/resolve/dotenv.js';
import { isSecretKeyPath, maskTomlText, Redactor, REDACTED } from '../src/report/redact.js';
import { visibleDeep, visibleLine, visibleText } from '../src/report/terminalSafe.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-harden-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Redactor: secrets it never learnt, by shape', () => {
  const SIGNATURE = 'a3f1c2d4e5b6978812345678901234567890abcdef1234567890abcdef123456';
  it.each<[string, string, string]>([
    ['a bare SigV4 signature echoed by a server', `denied sig ${SIGNATURE} end`, `denied sig ${REDACTED} end`],
    ['user:password in a URL', 'POST http://admin:s3cretPass@127.0.0.1:9/openai/v1', `POST http://${REDACTED}@127.0.0.1:9/openai/v1`],
    ['a 407 body quoting Proxy-Authorization', 'You sent Proxy-Authorization: Basic Y29ycDpzZWNyZXQ=', `You sent Proxy-Authorization: ${REDACTED}`],
    ['a placeholder is not a secret', 'AWS_SECRET_ACCESS_KEY=<secret access key>', 'AWS_SECRET_ACCESS_KEY=<secret access key>'],
  ])('%s', (_what, input, expected) => {
    expect(new Redactor().scrub(input)).toBe(expected);
  });
});

describe('isSecretKeyPath', () => {
  it.each<[string[], boolean]>([
    [['model_providers', 'amazon-bedrock', 'auth', 'args'], true],
    [['model_providers', 'amazon-bedrock', 'auth'], true],
    [['model_providers', 'amazon-bedrock', 'http_headers', 'X-Corp'], true],
    [['model_providers', 'amazon-bedrock', 'env_http_headers', 'X-Corp'], true],
    [['model_providers', 'amazon-bedrock', 'aws', 'region'], false],
    [['model'], false],
  ])('%j -> %s', (path, secret) => expect(isSecretKeyPath(path)).toBe(secret));
});

describe('maskTomlText', () => {
  it('masks by key path, keeps structure, and replaces lines it cannot read', () => {
    const text = [
      'model = "openai.gpt-5.5"',
      '[model_providers.amazon-bedrock]',
      'auth = { command = "tok", args = ["--token", "S1"] }',
      'http_headers = {',
      '  "X-Key" = "S2",',
      '}',
      'name = """',
      'not secret',
      '"""',
      'garbage "S3"',
    ].join('\n');
    expect(maskTomlText(text).split('\n')).toEqual([
      'model = "openai.gpt-5.5"',
      '[model_providers.amazon-bedrock]',
      `auth = "${REDACTED}"`,
      `http_headers = "${REDACTED}"`,
      `  ${REDACTED}`,
      `  ${REDACTED}`,
      'name = """',
      'not secret',
      '"""',
      `# ${REDACTED} (a line that is not a TOML header or key = value, 12 characters)`,
    ]);
  });
});

describe('terminal-safe text', () => {
  it('escapes ESC, CR, BEL, C1 and bidi controls, keeps tabs; newlines only in multi-line fields', () => {
    expect(visibleLine('a\u001b[2Kb\rc\u0007d\u009be\u202ef\tg\nh')).toBe('a\\x1b[2Kb\\rc\\x07d\\x9be\\u{202e}f\tg\\nh');
    expect(visibleText('one\ntwo\u001b')).toBe('one\ntwo\\x1b');
    expect(visibleDeep({ summary: 'x\ny', remediation: 'a\nb\r', details: ['c\nd'] })).toEqual({ summary: 'x\\ny', remediation: 'a\nb\\r', details: ['c\nd'] });
  });
});

describe('files that must never be read', () => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const big = join(dir, 'big');
  writeFileSync(big, Buffer.alloc(MAX_FILE_BYTES + 1, 'a'));
  const device = join(dir, 'urandom');
  symlinkSync('/dev/urandom', device);

  it.each<[string, string, RegExp]>([
    ['a FIFO', fifo, /named pipe \(FIFO\)/],
    ['a character device behind a symlink', device, /device, not a regular file/],
    ['a file over the cap', big, /far larger than/],
  ])('readFileFromDisk refuses %s without blocking', (_what, path, reason) => {
    const read = readFileFromDisk(path);
    expect(read.status).toBe('unreadable');
    expect(read.status === 'unreadable' && read.reason).toMatch(reason);
  });

  it('firstUnsafeFile names the first file the AWS SDK must not be given, and skips missing ones', () => {
    expect(firstUnsafeFile([join(dir, 'missing'), undefined, fifo, device])).toEqual({ path: fifo, reason: expect.stringMatching(/named pipe/) });
    expect(firstUnsafeFile([join(dir, 'missing'), dir])).toBeNull();
  });
});

describe('.env expansion limits', () => {
  it('a line that expands past the limit is reported, not expanded, and the rest of the file still parses', () => {
    const lines = ['A0=xxxxxxxxxxxxxxxx', ...Array.from({ length: 30 }, (_, i) => `A${i + 1}=\${A${i}}\${A${i}}`), 'LAST=ok'];
    const parse = parseDotenv(`${lines.join('\n')}\n`, () => undefined);
    expect(parse.oversized).toEqual([{ key: 'A13', line: 14 }]);
    expect(parse.entries.find((entry) => entry.key === 'A12')!.value).toHaveLength(MAX_EXPANDED_VALUE_CHARS);
    expect(parse.entries.find((entry) => entry.key === 'LAST')!.value).toBe('ok');
  });
});

describe('TOML depth', () => {
  it(`a file nesting more than ${MAX_TOML_DEPTH} levels is a finding, not a stack overflow`, () => {
    const path = join(dir, 'deep.toml');
    writeFileSync(path, `x = ${'['.repeat(100)}${']'.repeat(100)}\n`);
    const layer = fileLayer('user', path, readFileFromDisk);
    expect(layer.status).toBe('error');
    expect(layer.problem?.message).toMatch(/more than 80 levels deep/);
    writeFileSync(path, `x = ${'['.repeat(80)}${']'.repeat(80)}\n`);
    expect(fileLayer('user', path, readFileFromDisk).status).toBe('ok');
  });

  it('-c with a deep key or value is refused', () => {
    expect(parseCliOverride(`${Array.from({ length: 81 }, () => 'a').join('.')}=1`)).toEqual({ error: expect.stringMatching(/more than 80 dotted parts/) });
    expect(parseCliOverride(`a=${'['.repeat(90)}${']'.repeat(90)}`)).toEqual({ error: expect.stringMatching(/more than 80 levels deep/) });
  });
});

describe('URL settings', () => {
  it.each<[string, string | null]>([
    ['https://bedrock-mantle.us-east-1.api.aws/openai/v1', null],
    ['not a url', 'it is not a valid URL'],
    ['ftp://127.0.0.1/x', 'its scheme is ftp, not http or https'],
  ])('unusableUrl(%j)', (url, reason) => expect(unusableUrl(url)).toBe(reason));

  it('a malformed proxy variable is a problem naming the variable, not an exception', async () => {
    const env = { get: (name: string) => ({ HTTPS_PROXY: 'http://[::1' })[name] };
    await expect(proxyAgentFor(new URL('https://example.test/'), env)).resolves.toEqual({ agent: undefined, proxy: null, problem: 'HTTPS_PROXY cannot be used as a proxy (it is not a valid URL)' });
  });
});
