import { join } from 'node:path';
import { mantleEndpoint } from '../catalogue/regions.js';
import { releaseOf, type CodexRelease } from '../codex/release.js';
import type { CodexBehaviour } from '../codex/rules.js';
import type { ByteReader } from '../io/bytes.js';
import type { DirectoryState, FileReader } from '../io/files.js';
import { platformFacts, type PlatformFacts } from '../platform.js';
import { planAuth, readStoredLogin, type AuthPlan, type StoredLogin } from './auth.js';
import { awsSharedFilePaths, mergedProfile, parseAwsIni, type AwsSharedFile } from './awsConfig.js';
import { cliLayer, fileLayer, legacyProfileLayer, lookupConfig, parseCliOverride, type CliOverride, type ConfigLayer } from './config.js';
import { discoverProjectConfig, type ProjectConfig } from './projectConfig.js';
import { resolveProfileChain } from '../auth/profileChain.js';
import { readSsoCacheFor, type SsoCacheRead } from '../auth/ssoToken.js';
import { loadEffectiveEnvironment, type EffectiveEnvironment, type ShellEnv } from './environment.js';
import type { Origin, Sourced } from './origin.js';
import { resolveRegion, type RegionResolution } from './region.js';

export const BEDROCK_PROVIDER_ID = 'amazon-bedrock';
export const PROVIDER_TABLE = ['model_providers', BEDROCK_PROVIDER_ID] as const;
export const DEFAULT_MANAGED_CONFIG_PATH = '/etc/codex/managed_config.toml';

/** The explicit inputs of resolution: nothing here reads process.env, the clock or the disk by itself. */
export interface ResolveInputs {
  codexHomeFlag?: string;
  profile?: string;
  configOverrides: readonly string[];
  modelFlag?: string;
  shellEnv: ShellEnv;
  homeDir: string;
  managedConfigPath: string;
  readFile: FileReader;
  directoryState: (path: string) => DirectoryState;
  /** Raw bytes of a file, so `.env` can be read line by line as Codex does (absent: a non-UTF-8 .env is unreadable). */
  readBytes?: ByteReader;
  /** The working folder Codex would start in (project config is found from it); absent: no project config. */
  cwd?: string;
  /**
   * The Codex the user runs and the rules of that release (src/codex). Optional for unit tests of rules that
   * do not differ by release: absent means "no Codex found", which applies the newest known rules.
   */
  codex?: CodexRelease;
  /** The operating system's rules (file modes, managed config); absent means Linux. */
  platform?: PlatformFacts;
}

export interface CodexHome {
  path: string;
  origin: Origin;
  state: DirectoryState;
}

/** What Codex will see on this machine, with the provenance of every value. Checks only read this. */
export interface EffectiveSetup {
  codexHome: CodexHome;
  env: EffectiveEnvironment;
  profileName: string | null;
  layers: ConfigLayer[];
  /** The SSO token cache of the profile Codex would use, when that profile is an SSO profile. */
  ssoCache: SsoCacheRead | null;
  /** Project config discovery from the working folder; null when no working folder was given. */
  project: ProjectConfig | null;
  provider: Sourced<unknown> | null;
  baseUrl: Sourced<unknown> | null;
  model: Sourced<string>;
  region: RegionResolution;
  auth: AuthPlan;
  storedLogin: StoredLogin;
  awsConfig: AwsSharedFile;
  awsCredentials: AwsSharedFile;
  /** Null when there is no usable region and no base_url override. */
  endpoint: Sourced<string> | null;
  platform: PlatformFacts;
  /** The Codex release whose rules this setup was resolved with. */
  codex: CodexRelease;
  /** Where -p NAME was read from: NAME.config.toml, or (older releases) [profiles.NAME] in config.toml. */
  profileSource: CodexBehaviour['profileFlag'];
}

/** No Codex found: the newest known rules (what `codex-bedrock doctor` says it applies in that case). */
export function noCodexFound(searchedPath = ''): CodexRelease {
  return releaseOf({ searchedPath, installs: [] }, null, null, null, 'not-found');
}

