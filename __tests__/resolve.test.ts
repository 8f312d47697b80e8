/**
 * SPEC section 3, rule by rule: each row is a tiny machine (files, directories, shell) handed to the real
 * resolver, and asserts the exact value Codex would use AND where it came from.
 */
import { describe, expect, it } from '@jest/globals';
import { parseCliOverride } from '../src/resolve/config.js';
import { describeOrigin, type Sourced } from '../src/resolve/origin.js';
import { UsageError, parseOverrides, type EffectiveSetup } from '../src/resolve/setup.js';
import { AUTH_JSON, AWS_CONFIG, CODEX_HOME, CONFIG, DOTENV, HOME, MANAGED, lines, makeWorld, type WorldSpec } from './helpers/world.js';

const BEARER = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=';
const STORED_BEARER = 'ABSKc3RvcmVkLWF0LTEyMzQ1Njc4OTAxMjpzdG9yZWQ=';
/** auth.json as Codex 0.169.0 writes it for a Bedrock API key. */
const storedLogin = JSON.stringify({ auth_mode: 'bedrockApiKey', bedrock_api_key: { api_key: STORED_BEARER, region: 'eu-west-1' } });
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ENV_KEYS = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET };
const PROFILE_FILE = `${CODEX_HOME}/work.config.toml`;

/** A sourced value as "value @ origin", so one string shows both what and where. */
function shown(sourced: Sourced<unknown> | null | undefined): string | null {
  return sourced ? `${JSON.stringify(sourced.value)} @ ${describeOrigin(sourced.origin)}` : null;
}

const at = (value: unknown, origin: string) => `${JSON.stringify(value)} @ ${origin}`;

describe('Codex home', () => {
  it.each<{ name: string; world: WorldSpec; path: string; origin: string; state: string }>([
    { name: 'defaults to ~/.codex', world: { dirs: [CODEX_HOME] }, path: CODEX_HOME, origin: 'default (~/.codex)', state: 'directory' },
    { name: '~/.codex that does not exist is reported missing', world: {}, path: CODEX_HOME, origin: 'default (~/.codex)', state: 'missing' },
    {
      name: '$CODEX_HOME wins over ~/.codex',
      world: { env: { CODEX_HOME: '/opt/codex' }, dirs: ['/opt/codex', CODEX_HOME] },
      path: '/opt/codex',
      origin: 'CODEX_HOME (shell environment)',
      state: 'directory',
    },
    {
      name: '$CODEX_HOME that does not exist is kept and reported missing (no fallback to ~/.codex)',
      world: { env: { CODEX_HOME: '/nowhere' }, dirs: [CODEX_HOME] },
      path: '/nowhere',
      origin: 'CODEX_HOME (shell environment)',
      state: 'missing',
    },
    {
      name: '$CODEX_HOME pointing at a file is not a directory',
      world: { env: { CODEX_HOME: '/opt/codex-file' }, files: { '/opt/codex-file': 'x' } },
      path: '/opt/codex-file',
      origin: 'CODEX_HOME (shell environment)',
      state: 'not-a-directory',
    },
    {
      name: '--codex-home wins over $CODEX_HOME',
      world: { codexHomeFlag: '/flag/home', env: { CODEX_HOME: '/opt/codex' }, dirs: ['/flag/home', '/opt/codex'] },
      path: '/flag/home',
      origin: '--codex-home',
      state: 'directory',
    },
    {
      name: 'CODEX_HOME in ~/.codex/.env is ignored (CODEX_* keys never come from .env)',
      world: { files: { [DOTENV]: 'CODEX_HOME=/elsewhere\n' }, dirs: ['/elsewhere'] },
      path: CODEX_HOME,
      origin: 'default (~/.codex)',
      state: 'directory',
    },
  ])('$name', ({ world, path, origin, state }) => {
    const { codexHome } = makeWorld(world).resolve();
    expect(codexHome.path).toBe(path);
    expect(describeOrigin(codexHome.origin)).toBe(origin);
    expect(codexHome.state).toBe(state);
  });

  it('reads config.toml, .env and auth.json from the chosen home', () => {
    const setup = makeWorld({
      env: { CODEX_HOME: '/opt/codex' },
      files: {
        '/opt/codex/config.toml': 'model_provider = "amazon-bedrock"\n',
        '/opt/codex/.env': 'AWS_REGION=eu-west-1\n',
        [CONFIG]: 'model_provider = "openai"\n',
      },
    }).resolve();
    expect(shown(setup.provider)).toBe(at('amazon-bedrock', '/opt/codex/config.toml:1'));
    expect(setup.env.dotenv.path).toBe('/opt/codex/.env');
    expect(setup.storedLogin.path).toBe('/opt/codex/auth.json');
    expect(shown(setup.region.effective)).toBe(at('eu-west-1', 'AWS_REGION in /opt/codex/.env:1'));
  });
});

