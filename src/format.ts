/** Small formatting helpers shared by the checks (times, durations, public parts of credentials). */

export const formatTime = (d: Date): string => d.toISOString().replace('.000Z', 'Z');

/** Human duration such as "3 h 5 min" or "42 s"; at most two units so messages stay one line. */
export function formatDuration(ms: number): string {
  let s = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['min', 60], ['s', 1]] as const) {
    if (s >= size && parts.length < 2) {
      parts.push(`${Math.floor(s / size)} ${unit}`);
      s %= size;
    } else if (parts.length > 0) break;
  }
  return parts.length ? parts.join(' ') : '0 s';
}

/** An access key id may be shown as its first 4 and last 4 characters (SPEC section 5). */
export const accessKeyHint = (akid: string): string => (akid.length >= 8 ? `${akid.slice(0, 4)}…${akid.slice(-4)}` : `${akid.slice(0, 4)}…`);
