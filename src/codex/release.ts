import type { CodexDetection, CodexInstall } from './detect.js';
import { FIRST_BEDROCK_RELEASE, NEWEST_KNOWN_RELEASE, rulesFor, type CodexRules } from './rules.js';
import { compareVersions, findVersion } from './version.js';

/**
 * Which Codex the user runs, and so whose rules the doctor applies. Chosen once, before resolution: the
 * resolver and the checks read `rules.behaviour`, never a version number.
 */
export type RulesBasis =
  /** --codex-version X */
  | 'flag'
  /** a Codex release the rule table covers */
  | 'detected'
  /** newer than the newest release the table was checked against: its rules, with a warning */
  | 'newer-than-known'
  /** older than the first release with the Bedrock provider */
  | 'older-than-supported'
  /** no Codex found anywhere: the newest known rules */
  | 'not-found'
  /** a Codex was found but its version could not be read: the newest known rules */
  | 'version-unknown';

export interface CodexRelease {
  detection: CodexDetection;
  /** The install whose version decides the rules: the `codex` on PATH, else a desktop-app or IDE bundle. */
  install: CodexInstall | null;
  /** The version the user runs (or gave with --codex-version); null when unknown. */
  version: string | null;
  /** Where the version came from, in the user's words. */
  versionFrom: string | null;
  /** Why the version could not be read: the output of `codex --version`, a failure, a hang. */
  versionProblem: string | null;
  basis: RulesBasis;
  rules: CodexRules;
}

export type VersionProbe = (path: string) => Promise<{ ok: true; output: string } | { ok: false; reason: string }>;

/** The install that decides: the CLI a shell runs first, else a bundle (the desktop app before an extension). */
export function decidingInstall(detection: CodexDetection): CodexInstall | null {
  return detection.installs.find((install) => install.onPath) ?? detection.installs[0] ?? null;
}

/**
 * Whose rules to apply. A Codex older than the first Bedrock release cannot use Bedrock at all, and the fix is
 * to update it: the rest of the setup is judged by the newest release, which that update installs.
 */
function rulesVersion(version: string | null, basis: RulesBasis): string {
  return version && basis !== 'version-unknown' && basis !== 'older-than-supported' ? version : NEWEST_KNOWN_RELEASE;
}

function basisFor(version: string): RulesBasis {
  if (compareVersions(version, FIRST_BEDROCK_RELEASE) < 0) return 'older-than-supported';
  if (compareVersions(version, NEWEST_KNOWN_RELEASE) > 0) return 'newer-than-known';
  return 'detected';
}

/** A release as decided, with the rules that go with it. */
export function releaseOf(detection: CodexDetection, version: string | null, versionFrom: string | null, versionProblem: string | null, basis: RulesBasis): CodexRelease {
  return { detection, install: decidingInstall(detection), version, versionFrom, versionProblem, basis, rules: rulesFor(rulesVersion(version, basis)) };
}

/** The rules of a release named outright (--codex-version X, or a test), with whatever was detected beside it. */
export function namedRelease(version: string, detection: CodexDetection = { searchedPath: '', installs: [] }): CodexRelease {
  const basis = basisFor(version);
  return releaseOf(detection, version, '--codex-version', null, basis === 'detected' ? 'flag' : basis);
}

/**
 * Picks the version: --codex-version wins; else the version a file beside the deciding install states; else
 * that install's `codex --version` (the only program the doctor starts, bounded by the probe's timeout).
 */
export async function chooseCodexRelease(detection: CodexDetection, flagVersion: string | undefined, probeVersion: VersionProbe): Promise<CodexRelease> {
  const install = decidingInstall(detection);
  const release = (version: string | null, versionFrom: string | null, versionProblem: string | null, basis: RulesBasis) => releaseOf(detection, version, versionFrom, versionProblem, basis);
  if (flagVersion !== undefined) return namedRelease(flagVersion, detection);
  if (!install) return release(null, null, null, 'not-found');
  if (install.version) return release(install.version, install.versionFrom, null, basisFor(install.version));
  const answer = await probeVersion(install.path);
  if (!answer.ok) return release(null, null, `\`${install.path} --version\` failed: ${answer.reason}`, 'version-unknown');
  const version = findVersion(answer.output);
  if (!version) return release(null, null, `\`${install.path} --version\` printed no version (${JSON.stringify(answer.output.slice(0, 80))})`, 'version-unknown');
  return release(version, `\`${install.path} --version\``, null, basisFor(version));
}