describe('.env overlay', () => {
  it.each<{ name: string; dotenv: string; shell: Record<string, string>; variable: string; expected: string | null }>([
    {
      name: '.env value overrides the shell, with file and line',
      dotenv: lines('# region for the app', 'AWS_REGION=eu-west-1'),
      shell: { AWS_REGION: 'us-east-1' },
      variable: 'AWS_REGION',
      expected: at('eu-west-1', `AWS_REGION in ${DOTENV}:2`),
    },
    {
      name: '`export KEY=value` is accepted',
      dotenv: lines('export AWS_PROFILE=work'),
      shell: {},
      variable: 'AWS_PROFILE',
      expected: at('work', `AWS_PROFILE in ${DOTENV}:1`),
    },
    {
      name: 'quotes and trailing comments follow dotenv rules',
      dotenv: lines('AWS_DEFAULT_REGION="eu-north-1" # stockholm'),
      shell: {},
      variable: 'AWS_DEFAULT_REGION',
      expected: at('eu-north-1', `AWS_DEFAULT_REGION in ${DOTENV}:1`),
    },
    {
      name: 'a variable only in the shell keeps its shell origin',
      dotenv: lines('AWS_REGION=eu-west-1'),
      shell: { AWS_PROFILE: 'work' },
      variable: 'AWS_PROFILE',
      expected: at('work', 'AWS_PROFILE (shell environment)'),
    },
    {
      name: 'CODEX_* keys are ignored (the shell value stays)',
      dotenv: lines('CODEX_SANDBOX=danger'),
      shell: { CODEX_SANDBOX: 'seatbelt' },
      variable: 'CODEX_SANDBOX',
      expected: at('seatbelt', 'CODEX_SANDBOX (shell environment)'),
    },
    {
      name: 'codex_* keys are ignored in any case',
      dotenv: lines('Codex_Thing=1'),
      shell: {},
      variable: 'Codex_Thing',
      expected: null,
    },
    {
      name: 'a line that fails to parse is dropped silently and later lines still apply',
      dotenv: lines('AWS_REGION=us west 2', 'AWS_DEFAULT_REGION=eu-west-2'),
      shell: { AWS_REGION: 'us-east-1' },
      variable: 'AWS_REGION',
      expected: at('us-east-1', 'AWS_REGION (shell environment)'),
    },
    {
      name: 'the line after a dropped one is applied',
      dotenv: lines('AWS_REGION=us west 2', 'AWS_DEFAULT_REGION=eu-west-2'),
      shell: {},
      variable: 'AWS_DEFAULT_REGION',
      expected: at('eu-west-2', `AWS_DEFAULT_REGION in ${DOTENV}:2`),
    },
  ])('$name', ({ dotenv, shell, variable, expected }) => {
    const setup = makeWorld({ files: { [DOTENV]: dotenv }, env: shell }).resolve();
    expect(shown(setup.env.sourced(variable))).toBe(expected);
  });

  it.each<{ name: string; dotenv: string; shell: Record<string, string>; overridden: string[] }>([
    { name: 'a different shell value is recorded as overridden (name only)', dotenv: 'AWS_REGION=eu-west-1\n', shell: { AWS_REGION: 'us-east-1' }, overridden: ['AWS_REGION'] },
    { name: 'the same value in both is not an override', dotenv: 'AWS_REGION=us-east-1\n', shell: { AWS_REGION: 'us-east-1' }, overridden: [] },
    { name: 'a key absent from the shell is not an override', dotenv: 'AWS_REGION=us-east-1\n', shell: {}, overridden: [] },
    { name: 'ignored CODEX_* keys override nothing', dotenv: 'CODEX_X=2\n', shell: { CODEX_X: '1' }, overridden: [] },
  ])('$name', ({ dotenv, shell, overridden }) => {
    expect(makeWorld({ files: { [DOTENV]: dotenv }, env: shell }).resolve().env.dotenv.overriddenShellKeys).toEqual(overridden);
  });

  it('every later rule reads the effective environment: auth and region come from .env over the shell', () => {
    const setup = makeWorld({
      files: { [DOTENV]: lines('AWS_BEARER_TOKEN_BEDROCK=' + BEARER, 'AWS_REGION=eu-west-1') },
      env: { AWS_REGION: 'us-east-1', ...ENV_KEYS },
    }).resolve();
    expect(setup.auth.source).toBe('bearer-env');
    expect(describeOrigin(setup.auth.origin)).toBe(`AWS_BEARER_TOKEN_BEDROCK in ${DOTENV}:1`);
    expect(shown(setup.region.effective)).toBe(at('eu-west-1', `AWS_REGION in ${DOTENV}:2`));
    expect(setup.endpoint?.value).toBe('https://bedrock-mantle.eu-west-1.api.aws/openai/v1');
  });

  it('no .env file leaves the shell as it is', () => {
    const setup = makeWorld({ env: { AWS_REGION: 'us-east-1' } }).resolve();
    expect(setup.env.dotenv.read.status).toBe('missing');
    expect(setup.env.dotenv.parse).toBeNull();
    expect(shown(setup.env.sourced('AWS_REGION'))).toBe(at('us-east-1', 'AWS_REGION (shell environment)'));
  });
});

