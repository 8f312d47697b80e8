import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

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

/**
 * Opens without blocking and checks what was opened, not what a path looked like a moment before: a FIFO (or a
 * device) must never be read, because a blocked open() or read() sits in libuv's thread pool, where no timer can
 * interrupt it and even process.exit() waits for it. O_NONBLOCK makes open() of a FIFO return at once.
 */
export const readFileFromDisk: FileReader = (path) => {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { status: 'missing', path };
    return { status: 'unreadable', path, reason: describeFsError(err) };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { status: 'unreadable', path, reason: 'it is a directory, not a file' };
    if (!stat.isFile()) return { status: 'unreadable', path, reason: notRegularReason(stat) };
    if (stat.size > MAX_FILE_BYTES) {
      return { status: 'unreadable', path, reason: `it is ${stat.size} bytes, far larger than a configuration file (limit ${MAX_FILE_BYTES})` };
    }
    // Read at most one byte past the cap, whatever the size said: a file can grow between fstat and read.
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_FILE_BYTES) return { status: 'unreadable', path, reason: `it is larger than a configuration file (limit ${MAX_FILE_BYTES} bytes)` };
    const decoded = decodeText(buffer.subarray(0, length));
    if (!decoded.ok) return { status: 'unreadable', path, reason: decoded.reason };
    return { status: 'ok', path, text: decoded.text, mode: stat.mode, size: length };
  } catch (error) {
    return { status: 'unreadable', path, reason: describeFsError(error as NodeJS.ErrnoException) };
  } finally {
    closeSync(fd);
  }
};

function notRegularReason(stat: Stats): string {
  if (stat.isFIFO()) return 'it is a named pipe (FIFO), not a regular file; reading it would wait for a writer forever';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'it is a device, not a regular file';
  if (stat.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

/**
 * For files another library (the AWS SDK) will read on its own, with a plain blocking read and no size cap:
 * the first one that exists but is not a small regular file, with the reason. Missing files are fine here.
 */
export function firstUnsafeFile(paths: readonly (string | undefined)[]): { path: string; reason: string } | null {
  for (const path of paths) {
    if (!path) continue;
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') continue;
      return { path, reason: describeFsError(err) };
    }
    if (stat.isDirectory()) continue;
    if (!stat.isFile()) return { path, reason: notRegularReason(stat) };
    if (stat.size > MAX_FILE_BYTES) return { path, reason: `it is ${stat.size} bytes, far larger than a configuration or token file (limit ${MAX_FILE_BYTES})` };
  }
  return null;
}

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
