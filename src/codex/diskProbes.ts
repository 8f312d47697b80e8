import { readdirSync, realpathSync } from 'node:fs';
import { isExecutableFile, readFileFromDisk } from '../io/files.js';
import type { ShellEnv } from '../resolve/environment.js';
import type { DetectProbes } from './detect.js';

/** The detection probes on the real disk: what a shell and the installers' files say, nothing started. */
export function diskProbes(platform: NodeJS.Platform, shellEnv: ShellEnv, homeDir: string): DetectProbes {
  return {
    platform,
    shellEnv,
    homeDir,
    isExecutableFile,
    realpath: (path) => {
      try {
        return realpathSync(path);
      } catch {
        return null;
      }
    },
    readFile: readFileFromDisk,
    listDir: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}
