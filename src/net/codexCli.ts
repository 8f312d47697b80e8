export type CodexVersionResult = { ok: true; output: string } | { ok: false; reason: string };

/**
 * Runs `<path> --version` once, bounded: the only program the doctor ever starts from PATH. It runs in its own
 * process group, so a wrapper script that hangs is killed together with whatever it started.
 */
export async function readCodexVersion(path: string, timeoutMs: number): Promise<CodexVersionResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(path, ['--version'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(0, 64 * 1024)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(0, 64 * 1024)));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `it could not be started (${error.code ?? error.message})` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, reason: `it did not answer within ${Math.round(timeoutMs / 1000)} s` });
      if (code === 0) return resolve({ ok: true, output: stdout.trim() });
      const detail = stderr.trim().split('\n')[0];
      resolve({ ok: false, reason: `it exited with ${code === null ? 'a signal' : `status ${code}`}${detail ? `: ${detail}` : ''}` });
    });
  });
}
