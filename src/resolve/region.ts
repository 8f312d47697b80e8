import type { EffectiveEnvironment } from './environment.js';
import type { Origin, Sourced } from './origin.js';

export interface RegionCandidate {
  /** The source in the user's words, e.g. "AWS_REGION". */
  sourceName: string;
  /** The raw value, or null when the source is set but Codex treats it as unset (empty AWS_REGION). */
  value: unknown;
  origin: Origin;
  ignoredBecause?: string;
}

export interface RegionResolution {
  /** The value Codex will use, exactly as written (region.set judges its shape), or null when none. */
  effective: Sourced<unknown> | null;
  /** Every source that holds a value, in Codex's precedence order. */
  candidates: RegionCandidate[];
  /** The sources Codex consults, in order, for "none found" messages. */
  tried: string[];
}

/**
 * Codex's region precedence: model_providers.amazon-bedrock.aws.region, AWS_REGION, AWS_DEFAULT_REGION, then
 * (IAM paths only) the selected profile's `region`. The JavaScript SDK skips AWS_DEFAULT_REGION, so this is
 * resolved here, never delegated to it (NOTES-AWS.md).
 */
export function resolveRegion(
  configRegion: Sourced<unknown> | undefined,
  env: EffectiveEnvironment,
  profileRegion: { sourced: Sourced<string> | undefined; profile: string; consulted: boolean },
): RegionResolution {
  const candidates: RegionCandidate[] = [];
  const tried = ['model_providers.amazon-bedrock.aws.region in the Codex config', 'AWS_REGION', 'AWS_DEFAULT_REGION'];
  if (configRegion) {
    candidates.push({ sourceName: 'model_providers.amazon-bedrock.aws.region', value: configRegion.value, origin: configRegion.origin });
  }
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const sourced = env.sourced(name);
    if (!sourced) continue;
    const empty = sourced.value.trim() === '';
    candidates.push({
      sourceName: name,
      value: empty ? null : sourced.value,
      origin: sourced.origin,
      ...(empty ? { ignoredBecause: 'it is empty, and Codex treats an empty value as unset' } : {}),
    });
  }
  if (profileRegion.consulted) {
    tried.push(`region of AWS profile "${profileRegion.profile}" in the shared config file`);
    if (profileRegion.sourced) {
      candidates.push({ sourceName: `profile ${profileRegion.profile} region`, value: profileRegion.sourced.value, origin: profileRegion.sourced.origin });
    }
  }
  const winner = candidates.find((candidate) => candidate.value !== null);
  return { effective: winner ? { value: winner.value, origin: winner.origin } : null, candidates, tried };
}
