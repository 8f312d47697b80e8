/**
 * Facts about the machine that change Codex's behaviour or the doctor's advice: whether file modes mean
 * anything, where Codex reads its managed config, the home folder, and whether this is a CI
 * job. Read once from the real process (currentPlatform) and handed to the resolver and checks as data, so
 * tests inject a Windows or macOS machine without running on one.
 */
export type OperatingSystem = 'linux' | 'darwin' | 'win32' | 'other';

export interface PlatformFacts {
  os: OperatingSystem;
  /** Whether file modes mean anything: on Windows `chmod 600` is neither possible nor the way to protect a file. */
  posixModes: boolean;
}

/**
 * Where Codex reads its managed (administrator) config, as codex-rs config_loader's
 * managed_config_default_path: /etc/codex/managed_config.toml on Unix (Linux and macOS, where MDM managed
 * preferences may add another layer the doctor cannot read), `$CODEX_HOME/managed_config.toml` elsewhere.
 */
export function managedConfigPath(facts: PlatformFacts, codexHome: string): string {
  return facts.os === 'win32' ? `${codexHome.replace(/[\\/]+$/, '')}\\managed_config.toml` : '/etc/codex/managed_config.toml';
}

/** Variables that CI services set; any one of them means no person sits at a desktop app on this machine. */
const CI_VARIABLES = ['GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'CIRCLECI', 'TF_BUILD', 'JENKINS_URL', 'TEAMCITY_VERSION', 'CODEBUILD_BUILD_ID', 'BITBUCKET_BUILD_NUMBER', 'TRAVIS', 'APPVEYOR', 'DRONE'];

/** CI=true (or any value but false/0) or a CI service's own marker, as ci-info and most tools read it. */
export function isContinuousIntegration(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env['CI']?.trim().toLowerCase();
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') return true;
  return CI_VARIABLES.some((name) => (env[name] ?? '') !== '');
}

/** A variable by name, case-insensitively on Windows (a spread of process.env there keeps `Path`, not `PATH`). */
function variable(facts: PlatformFacts, env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  if (facts.os !== 'win32') return env[name];
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** The facts for an operating system, given its environment (PATHEXT matters on Windows only). */
export function platformFacts(os: string): PlatformFacts {
  if (os === 'win32') return { os: 'win32', posixModes: false };
  return { os: os === 'linux' || os === 'darwin' ? os : 'other', posixModes: true };
}

/** Home folder as Codex finds it: HOME, and on Windows USERPROFILE when HOME is unset. */
export function homeFolder(facts: PlatformFacts, env: Readonly<Record<string, string | undefined>>, fallback: string): string {
  return env['HOME'] || (facts.os === 'win32' ? variable(facts, env, 'USERPROFILE') : undefined) || fallback;
}

/** This machine's facts. */
export function currentPlatform(): PlatformFacts {
  return platformFacts(process.platform);
}
