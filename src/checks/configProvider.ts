import { allConfigValues, keysUnder, type ConfigLayer } from '../resolve/config.js';
import { describeOrigin } from '../resolve/origin.js';
import { BEDROCK_PROVIDER_ID, PROVIDER_TABLE, type EffectiveSetup } from '../resolve/setup.js';
import { formatKeyPath } from '../resolve/tomlLines.js';
import { closest } from './suggest.js';
import type { Check, CheckOutcome } from './types.js';

const DOCS = 'https://developers.openai.com/codex/config-reference';

/** Provider ids built into Codex 0.169.0 (observed); any other id must be defined under [model_providers.ID]. */
export const BUILT_IN_PROVIDERS = ['openai', 'amazon-bedrock', 'amazon-bedrock-runtime', 'ollama', 'lmstudio', 'gcp'] as const;

/**
 * Provider fields Codex knows. Which of them a release lets you change under [model_providers.amazon-bedrock]
 * is in the rule table (providerKeys, awsKeys); a known field a release does not accept makes it refuse the
 * config, an unknown key is only ignored with a warning (observed with real releases).
 */
const RELEASE_DEPENDENT_PROVIDER_FIELDS = ['base_url', 'auth', 'http_headers'];
/**
 * Provider fields Codex knows but refuses for amazon-bedrock ("only supports changing ..."), unless the value
 * is the default (the predicate). Other, unknown keys are only ignored with a warning (Codex 0.169.0, observed).
 */
const REFUSED_PROVIDER_FIELDS: Record<string, ((value: unknown) => boolean) | null> = {
  name: null,
  env_key: null,
  experimental_bearer_token: null,
  query_params: null,
  env_http_headers: null,
  request_max_retries: null,
  stream_max_retries: null,
  stream_idle_timeout_ms: null,
  wire_api: (value) => value === 'responses',
  requires_openai_auth: (value) => value === false,
  supports_websockets: (value) => value === false,
};
/** Codex's refusal, which names what the release does accept. */
function codexOverrideError(setup: EffectiveSetup): string {
  const rules = setup.codex.rules.behaviour;
  const accepted = [...rules.providerKeys, ...rules.awsKeys.map((key) => `aws.${key}`)].map((key) => `\`${key}\``);
  const list = accepted.length > 1 ? `${accepted.slice(0, -1).join(', ')}${accepted.length > 2 ? ',' : ''} and ${accepted.at(-1)}` : accepted.join('');
  return `model_providers.amazon-bedrock only supports changing ${list}; other non-default provider fields are not supported`;
}

const PROVIDER_SNIPPET = [
  '# at the top of config.toml, before any [table] header:',
  'model_provider = "amazon-bedrock"',
  '',
  '[model_providers.amazon-bedrock.aws]',
  'region = "us-east-1"   # a region where your model is available',
].join('\n');

/** Ids people write when they mean Bedrock; each gets "did you mean amazon-bedrock". */
function looksLikeBedrock(id: string): boolean {
  const squashed = id.toLowerCase().replace(/[^a-z]/g, '');
  return squashed.includes('bedrock') || closest(id.toLowerCase(), [BEDROCK_PROVIDER_ID], 3).length > 0;
}