describe('config layers: user < profile file < -c < managed', () => {
  const USER_TOML = lines(
    'model = "openai.gpt-5.4"', // 1
    'model_provider = "openai"', // 2
    '', // 3
    '[model_providers.amazon-bedrock.aws]', // 4
    'region = "us-east-1"', // 5
  );
  const PROFILE_TOML = lines(
    '# work profile', // 1
    'model = "openai.gpt-5.5"', // 2
    'model_provider = "amazon-bedrock"', // 3
    '[model_providers.amazon-bedrock.aws]', // 4
    'region = "us-east-2"', // 5
  );
  const MANAGED_TOML = lines(
    'model_provider = "amazon-bedrock"', // 1
    'model = "openai.gpt-6-luna"', // 2
    '', // 3
    '[model_providers.amazon-bedrock.aws]', // 4
    'region = "eu-central-1"', // 5
  );
  const C_ALL = ['model=openai.gpt-5.6-sol', 'model_provider="amazon-bedrock"', 'model_providers.amazon-bedrock.aws.region="eu-west-2"'];

  type Field = 'model' | 'provider' | 'region';
  const pick = (setup: EffectiveSetup, field: Field) =>
    field === 'model' ? shown(setup.model) : field === 'provider' ? shown(setup.provider) : shown(setup.region.effective);

  it.each<{ name: string; world: WorldSpec; field: Field; expected: string }>([
    { name: 'model from config.toml', world: { files: { [CONFIG]: USER_TOML } }, field: 'model', expected: at('openai.gpt-5.4', `${CONFIG}:1`) },
    { name: 'model_provider from config.toml', world: { files: { [CONFIG]: USER_TOML } }, field: 'provider', expected: at('openai', `${CONFIG}:2`) },
    { name: 'region from config.toml', world: { files: { [CONFIG]: USER_TOML } }, field: 'region', expected: at('us-east-1', `${CONFIG}:5`) },
    ...(['model', 'provider', 'region'] as Field[]).map((field) => ({
      name: `${field}: --profile work layers work.config.toml over config.toml`,
      world: { files: { [CONFIG]: USER_TOML, [PROFILE_FILE]: PROFILE_TOML }, profile: 'work' },
      field,
      expected: {
        model: at('openai.gpt-5.5', `${PROFILE_FILE}:2`),
        provider: at('amazon-bedrock', `${PROFILE_FILE}:3`),
        region: at('us-east-2', `${PROFILE_FILE}:5`),
      }[field],
    })),
    ...(['model', 'provider', 'region'] as Field[]).map((field) => ({
      name: `${field}: -c beats the profile file`,
      world: { files: { [CONFIG]: USER_TOML, [PROFILE_FILE]: PROFILE_TOML }, profile: 'work', overrides: C_ALL },
      field,
      expected: {
        model: at('openai.gpt-5.6-sol', '-c model'),
        provider: at('amazon-bedrock', '-c model_provider'),
        region: at('eu-west-2', '-c model_providers.amazon-bedrock.aws.region'),
      }[field],
    })),
    ...(['model', 'provider', 'region'] as Field[]).map((field) => ({
      name: `${field}: the managed config outranks -c, the profile and config.toml`,
      world: { files: { [CONFIG]: USER_TOML, [PROFILE_FILE]: PROFILE_TOML, [MANAGED]: MANAGED_TOML }, profile: 'work', overrides: C_ALL },
      field,
      expected: {
        model: at('openai.gpt-6-luna', `${MANAGED}:2`),
        provider: at('amazon-bedrock', `${MANAGED}:1`),
        region: at('eu-central-1', `${MANAGED}:5`),
      }[field],
    })),
    {
      name: 'a key the profile file does not set still comes from config.toml (layers merge key by key)',
      world: { files: { [CONFIG]: USER_TOML, [PROFILE_FILE]: 'model = "openai.gpt-5.5"\n' }, profile: 'work' },
      field: 'region',
      expected: at('us-east-1', `${CONFIG}:5`),
    },
    {
      name: 'a managed config that only sets the region leaves model_provider to config.toml',
      world: { files: { [CONFIG]: USER_TOML, [MANAGED]: '[model_providers.amazon-bedrock.aws]\nregion = "eu-west-1"\n' } },
      field: 'provider',
      expected: at('openai', `${CONFIG}:2`),
    },
    {
      name: 'the last of two -c for the same key wins',
      world: { files: { [CONFIG]: USER_TOML }, overrides: ['model=openai.gpt-5.5', 'model=openai.gpt-6-astra'] },
      field: 'model',
      expected: at('openai.gpt-6-astra', '-c model'),
    },
    {
      name: 'a managed config at a custom path is honoured',
      world: { files: { [CONFIG]: USER_TOML, '/srv/managed.toml': 'model = "openai.gpt-5.6-luna"\n' }, managedConfigPath: '/srv/managed.toml' },
      field: 'model',
      expected: at('openai.gpt-5.6-luna', '/srv/managed.toml:1'),
    },
  ])('$name', ({ world, field, expected }) => {
    expect(pick(makeWorld(world).resolve(), field)).toBe(expected);
  });

  it.each<{ name: string; world: WorldSpec; layers: string[] }>([
    { name: 'config.toml alone', world: { files: { [CONFIG]: USER_TOML } }, layers: ['user'] },
    {
      name: 'all four, lowest first',
      world: { files: { [CONFIG]: USER_TOML, [PROFILE_FILE]: PROFILE_TOML, [MANAGED]: MANAGED_TOML }, profile: 'work', overrides: ['model=x'] },
      layers: ['user', 'profile', 'cli', 'managed'],
    },
    { name: 'an absent managed config is not a layer', world: { files: { [CONFIG]: USER_TOML }, overrides: ['model=x'] }, layers: ['user', 'cli'] },
  ])('layer list: $name', ({ world, layers }) => {
    expect(makeWorld(world).resolve().layers.map((layer) => layer.name)).toEqual(layers);
  });

  it('the profile layer reads NAME.config.toml from the Codex home', () => {
    const setup = makeWorld({ files: { [CONFIG]: USER_TOML }, profile: 'work' }).resolve();
    const profile = setup.layers.find((layer) => layer.name === 'profile');
    expect(profile?.path).toBe(PROFILE_FILE);
    expect(profile?.status).toBe('missing');
    expect(setup.profileName).toBe('work');
  });
});

