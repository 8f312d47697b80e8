import { posix, win32 } from 'node:path';
import type { FileReader } from '../io/files.js';
import type { ShellEnv } from '../resolve/environment.js';
import { parseVersion } from './version.js';

/**
 * Finds the Codex installations on this machine and, where the files say it, their version, without starting
 * any of them: `codex --version` of the npm package costs about as much as a whole offline doctor run, and the
 * version sits in a file beside every common layout. Pure over its probes, so every layout is a unit test.
 */
export type CodexInstallKind = 'npm' | 'native' | 'homebrew' | 'desktop-app' | 'ide-extension';

export interface CodexInstall {
  kind: CodexInstallKind;
  /** What runs: the PATH entry, or the binary inside an app or extension bundle. */
  path: string;
  /** The file the symlinks lead to, when it differs from path. */
  resolvedPath: string | null;
  /** The Codex release, when a file says it; null means only `codex --version` can tell. */
  version: string | null;
  /** Where the version was read, in the user's words. */
  versionFrom: string | null;
  /** True for the `codex` a shell would run (the first match on PATH). */
  onPath: boolean;
}

export interface CodexDetection {
  /** The PATH that was searched (the shell's, not the .env overlay: Codex reads .env after the shell chose it). */
  searchedPath: string;
  installs: CodexInstall[];
}

export interface DetectProbes {
  platform: NodeJS.Platform;
  shellEnv: ShellEnv;
  homeDir: string;
  isExecutableFile: (path: string) => boolean;
  /** Follows symlinks; null when the path does not resolve. */
  realpath: (path: string) => string | null;
  readFile: FileReader;
  /** Names in a folder; [] when it is missing or unreadable. */
  listDir: (path: string) => string[];
}

const pathApi = (platform: NodeJS.Platform) => (platform === 'win32' ? win32 : posix);

