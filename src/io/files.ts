import { accessSync, constants, readFileSync, statSync } from 'node:fs';

/**
 * Reading a file the doctor looks at. Every way a read can go wrong becomes data with a sentence a person
 * can act on, so a check never crashes on a binary, huge, unreadable or looping file.
 */
export type FileRead =
  | { status: 'ok'; path: string; text: string; mode: number; size: number }
  | { status: 'missing'; path: string }
  | { status: 'unreadable'; path: string; reason: string };

export type FileReader = (path: string) => FileRead;

/** Codex config and .env files are a few kilobytes; anything far larger is not one. */
export const MAX_FILE_BYTES = 1024 * 1024;

export function describeFsError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the current user cannot read it)';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ELOOP':
      return 'it is a symbolic link loop';
    case 'ENOTDIR':
      return 'a parent of this path is a file, not a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return `it could not be read (${error.code ?? 'unknown error'})`;
  }
}

/** Turns raw bytes into text, refusing what a text config file cannot be. */
export function decodeText(bytes: Buffer): { ok: true; text: string } | { ok: false; reason: string } {
  if (bytes.includes(0)) return { ok: false, reason: 'it is a binary file (it contains NUL bytes), not text' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    // A byte-order mark is kept: Codex's .env reader does not strip it (and so drops the first line).
    return { ok: true, text };
  } catch {
    return { ok: false, reason: 'it is not valid UTF-8 text' };
  }
}

export const readFileFromDisk: FileReader = (path) => {
  let size: number;
  let mode: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return { status: 'unreadable', path, reason: 'it is a directory, not a file' };
    // A FIFO or device would block or never end; config files are regular files.
    if (!stat.isFile()) return { status: 'unreadable', path, reason: 'it is not a regular file' };
    size = stat.size;
    mode = stat.mode;
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { status: 'missing', path };
    return { status: 'unreadable', path, reason: describeFsError(err) };
  }
  if (size > MAX_FILE_BYTES) {
    return { status: 'unreadable', path, reason: `it is ${size} bytes, far larger than a configuration file (limit ${MAX_FILE_BYTES})` };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return { status: 'unreadable', path, reason: describeFsError(error as NodeJS.ErrnoException) };
  }
  const decoded = decodeText(bytes);
  if (!decoded.ok) return { status: 'unreadable', path, reason: decoded.reason };
  return { status: 'ok', path, text: decoded.text, mode, size };
};

export type DirectoryState = 'directory' | 'missing' | 'not-a-directory' | 'unreadable';

export function directoryState(path: string): DirectoryState {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'not-a-directory';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
}

/** True when the path is a regular file this process may execute (how a shell decides what PATH finds). */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
