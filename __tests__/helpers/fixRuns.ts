/**
 * Runs `codex-bedrock fix` (the BUILT CLI, as a child process) on temporary copies of the fixtures, and checks
 * its writes independently: a snapshot of every file before and after, and a small unified-diff applier that
 * rebuilds the expected bytes from the original and the diff fix printed.
 */
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, chmodSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cleanEnv, loadScenarios, REPO_ROOT, runCli, substitute, type CliRun } from './scenarios.js';

export const FIX_FIXTURE_DIR = join(REPO_ROOT, 'fixtures', 'fix');

export interface FixFixture {
  name: string;
  dir: string;
  description: string;
  /** Resolution flags for both fix and doctor (doctor-only flags such as --strict are left out). */
  args: string[];
  env: Record<string, string | null>;
  chmod: Record<string, string>;
}

/** Flags fix shares with doctor, with whether each takes a value. */
const SHARED_FLAGS: Record<string, boolean> = { '-p': true, '--profile': true, '-c': true, '--config': true, '-m': true, '--model': true, '--codex-home': true, '--codex-version': true };

function sharedArgs(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg in SHARED_FLAGS) {
      kept.push(arg, args[i + 1]!);
      i += 1;
    }
  }
  return kept;
}

/** Every doctor scenario plus the fix fixtures (fixtures/fix/NAME/{fix.json,home/}). */
export function loadFixFixtures(): FixFixture[] {
  const scenarios = loadScenarios().map((s) => ({ name: s.name, dir: s.dir, description: s.description, args: sharedArgs(s.args), env: s.env, chmod: s.chmod }));
  const own = readdirSync(FIX_FIXTURE_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(FIX_FIXTURE_DIR, entry.name);
      const raw = JSON.parse(readFileSync(join(dir, 'fix.json'), 'utf8')) as { description: string; args?: string[]; env?: Record<string, string | null>; chmod?: Record<string, string> };
      return { name: `fix/${entry.name}`, dir, description: raw.description, args: raw.args ?? [], env: raw.env ?? {}, chmod: raw.chmod ?? {} };
    });
  return [...scenarios, ...own];
}

export interface Prepared {
  root: string;
  home: string;
  env: Record<string, string>;
  args: string[];
}

/** Copies a fixture to a fresh folder under tmpRoot, applies its chmod to the copy, and builds the clean env. */
export function prepareFixture(fixture: FixFixture, tmpRoot: string): Prepared {
  const root = join(tmpRoot, fixture.name.replace('/', '-'));
  cpSync(fixture.dir, root, { recursive: true });
  const home = join(root, 'home');
  mkdirSync(join(home, '.codex'), { recursive: true });
  for (const [path, mode] of Object.entries(fixture.chmod)) chmodSync(join(root, path), parseInt(mode, 8));
  const vars = { home, root };
  const extra = Object.fromEntries(Object.entries(fixture.env).map(([key, value]) => [key, value === null ? null : substitute(value, vars)]));
  return { root, home, env: cleanEnv(root, extra), args: fixture.args.map((arg) => substitute(arg, vars)) };
}

let copies = 0;
/** A fresh copy of the named fixture, in its own folder under tmpRoot, for one test. */
export function freshCopy(name: string, tmpRoot: string): Prepared {
  const fixture = loadFixFixtures().find((candidate) => candidate.name === name);
  if (!fixture) throw new Error(`no fixture ${name}`);
  copies += 1;
  return prepareFixture(fixture, mkdtempSync(join(tmpRoot, `t${copies}-`)));
}

export function runFixIn(prepared: Prepared, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['fix', ...args, ...prepared.args], { ...prepared.env, ...extraEnv }, prepared.root);
}

export function runDoctorOffline(prepared: Prepared): Promise<CliRun> {
  return runCli(['doctor', '--json', '--offline', ...prepared.args], prepared.env, prepared.root);
}

export interface FileState {
  bytes: Buffer | null;
  mode: number;
  link: string | null;
}

/** Every file and symlink under root (relative path → bytes, mode, link target). */
export function snapshot(root: string): Map<string, FileState> {
  const files = new Map<string, FileState>();
  const walk = (folder: string) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) files.set(relative(root, path), { bytes: null, mode: stat.mode & 0o7777, link: readlinkSync(path) });
      else if (stat.isDirectory()) walk(path);
      else files.set(relative(root, path), { bytes: readFileSync(path), mode: stat.mode & 0o7777, link: null });
    }
  };
  walk(root);
  return files;
}

/** Files fix leaves beside the ones it changes: backups and the manifest --undo reads. */
export const isFixBookkeeping = (path: string) => /\.bak-\d{8}T\d{6}Z(-\d+)?$/.test(path) || /\.codex-bedrock-fix-[^/]*\.json$/.test(path);

/** The files of a snapshot without fix's backups, manifest and temporary files. */
export const withoutBookkeeping = (files: Map<string, FileState>) => new Map([...files].filter(([path]) => !isFixBookkeeping(path) && !/\.codex-bedrock-\d+\.tmp$/.test(path)));

/**
 * Applies a unified diff as fix prints it to the original bytes: context and removed lines must match the
 * original exactly; " ␍" at the end of a shown line stands for a CR before the newline, and "\ No newline at
 * end of file" removes the newline of the line before it.
 */
export function applyUnifiedDiff(original: Buffer | null, diff: string): Buffer {
  const source = original === null ? [] : (original.toString('utf8').match(/[^\n]*\n|[^\n]+$/g) ?? []);
  const bom = source.length > 0 && source[0]!.startsWith('\uFEFF') ? '\uFEFF' : '';
  if (bom) source[0] = source[0]!.slice(1);
  const shownLines = diff.split('\n');
  const output: string[] = [];
  let cursor = 0;
  let index = shownLines.findIndex((line) => line.startsWith('@@'));
  const decode = (text: string) => (text.endsWith(' ␍') ? `${text.slice(0, -2)}\r\n` : `${text}\n`);
  while (index >= 0 && index < shownLines.length) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(shownLines[index]!);
    if (!header) break;
    const oldStart = Number(header[1]);
    const oldCount = Number(header[2]);
    const firstOld = oldCount === 0 ? oldStart : oldStart - 1;
    while (cursor < firstOld) output.push(source[cursor++]!);
    index += 1;
    while (index < shownLines.length && !shownLines[index]!.startsWith('@@') && shownLines[index] !== '') {
      const line = shownLines[index]!;
      if (line.startsWith('\\ No newline')) {
        output[output.length - 1] = output[output.length - 1]!.replace(/\r?\n$/, '');
        index += 1;
        continue;
      }
      const kind = line[0];
      const text = decode(line.slice(1));
      if (kind === ' ' || kind === '-') {
        const actual = source[cursor] ?? '';
        const expectedOld = shownLines[index + 1]?.startsWith('\\ No newline') ? text.replace(/\r?\n$/, '') : text;
        if (actual !== expectedOld) throw new Error(`diff does not match the original at line ${cursor + 1}: ${JSON.stringify(actual)} vs ${JSON.stringify(expectedOld)}`);
        cursor += 1;
        if (kind === ' ') output.push(actual);
      } else if (kind === '+') output.push(text);
      else throw new Error(`unexpected diff line ${JSON.stringify(line)}`);
      index += 1;
    }
  }
  while (cursor < source.length) output.push(source[cursor++]!);
  return Buffer.from(bom + output.join(''), 'utf8');
}
