import { CODEX_MANTLE_REGIONS } from '../catalogue/regions.js';
import { compareVersions } from './version.js';

/**
 * Everything about Codex's Amazon Bedrock provider that differs between releases, as data. The resolver and
 * the checks read the behaviour of the release the user runs from here; nothing else in src/ compares Codex
 * versions. Each row lists the releases where the behaviour changed and how that was established: the
 * conformance matrix (`npm run conformance -- --codex ...`) runs real releases against loopback servers.
 */
export interface CodexBehaviour {
  /** Keys Codex accepts under [model_providers.amazon-bedrock] besides the `aws` table. */
  providerKeys: readonly string[];
  /** Keys Codex accepts under [model_providers.amazon-bedrock.aws]. */
  awsKeys: readonly string[];
  /**
   * What `-p NAME` reads: `NAME.config.toml` beside config.toml (a missing file is silently accepted), or the
   * legacy `[profiles.NAME]` table of config.toml (a missing table is refused: "config profile `NAME` not found").
   */
  profileFlag: 'profile-file' | 'legacy-table';
  /** A Bedrock API key takes its region from AWS_REGION / AWS_DEFAULT_REGION too, not only from aws.region. */
  bearerRegionFromEnv: boolean;
  /** `aws.profile` in the Codex config beats AWS_BEARER_TOKEN_BEDROCK (before: the bearer key wins). */
  profileBeatsBearer: boolean;
  /** `aws.credential_export` is used to sign requests (before: accepted and silently ignored). */
  credentialExport: 'used' | 'ignored';
  /** The model Codex sends when no `model` is configured. */
  defaultModel: string;
  /** Model ids in the release's Bedrock model catalogue (others are sent unchanged, with fallback metadata). */
  catalogue: readonly string[];
  /** us-gov-east-1 / us-gov-west-1: sent to Mantle, or refused like any region outside the allow-list. */
  govcloud: 'sent' | 'refused';
  /** Regions the provider accepts without a base_url override (GovCloud aside). */
  regionAllowList: readonly string[];
  /** A 404 from Mantle is retried (before) or reported at once. */
  retries404: boolean;
}

export type BehaviourName = keyof CodexBehaviour;

export interface RuleChange<V> {
  /** The first release with this value. The first change of every row is the first Bedrock release. */
  from: string;
  value: V;
  /** How it was established: which real releases showed the old and the new behaviour. */
  established: string;
}

export interface RuleRow<K extends BehaviourName> {
  behaviour: K;
  /** In the user's words, for the report and the README matrix. */
  what: string;
  changes: readonly RuleChange<CodexBehaviour[K]>[];
}

export type RuleTable = { readonly [K in BehaviourName]: RuleRow<K> };

/** The first release with the Amazon Bedrock provider (the setup guide's minimum). */
export const FIRST_BEDROCK_RELEASE = '0.128.0';
/** The newest release the table was checked against; a newer Codex gets these rules and a warning. */
export const NEWEST_KNOWN_RELEASE = '0.171.0';


const CATALOGUE_0_169 = [
  'openai.gpt-5.5',
  'openai.gpt-5.6-sol',
  'openai.gpt-5.6-terra',
  'openai.gpt-5.6-luna',
  'openai.gpt-6-sol',
  'openai.gpt-6-astra',
  'openai.gpt-6-luna',
  'openai.gpt-6.1-sol',
  'openai.gpt-6.1-terra',
] as const;