describe('-c parsing (as `codex -c`)', () => {
  it.each<{ raw: string; path: string[]; value: unknown }>([
    { raw: 'model=openai.gpt-5.5', path: ['model'], value: 'openai.gpt-5.5' },
    { raw: 'model="openai.gpt-5.5"', path: ['model'], value: 'openai.gpt-5.5' },
    { raw: "model='openai.gpt-5.5'", path: ['model'], value: 'openai.gpt-5.5' },
    { raw: 'model="openai.gpt-5.5', path: ['model'], value: 'openai.gpt-5.5' },
    { raw: "model='openai.gpt-5.5", path: ['model'], value: 'openai.gpt-5.5' },
    { raw: 'model_providers.amazon-bedrock.aws.region=us-west-2', path: ['model_providers', 'amazon-bedrock', 'aws', 'region'], value: 'us-west-2' },
    { raw: ' model_provider = amazon-bedrock ', path: ['model_provider'], value: 'amazon-bedrock' },
    { raw: 'timeout=42', path: ['timeout'], value: 42 },
    { raw: 'flag=true', path: ['flag'], value: true },
    { raw: 'list=["a", "b"]', path: ['list'], value: ['a', 'b'] },
    { raw: 'model_providers.amazon-bedrock.aws={ region = "eu-west-1" }', path: ['model_providers', 'amazon-bedrock', 'aws'], value: { region: 'eu-west-1' } },
    { raw: 'x=a=b', path: ['x'], value: 'a=b' },
    { raw: 'model=', path: ['model'], value: '' },
  ])('$raw', ({ raw, path, value }) => {
    expect(parseCliOverride(raw)).toEqual({ raw, path, value });
  });

  it.each<{ raw: string; message: RegExp }>([
    { raw: 'model', message: /missing '='/ },
    { raw: 'model_provider amazon-bedrock', message: /missing '='/ },
    { raw: '=amazon-bedrock', message: /empty key/ },
  ])('rejects $raw with a UsageError', ({ raw, message }) => {
    expect(() => parseOverrides([raw])).toThrow(UsageError);
    expect(() => parseOverrides([raw])).toThrow(message);
    expect(() => makeWorld({ overrides: ['model=openai.gpt-5.5', raw] }).resolve()).toThrow(UsageError);
  });

  it.each<{ name: string; overrides: string[]; expected: string }>([
    { name: 'a bare string value', overrides: ['model=openai.gpt-5.5'], expected: at('openai.gpt-5.5', '-c model') },
    { name: 'a TOML string value', overrides: ['model="openai.gpt-5.4"'], expected: at('openai.gpt-5.4', '-c model') },
    {
      name: 'a dotted key lands in the nested table',
      overrides: ['model_providers.amazon-bedrock.aws.region=ap-south-1'],
      expected: at('ap-south-1', '-c model_providers.amazon-bedrock.aws.region'),
    },
    {
      name: 'an inline table is found under its key',
      overrides: ['model_providers.amazon-bedrock.aws={ region = "sa-east-1" }'],
      expected: at('sa-east-1', '-c model_providers.amazon-bedrock.aws'),
    },
    {
      name: 'the origin is the override whose key path holds the value (not one whose name merely starts the same)',
      overrides: ['model_providers.amazon-bedrock.aws={ region = "sa-east-1" }', 'model_providers.amazon-bedrock.aws.reg=1'],
      expected: at('sa-east-1', '-c model_providers.amazon-bedrock.aws'),
    },
  ])('reaches the effective setup: $name', ({ overrides, expected }) => {
    const setup = makeWorld({ overrides }).resolve();
    const isRegion = overrides[0]!.startsWith('model_providers');
    expect(isRegion ? shown(setup.region.effective) : shown(setup.model)).toBe(expected);
  });
});

