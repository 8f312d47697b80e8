import { chmodSync, closeSync, constants, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeTarget, type SafetyRules } from './safety.js';

/** One file's planned change: new text (null `before`: the file is created) and/or a new mode. */
export interface FileChange {
  path: string;
  before: string | null;
  after: string;
  /** A new mode (chmod 600 for a .env holding secrets); null keeps the file's mode. */
  newMode: number | null;
}

/** What `fix --undo` reads back: one entry per file a run changed, in the order it changed them. */
interface Manifest {
  stamp: string;
  files: { path: string; backup: string | null; mode: number | null; created: boolean }[];
}

export class FixIoError extends Error {}

/**
 * Test-only hooks for the interrupted-write tests, honoured only when CODEX_BEDROCK_TEST_MODE=1 is also set:
 * `crash-before-rename` kills the process (SIGKILL) after every temporary file is written and fsynced and
 * before the first rename; `fail-rename:N` makes the N-th rename fail like a full disk would.
 */
export const TEST_MODE_ENV = 'CODEX_BEDROCK_TEST_MODE';
export const TEST_HOOK_ENV = 'CODEX_BEDROCK_TEST_FIX_HOOK';

export interface ApplyContext {
  safety: SafetyRules;
  now: Date;
  testHook: string | null;
}

export interface Applied {
  stamp: string;
  manifest: string;
  backups: string[];
  createdHome: boolean;
}

const MANIFEST = /^\.codex-bedrock-fix-(\d{8}T\d{6}Z(?:-\d+)?)\.json$/;

/** `20261201T104512Z`: UTC, sortable, and valid in a file name everywhere. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeDurably(path: string, data: string | Buffer, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode);
}

function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.codex-bedrock-${process.pid}.tmp`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function claimManifest(home: string, stamp: string): { path: string; stamp: string } {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? stamp : `${stamp}-${n}`;
    const path = join(home, `.codex-bedrock-fix-${candidate}.json`);
    if (!existsSync(path)) return { path, stamp: candidate };
  }
}

/** Replaces a file's content and mode from a backup through a temporary file and a rename. */
function restoreFrom(backup: string, target: string, mode: number): void {
  const temp = tempPath(target);
  removeQuietly(temp);
  writeDurably(temp, readFileSync(backup), mode);
  renameSync(temp, target);
}

/**
 * Applies every change or none. First everything that can fail without touching a file: safety rules, the
 * files still holding what was planned, backups (`<file>.bak-<stamp>`, mode 600) and a manifest for --undo,
 * temporary files written and fsynced beside their targets. Then the renames (each atomic); if one fails,
 * the files already renamed are restored from their backups, so a failure leaves every file as it was.
 */
export function applyChanges(changes: readonly FileChange[], context: ApplyContext): Applied {
  const home = context.safety.codexHome;
  let createdHome = false;
  if (!existsSync(home)) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    createdHome = true;
  }
  const claimed = claimManifest(home, backupStamp(context.now));
  const staged: { change: FileChange; target: string; temp: string | null; backup: string | null; mode: number | null; finalMode: number }[] = [];
  const manifest: Manifest = { stamp: claimed.stamp, files: [] };
  const undoStaging = () => {
    staged.forEach((entry) => {
      if (entry.temp) removeQuietly(entry.temp);
      if (entry.backup) removeQuietly(entry.backup);
    });
    removeQuietly(claimed.path);
    if (createdHome) {
      try {
        rmdirSync(home);
      } catch {
        // not empty: leave it
      }
    }
  };
  try {
    for (const change of changes) {
      const target = writeTarget(change.path, context.safety);
      if (!target.ok) throw new FixIoError(`refused: ${target.reason}`);
      const current = target.exists ? readFileSync(target.path) : null;
      const planned = change.before === null ? null : Buffer.from(change.before, 'utf8');
      if ((current === null) !== (planned === null) || (current && planned && !current.equals(planned))) {
        throw new FixIoError(`${change.path} changed since the plan was made; run fix again`);
      }
      const backup = target.exists ? `${target.path}.bak-${claimed.stamp}` : null;
      if (backup) {
        copyFileSync(target.path, backup, constants.COPYFILE_EXCL);
        chmodSync(backup, 0o600);
      }
      const finalMode = change.newMode ?? target.mode ?? 0o600;
      const entry = { change, target: target.path, temp: null as string | null, backup, mode: target.mode, finalMode };
      staged.push(entry);
      manifest.files.push({ path: target.path, backup, mode: target.mode, created: !target.exists });
      if (change.before !== change.after) {
        entry.temp = tempPath(target.path);
        removeQuietly(entry.temp);
        writeDurably(entry.temp, change.after, finalMode);
      }
    }
    writeDurably(claimed.path, `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  } catch (error) {
    undoStaging();
    throw error instanceof FixIoError ? error : new FixIoError(describe(error));
  }

  if (context.testHook === 'crash-before-rename') process.kill(process.pid, 'SIGKILL');
  const failAt = /^fail-rename:(\d+)$/.exec(context.testHook ?? '')?.[1];
  const done: typeof staged = [];
  try {
    staged.forEach((entry, index) => {
      if (failAt !== undefined && index + 1 === Number(failAt)) throw Object.assign(new Error('simulated rename failure (test hook)'), { code: 'EIO' });
      if (entry.temp) renameSync(entry.temp, entry.target);
      else chmodSync(entry.target, entry.finalMode);
      done.push(entry);
    });
  } catch (error) {
    for (const entry of [...done].reverse()) {
      if (entry.backup) restoreFrom(entry.backup, entry.target, entry.mode ?? 0o600);
      else removeQuietly(entry.target);
    }
    undoStaging();
    throw new FixIoError(`${describe(error)}; every file was restored as it was`);
  }
  new Set(staged.map((entry) => dirname(entry.target))).forEach((folder) => fsyncPath(folder));
  return { stamp: claimed.stamp, manifest: claimed.path, backups: staged.flatMap((entry) => (entry.backup ? [entry.backup] : [])), createdHome };
}

function describe(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  return err.code ? `${err.message.replace(/^\w+: /, '')}` : String(err.message ?? error);
}

export interface Undone {
  stamp: string;
  restored: string[];
  removed: string[];
}

/** Restores the files of the newest fix run from its backups (removing files it created); null when there is none. */
export function undoLastRun(safety: SafetyRules): Undone | null {
  let names: string[];
  try {
    names = readdirSync(safety.codexHome);
  } catch {
    return null;
  }
  const newest = names.filter((name) => MANIFEST.test(name)).sort().at(-1);
  if (!newest) return null;
  const manifestPath = join(safety.codexHome, newest);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const restored: string[] = [];
  const removed: string[] = [];
  for (const file of [...manifest.files].reverse()) {
    if (file.created) {
      if (existsSync(file.path)) {
        unlinkSync(file.path);
        removed.push(file.path);
      }
      continue;
    }
    const target = writeTarget(file.path, safety);
    if (!target.ok && existsSync(file.path)) throw new FixIoError(`refused to restore: ${target.reason}`);
    restoreFrom(file.backup!, file.path, file.mode ?? 0o600);
    restored.push(file.path);
  }
  manifest.files.forEach((file) => file.backup && removeQuietly(file.backup));
  unlinkSync(manifestPath);
  return { stamp: manifest.stamp, restored, removed };
}
