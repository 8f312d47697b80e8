/**
 * `$CODEX_HOME/.env` with one line that is not UTF-8: Codex's reader (dotenvy) fails that line alone and loads
 * the others; the doctor reads it the same way (SPEC 3.9) instead of declaring the whole file unreadable.
 * Real files on disk, the real readers; then the built CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { readBytesFromDisk } from '../src/io/bytes.js';
import { readFileFromDisk } from '../src/io/files.js';
import { loadEffectiveEnvironment } from '../src/resolve/environment.js';
import { assertBuilt, cleanEnv, parseReport, runCli } from './helpers/scenarios.js';

const root = mkdtempSync(join(tmpdir(), 'codex-bedrock-dotenv-utf8-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BAD_LINE = Buffer.from([0x42, 0x41, 0x44, 0x3d, 0xff, 0xfe, 0x0a]); // "BAD=\xff\xfe\n"
const content = Buffer.concat([Buffer.from('AWS_REGION=us-west-2\n'), BAD_LINE, Buffer.from('AWS_DEFAULT_REGION=eu-west-1\n')]);

describe('.env with a non-UTF-8 line', () => {
  it('the line is dropped alone; the lines around it load with their own line numbers', () => {
    const path = join(root, 'unit.env');
    writeFileSync(path, content);
    expect(readFileFromDisk(path)).toMatchObject({ status: 'unreadable', reason: expect.stringMatching(/UTF-8/) });
    const env = loadEffectiveEnvironment({}, readFileFromDisk(path), readBytesFromDisk);
    expect(env.sourced('AWS_REGION')).toMatchObject({ value: 'us-west-2', origin: { from: 'dotenv', line: 1 } });
    expect(env.sourced('AWS_DEFAULT_REGION')).toMatchObject({ value: 'eu-west-1', origin: { from: 'dotenv', line: 3 } });
    expect(env.get('BAD')).toBeUndefined();
    expect(env.dotenv.parse?.dropped).toEqual([{ line: 2, reason: 'not valid UTF-8 text' }]);
  });

  it('a file with NUL bytes is still refused whole (it is not text)', () => {
    const path = join(root, 'nul.env');
    writeFileSync(path, Buffer.concat([Buffer.from('AWS_REGION=us-west-2\n'), Buffer.from([0, 0xff])]));
    const env = loadEffectiveEnvironment({}, readFileFromDisk(path), readBytesFromDisk);
    expect(env.dotenv.read.status).toBe('unreadable');
    expect(env.get('AWS_REGION')).toBeUndefined();
  });

  it('the built CLI takes the region from the .env and env.dotenv warns about line 2 only', async () => {
    assertBuilt();
    const dir = join(root, 'cli');
    mkdirSync(join(dir, 'home', '.codex'), { recursive: true });
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'home', '.codex', 'config.toml'), 'model_provider = "amazon-bedrock"\n');
    writeFileSync(join(dir, 'home', '.codex', '.env'), content, { mode: 0o600 });
    const run = await runCli(['doctor', '--json', '--offline'], cleanEnv(dir), dir);
    const parsed = parseReport(run.stdout);
    if ('problem' in parsed) throw new Error(parsed.problem);
    expect(parsed.report.setup?.region).toBe('us-west-2');
    const dotenv = parsed.report.checks.find((c) => c.id === 'env.dotenv')!;
    expect(dotenv.status).toBe('warn');
    expect(dotenv.summary).toContain('line 2 (not valid UTF-8 text)');
  });
});