describe('TOML placement', () => {
  it.each<{ name: string; toml: string; provider: string | null }>([
    { name: 'before any header it is the top-level key', toml: lines('model_provider = "amazon-bedrock"', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"'), provider: at('amazon-bedrock', `${CONFIG}:1`) },
    {
      name: 'after [model_providers.amazon-bedrock.aws] it belongs to that table',
      toml: lines('[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', 'model_provider = "amazon-bedrock"'),
      provider: null,
    },
    { name: 'after any [table] it belongs to that table', toml: lines('[features]', 'web_search = true', 'model_provider = "amazon-bedrock"'), provider: null },
    { name: 'after an [[array]] header it belongs to the array entry', toml: lines('[[mcp]]', 'name = "x"', 'model_provider = "amazon-bedrock"'), provider: null },
    { name: 'a blank line does not end a table', toml: lines('[tui]', '', '', 'model_provider = "amazon-bedrock"'), provider: null },
    { name: 'below a commented-out header it is still top-level', toml: lines('# [tui]', 'model_provider = "amazon-bedrock"'), provider: at('amazon-bedrock', `${CONFIG}:2`) },
  ])('model_provider $name', ({ toml, provider }) => {
    expect(shown(makeWorld({ files: { [CONFIG]: toml } }).resolve().provider)).toBe(provider);
  });

  it.each<{ name: string; toml: string; region: string | null }>([
    { name: 'under [model_providers.amazon-bedrock.aws]', toml: lines('[model_providers.amazon-bedrock.aws]', 'region = "eu-west-1"'), region: at('eu-west-1', `${CONFIG}:2`) },
    { name: 'as a dotted key at the top level', toml: lines('model_providers.amazon-bedrock.aws.region = "eu-west-1"'), region: at('eu-west-1', `${CONFIG}:1`) },
    { name: 'as aws.region under [model_providers.amazon-bedrock]', toml: lines('[model_providers.amazon-bedrock]', 'aws.region = "eu-west-1"'), region: at('eu-west-1', `${CONFIG}:2`) },
    { name: 'directly under [model_providers.amazon-bedrock] is not aws.region', toml: lines('[model_providers.amazon-bedrock]', 'region = "eu-west-1"'), region: null },
  ])('region $name', ({ toml, region }) => {
    expect(shown(makeWorld({ files: { [CONFIG]: toml } }).resolve().region.effective)).toBe(region);
  });
});

describe('auth source precedence', () => {
  const bedrockToml = (...providerLines: string[]) => lines('model_provider = "amazon-bedrock"', '[model_providers.amazon-bedrock]', ...providerLines);

  interface AuthRow {
    name: string;
    world: WorldSpec;
    mode: string;
    source: string;
    origin: string;
    awsProfile?: string | null;
    /** Substrings, one per ignored credential, in any order; the list must have exactly this length. */
    ignored: string[];
  }

  it.each<AuthRow>([
    {
      name: 'a configured auth command beats everything',
      world: {
        files: { [CONFIG]: bedrockToml('auth = { command = "get-bedrock-key" }', 'aws.profile = "work"'), [AUTH_JSON]: storedLogin },
        env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, ...ENV_KEYS },
      },
      mode: 'command',
      source: 'auth-command',
      origin: `${CONFIG}:3`,
      ignored: ['Bedrock API key stored in', 'AWS_BEARER_TOKEN_BEDROCK', 'AWS_ACCESS_KEY_ID'],
    },
    {
      name: 'an auth command written as a [model_providers.amazon-bedrock.auth] table is located at its header',
      world: { files: { [CONFIG]: lines('model_provider = "amazon-bedrock"', '', '[model_providers.amazon-bedrock.auth]', 'command = "get-bedrock-key"') } },
      mode: 'command',
      source: 'auth-command',
      origin: `${CONFIG}:3`,
      ignored: [],
    },
    {
      name: 'aws.profile beats the stored key, AWS_BEARER_TOKEN_BEDROCK and env keys',
      world: {
        files: { [CONFIG]: bedrockToml('aws.profile = "work"'), [AUTH_JSON]: storedLogin },
        env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, ...ENV_KEYS },
      },
      mode: 'iam',
      source: 'aws-profile-config',
      origin: `${CONFIG}:3`,
      awsProfile: at('work', `${CONFIG}:3`),
      ignored: ['Bedrock API key stored in', 'AWS_BEARER_TOKEN_BEDROCK', 'AWS_ACCESS_KEY_ID'],
    },
    {
      name: 'aws.profile beats AWS_PROFILE',
      world: { files: { [CONFIG]: bedrockToml('aws.profile = "work"') }, env: { AWS_PROFILE: 'personal' } },
      mode: 'iam',
      source: 'aws-profile-config',
      origin: `${CONFIG}:3`,
      awsProfile: at('work', `${CONFIG}:3`),
      ignored: ['AWS_PROFILE=personal'],
    },
    {
      name: 'the key stored by codex login in auth.json beats AWS_BEARER_TOKEN_BEDROCK',
      world: { files: { [CONFIG]: bedrockToml(), [AUTH_JSON]: storedLogin }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      mode: 'bearer',
      source: 'codex-login',
      origin: `${AUTH_JSON} (stored by codex login)`,
      ignored: ['AWS_BEARER_TOKEN_BEDROCK'],
    },
    {
      name: 'AWS_BEARER_TOKEN_BEDROCK beats env keys',
      world: { env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, ...ENV_KEYS } },
      mode: 'bearer',
      source: 'bearer-env',
      origin: 'AWS_BEARER_TOKEN_BEDROCK (shell environment)',
      ignored: ['AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY'],
    },
    {
      name: 'AWS_BEARER_TOKEN_BEDROCK beats AWS_PROFILE, whose credentials are then ignored',
      world: { env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, AWS_PROFILE: 'work' } },
      mode: 'bearer',
      source: 'bearer-env',
      origin: 'AWS_BEARER_TOKEN_BEDROCK (shell environment)',
      ignored: ['AWS_PROFILE'],
    },
    {
      name: 'env keys win even with AWS_PROFILE set (unlike the JS SDK chain)',
      world: { env: { ...ENV_KEYS, AWS_PROFILE: 'work' } },
      mode: 'iam',
      source: 'env-keys',
      origin: 'AWS_ACCESS_KEY_ID (shell environment)',
      awsProfile: null,
      ignored: ['AWS_PROFILE=work'],
    },
    {
      name: 'env keys from .env',
      world: { files: { [DOTENV]: lines(`AWS_ACCESS_KEY_ID=${AKID}`, `AWS_SECRET_ACCESS_KEY=${SECRET}`) } },
      mode: 'iam',
      source: 'env-keys',
      origin: `AWS_ACCESS_KEY_ID in ${DOTENV}:1`,
      ignored: [],
    },
    {
      name: 'an access key id without a secret is not env keys: the SDK chain decides',
      world: { env: { AWS_ACCESS_KEY_ID: AKID } },
      mode: 'iam',
      source: 'sdk-chain',
      origin: 'AWS SDK default credential chain',
      awsProfile: null,
      ignored: [],
    },
    {
      name: 'AWS_PROFILE alone selects the SDK chain with that profile',
      world: { env: { AWS_PROFILE: 'work' } },
      mode: 'iam',
      source: 'sdk-chain',
      origin: 'AWS_PROFILE (shell environment)',
      awsProfile: at('work', 'AWS_PROFILE (shell environment)'),
      ignored: [],
    },
    {
      name: 'nothing at all falls to the SDK default chain',
      world: {},
      mode: 'iam',
      source: 'sdk-chain',
      origin: 'AWS SDK default credential chain',
      awsProfile: null,
      ignored: [],
    },
    {
      name: 'AWS access keys stored in auth.json beat AWS_BEARER_TOKEN_BEDROCK and env keys',
      world: {
        files: { [AUTH_JSON]: JSON.stringify({ auth_mode: 'bedrockAccessKeys', bedrock_access_keys: { access_key_id: 'AKIASTOREDKEY0000001', secret_access_key: 'storedSecret0000000000000000000000000001' } }) },
        env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, ...ENV_KEYS },
      },
      mode: 'iam',
      source: 'codex-login-keys',
      origin: `${AUTH_JSON} (stored by codex login)`,
      ignored: ['AWS_BEARER_TOKEN_BEDROCK', 'AWS_ACCESS_KEY_ID'],
    },
    {
      name: 'a stored API key beats stored access keys',
      world: {
        files: { [AUTH_JSON]: JSON.stringify({ bedrock_api_key: { api_key: STORED_BEARER, region: 'us-east-1' }, bedrock_access_keys: { access_key_id: 'AKIASTOREDKEY0000001', secret_access_key: 'storedSecret0000000000000000000000000001' } }) },
      },
      mode: 'bearer',
      source: 'codex-login',
      origin: `${AUTH_JSON} (stored by codex login)`,
      ignored: ['AWS access keys stored in'],
    },
    {
      name: 'an auth_mode Codex does not know makes it ignore auth.json entirely',
      world: { files: { [AUTH_JSON]: JSON.stringify({ auth_mode: 'bedrock_api_key', bedrock_api_key: { api_key: STORED_BEARER, region: 'us-east-1' } }) }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      mode: 'bearer',
      source: 'bearer-env',
      origin: 'AWS_BEARER_TOKEN_BEDROCK (shell environment)',
      ignored: [],
    },
    {
      name: 'auth_mode apikey (an OpenAI key): the Bedrock block is not used',
      world: { files: { [AUTH_JSON]: JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: 'sk-test', bedrock_api_key: { api_key: STORED_BEARER, region: 'us-east-1' } }) }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      mode: 'bearer',
      source: 'bearer-env',
      origin: 'AWS_BEARER_TOKEN_BEDROCK (shell environment)',
      ignored: [],
    },
    {
      name: 'an auth.json with only ChatGPT/OpenAI credentials holds no Bedrock key',
      world: { files: { [AUTH_JSON]: JSON.stringify({ OPENAI_API_KEY: 'sk-test', tokens: { id_token: 'x' } }) }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      mode: 'bearer',
      source: 'bearer-env',
      origin: 'AWS_BEARER_TOKEN_BEDROCK (shell environment)',
      ignored: [],
    },
  ])('$name', ({ world, mode, source, origin, awsProfile, ignored }) => {
    const { auth } = makeWorld(world).resolve();
    expect(auth.mode).toBe(mode);
    expect(auth.source).toBe(source);
    expect(describeOrigin(auth.origin)).toBe(origin);
    if (awsProfile !== undefined) expect(shown(auth.awsProfile)).toBe(awsProfile);
    expect(auth.ignored).toHaveLength(ignored.length);
    ignored.forEach((what) => expect(auth.ignored.map((i) => i.what).join(' | ')).toContain(what));
    auth.ignored.forEach((i) => expect(i.why).not.toBe(''));
  });

  it('the stored key and AWS_BEARER_TOKEN_BEDROCK are the bearer keys of their paths', () => {
    const stored = makeWorld({ files: { [AUTH_JSON]: storedLogin }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } }).resolve();
    expect(stored.auth.bearerKey?.value).toBe(STORED_BEARER);
    const env = makeWorld({ env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } }).resolve();
    expect(shown(env.auth.bearerKey)).toBe(at(BEARER, 'AWS_BEARER_TOKEN_BEDROCK (shell environment)'));
  });

  describe('bearer key hygiene', () => {
    it.each<{ name: string; value: string; mode: string; source: string; emptyIgnored: boolean }>([
      { name: 'surrounding spaces are trimmed: still the bearer path', value: `  ${BEARER}  `, mode: 'bearer', source: 'bearer-env', emptyIgnored: false },
      { name: 'a trailing newline is trimmed: still the bearer path', value: `${BEARER}\n`, mode: 'bearer', source: 'bearer-env', emptyIgnored: false },
      { name: 'an empty value is unset: falls through to IAM (env keys)', value: '', mode: 'iam', source: 'env-keys', emptyIgnored: true },
      { name: 'a whitespace-only value is unset: falls through to IAM', value: ' \n', mode: 'iam', source: 'env-keys', emptyIgnored: true },
      { name: 'surrounding quotes are not removed: still the bearer path', value: `"${BEARER}"`, mode: 'bearer', source: 'bearer-env', emptyIgnored: false },
    ])('$name', ({ value, mode, source, emptyIgnored }) => {
      const { auth } = makeWorld({ env: { AWS_BEARER_TOKEN_BEDROCK: value, ...ENV_KEYS } }).resolve();
      expect(auth.mode).toBe(mode);
      expect(auth.source).toBe(source);
      expect(auth.emptyBearerIgnored ? describeOrigin(auth.emptyBearerIgnored) : null).toBe(
        emptyIgnored ? 'AWS_BEARER_TOKEN_BEDROCK (shell environment)' : null,
      );
      // An empty key is not a credential Codex passes over: it is not in `ignored`.
      expect(auth.ignored.map((i) => i.what)).toEqual(mode === 'bearer' ? ['AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY'] : []);
      if (mode === 'bearer') {
        // Whitespace is Codex's to trim; quotes are kept (they are sent and rejected).
        expect(auth.bearerKey?.value.trim()).toBe(value.trim());
      } else {
        expect(auth.bearerKey).toBeUndefined();
      }
    });

    it('an empty AWS_BEARER_TOKEN_BEDROCK in .env also unsets a shell key (the .env value wins, then is empty)', () => {
      const { auth } = makeWorld({ files: { [DOTENV]: 'AWS_BEARER_TOKEN_BEDROCK=\n' }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, AWS_PROFILE: 'work' } }).resolve();
      expect(auth.source).toBe('sdk-chain');
      expect(describeOrigin(auth.emptyBearerIgnored!)).toBe(`AWS_BEARER_TOKEN_BEDROCK in ${DOTENV}:1`);
    });
  });
});