function layerProblems(setup: EffectiveSetup): CheckOutcome | undefined {
  const home = setup.codexHome;
  if (home.origin.kind !== 'default' && home.state !== 'directory') {
    const what = home.state === 'missing' ? 'does not exist' : home.state === 'not-a-directory' ? 'is not a directory' : 'cannot be read';
    return {
      status: 'fail',
      code: 'config.codex-home-missing',
      summary: `Codex home ${home.path} (from ${describeOrigin(home.origin)}) ${what}; Codex refuses to start`,
      remediation: `Create it (mkdir -p ${home.path}) and put config.toml there, or unset CODEX_HOME to use ~/.codex.`,
      docs: DOCS,
    };
  }
  for (const layer of setup.layers) {
    if (layer.status !== 'error' || !layer.problem) continue;
    const where = layer.problem.line ? `${layer.path}:${layer.problem.line}:${layer.problem.column ?? 1}` : layer.path;
    if (layer.problem.kind === 'syntax') {
      return {
        status: 'fail',
        code: 'config.toml-syntax',
        summary: `TOML syntax error in ${where}: ${layer.problem.message}; Codex cannot load its config`,
        details: [`line ${layer.problem.line ?? '?'}, column ${layer.problem.column ?? '?'} of ${layer.path}`],
        remediation: `Fix the TOML at line ${layer.problem.line ?? '?'} of ${layer.path} (a common cause: an unquoted string value, e.g. write model = "openai.gpt-5.5").`,
        docs: DOCS,
      };
    }
    return {
      status: 'fail',
      code: 'config.unreadable',
      summary: `Cannot read ${layer.path}: ${layer.problem.message}`,
      remediation: `Make ${layer.path} a readable UTF-8 TOML file (or remove it if it is not meant to be there).`,
      docs: DOCS,
    };
  }
  return undefined;
}

/** Releases before NAME.config.toml: profiles are [profiles.NAME] tables, and a missing one is refused. */
function legacyTableProblems(setup: EffectiveSetup): CheckOutcome | undefined {
  const profile = setup.layers.find((layer) => layer.name === 'profile');
  if (!profile || profile.status !== 'missing' || !setup.profileName) return undefined;
  const name = setup.profileName;
  const release = setup.codex.rules.release;
  return {
    status: 'fail',
    code: 'config.profile-not-found',
    summary: `Codex ${release} refuses to start: "config profile \`${name}\` not found" (this release reads profiles from [profiles.${name}] in ${profile.path}, and there is none)`,
    details: [`Codex ${release} predates ${name}.config.toml files; later releases read ${setup.codexHome.path}/${name}.config.toml instead`],
    remediation: `Add a [profiles.${name}] table to ${profile.path}, or update Codex (npm install -g @openai/codex@latest) to use ${setup.codexHome.path}/${name}.config.toml.`,
    docs: DOCS,
  };
}

/** auth.json with a Bedrock auth_mode this release does not know: Codex exits before reading its config. */
function storedLoginProblems(setup: EffectiveSetup): CheckOutcome | undefined {
  const mode = setup.storedLogin.authMode;
  const rules = setup.codex.rules.behaviour;
  const unknown = (mode === 'bedrockApiKey' && rules.storedApiKey === 'unknown') || (mode === 'bedrockAccessKeys' && rules.storedAccessKeys === 'unknown');
  if (!unknown) return undefined;
  const release = setup.codex.rules.release;
  return {
    status: 'fail',
    code: 'config.unknown-auth-mode',
    summary: `Codex ${release} refuses to start: ${setup.storedLogin.path} has auth_mode "${mode}", which this release does not know ("unknown variant \`${mode}\`")`,
    details: [`a later Codex stored this Bedrock sign-in; Codex ${release} cannot read it`],
    remediation: `Update Codex (npm install -g @openai/codex@latest), the release that stored ${setup.storedLogin.path}; or move that file away and give this Codex its credentials another way (AWS_BEARER_TOKEN_BEDROCK, AWS credentials).`,
    docs: DOCS,
  };
}

function legacyProfileProblems(setup: EffectiveSetup): CheckOutcome | undefined {
  if (setup.profileSource === 'legacy-table') return legacyTableProblems(setup);
  const user = setup.layers.find((layer) => layer.name === 'user');
  for (const layer of setup.layers) {
    const legacy = allConfigValues([layer], ['profile'])[0];
    if (legacy && typeof legacy.value === 'string') {
      const name = legacy.value;
      return {
        status: 'fail',
        code: 'config.legacy-profile-key',
        summary: `Codex refuses to start: legacy \`profile = "${name}"\` (${describeOrigin(legacy.origin)}) is no longer supported`,
        details: [`Codex says: legacy \`profile = "${name}"\` config is no longer supported; use \`--profile ${name}\` with \`${name}.config.toml\` instead`],
        remediation: `Remove the line \`profile = "${name}"\`, move that profile's settings into ${setup.codexHome.path}/${name}.config.toml, and run \`codex --profile ${name}\`.`,
        docs: DOCS,
      };
    }
  }
  if (setup.profileName && user?.status === 'ok') {
    const table = allConfigValues([user], ['profiles', setup.profileName])[0];
    if (table) {
      return {
        status: 'fail',
        code: 'config.legacy-profile-table',
        summary: `Codex refuses --profile ${setup.profileName}: config.toml also has a legacy [profiles.${setup.profileName}] table (${describeOrigin(table.origin)})`,
        remediation: `Move the settings of [profiles.${setup.profileName}] into ${setup.codexHome.path}/${setup.profileName}.config.toml and delete the table from config.toml.`,
        docs: DOCS,
      };
    }
  }
  return undefined;
}

