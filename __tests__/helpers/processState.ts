import { existsSync, readFileSync } from 'node:fs';

/** A process's state letter from /proc (R, S, Z...), or 'gone' when it no longer exists. */
export function processState(pid: string): string {
  const stat = `/proc/${pid}/stat`;
  if (!/^\d+$/.test(pid) || !existsSync(stat)) return 'gone';
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] ?? 'gone';
  } catch {
    return 'gone';
  }
}

/**
 * Waits (bounded) until a killed process is no longer running: SIGKILL is delivered asynchronously, so right
 * after the kill a loaded machine may still show it running for a moment. Returns the last state seen.
 */
export async function stateAfterKill(pid: string): Promise<string> {
  let state = processState(pid);
  for (let i = 0; i < 100 && !['gone', 'Z', 'X'].includes(state); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = processState(pid);
  }
  return state;
}
