/**
 * fix on a terminal: the built CLI inside a real pseudo-terminal (util-linux `script`), answering its
 * questions the way a person types them. It asks for the region (only when the doctor cannot know it), shows
 * the plan, and asks once before writing.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, CLI_BIN } from './helpers/scenarios.js';
import { freshCopy, snapshot, type Prepared } from './helpers/fixRuns.js';

let tmpRoot: string;
beforeAll(() => {
  assertBuilt();
  tmpRoot = mkdtempSync(join(tmpdir(), 'fix-tty-'));
});
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** End of input typed on a terminal. */
const CTRL_D = '\u0004';

/** Runs fix on a pty; each time the output shows a prompt, types its answer. Never waits past the timeout. */
function onTerminal(copy: Prepared, answers: Record<string, string>): Promise<{ output: string; code: number | null }> {
  const command = `stty cols 120 rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} fix --offline`;
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: copy.env, cwd: copy.root, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const pending = new Map(Object.entries(answers));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const [prompt, answer] of pending) {
        if (output.includes(prompt)) {
          pending.delete(prompt);
          child.stdin.write(answer === CTRL_D ? answer : `${answer}\r`);
        }
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ output, code });
    });
  });
}


it('asks for the region from the allow-list, shows the diff, asks once, then applies and shows the doctor after', async () => {
  const copy = freshCopy('region-ca-central-1', tmpRoot);
  const run = await onTerminal(copy, { 'Region (number or name': '3', '[y/N]': 'y' });
  expect(run.output).toContain('ca-central-1');
  expect(run.output).toMatch(/ 3\. us-west-2/);
  expect(run.output).toContain('+region = "us-west-2"');
  expect(run.output).toContain('Applied. Backups:');
  expect(run.output).toContain('Verdict: the doctor passes now.');
  expect(run.code).toBe(0);
  expect(readFileSync(join(copy.home, '.codex', 'config.toml'), 'utf8')).toContain('region = "us-west-2"');
}, 30_000);

it('answering no writes nothing', async () => {
  const copy = freshCopy('provider-absent', tmpRoot);
  const before = snapshot(copy.root);
  const run = await onTerminal(copy, { '[y/N]': 'n' });
  expect(run.output).toContain('+model_provider = "amazon-bedrock"');
  expect(run.output).toContain('Nothing was written: you declined');
  expect(run.code).toBe(1);
  expect(snapshot(copy.root)).toEqual(before);
}, 30_000);

it('end of input (Ctrl-D) at the question is a no, not a wait', async () => {
  const copy = freshCopy('provider-absent', tmpRoot);
  const before = snapshot(copy.root);
  const run = await onTerminal(copy, { '[y/N]': CTRL_D });
  expect(run.output).toContain('Nothing was written: you declined');
  expect(run.code).toBe(1);
  expect(snapshot(copy.root)).toEqual(before);
}, 30_000);