export class UsageError extends Error {}

export function parseOverrides(raw: readonly string[]): CliOverride[] {
  return raw.map((entry, index) => {
    const parsed = parseCliOverride(entry);
    if ('error' in parsed) throw new UsageError(`-c #${index + 1}: ${parsed.error}`);
    return parsed;
  });
}

export function resolveCodexHome(inputs: Pick<ResolveInputs, 'codexHomeFlag' | 'shellEnv' | 'homeDir' | 'directoryState'>): CodexHome {
  // Same rule as Codex: $CODEX_HOME when set, else ~/.codex. The flag stands in for $CODEX_HOME.
  const fromEnv = inputs.shellEnv['CODEX_HOME'];
  const [path, origin]: [string, Origin] = inputs.codexHomeFlag
    ? [inputs.codexHomeFlag, { kind: 'cli-override', flag: '--codex-home' }]
    : fromEnv
      ? [fromEnv, { kind: 'env', name: 'CODEX_HOME', from: 'shell' }]
      : [join(inputs.homeDir, '.codex'), { kind: 'default', note: 'default (~/.codex)' }];
  return { path, origin, state: inputs.directoryState(path) };
}

export function resolveSetup(inputs: ResolveInputs): EffectiveSetup {
  const overrides = parseOverrides(inputs.configOverrides);
  const codexHome = resolveCodexHome(inputs);
  const env = loadEffectiveEnvironment(inputs.shellEnv, inputs.readFile(join(codexHome.path, '.env')), inputs.readBytes);
  const codex = inputs.codex ?? noCodexFound(inputs.shellEnv['PATH'] ?? '');
  const rules = codex.rules.behaviour;

  const userConfigPath = join(codexHome.path, 'config.toml');
  const user = fileLayer('user', userConfigPath, inputs.readFile);
  const layers: ConfigLayer[] = [user];
  // Releases with legacy profiles also select one with a top-level `profile = "NAME"` in config.toml.
  const legacyDefault = rules.profileFlag === 'legacy-table' && typeof user.table['profile'] === 'string' ? user.table['profile'] : undefined;
  const profileName = inputs.profile ?? legacyDefault;
  if (profileName) {
    layers.push(
      rules.profileFlag === 'profile-file'
        ? fileLayer('profile', join(codexHome.path, `${profileName}.config.toml`), inputs.readFile)
        : legacyProfileLayer(user, profileName),
    );
  }
  const cli = overrides.length > 0 ? [cliLayer(overrides)] : [];
  const project = inputs.cwd === undefined ? null : discoverProjectConfig({ cwd: inputs.cwd, readFile: inputs.readFile, directoryState: inputs.directoryState, trustLayers: [...layers, ...cli], userConfigPath });
  layers.push(...(project?.layers ?? []), ...cli);
  const managed = fileLayer('managed', inputs.managedConfigPath, inputs.readFile);
  if (managed.status !== 'missing') layers.push(managed);

  const provider = lookupConfig(layers, ['model_provider']) ?? null;
  const providerKey = (key: string[]) => lookupConfig(layers, [...PROVIDER_TABLE, ...key]);
  const baseUrl = providerKey(['base_url']) ?? null;
  const configAwsProfile = providerKey(['aws', 'profile']);

  const storedLogin = storedLoginForRelease(readStoredLogin(inputs.readFile(join(codexHome.path, 'auth.json'))), rules);
  const auth = planAuth({
    authCommand: providerKey(['auth']),
    configAwsProfile,
    credentialExport: providerKey(['aws', 'credential_export']),
    storedLogin,
    env,
    profileBeatsBearer: rules.profileBeatsBearer,
    storedAccessKeysBeatBearer: rules.storedAccessKeys === 'before-bearer-key',
    credentialExportUsed: rules.credentialExport === 'used',
  });

  const awsPaths = awsSharedFilePaths(env, inputs.homeDir);
  const awsConfig = parseAwsIni(inputs.readFile(awsPaths.config), 'config');
  const awsCredentials = parseAwsIni(inputs.readFile(awsPaths.credentials), 'credentials');
  // The SSO token cache of the profile Codex would use, so the token can be judged without the network.
  const chainProfile = auth.mode === 'iam' && ['aws-profile-config', 'sdk-chain'].includes(auth.source) ? (auth.awsProfile?.value ?? 'default') : null;
  const ssoCache = chainProfile === null ? null : readSsoCacheFor(resolveProfileChain(awsConfig, awsCredentials, chainProfile), env.get('HOME') || inputs.homeDir, inputs.readFile);

  // The profile whose region the AWS SDK reads: the one credentials come from, else AWS_PROFILE (even when
  // env keys win the credentials), else default.
  const awsProfileName = auth.awsProfile?.value ?? env.nonEmpty('AWS_PROFILE')?.value ?? 'default';
  // The Rust SDK merges the credentials file over the config file, so a region set there counts too.
  const profileRegionEntry = mergedProfile(awsConfig, awsCredentials, awsProfileName)?.get('region');
  const loginOrigin: Origin = { kind: 'auth-json', path: storedLogin.path };
  const region = resolveRegion({
    rule: auth.source === 'codex-login' ? 'stored-key' : auth.mode === 'bearer' ? (rules.bearerRegionFromEnv ? 'bearer' : 'bearer-config-only') : 'aws-sdk',
    configRegion: providerKey(['aws', 'region']),
    env,
    profileRegion: {
      profile: awsProfileName,
      sourced: profileRegionEntry
        ? { value: profileRegionEntry.value, origin: { kind: 'aws-config', path: profileRegionEntry.path, profile: awsProfileName, line: profileRegionEntry.line } }
        : undefined,
    },
    storedKeyRegion: storedLogin.bedrockKeyRegion ? { value: storedLogin.bedrockKeyRegion, origin: loginOrigin } : undefined,
  });

  const model = resolveModel(inputs.modelFlag, layers, codex);
  const endpoint = resolveEndpoint(baseUrl, region);

  return {
    codexHome,
    env,
    profileName: profileName ?? null,
    layers,
    project,
    ssoCache,
    provider,
    baseUrl,
    model,
    region,
    auth,
    storedLogin,
    awsConfig,
    awsCredentials,
    endpoint,
    codex,
    profileSource: rules.profileFlag,
    platform: inputs.platform ?? LINUX,
  };
}