describe('region precedence', () => {
  const AWS_CONFIG_TEXT = lines(
    '[default]', // 1
    'region = us-west-2', // 2
    '', // 3
    '[profile work]', // 4
    'region = eu-west-1', // 5
  );
  const configRegion = lines('[model_providers.amazon-bedrock.aws]', 'region = "us-east-2"');

  it.each<{ name: string; world: WorldSpec; expected: string | null }>([
    {
      name: 'config aws.region beats AWS_REGION and AWS_DEFAULT_REGION',
      world: { files: { [CONFIG]: configRegion }, env: { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-south-1' } },
      expected: at('us-east-2', `${CONFIG}:2`),
    },
    {
      name: 'AWS_REGION beats AWS_DEFAULT_REGION',
      world: { env: { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-south-1' } },
      expected: at('eu-north-1', 'AWS_REGION (shell environment)'),
    },
    { name: 'AWS_DEFAULT_REGION is read (unlike the JS SDK)', world: { env: { AWS_DEFAULT_REGION: 'eu-south-1' } }, expected: at('eu-south-1', 'AWS_DEFAULT_REGION (shell environment)') },
    {
      name: 'AWS_REGION beats the profile region',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT }, env: { AWS_REGION: 'eu-north-1' } },
      expected: at('eu-north-1', 'AWS_REGION (shell environment)'),
    },
    {
      name: 'IAM path: an empty AWS_REGION is taken as it is by the AWS SDK region chain (Codex 0.169.0, observed)',
      world: { env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-south-1' } },
      expected: at('', 'AWS_REGION (shell environment)'),
    },
    {
      name: 'bearer path: an empty AWS_REGION is unset, AWS_DEFAULT_REGION wins',
      world: { env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-south-1' } },
      expected: at('eu-south-1', 'AWS_DEFAULT_REGION (shell environment)'),
    },
    {
      name: 'bearer path: AWS_REGION is trimmed',
      world: { env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, AWS_REGION: ' us-east-2 ' } },
      expected: at('us-east-2', 'AWS_REGION (shell environment)'),
    },
    {
      name: 'IAM path: AWS_REGION keeps its spaces',
      world: { env: { AWS_REGION: 'us-east-2 ' } },
      expected: at('us-east-2 ', 'AWS_REGION (shell environment)'),
    },
    {
      name: 'an empty config aws.region is unset on every path',
      world: { files: { [CONFIG]: lines('[model_providers.amazon-bedrock.aws]', 'region = ""') }, env: { AWS_REGION: 'eu-north-1' } },
      expected: at('eu-north-1', 'AWS_REGION (shell environment)'),
    },
    {
      name: 'IAM path (SDK chain, default profile): region of [default] in ~/.aws/config',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT } },
      expected: at('us-west-2', `profile default in ${AWS_CONFIG}:2`),
    },
    {
      name: 'IAM path with AWS_PROFILE: region of that profile',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT }, env: { AWS_PROFILE: 'work' } },
      expected: at('eu-west-1', `profile work in ${AWS_CONFIG}:5`),
    },
    {
      name: 'IAM path with aws.profile in the config: region of that profile',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT, [CONFIG]: lines('[model_providers.amazon-bedrock.aws]', 'profile = "work"') } },
      expected: at('eu-west-1', `profile work in ${AWS_CONFIG}:5`),
    },
    {
      name: 'IAM path via env keys with AWS_PROFILE set: region of the selected profile (AWS_PROFILE)',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT }, env: { ...ENV_KEYS, AWS_PROFILE: 'work' } },
      expected: at('eu-west-1', `profile work in ${AWS_CONFIG}:5`),
    },
    {
      name: 'IAM path via env keys without AWS_PROFILE: region of [default]',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT }, env: { ...ENV_KEYS } },
      expected: at('us-west-2', `profile default in ${AWS_CONFIG}:2`),
    },
    {
      name: 'AWS_CONFIG_FILE moves the shared config, with line',
      world: { files: { '/etc/aws/cfg': lines('# team config', '[profile work]', 'region = ap-south-1') }, env: { AWS_CONFIG_FILE: '/etc/aws/cfg', AWS_PROFILE: 'work' } },
      expected: at('ap-south-1', 'profile work in /etc/aws/cfg:3'),
    },
    {
      name: 'AWS_CONFIG_FILE from .env is honoured',
      world: { files: { '/etc/aws/cfg': lines('[default]', 'region = sa-east-1'), [DOTENV]: 'AWS_CONFIG_FILE=/etc/aws/cfg\n' } },
      expected: at('sa-east-1', 'profile default in /etc/aws/cfg:2'),
    },
    {
      name: 'bearer path: the profile region is not consulted',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      expected: null,
    },
    {
      name: 'a stored Bedrock API key uses the region stored with it, over config and AWS_REGION',
      world: { files: { [CONFIG]: configRegion, [AWS_CONFIG]: AWS_CONFIG_TEXT, [AUTH_JSON]: storedLogin }, env: { AWS_REGION: 'eu-north-1' } },
      expected: at('eu-west-1', `${AUTH_JSON} (stored by codex login)`),
    },
    {
      name: 'a stored Bedrock API key without a stored region has none (no other source counts)',
      world: { files: { [AWS_CONFIG]: AWS_CONFIG_TEXT, [AUTH_JSON]: JSON.stringify({ bedrock_api_key: { api_key: STORED_BEARER } }) }, env: { AWS_REGION: 'eu-north-1' } },
      expected: null,
    },
    {
      name: 'a profile without a region gives none',
      world: { files: { [AWS_CONFIG]: lines('[profile work]', 'output = json') }, env: { AWS_PROFILE: 'work' } },
      expected: null,
    },
    {
      name: 'in the config file a profile is [profile NAME]: a bare [work] section is not it',
      world: { files: { [AWS_CONFIG]: lines('[work]', 'region = eu-west-3') }, env: { AWS_PROFILE: 'work' } },
      expected: null,
    },
  ])('$name', ({ world, expected }) => {
    expect(shown(makeWorld(world).resolve().region.effective)).toBe(expected);
  });

  it('an empty AWS_REGION on the bearer path is recorded as ignored, with why', () => {
    const { region } = makeWorld({ env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-south-1' } }).resolve();
    const empty = region.candidates.find((c) => c.sourceName === 'AWS_REGION');
    expect(empty).toMatchObject({ value: null });
    expect(empty?.ignoredBecause).toMatch(/empty/);
    expect(describeOrigin(empty!.origin)).toBe('AWS_REGION (shell environment)');
  });

  it('records every candidate in Codex order, winners and losers', () => {
    const { region } = makeWorld({
      files: { [CONFIG]: configRegion, [AWS_CONFIG]: AWS_CONFIG_TEXT },
      env: { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-south-1' },
    }).resolve();
    expect(region.candidates.map((c) => `${c.sourceName}=${String(c.value)} @ ${describeOrigin(c.origin)}`)).toEqual([
      `model_providers.amazon-bedrock.aws.region=us-east-2 @ ${CONFIG}:2`,
      'AWS_REGION=eu-north-1 @ AWS_REGION (shell environment)',
      'AWS_DEFAULT_REGION=eu-south-1 @ AWS_DEFAULT_REGION (shell environment)',
      `profile default region=us-west-2 @ profile default in ${AWS_CONFIG}:2`,
    ]);
  });

  it.each<{ name: string; world: WorldSpec; tried: RegExp[] }>([
    { name: 'IAM path: config, AWS_REGION, AWS_DEFAULT_REGION, then the profile', world: {}, tried: [/aws\.region/, /^AWS_REGION$/, /^AWS_DEFAULT_REGION$/, /profile "default"/] },
    { name: 'bearer path: no profile', world: { env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } }, tried: [/aws\.region/, /^AWS_REGION$/, /^AWS_DEFAULT_REGION$/] },
  ])('sources tried, in order — $name', ({ world, tried }) => {
    const { region } = makeWorld(world).resolve();
    expect(region.effective).toBeNull();
    expect(region.tried).toHaveLength(tried.length);
    tried.forEach((pattern, i) => expect(region.tried[i]).toMatch(pattern));
  });

  it('a config region is trimmed as Codex trims it, and the written value is kept for region.set', () => {
    const { region } = makeWorld({ files: { [CONFIG]: lines('[model_providers.amazon-bedrock.aws]', 'region = "US-EAST-1 "') } }).resolve();
    expect(shown(region.effective)).toBe(at('US-EAST-1', `${CONFIG}:2`));
    expect(region.effective?.written).toBe('US-EAST-1 ');
  });
});

