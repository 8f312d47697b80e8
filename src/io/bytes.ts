import { readFileSync, statSync } from 'node:fs';
import { MAX_FILE_BYTES } from './files.js';

/** Raw bytes of a regular file within the size cap, for the one reader that decodes line by line (.env). */
export type ByteReader = (path: string) => { bytes: Buffer; mode: number } | null;

export const readBytesFromDisk: ByteReader = (path) => {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return null;
    return { bytes: readFileSync(path), mode: stat.mode };
  } catch {
    return null;
  }
};