function refusedProviderKeys(setup: EffectiveSetup): CheckOutcome | undefined {
  const rules = setup.codex.rules.behaviour;
  const keys = keysUnder(setup.layers, [...PROVIDER_TABLE]);
  const refused = keys.filter(({ key }) => {
    const [first] = key;
    if (RELEASE_DEPENDENT_PROVIDER_FIELDS.includes(first!)) return !rules.providerKeys.includes(first!);
    if (key.length !== 1 || !(key[0]! in REFUSED_PROVIDER_FIELDS)) return false;
    const acceptsDefault = REFUSED_PROVIDER_FIELDS[key[0]!];
    const value = allConfigValues(setup.layers, [...PROVIDER_TABLE, key[0]!])[0]?.value;
    return !acceptsDefault || !acceptsDefault(value);
  });
  if (refused.length > 0) {
    return {
      status: 'fail',
      code: 'config.refused-provider-keys',
      summary: `Codex ${setup.codex.rules.release} refuses the config: ${refused.map((r) => `${formatKeyPath(r.key)} (${describeOrigin(r.origin)})`).join(', ')} cannot be changed for amazon-bedrock`,
      details: [`Codex says: ${codexOverrideError(setup)}`],
      remediation: refusedRemediation(setup, refused.map((r) => r.key)),
      docs: DOCS,
    };
  }
  const auth = keys.find(({ key }) => key[0] === 'auth');
  const aws = keys.find(({ key }) => key[0] === 'aws');
  if (auth && aws) {
    return {
      status: 'fail',
      code: 'config.auth-with-aws',
      summary: `Codex refuses the config: an auth command (${describeOrigin(auth.origin)}) cannot be combined with [model_providers.amazon-bedrock.aws] settings (${describeOrigin(aws.origin)})`,
      details: ['Codex says: model_providers.amazon-bedrock: provider aws cannot be combined with auth'],
      remediation: 'Keep either the auth command or the aws.* settings (region, profile) under model_providers.amazon-bedrock; with an auth command, set the region through AWS_REGION.',
      docs: DOCS,
    };
  }
  return undefined;
}

/** What to do about refused keys: remove them, or (for keys a later release accepts) update Codex. */
function refusedRemediation(setup: EffectiveSetup, keys: string[][]): string {
  const newerAccepts = keys.filter(([first]) => RELEASE_DEPENDENT_PROVIDER_FIELDS.includes(first!));
  const remove = 'Remove those keys from [model_providers.amazon-bedrock] (the model goes in the top-level `model` key; the provider name is fixed).';
  if (newerAccepts.length === 0) return remove;
  const names = newerAccepts.map((key) => formatKeyPath(key)).join(', ');
  return `${remove}\n${names}: accepted by later Codex releases; update Codex (npm install -g @openai/codex@latest) if you need ${newerAccepts.length > 1 ? 'them' : 'it'}.`;
}

/** Keys Codex does not know under the provider table: it ignores them with a warning and runs on. */
function ignoredProviderKeys(setup: EffectiveSetup): string[] {
  const awsKeys = setup.codex.rules.behaviour.awsKeys;
  return keysUnder(setup.layers, [...PROVIDER_TABLE])
    .filter(({ key }) => {
      const [first, second] = key;
      if (first === 'aws') return key.length === 1 || !awsKeys.includes(second!);
      return !RELEASE_DEPENDENT_PROVIDER_FIELDS.includes(first!) && !(first! in REFUSED_PROVIDER_FIELDS);
    })
    .map(({ key, origin }) => `model_providers.amazon-bedrock.${formatKeyPath(key)} (${describeOrigin(origin)})`);
}

