import { dirname, join, resolve } from 'node:path';
import type { DirectoryState, FileReader } from '../io/files.js';
import { fileLayer, isTable, lookupConfig, type ConfigLayer } from './config.js';

/**
 * Codex's project config: `.codex/config.toml` in every folder from the project root (the nearest folder
 * with `.git`, else the working folder alone) down to the working folder, the nearest one highest. Codex
 * loads a folder's file only when that folder or the project root is trusted in the user config
 * (`[projects."<path>"] trust_level = "trusted"`): trust on the working folder loads its own file, not the
 * root's; trust on a parent above the root counts for nothing (observed with Codex 0.169.0). Codex drops
 * `model_provider` and `model_providers` from project files, with a warning.
 */
export interface ProjectConfig {
  cwd: string;
  /** The folder with `.git`, or null when there is none up to the file system root. */
  root: string | null;
  /** The project root is trusted: every project file is loaded. */
  trusted: boolean;
  /** Project config files that exist but that Codex ignores because neither their folder nor the root is trusted. */
  untrustedFiles: string[];
  layers: ConfigLayer[];
}

/** Keys Codex refuses to take from a project file. */
export const PROJECT_DROPPED_KEYS = ['model_provider', 'model_providers'];

function findRoot(cwd: string, directoryState: (path: string) => DirectoryState): string | null {
  for (let folder = cwd; ; folder = dirname(folder)) {
    // `.git` may be a folder or, in a worktree or submodule, a file.
    if (directoryState(join(folder, '.git')) !== 'missing') return folder;
    if (dirname(folder) === folder) return null;
  }
}

export function discoverProjectConfig(input: {
  cwd: string;
  readFile: FileReader;
  directoryState: (path: string) => DirectoryState;
  /** The layers that may hold `[projects."<path>"]` trust entries (user, profile, -c). */
  trustLayers: readonly ConfigLayer[];
  /** The user config file: when the working folder is the home folder, it is not also a project file. */
  userConfigPath: string;
}): ProjectConfig {
  const cwd = resolve(input.cwd);
  const root = findRoot(cwd, input.directoryState);
  const trustOf = (folder: string) => lookupConfig(input.trustLayers, ['projects', folder, 'trust_level'])?.value;
  const trusted = trustOf(root ?? cwd) === 'trusted';
  const folders: string[] = [];
  for (let folder = cwd; ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (root === null || folder === root || dirname(folder) === folder) break;
  }
  const present = folders
    .map((folder) => ({ folder, path: join(folder, '.codex', 'config.toml') }))
    .filter(({ path }) => resolve(path) !== resolve(input.userConfigPath) && input.readFile(path).status !== 'missing');
  const loads = ({ folder }: { folder: string }) => trusted || trustOf(folder) === 'trusted';
  const untrustedFiles = present.filter((file) => !loads(file)).map(({ path }) => path);
  const layers = present.filter(loads).map(({ path }) => {
    const layer = fileLayer('project', path, input.readFile);
    const dropped = PROJECT_DROPPED_KEYS.filter((key) => layer.table[key] !== undefined);
    if (dropped.length === 0) return layer;
    const table = Object.fromEntries(Object.entries(layer.table).filter(([key]) => !PROJECT_DROPPED_KEYS.includes(key)));
    return { ...layer, table: isTable(table) ? table : {}, dropped };
  });
  return { cwd, root, trusted, untrustedFiles, layers };
}