describe('endpoint', () => {
  it.each<{ name: string; world: WorldSpec; expected: string | null }>([
    { name: 'the Mantle URL of the effective region', world: { env: { AWS_REGION: 'us-west-2' } }, expected: at('https://bedrock-mantle.us-west-2.api.aws/openai/v1', 'AWS_REGION (shell environment)') },
    {
      name: 'the Mantle URL follows the config region',
      world: { files: { [CONFIG]: lines('[model_providers.amazon-bedrock.aws]', 'region = "eu-central-1"') } },
      expected: at('https://bedrock-mantle.eu-central-1.api.aws/openai/v1', `${CONFIG}:2`),
    },
    {
      name: 'a base_url override wins over the region, trailing slash removed',
      world: { files: { [CONFIG]: lines('[model_providers.amazon-bedrock]', 'base_url = "https://proxy.example.com/openai/v1/"') }, env: { AWS_REGION: 'us-west-2' } },
      expected: at('https://proxy.example.com/openai/v1', `${CONFIG}:2`),
    },
    {
      name: 'several trailing slashes are removed',
      world: { files: { [CONFIG]: lines('[model_providers.amazon-bedrock]', 'base_url = "http://127.0.0.1:8080//"') } },
      expected: at('http://127.0.0.1:8080', `${CONFIG}:2`),
    },
    {
      name: 'a base_url from -c',
      world: { overrides: ['model_providers.amazon-bedrock.base_url=https://vpce.example.com/v1'], env: { AWS_REGION: 'us-west-2' } },
      expected: at('https://vpce.example.com/v1', '-c model_providers.amazon-bedrock.base_url'),
    },
    { name: 'no region and no base_url: no endpoint', world: { env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } }, expected: null },
    { name: 'an empty AWS_REGION alone: no endpoint', world: { env: { AWS_REGION: '' } }, expected: null },
  ])('$name', ({ world, expected }) => {
    expect(shown(makeWorld(world).resolve().endpoint)).toBe(expected);
  });
});