/** A `model_provider` written after a [table] header belongs to that table, so Codex never sees it. */
function misplacedProviderKey(layers: readonly ConfigLayer[]): { line: number; header: string; path: string } | undefined {
  for (const layer of layers) {
    const misplaced = layer.layout.keys.find((key) => key.path.length > 1 && key.path[key.path.length - 1] === 'model_provider' && key.header);
    if (misplaced?.header) return { line: misplaced.line, header: misplaced.header.text, path: `${layer.path}:${misplaced.header.line}` };
  }
  return undefined;
}

function providerOutcome(setup: EffectiveSetup): CheckOutcome {
  const provider = setup.provider;
  if (!provider) {
    const misplaced = misplacedProviderKey(setup.layers);
    if (misplaced) {
      return {
        status: 'fail',
        code: 'config.provider-misplaced',
        summary: `model_provider at line ${misplaced.line} sits under ${misplaced.header} (${misplaced.path}), so it is not the top-level key: Codex warns that it is ignored and uses OpenAI`,
        remediation: `Move \`model_provider = "amazon-bedrock"\` to the top of the file, above the first [table] header (TOML assigns every key after a header to that table).`,
        docs: DOCS,
      };
    }
    const user = setup.layers.find((layer) => layer.name === 'user')!;
    const missing = user.status === 'missing';
    return {
      status: 'fail',
      code: missing ? 'config.file-missing' : 'config.provider-not-set',
      summary: missing
        ? `${user.path} does not exist, so Codex uses its default provider, OpenAI, not Amazon Bedrock`
        : `model_provider is not set, so Codex uses its default provider, OpenAI, not Amazon Bedrock`,
      remediation: `${missing ? `Create ${user.path}` : `Add to ${user.path}`}:\n${PROVIDER_SNIPPET}`,
      docs: DOCS,
    };
  }
  const where = describeOrigin(provider.origin);
  if (typeof provider.value !== 'string') {
    return {
      status: 'fail',
      code: 'config.provider-not-a-string',
      summary: `model_provider (${where}) is not a string; Codex cannot load the config`,
      remediation: 'Write it as a string: model_provider = "amazon-bedrock"',
      docs: DOCS,
    };
  }
  const id = provider.value;
  if (id === BEDROCK_PROVIDER_ID) return { status: 'pass', code: 'config.ok', summary: `model_provider = "amazon-bedrock" (${where})` };

  const managed = provider.origin.kind === 'config' && provider.origin.layer === 'managed';
  if (managed) {
    return {
      status: 'fail',
      code: 'config.managed-forces-provider',
      summary: `The managed config ${where} forces model_provider = "${id}"; it outranks your own config`,
      remediation: `Ask whoever administers ${provider.origin.kind === 'config' ? provider.origin.path : 'the managed config'} to set model_provider = "amazon-bedrock" (or remove it); no user setting can override a managed config.`,
      docs: DOCS,
    };
  }
  const definedCustom = allConfigValues(setup.layers, ['model_providers', id]).length > 0;
  const builtIn = (BUILT_IN_PROVIDERS as readonly string[]).includes(id);
  const suggestion = looksLikeBedrock(id) ? ` Did you mean "amazon-bedrock"?` : '';
  const fix = `Set model_provider = "amazon-bedrock" (${where}).`;
  if (id === 'amazon-bedrock-runtime') {
    return {
      status: 'fail',
      code: 'config.bedrock-runtime-provider',
      summary: `model_provider = "${id}" (${where}) is Codex's other Bedrock provider (bedrock-runtime endpoint, SigV4 service bedrock, global./us. model ids), not the "amazon-bedrock" Mantle provider of the setup guide that this doctor checks.${suggestion}`,
      remediation: fix,
      docs: DOCS,
    };
  }
  if (builtIn || definedCustom) {
    return {
      status: 'fail',
      code: 'config.other-provider',
      summary: `model_provider = "${id}" (${where}): Codex will use ${builtIn ? `its built-in "${id}" provider` : `the custom provider [model_providers.${id}]`}, not Amazon Bedrock.${suggestion}`,
      remediation: fix,
      docs: DOCS,
    };
  }
  return {
    status: 'fail',
    code: 'config.unknown-provider',
    summary: `model_provider = "${id}" (${where}): Codex exits with "Model provider \`${id}\` not found".${suggestion}`,
    remediation: fix,
    docs: DOCS,
  };
}