export const RULE_TABLE: RuleTable = {
  providerKeys: {
    behaviour: 'providerKeys',
    what: '`base_url`, `auth` and `http_headers` under [model_providers.amazon-bedrock]',
    changes: [
      { from: '0.128.0', value: [], established: 'conformance: 0.128.0 and 0.140.0 refuse ("only supports changing `aws.profile` and `aws.region`")' },
      { from: '0.145.0', value: ['base_url', 'auth', 'http_headers'], established: 'conformance: 0.145.0 accepts; SPEC 3.9 bisect (refused up to 0.144.0)' },
    ],
  },
  awsKeys: {
    behaviour: 'awsKeys',
    what: 'keys accepted under [model_providers.amazon-bedrock.aws]',
    changes: [
      { from: '0.128.0', value: ['profile', 'region', 'credential_export'], established: 'conformance: 0.128.0 accepts aws.profile and aws.region; credential_export is accepted and ignored before it is used' },
      { from: '0.150.0', value: ['profile', 'region', 'credential_export', 'auth_refresh'], established: 'SPEC 3.9 bisect: auth_refresh refused up to 0.149, accepted from 0.150' },
    ],
  },
  profileFlag: {
    behaviour: 'profileFlag',
    what: '`-p NAME` reads `NAME.config.toml` (else the legacy `[profiles.NAME]` table)',
    changes: [
      { from: '0.128.0', value: 'legacy-table', established: 'conformance: 0.128.0 answers `-p work` with "config profile `work` not found"' },
      { from: '0.134.0', value: 'profile-file', established: 'SPEC 3.9 bisect: changed between 0.132 and 0.134' },
    ],
  },
  bearerRegionFromEnv: {
    behaviour: 'bearerRegionFromEnv',
    what: 'a Bedrock API key takes its region from AWS_REGION / AWS_DEFAULT_REGION (else only aws.region)',
    changes: [
      { from: '0.128.0', value: false, established: 'SPEC 3.9 bisect: only aws.region before 0.135–0.137' },
      { from: '0.137.0', value: true, established: 'SPEC 3.9 bisect: changed between 0.135 and 0.137' },
    ],
  },
  profileBeatsBearer: {
    behaviour: 'profileBeatsBearer',
    what: '`aws.profile` beats AWS_BEARER_TOKEN_BEDROCK (else the bearer key wins)',
    changes: [
      { from: '0.128.0', value: false, established: 'conformance: 0.145.0 sends the bearer key although aws.profile is set' },
      { from: '0.150.0', value: true, established: 'SPEC 3.9 bisect: changed between 0.149 and 0.150; 0.155.0 and later sign with the profile' },
    ],
  },
  credentialExport: {
    behaviour: 'credentialExport',
    what: '`aws.credential_export` is used to sign requests (else silently ignored)',
    changes: [
      { from: '0.128.0', value: 'ignored', established: 'SPEC 3.9 bisect: silently ignored before 0.153.1–0.155.0' },
      { from: '0.155.0', value: 'used', established: 'SPEC 3.9 bisect: used from 0.155.0 at the latest' },
    ],
  },
  defaultModel: {
    behaviour: 'defaultModel',
    what: 'the model Codex sends when `model` is not set',
    changes: [
      { from: '0.128.0', value: 'openai.gpt-5.4', established: 'SPEC 3.9: default of the first Bedrock releases' },
      { from: '0.137.0', value: 'openai.gpt-5.5', established: 'SPEC 3.9 bisect: changed between 0.135 and 0.137' },
      { from: '0.145.0', value: 'openai.gpt-5.6-sol', established: 'SPEC 3.9: from 0.145.0' },
      { from: '0.157.0', value: 'openai.gpt-6-sol', established: 'SPEC 3.9 bisect: changed between 0.155.1 and 0.157' },
      { from: '0.160.0', value: 'openai.gpt-6.1-sol', established: 'SPEC 3.9 bisect: changed between 0.159 and 0.160; 0.169.0 observed' },
      { from: '0.171.0', value: 'openai.gpt-6.2-sol', established: 'conformance: 0.171.0 sends openai.gpt-6.2-sol with no model set' },
    ],
  },
  catalogue: {
    behaviour: 'catalogue',
    what: "the release's Bedrock model catalogue",
    changes: [
      { from: '0.128.0', value: CATALOGUE_0_169, established: 'observed in 0.169.0 (`codex debug models`); older catalogues not yet read' },
      { from: '0.171.0', value: [...CATALOGUE_0_169, 'openai.gpt-6.2-sol', 'openai.gpt-6.2-astra'], established: 'observed in 0.171.0' },
    ],
  },
  govcloud: {
    behaviour: 'govcloud',
    what: 'GovCloud regions (us-gov-east-1, us-gov-west-1) are sent to Mantle (else refused)',
    changes: [
      { from: '0.128.0', value: 'refused', established: 'SPEC 3.9 bisect: refused before 0.159–0.163' },
      { from: '0.163.0', value: 'sent', established: 'SPEC 3.9 bisect: changed between 0.159 and 0.163; 0.169.0 observed sending' },
    ],
  },
  regionAllowList: {
    behaviour: 'regionAllowList',
    what: 'regions the provider accepts without a base_url override',
    changes: [{ from: '0.128.0', value: CODEX_MANTLE_REGIONS, established: 'observed in 0.169.0; no change seen in other releases so far' }],
  },
  retries404: {
    behaviour: 'retries404',
    what: 'a 404 from Mantle is retried',
    changes: [
      { from: '0.128.0', value: true, established: 'SPEC 3.9 bisect: retried before 0.164–0.166' },
      { from: '0.166.0', value: false, established: 'SPEC 3.9 bisect: no retry from 0.166 at the latest' },
    ],
  },
};

