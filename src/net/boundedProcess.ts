import type { ChildProcess } from 'node:child_process';

/**
 * Runs a credential helper (credential_process, aws.credential_export, the provider auth command) once, the
 * way the doctor may run anything a user configured: in its own process group, stdin closed, bounded by a
 * timeout, output capped, and killed with its whole group on timeout, when the doctor exits, or on Ctrl-C.
 */
export interface ProcessRun {
  /** Exit status; null when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started (ENOENT, EACCES...). */
  spawnError?: string;
  /** More than maxOutputBytes was printed; the rest was dropped. */
  truncated: boolean;
}

export interface ProcessSpec {
  file: string;
  args: readonly string[];
  env: Record<string, string>;
  timeoutMs: number;
  cwd?: string;
  /** Credential JSON and tokens are a few kilobytes; anything far larger is not one. */
  maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT = 256 * 1024;
const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => running.forEach(killGroup));
  // Only while a helper runs does Ctrl-C need more than Node's default: kill the helper's group, then exit as interrupted.
  process.on('SIGINT', () => {
    running.forEach(killGroup);
    process.exit(130);
  });
}

export function describeRun(run: ProcessRun, timeoutMs: number): string {
  if (run.spawnError) return `it could not be started (${run.spawnError})`;
  if (run.truncated) return 'it printed far more than a credential and was stopped';
  if (run.timedOut) return `it did not finish within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 100) / 10} s` : `${timeoutMs} ms`} and was killed`;
  if (run.signal) return `it was killed by ${run.signal}`;
  return `exit status ${run.code}`;
}

export async function runBounded(spec: ProcessSpec): Promise<ProcessRun> {
  const { spawn } = await import('node:child_process');
  const cap = spec.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  installExitHooks();
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let truncated = false;
    let timedOut = false;
    let child: ChildProcess;
    try {
      child = spawn(spec.file, [...spec.args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: spec.env, windowsHide: true, ...(spec.cwd ? { cwd: spec.cwd } : {}) });
    } catch (error) {
      resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: '', timedOut: false, truncated: false, spawnError: (error as NodeJS.ErrnoException).code ?? String(error) });
      return;
    }
    running.add(child);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, spec.timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (stdoutBytes + chunk.length > cap) {
        truncated = true;
        stdout.push(chunk.subarray(0, Math.max(0, cap - stdoutBytes)));
        stdoutBytes = cap;
        killGroup(child);
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 16 * 1024) stderr += chunk.toString('utf8');
    });
    let spawnError: string | undefined;
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      running.delete(child);
      resolve({
        code: spawnError ? null : code,
        signal: spawnError ? null : signal,
        stdout: Buffer.concat(stdout),
        stderr: stderr.slice(0, 16 * 1024),
        timedOut,
        truncated,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error.code ?? error.message;
      // A program that never started emits no 'close'.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
  });
}
