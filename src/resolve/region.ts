import type { EffectiveEnvironment } from './environment.js';
import type { Origin, Sourced } from './origin.js';

export interface RegionCandidate {
  /** The source in the user's words, e.g. "AWS_REGION". */
  sourceName: string;
  /** The value as written. */
  written: unknown;
  /** The value Codex would take from this source, or null when Codex treats it as unset. */
  value: unknown;
  origin: Origin;
  ignoredBecause?: string;
}

/** Which of Codex's region rules applies; they differ by auth path (observed with Codex 0.169.0). */
export type RegionRule = 'bearer' | 'bearer-config-only' | 'stored-key' | 'aws-sdk';

export interface RegionResolution {
  /** The value Codex will use (after any trimming Codex does), what was written, and where; null when none. */
  effective: (Sourced<unknown> & { written: unknown }) | null;
  /** Every source that holds a value, in Codex's precedence order. */
  candidates: RegionCandidate[];
  /** The sources Codex consults, in order, for "none found" messages. */
  tried: string[];
  rule: RegionRule;
}

export interface RegionInputs {
  rule: RegionRule;
  configRegion: Sourced<unknown> | undefined;
  env: EffectiveEnvironment;
  profileRegion: { sourced: Sourced<string> | undefined; profile: string };
  storedKeyRegion: Sourced<string> | undefined;
}

const trimmedOrUnset = (value: string) => (value.trim() === '' ? null : value.trim());

/** aws.region of the Codex config: first on every path; Codex trims it and treats "" as unset. */
function configCandidate(config: Sourced<unknown>): RegionCandidate {
  const value = typeof config.value === 'string' ? trimmedOrUnset(config.value) : config.value;
  return {
    sourceName: 'model_providers.amazon-bedrock.aws.region',
    written: config.value,
    value,
    origin: config.origin,
    ...(value === null ? { ignoredBecause: 'it is empty, and Codex treats an empty aws.region as unset' } : {}),
  };
}

/**
 * Codex's region rules (Codex 0.169.0, observed):
 * - model_providers.amazon-bedrock.aws.region comes first on every path; Codex trims it and treats "" as unset.
 * - bearer path: then AWS_REGION, AWS_DEFAULT_REGION, each trimmed, "" = unset; never a profile's region.
 * - a Bedrock API key stored in auth.json: only the region stored with it.
 * - IAM paths and the auth command: the AWS SDK region chain, which takes AWS_REGION and AWS_DEFAULT_REGION
 *   raw (set-but-empty wins, spaces stay), then the selected profile's region.
 * The JavaScript SDK skips AWS_DEFAULT_REGION, so none of this is delegated to it (NOTES-AWS.md).
 */
export function resolveRegion(inputs: RegionInputs): RegionResolution {
  const { rule, env } = inputs;
  const candidates: RegionCandidate[] = [];
  if (rule === 'stored-key') {
    const stored = inputs.storedKeyRegion;
    if (stored) candidates.push({ sourceName: 'region stored with the key in auth.json', written: stored.value, value: trimmedOrUnset(stored.value), origin: stored.origin });
    const winner = candidates.find((c) => c.value !== null);
    return {
      effective: winner ? { value: winner.value, written: winner.written, origin: winner.origin } : null,
      candidates,
      tried: ['the region stored with the Bedrock API key in auth.json (Codex uses no other source for a stored key)'],
      rule,
    };
  }
  const config = inputs.configRegion;
  if (config) candidates.push(configCandidate(config));
  if (rule === 'bearer-config-only') {
    // Early releases gave a Bedrock API key only the region of the Codex config (src/codex/rules.ts).
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
      const sourced = env.sourced(name);
      if (sourced) candidates.push({ sourceName: name, written: sourced.value, value: null, origin: sourced.origin, ignoredBecause: 'this Codex release reads the region of a Bedrock API key only from aws.region in its config' });
    }
    const winner = candidates.find((c) => c.value !== null);
    return {
      effective: winner ? { value: winner.value, written: winner.written, origin: winner.origin } : null,
      candidates,
      tried: ['model_providers.amazon-bedrock.aws.region in the Codex config (this Codex release reads no other source for a Bedrock API key)'],
      rule,
    };
  }
  const tried = ['model_providers.amazon-bedrock.aws.region in the Codex config', 'AWS_REGION', 'AWS_DEFAULT_REGION'];
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const sourced = env.sourced(name);
    if (!sourced) continue;
    if (rule === 'bearer') {
      const value = trimmedOrUnset(sourced.value);
      candidates.push({
        sourceName: name,
        written: sourced.value,
        value,
        origin: sourced.origin,
        ...(value === null ? { ignoredBecause: 'it is empty, and on the bearer-key path Codex treats an empty value as unset' } : {}),
      });
    } else {
      // The AWS SDK region chain takes the variable as it is, even empty or with spaces.
      candidates.push({ sourceName: name, written: sourced.value, value: sourced.value, origin: sourced.origin });
    }
  }
  if (rule === 'aws-sdk') {
    tried.push(`region of AWS profile "${inputs.profileRegion.profile}" in the shared config file`);
    const profile = inputs.profileRegion.sourced;
    if (profile) candidates.push({ sourceName: `profile ${inputs.profileRegion.profile} region`, written: profile.value, value: profile.value.trim(), origin: profile.origin });
  }
  const winner = candidates.find((candidate) => candidate.value !== null);
  return { effective: winner ? { value: winner.value, written: winner.written, origin: winner.origin } : null, candidates, tried, rule };
}
