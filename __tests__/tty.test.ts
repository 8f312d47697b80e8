/**
 * On a terminal the doctor shows a spinner on stderr, Unicode symbols and colour. The built CLI runs inside a
 * real pseudo-terminal (util-linux `script`), once sized like a normal terminal and once with no size at all,
 * which some CI systems and container runtimes hand out.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, cleanEnv } from './helpers/scenarios.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tty-'));
  mkdirSync(join(root, 'home', '.codex'), { recursive: true });
  writeFileSync(join(root, 'home', '.codex', 'config.toml'), 'model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n\n[model_providers.amazon-bedrock.aws]\nregion = "us-east-1"\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the doctor on a pty; `columns` null leaves the pty unsized (0 x 0). */
function onTerminal(columns: number | null, args: string[] = [], extraEnv: Record<string, string> = {}): Promise<{ output: string; ms: number; timedOut: boolean }> {
  const size = columns === null ? '' : `stty cols ${columns} rows 40; `;
  const command = `${size}exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} doctor --offline ${args.join(' ')}`;
  const env = { ...cleanEnv(root, { NO_COLOR: null, AWS_BEARER_TOKEN_BEDROCK: 'ABSKZml4dHVyZS11c2VyLWF0LTEyMzQ1Njc4OTAxMjpGQUtFRklYVFVSRVNFQ1JFVDAwMDAwMDAx' }), TERM: 'xterm-256color', ...extraEnv };
  const started = performance.now();
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env, timeout: 15_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout) => {
      resolve({ output: stdout, ms: performance.now() - started, timedOut: Boolean(error && (error as { killed?: boolean }).killed) });
    });
  });
}

it('a sized terminal gets the spinner on stderr, Unicode symbols and colour, then the report', async () => {
  const run = await onTerminal(100);
  expect(run.timedOut).toBe(false);
  expect(run.output).toContain('Checking Codex and Amazon Bedrock');
  expect(run.output).toContain('✔');
  expect(run.output).toMatch(/\u001b\[3[0-9]m/);
  expect(run.output).toContain('Verdict: Codex should work');
}, 20_000);

it('an unsized terminal (0 columns) still finishes promptly with a bounded output: no spinner there', async () => {
  const run = await onTerminal(null);
  expect(run.timedOut).toBe(false);
  expect(run.ms).toBeLessThan(10_000);
  expect(run.output.length).toBeLessThan(20_000);
  expect(run.output).not.toContain('Checking Codex and Amazon Bedrock');
  expect(run.output).toContain('Verdict: Codex should work');
}, 20_000);

/** The pty output without escape sequences and carriage returns: what a person reads, line by line. */
function visibleLines(output: string): string[] {
  return output
    .split(/\r?\n/)
    .map((line) => line.split('\u001b[0K').pop()!.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, ''));
}

it('the spinner names the step in progress, and each check line is printed before the next step starts', async () => {
  const run = await onTerminal(100);
  expect(run.timedOut).toBe(false);
  // The spinner label for codex.version, then the codex.version line, then a later step's label.
  const versionStep = run.output.indexOf('checking the Codex CLI version');
  const versionLine = run.output.indexOf('codex.version ');
  const laterStep = run.output.indexOf('checking the credential');
  expect(versionStep).toBeGreaterThan(-1);
  expect(versionLine).toBeGreaterThan(versionStep);
  expect(laterStep).toBeGreaterThan(versionLine);
  // The whole report once: each check line appears exactly once.
  expect(run.output.split('codex.version ').length - 1).toBe(1);
}, 20_000);

it('wraps long lines to the terminal width with a hanging indent', async () => {
  const run = await onTerminal(60);
  const lines = visibleLines(run.output).filter((line) => line.trim() !== '');
  const tooLong = lines.filter((line) => line.length > 60 && !/\S{40,}/.test(line));
  expect(tooLong).toEqual([]);
  // The auth.token summary continues under the summary column (symbol, space, id column, two spaces).
  // The check's own line (symbol, then the id), not a wrapped line of another check that mentions auth.token.
  const first = lines.findIndex((line) => /^\S+ +auth\.token /.test(line));
  expect(first).toBeGreaterThanOrEqual(0);
  expect(lines[first + 1]).toMatch(/^ {23}\S/);
}, 20_000);

it('NO_COLOR on a terminal: no colour codes at all, symbols still Unicode', async () => {
  const run = await onTerminal(100, [], { NO_COLOR: '1' });
  expect(run.output).not.toMatch(/\u001b\[(3[0-9]|9[0-9]|1|22|39)m/);
  expect(run.output).toContain('✔');
}, 20_000);

it('--verbose shows the effective setup: each value and where it came from', async () => {
  const run = await onTerminal(200, ['--verbose']);
  const lines = visibleLines(run.output);
  expect(lines).toContain('Effective setup (value, then where it comes from):');
  expect(lines.find((line) => line.trimStart().startsWith('region '))).toMatch(/us-east-1 +\(.*config\.toml:5\)/);
  expect(lines.find((line) => line.trimStart().startsWith('credential '))).toContain('AWS_BEARER_TOKEN_BEDROCK');
  expect(run.output).not.toContain('RkFLRUZJWFRVUkVTRUNSRVQ');
}, 20_000);
