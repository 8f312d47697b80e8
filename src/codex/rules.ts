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
  /** Keys Codex knows under [model_providers.amazon-bedrock.aws]; any other key there is ignored. */
  awsKeys: readonly string[];
  /** Codex warns about keys it ignores under the provider table ("Codex is ignoring 1 unrecognized ..."). */
  warnsIgnoredKeys: boolean;
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
  /** The GovCloud regions (us-gov-east-1, us-gov-west-1) the release sends to Mantle; others it refuses. */
  govcloud: readonly string[];
  /** Regions the provider accepts without a base_url override (GovCloud aside). */
  regionAllowList: readonly string[];
  /** The words of Codex's refusal of a region outside the allow-list, before "`REGION`". */
  regionRefusal: string;
  /** A 404 from Mantle is retried (before) or reported at once. */
  retries404: boolean;
  /** A 429 from Mantle is retried (from 0.161.0) or reported at once. */
  retries429: boolean;
  /**
   * A Bedrock API key stored by `codex login` in auth.json (`auth_mode = "bedrockApiKey"`): used, or unknown —
   * then that auth_mode makes Codex refuse to start ("unknown variant `bedrockApiKey`").
   */
  storedApiKey: 'used' | 'unknown';
  /** AWS access keys stored in auth.json (`auth_mode = "bedrockAccessKeys"`): where they rank, or unknown. */
  storedAccessKeys: 'before-bearer-key' | 'after-bearer-key' | 'unknown';
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



/** Where a row's values came from: the conformance matrix run on every release from 0.128.0 to 0.171.0. */
const bisected = (lastOld: string, before: string, firstNew: string, after: string) => `conformance bisect on real releases: ${lastOld} ${before}, ${firstNew} ${after}`;