export const configProvider: Check = {
  id: 'config.provider',
  title: 'Codex config selects Amazon Bedrock',
  requires: [],
  network: false,
  run({ setup }) {
    const blocking = layerProblems(setup) ?? legacyProfileProblems(setup) ?? storedLoginProblems(setup);
    if (blocking) return blocking;
    // Codex validates the amazon-bedrock overrides only once that provider is selected; with another
    // provider (a misplaced model_provider included) it silently uses that one.
    const outcome = providerOutcome(setup);
    if (outcome.status !== 'pass') return outcome;
    const refused = refusedProviderKeys(setup);
    if (refused) return refused;

    const warnings: string[] = [];
    const remediations: string[] = [];
    const profileLayer = setup.layers.find((layer) => layer.name === 'profile');
    if (profileLayer?.status === 'missing' && setup.profileSource === 'profile-file') {
      warnings.push(`--profile ${setup.profileName}: ${profileLayer.path} does not exist, and Codex silently runs on config.toml alone`);
      remediations.push(`Create ${profileLayer.path} with that profile's settings, or drop --profile ${setup.profileName}.`);
    }
    const ignoredKeys = ignoredProviderKeys(setup);
    if (ignoredKeys.length > 0) {
      const says = setup.codex.rules.behaviour.warnsIgnoredKeys ? 'it prints "Codex is ignoring ... unrecognized configuration setting"' : `Codex ${setup.codex.rules.release} does so silently`;
      warnings.push(`Codex ignores unknown setting${ignoredKeys.length > 1 ? 's' : ''} ${ignoredKeys.join(', ')} (${says})`);
      const rules = setup.codex.rules.behaviour;
      remediations.push(`Remove or correct those keys: under [model_providers.amazon-bedrock] Codex ${setup.codex.rules.release} uses ${[...rules.providerKeys, ...rules.awsKeys.map((key) => `aws.${key}`)].join(', ')}.`);
    }
    const openAiKey = setup.env.sourced('OPENAI_API_KEY');
    if (openAiKey) {
      warnings.push(`${describeOrigin(openAiKey.origin)} is set, but the amazon-bedrock provider does not use it`);
      remediations.push('OPENAI_API_KEY and ChatGPT sign-in are not used with Bedrock; unset OPENAI_API_KEY unless another tool needs it.');
    }
    if (setup.baseUrl) {
      warnings.push(`base_url is overridden (${describeOrigin(setup.baseUrl.origin)}): Codex sends Bedrock traffic to ${String(setup.baseUrl.value)} and skips its region allow-list`);
      remediations.push('Remove model_providers.amazon-bedrock.base_url unless you deliberately route through a proxy or a private endpoint.');
    }
    const layerList = setup.layers
      .filter((layer) => layer.status === 'ok')
      .map((layer) => `${layer.name} layer: ${layer.path}`);
    const details = [`config layers read (lowest to highest): ${layerList.join('; ') || 'none'}`, ...warnings];
    if (warnings.length === 0) return { ...outcome, details };
    return { status: 'warn', code: profileLayer?.status === 'missing' && setup.profileSource === 'profile-file' ? 'config.profile-file-missing' : ignoredKeys.length > 0 ? 'config.unknown-provider-keys' : openAiKey ? 'config.openai-key-unused' : 'config.base-url-overridden', summary: `${outcome.summary}; ${warnings.join('; ')}`, details, remediation: remediations.join('\n'), docs: DOCS };
  },
};

