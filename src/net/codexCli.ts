
export type CodexVersionResult = { ok: true; output: string } | { ok: false; reason: string };

/** Runs `<path> --version` once, bounded: the only program the doctor ever starts from PATH. */
export async function readCodexVersion(path: string, timeoutMs: number): Promise<CodexVersionResult> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, output: `${stdout}`.trim() });
      const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      if (failure.killed) return resolve({ ok: false, reason: `it did not answer within ${Math.round(timeoutMs / 1000)} s` });
      const detail = `${stderr}`.trim().split('\n')[0];
      resolve({ ok: false, reason: `it exited with ${typeof failure.code === 'number' ? `status ${failure.code}` : (failure.code ?? 'an error')}${detail ? `: ${detail}` : ''}` });
    });
  });
}
