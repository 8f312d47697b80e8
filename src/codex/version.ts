/**
 * Codex release numbers ("0.171.0", "0.128.0-alpha.1"). Codex ships about one release a week, and the
 * doctor's rules differ by release, so versions are compared numerically, never as strings.
 */
export interface ReleaseVersion {
  major: number;
  minor: number;
  patch: number;
  /** "alpha.1" for 0.128.0-alpha.1; a pre-release sorts before its release. */
  prerelease: string | null;
}

const VERSION = /^v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:-([0-9A-Za-z.-]{1,40}))?$/;

export function parseVersion(text: string): ReleaseVersion | null {
  const match = VERSION.exec(text.trim());
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? null };
}

/** The first x.y.z in a line such as "codex-cli 0.171.0" (what `codex --version` prints). */
export function findVersion(text: string): string | null {
  const match = /(?<![\d.])(\d{1,6}\.\d{1,6}\.\d{1,6}(?:-[0-9A-Za-z.]{1,40})?)(?![\d])/.exec(text);
  return match && parseVersion(match[1]!) ? match[1]! : null;
}

/** Negative when a < b, zero when equal, positive when a > b. Unparsable versions sort first. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  const numeric = pa.major - pb.major || pa.minor - pb.minor || pa.patch - pb.patch;
  if (numeric !== 0) return numeric;
  if (pa.prerelease === pb.prerelease) return 0;
  if (pa.prerelease === null) return 1;
  if (pb.prerelease === null) return -1;
  return pa.prerelease < pb.prerelease ? -1 : 1;
}