/** The executables a shell would consider for `codex`, in PATH order (PATHEXT on Windows). */
export function codexCandidatesOnPath(platform: NodeJS.Platform, shellEnv: ShellEnv): { searchedPath: string; candidates: string[] } {
  const path = pathApi(platform);
  const searchedPath = (platform === 'win32' ? (shellEnv['Path'] ?? shellEnv['PATH']) : shellEnv['PATH']) ?? '';
  const dirs = searchedPath.split(platform === 'win32' ? ';' : ':').filter((dir) => dir.trim() !== '');
  const names =
    platform === 'win32'
      ? (shellEnv['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD')
          .split(';')
          .filter(Boolean)
          .map((ext) => `codex${ext.toLowerCase()}`)
      : ['codex'];
  return { searchedPath, candidates: dirs.flatMap((dir) => names.map((name) => path.join(dir, name))) };
}

function readJson(readFile: FileReader, file: string): Record<string, unknown> | null {
  const read = readFile(file);
  if (read.status !== 'ok') return null;
  try {
    const parsed: unknown = JSON.parse(read.text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const validVersion = (value: unknown): string | null => (typeof value === 'string' && parseVersion(value) ? value.trim() : null);

/**
 * The version a bundle's files state, by layout:
 * - npm (`npm install -g @openai/codex`): the launcher is `<pkg>/bin/codex.js`; `<pkg>/package.json` names
 *   `@openai/codex` and its version. On Windows, npm's `codex.cmd` shim sits beside `node_modules/@openai/codex`.
 * - the native package (`@openai/codex-<platform>` vendor folder, also what the standalone installer lays
 *   down): `<root>/bin/codex` with `<root>/codex-package.json` holding `version`.
 * - Homebrew's cask: `.../Caskroom/codex/<version>/codex-<target>`.
 */
function versionFromLayout(platform: NodeJS.Platform, launcher: string, resolved: string, readFile: FileReader): { kind: CodexInstallKind; version: string | null; versionFrom: string | null } {
  const path = pathApi(platform);
  const npmPackages = [path.dirname(path.dirname(resolved))];
  if (platform === 'win32') npmPackages.push(path.join(path.dirname(launcher), 'node_modules', '@openai', 'codex'));
  if (path.basename(resolved) === 'codex.js' || platform === 'win32') {
    for (const pkgDir of npmPackages) {
      const manifestPath = path.join(pkgDir, 'package.json');
      const manifest = readJson(readFile, manifestPath);
      if (manifest?.['name'] === '@openai/codex') {
        const version = validVersion(manifest['version']);
        return { kind: 'npm', version, versionFrom: version ? manifestPath : null };
      }
    }
  }
  const nativeManifestPath = path.join(path.dirname(path.dirname(resolved)), 'codex-package.json');
  const native = readJson(readFile, nativeManifestPath);
  if (native) {
    const version = validVersion(native['version']);
    return { kind: 'native', version, versionFrom: version ? nativeManifestPath : null };
  }
  const cask = /[\\/]Caskroom[\\/]codex[\\/]([^\\/]+)[\\/]/.exec(resolved);
  if (cask) {
    const version = validVersion(cask[1]);
    return { kind: 'homebrew', version, versionFrom: version ? `the Homebrew cask folder ${path.dirname(resolved)}` : null };
  }
  return { kind: 'native', version: null, versionFrom: null };
}

/** Where the desktop app keeps its bundled Codex binary (assumed from the app bundles' conventions). */
function desktopAppBinaries(probes: DetectProbes): string[] {
  const { platform, homeDir, shellEnv } = probes;
  if (platform === 'darwin') {
    return ['/Applications/Codex.app', posix.join(homeDir, 'Applications', 'Codex.app')].map((app) => posix.join(app, 'Contents', 'Resources', 'codex'));
  }
  if (platform === 'win32') {
    const local = shellEnv['LOCALAPPDATA'] ?? (shellEnv['USERPROFILE'] ? win32.join(shellEnv['USERPROFILE'], 'AppData', 'Local') : null);
    return local ? [win32.join(local, 'Programs', 'Codex', 'resources', 'codex.exe')] : [];
  }
  return [];
}

/** Extension folders of VS Code and its forks; the Codex extension is `openai.chatgpt-<version>[-<platform>]`. */
const EDITOR_EXTENSION_DIRS = ['.vscode', '.vscode-insiders', '.vscode-server', '.cursor', '.windsurf', '.vscode-oss'];

function ideExtensionBinaries(probes: DetectProbes): string[] {
  const path = pathApi(probes.platform);
  const binaryName = probes.platform === 'win32' ? 'codex.exe' : 'codex';
  const home = probes.platform === 'win32' ? (probes.shellEnv['USERPROFILE'] ?? probes.homeDir) : probes.homeDir;
  const found: string[] = [];
  for (const editor of EDITOR_EXTENSION_DIRS) {
    const extensions = path.join(home, editor, 'extensions');
    // Newest extension first, so the report names the one the editor most likely loads.
    const bundles = probes
      .listDir(extensions)
      .filter((name) => name.startsWith('openai.chatgpt-'))
      .sort()
      .reverse();
    for (const bundle of bundles) {
      const bin = path.join(extensions, bundle, 'bin');
      for (const target of probes.listDir(bin)) found.push(path.join(bin, target, binaryName));
    }
  }
  return found;
}

export function detectCodexInstalls(probes: DetectProbes): CodexDetection {
  const { searchedPath, candidates } = codexCandidatesOnPath(probes.platform, probes.shellEnv);
  const installs: CodexInstall[] = [];
  const onPath = candidates.find((candidate) => probes.isExecutableFile(candidate));
  if (onPath) {
    const resolved = probes.realpath(onPath) ?? onPath;
    installs.push({ ...versionFromLayout(probes.platform, onPath, resolved, probes.readFile), path: onPath, resolvedPath: resolved === onPath ? null : resolved, onPath: true });
  }
  const bundled: [CodexInstallKind, string[]][] = [
    ['desktop-app', desktopAppBinaries(probes)],
    ['ide-extension', ideExtensionBinaries(probes)],
  ];
  for (const [kind, paths] of bundled) {
    for (const binary of paths.filter((candidate) => probes.isExecutableFile(candidate))) {
      const resolved = probes.realpath(binary) ?? binary;
      const layout = versionFromLayout(probes.platform, binary, resolved, probes.readFile);
      installs.push({ kind, path: binary, resolvedPath: resolved === binary ? null : resolved, version: layout.version, versionFrom: layout.versionFrom, onPath: false });
    }
  }
  return { searchedPath, installs };
}
