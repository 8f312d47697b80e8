import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** Where a planned write may land, or why fix leaves that file alone. */
export type WriteTarget = { ok: true; path: string; exists: boolean; mode: number | null } | { ok: false; reason: string };

export interface SafetyRules {
  codexHome: string;
  /** Codex's managed config: set by an administrator, never by this tool. */
  managedConfigPath: string;
  /** The user fix runs as (process.getuid()); files owned by anyone else are refused. */
  uid: number | null;
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Decides whether fix may write `path`: it must lie in the Codex home (after following symlinks, so a link
 * into ~/dotfiles elsewhere is refused), be a regular file owned by the user and writable by its owner (a file
 * made read-only was made so on purpose), and never be the managed config. A missing file may be created when
 * its folder is the Codex home (or the Codex home is still to be created).
 */
export function writeTarget(path: string, rules: SafetyRules): WriteTarget {
  const home = realOrSelf(resolve(rules.codexHome));
  const managed = realOrSelf(resolve(rules.managedConfigPath));
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, reason: `${path} cannot be inspected (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    const folder = realOrSelf(dirname(resolve(path)));
    if (!inside(home, folder)) return { ok: false, reason: `${path} would be created outside the Codex home ${rules.codexHome}` };
    return { ok: true, path: join(folder, basename(path)), exists: false, mode: null };
  }
  let target = resolve(path);
  if (stat.isSymbolicLink()) {
    try {
      target = realpathSync(path);
      stat = statSync(target);
    } catch {
      return { ok: false, reason: `${path} is a symbolic link that leads nowhere` };
    }
    if (!inside(home, target)) return { ok: false, reason: `${path} is a symbolic link to ${target}, outside the Codex home; fix does not follow it` };
  } else if (!inside(home, realOrSelf(target))) {
    return { ok: false, reason: `${path} is outside the Codex home ${rules.codexHome}` };
  }
  if (target === managed || resolve(path) === resolve(rules.managedConfigPath)) return { ok: false, reason: `${path} is Codex's managed config, which only its administrator changes` };
  if (!stat.isFile()) return { ok: false, reason: `${path} is not a regular file` };
  if (rules.uid !== null && stat.uid !== rules.uid) return { ok: false, reason: `${path} belongs to another user (uid ${stat.uid}); fix only edits your own files` };
  if ((stat.mode & 0o200) === 0) return { ok: false, reason: `${path} is read-only (mode ${(stat.mode & 0o777).toString(8)}); fix leaves files made read-only alone` };
  return { ok: true, path: target, exists: true, mode: stat.mode & 0o7777 };
}