const LINUX = platformFacts('linux');

/** What of auth.json this release reads: Bedrock blocks it does not know are not credentials to it. */
function storedLoginForRelease(login: StoredLogin, rules: CodexBehaviour): StoredLogin {
  const { bedrockKey: _key, bedrockKeyRegion: _region, ...withoutKey } = login;
  const known = rules.storedApiKey === 'used' ? login : withoutKey;
  const { accessKeys: _keys, ...withoutAccessKeys } = known;
  return rules.storedAccessKeys === 'unknown' ? withoutAccessKeys : known;
}

function resolveModel(modelFlag: string | undefined, layers: ConfigLayer[], codex: CodexRelease): Sourced<string> {
  if (modelFlag !== undefined) return { value: modelFlag, origin: { kind: 'cli-override', flag: '--model' } };
  const configured = lookupConfig(layers, ['model']);
  if (configured && typeof configured.value === 'string') return { value: configured.value, origin: configured.origin };
  const whose = codex.basis === 'not-found' || codex.basis === 'version-unknown' ? `Codex ${codex.rules.release} (newest known)` : `Codex ${codex.rules.release}`;
  return { value: codex.rules.behaviour.defaultModel, origin: { kind: 'default', note: `${whose} default for Amazon Bedrock` } };
}

function resolveEndpoint(baseUrl: Sourced<unknown> | null, region: RegionResolution): Sourced<string> | null {
  if (baseUrl && typeof baseUrl.value === 'string') return { value: baseUrl.value.replace(/\/+$/, ''), origin: baseUrl.origin };
  const value = region.effective?.value;
  if (typeof value !== 'string' || value === '') return null;
  return { value: mantleEndpoint(value), origin: region.effective!.origin };
}