export const BEHAVIOUR_NAMES = Object.keys(RULE_TABLE) as BehaviourName[];

/** The change of one row that holds for a release: the last one whose `from` is not after it. */
export function changeFor<K extends BehaviourName>(row: RuleRow<K>, version: string): RuleChange<CodexBehaviour[K]> {
  let found = row.changes[0]!;
  for (const change of row.changes) if (compareVersions(change.from, version) <= 0) found = change;
  return found;
}

/** The first release after `from` in the row where the behaviour changes again, if any (for "0.145.0–0.149.x"). */
function nextChange(row: RuleRow<BehaviourName>, from: string): string | null {
  return row.changes.find((change) => compareVersions(change.from, from) > 0)?.from ?? null;
}

export interface AppliedRule {
  behaviour: BehaviourName;
  what: string;
  /** The releases this value holds for, e.g. "0.145.0 – before 0.150.0" or "0.171.0 and later". */
  range: string;
  established: string;
}

export interface CodexRules {
  /** The release whose rules these are (the detected or given version, clamped into the known range). */
  release: string;
  behaviour: CodexBehaviour;
  applied: AppliedRule[];
}

/** The rules for a release. Older than the first Bedrock release or newer than the newest known: the nearest. */
export function rulesFor(version: string): CodexRules {
  const release =
    compareVersions(version, FIRST_BEDROCK_RELEASE) < 0 ? FIRST_BEDROCK_RELEASE : compareVersions(version, NEWEST_KNOWN_RELEASE) > 0 ? NEWEST_KNOWN_RELEASE : version;
  const behaviour = {} as Record<BehaviourName, unknown>;
  const applied: AppliedRule[] = [];
  for (const name of BEHAVIOUR_NAMES) {
    const row = RULE_TABLE[name] as RuleRow<BehaviourName>;
    const change = changeFor(row, release);
    behaviour[name] = change.value;
    const until = nextChange(row, change.from);
    applied.push({ behaviour: name, what: row.what, range: until ? `${change.from} – before ${until}` : `${change.from} and later`, established: change.established });
  }
  return { release, behaviour: behaviour as unknown as CodexBehaviour, applied };
}

/** The releases where any behaviour changes, ascending: the columns worth testing in the conformance matrix. */
export function changeReleases(): string[] {
  const all = new Set<string>();
  for (const name of BEHAVIOUR_NAMES) for (const change of RULE_TABLE[name].changes) all.add(change.from);
  return [...all].sort(compareVersions);
}