describe('model', () => {
  const USER = lines('model = "openai.gpt-5.4"');
  it.each<{ name: string; world: WorldSpec; expected: string }>([
    { name: "none set, no Codex found: the newest known release's default", world: {}, expected: at('openai.gpt-6.2-sol', 'Codex 0.171.0 (newest known) default for Amazon Bedrock') },
    { name: 'none set, Codex 0.171.0', world: { codexVersion: '0.171.0' }, expected: at('openai.gpt-6.2-sol', 'Codex 0.171.0 default for Amazon Bedrock') },
    { name: 'none set, Codex 0.169.0', world: { codexVersion: '0.169.0' }, expected: at('openai.gpt-6.1-sol', 'Codex 0.169.0 default for Amazon Bedrock') },
    { name: 'none set, Codex 0.145.0', world: { codexVersion: '0.145.0' }, expected: at('openai.gpt-5.6-sol', 'Codex 0.145.0 default for Amazon Bedrock') },
    { name: 'none set, Codex 0.128.0', world: { codexVersion: '0.128.0' }, expected: at('openai.gpt-5.4', 'Codex 0.128.0 default for Amazon Bedrock') },
    { name: 'from config.toml', world: { files: { [CONFIG]: USER } }, expected: at('openai.gpt-5.4', `${CONFIG}:1`) },
    { name: '-m wins over config.toml', world: { files: { [CONFIG]: USER }, modelFlag: 'openai.gpt-5.5' }, expected: at('openai.gpt-5.5', '--model') },
    {
      name: '-m wins over -c model and the profile file',
      world: { files: { [CONFIG]: USER, [PROFILE_FILE]: 'model = "openai.gpt-6-astra"\n' }, profile: 'work', overrides: ['model=openai.gpt-5.6-terra'], modelFlag: 'openai.gpt-5.5' },
      expected: at('openai.gpt-5.5', '--model'),
    },
    { name: '-m is sent unchanged (no trimming, no validation)', world: { modelFlag: ' GPT-5.5 ' }, expected: at(' GPT-5.5 ', '--model') },
    {
      name: 'a model under a table is not the top-level model',
      world: { files: { [CONFIG]: lines('[model_providers.amazon-bedrock.aws]', 'model = "openai.gpt-5.5"') }, codexVersion: '0.169.0' },
      expected: at('openai.gpt-6.1-sol', 'Codex 0.169.0 default for Amazon Bedrock'),
    },
  ])('$name', ({ world, expected }) => {
    const { model } = makeWorld(world).resolve();
    expect(shown(model)).toBe(expected);
  });

  it('the default is marked as a default, not a file', () => {
    expect(makeWorld({ dirs: [HOME] }).resolve().model.origin.kind).toBe('default');
  });
});