export const RULE_TABLE: RuleTable = {
  providerKeys: {
    behaviour: 'providerKeys',
    what: '`base_url`, `auth` and `http_headers` under [model_providers.amazon-bedrock]',
    changes: [
      { from: '0.128.0', value: [], established: 'conformance: refused by 0.128.0 … 0.144.6 ("only supports changing `aws.profile` and `aws.region`"), no request sent' },
      { from: '0.145.0', value: ['base_url', 'auth', 'http_headers'], established: bisected('0.144.6', 'refuses base_url', '0.145.0', 'sends to it') },
    ],
  },
  awsKeys: {
    behaviour: 'awsKeys',
    what: 'keys known under [model_providers.amazon-bedrock.aws] (others are ignored, never refused)',
    changes: [
      { from: '0.128.0', value: ['profile', 'region'], established: 'conformance: auth_refresh and credential_export are silently ignored in 0.128.0 … 0.148.0 (request sent)' },
      { from: '0.149.0', value: ['profile', 'region', 'auth_refresh'], established: bisected('0.148.0', 'does not name aws.auth_refresh in its refusal', '0.149.0', 'names it') },
      { from: '0.155.0', value: ['profile', 'region', 'credential_export', 'auth_refresh'], established: bisected('0.154.0', 'does not name aws.credential_export', '0.155.0', 'names and uses it') },
    ],
  },
  warnsIgnoredKeys: {
    behaviour: 'warnsIgnoredKeys',
    what: 'Codex warns about unknown keys under the provider table',
    changes: [
      { from: '0.128.0', value: false, established: 'conformance: an unknown provider key is ignored silently by 0.128.0 … 0.155.1' },
      { from: '0.156.0', value: true, established: bisected('0.155.1', 'ignores it silently', '0.156.0', 'prints "Codex is ignoring 1 unrecognized configuration setting"') },
    ],
  },
  profileFlag: {
    behaviour: 'profileFlag',
    what: '`-p NAME` reads `NAME.config.toml` (else the legacy `[profiles.NAME]` table)',
    changes: [
      { from: '0.128.0', value: 'legacy-table', established: 'conformance: 0.128.0 … 0.133.0 read [profiles.NAME] and answer a missing one (or work.config.toml alone) with "config profile `NAME` not found"' },
      { from: '0.134.0', value: 'profile-file', established: bisected('0.133.0', 'reads [profiles.work]', '0.134.0', 'reads work.config.toml and refuses legacy profile = / [profiles.work]') },
    ],
  },
  bearerRegionFromEnv: {
    behaviour: 'bearerRegionFromEnv',
    what: 'a Bedrock API key takes its region from AWS_REGION / AWS_DEFAULT_REGION (else only aws.region)',
    changes: [
      { from: '0.128.0', value: false, established: 'conformance: 0.128.0 … 0.135.0 fail with "bearer token auth requires `model_providers.amazon-bedrock.aws.region`"' },
      { from: '0.136.0', value: true, established: bisected('0.135.0', 'ignores AWS_REGION for a bearer key', '0.136.0', 'sends to the AWS_REGION / AWS_DEFAULT_REGION / .env region') },
    ],
  },
  profileBeatsBearer: {
    behaviour: 'profileBeatsBearer',
    what: '`aws.profile` beats AWS_BEARER_TOKEN_BEDROCK (else the bearer key wins)',
    changes: [
      { from: '0.128.0', value: false, established: 'conformance: 0.128.0 … 0.149.1 send the bearer key although aws.profile is set' },
      { from: '0.150.0', value: true, established: bisected('0.149.1', 'sends the bearer key', '0.150.0', 'signs with the profile') },
    ],
  },
  credentialExport: {
    behaviour: 'credentialExport',
    what: '`aws.credential_export` is used to sign requests (else silently ignored)',
    changes: [
      { from: '0.128.0', value: 'ignored', established: 'conformance: 0.128.0 … 0.154.0 ignore it silently and send the bearer key' },
      { from: '0.155.0', value: 'used', established: bisected('0.154.0', 'ignores it', '0.155.0', 'signs with the exported keys, ahead of the bearer key') },
    ],
  },
  defaultModel: {
    behaviour: 'defaultModel',
    what: 'the model Codex sends when `model` is not set',
    changes: [
      { from: '0.128.0', value: 'openai.gpt-5.4', established: 'conformance: request body of 0.128.0 … 0.135.0' },
      { from: '0.136.0', value: 'openai.gpt-5.5', established: bisected('0.135.0', 'sends openai.gpt-5.4', '0.136.0', 'sends openai.gpt-5.5') },
      { from: '0.145.0', value: 'openai.gpt-5.6-sol', established: bisected('0.144.6', 'sends openai.gpt-5.5', '0.145.0', 'sends openai.gpt-5.6-sol') },
      { from: '0.157.0', value: 'openai.gpt-6-sol', established: bisected('0.156.1', 'sends openai.gpt-5.6-sol', '0.157.0', 'sends openai.gpt-6-sol') },
      { from: '0.159.1', value: 'openai.gpt-6.1-sol', established: bisected('0.159.0', 'sends openai.gpt-6-sol', '0.159.1', 'sends openai.gpt-6.1-sol') },
      { from: '0.171.0', value: 'openai.gpt-6.2-sol', established: 'conformance: 0.169.0 sends openai.gpt-6.1-sol, 0.171.0 openai.gpt-6.2-sol (there is no 0.170 on npm)' },
    ],
  },
  catalogue: {
    behaviour: 'catalogue',
    what: "the release's Bedrock model catalogue (`codex debug models`)",
    changes: [
      { from: '0.128.0', value: ['openai.gpt-5.4', 'openai.gpt-oss-120b', 'openai.gpt-oss-20b'], established: 'conformance: `codex debug models` of 0.128.0 … 0.135.0' },
      { from: '0.136.0', value: ['openai.gpt-5.5', 'openai.gpt-5.4'], established: 'conformance: `codex debug models` of 0.136.0 … 0.142.2' },
      { from: '0.142.3', value: ['openai.gpt-5.5', 'openai.gpt-5.4', 'openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna'], established: 'conformance: `codex debug models` of 0.142.3 … 0.144.6' },
      { from: '0.145.0', value: ['openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-5.5', 'openai.gpt-5.4'], established: 'conformance: `codex debug models` of 0.145.0 … 0.153.2' },
      { from: '0.153.3', value: ['openai.gpt-5.6-sol', 'openai.gpt-6-astra', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-5.5', 'openai.gpt-5.4'], established: 'conformance: `codex debug models` of 0.153.3 … 0.156.1' },
      { from: '0.157.0', value: ['openai.gpt-6-sol', 'openai.gpt-6-astra', 'openai.gpt-6-luna', 'openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-5.5', 'openai.gpt-5.4'], established: 'conformance: `codex debug models` of 0.157.0 … 0.157.1' },
      { from: '0.158.0', value: ['openai.gpt-6-sol', 'openai.gpt-6-astra', 'openai.gpt-6-luna', 'openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-5.5'], established: 'conformance: `codex debug models` of 0.158.0 … 0.159.0 (openai.gpt-5.4 dropped)' },
      { from: '0.159.1', value: ['openai.gpt-6.1-sol', 'openai.gpt-6-astra', 'openai.gpt-6-sol', 'openai.gpt-6-luna', 'openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-5.5'], established: 'conformance: `codex debug models` of 0.159.1 … 0.164.0' },
      { from: '0.165.0', value: ['openai.gpt-6.1-sol', 'openai.gpt-6-astra', 'openai.gpt-6.1-terra', 'openai.gpt-6-sol', 'openai.gpt-6-luna', 'openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-5.5'], established: bisected('0.164.0', 'does not list openai.gpt-6.1-terra', '0.165.0', 'lists it (through 0.169.0)') },
      { from: '0.171.0', value: ['openai.gpt-6.2-sol', 'openai.gpt-6.2-astra', 'openai.gpt-6.1-terra', 'openai.gpt-6.1-sol', 'openai.gpt-6-astra', 'openai.gpt-6-sol', 'openai.gpt-6-luna', 'openai.gpt-5.6-sol', 'openai.gpt-5.6-terra', 'openai.gpt-5.6-luna', 'openai.gpt-5.5'], established: 'conformance: `codex debug models` of 0.171.0' },
    ],
  },
  govcloud: {
    behaviour: 'govcloud',
    what: 'GovCloud regions the release sends to Mantle (others it refuses before sending)',
    changes: [
      { from: '0.128.0', value: [], established: 'conformance: 0.128.0 … 0.133.0 refuse us-gov-west-1 and us-gov-east-1 before sending' },
      { from: '0.134.0', value: ['us-gov-west-1'], established: 'conformance scan of every release: 0.134.0 alone sends us-gov-west-1 (and refuses us-gov-east-1)' },
      { from: '0.135.0', value: [], established: 'conformance scan: 0.135.0 … 0.160.1 refuse both again' },
      { from: '0.161.0', value: ['us-gov-east-1', 'us-gov-west-1'], established: bisected('0.160.1', 'refuses us-gov-west-1', '0.161.0', 'sends to bedrock-mantle.us-gov-west-1.api.aws (and us-gov-east-1)') },
    ],
  },
  regionAllowList: {
    behaviour: 'regionAllowList',
    what: 'regions the provider accepts without a base_url override',
    changes: [{ from: '0.128.0', value: CODEX_MANTLE_REGIONS, established: 'conformance: the same 12 regions sent, and us-west-1, ca-central-1, ap-southeast-1 refused, by 0.128.0 and 0.171.0' }],
  },
  regionRefusal: {
    behaviour: 'regionRefusal',
    what: "the words of Codex's refusal of a region",
    changes: [
      { from: '0.128.0', value: 'Amazon Bedrock Mantle does not support region', established: 'conformance: 0.128.0 … 0.149.1' },
      { from: '0.150.0', value: 'Amazon Bedrock does not support region', established: bisected('0.149.1', 'says "Amazon Bedrock Mantle does not support region"', '0.150.0', 'says "Amazon Bedrock does not support region"') },
    ],
  },
  retries404: {
    behaviour: 'retries404',
    what: 'a 404 from Mantle is retried',
    changes: [{ from: '0.128.0', value: true, established: 'conformance: 6 POSTs (1 + 5 retries) for an unknown model in 0.128.0 and 0.171.0; SPEC 3.9\'s "not retried from 0.164–0.166" was not seen' }],
  },
  retries429: {
    behaviour: 'retries429',
    what: 'a 429 from Mantle is retried',
    changes: [
      { from: '0.128.0', value: false, established: 'conformance: 1 POST for a 429 in 0.128.0 … 0.160.1' },
      { from: '0.161.0', value: true, established: bisected('0.160.1', 'sends 1 POST', '0.161.0', 'sends 6 POSTs') },
    ],
  },
  storedApiKey: {
    behaviour: 'storedApiKey',
    what: 'a Bedrock API key stored in auth.json (`auth_mode = "bedrockApiKey"`) is used (else Codex refuses to start on it)',
    changes: [
      { from: '0.128.0', value: 'unknown', established: 'conformance: 0.128.0 … 0.139.0 exit with "unknown variant `bedrockApiKey`" before sending' },
      { from: '0.140.0', value: 'used', established: bisected('0.139.0', 'refuses to start', '0.140.0', 'sends the stored key ahead of AWS_BEARER_TOKEN_BEDROCK') },
    ],
  },
  storedAccessKeys: {
    behaviour: 'storedAccessKeys',
    what: 'AWS access keys stored in auth.json (`auth_mode = "bedrockAccessKeys"`): where they rank',
    changes: [
      { from: '0.128.0', value: 'unknown', established: 'conformance: 0.128.0 … 0.146.1 exit with "unknown variant `bedrockAccessKeys`" before sending' },
      { from: '0.147.0', value: 'after-bearer-key', established: bisected('0.146.1', 'refuses to start', '0.147.0', 'parses them but sends AWS_BEARER_TOKEN_BEDROCK when it is set') },
      { from: '0.150.0', value: 'before-bearer-key', established: bisected('0.149.1', 'sends the bearer key', '0.150.0', 'signs with the stored keys') },
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
