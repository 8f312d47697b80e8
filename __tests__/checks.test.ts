/**
 * The offline checks of SPEC section 4, one `describe` per check, one row per must-catch bullet. Every row is
 * a tiny machine built with makeWorld and resolved by the real resolver; the check runs on that setup.
 */
import { describe, expect, it } from '@jest/globals';
import { configProvider } from '../src/checks/configProvider.js';
import { envDotenv } from '../src/checks/envDotenv.js';
import { modelId } from '../src/checks/modelId.js';
import { regionNotGovcloud } from '../src/checks/regionNotGovcloud.js';
import { regionSet } from '../src/checks/regionSet.js';
import type { CheckOptions, CheckOutcome, CheckStatus } from '../src/checks/types.js';
import { AWS_CONFIG, CODEX_HOME, CONFIG, DOTENV, MANAGED, lines, makeWorld, type WorldSpec } from './helpers/world.js';

const BEARER = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=';
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const OPENAI_KEY = 'sk-proj-thisIsNotARealKey0123456789';
const SECRETS = [BEARER, SECRET, OPENAI_KEY];

const BEDROCK = 'model_provider = "amazon-bedrock"';
/** A config that passes config.provider and region.set, extended with more lines. */
const bedrockConfig = (...more: string[]) => lines(BEDROCK, ...more);
const PROFILE_FILE = `${CODEX_HOME}/work.config.toml`;

interface Row {
  name: string;
  world: WorldSpec;
  options?: Partial<CheckOptions>;
  status: CheckStatus;
  /** Each must appear in the summary. */
  summary?: (string | RegExp)[];
  /** Each must appear in the remediation. */
  remediation?: (string | RegExp)[];
  /** Each must appear in one of the details lines. */
  details?: (string | RegExp)[];
  /** None may appear anywhere in the outcome. */
  absent?: (string | RegExp)[];
  docs?: string | RegExp;
}

function expectContains(text: string | undefined, expected: (string | RegExp)[] | undefined, what: string): void {
  (expected ?? []).forEach((pattern) => {
    if (typeof pattern === 'string') expect({ [what]: text ?? '' }).toEqual({ [what]: expect.stringContaining(pattern) });
    else expect({ [what]: text ?? '' }).toEqual({ [what]: expect.stringMatching(pattern) });
  });
}

function expectOutcome(outcome: CheckOutcome, row: Row): void {
  expect({ status: outcome.status, summary: outcome.summary }).toEqual({ status: row.status, summary: expect.any(String) });
  expect(outcome.summary).not.toContain('\n');
  expectContains(outcome.summary, row.summary, 'summary');
  expectContains(outcome.remediation, row.remediation, 'remediation');
  expectContains((outcome.details ?? []).join('\n'), row.details, 'details');
  if (row.docs) expectContains(outcome.docs, [row.docs], 'docs');
  // Failures and warnings always say what to do.
  if (outcome.status === 'fail' || outcome.status === 'warn') expect(outcome.remediation ?? '').not.toBe('');
  const everything = JSON.stringify(outcome);
  [...SECRETS, ...(row.absent ?? [])].forEach((secret) => {
    if (typeof secret === 'string') expect(everything).not.toContain(secret);
    else expect(everything).not.toMatch(secret);
  });
}

describe('config.provider', () => {
  const TOML_SNIPPET = 'model_provider = "amazon-bedrock"';

  it.each<Row>([
    { name: 'passes with model_provider = "amazon-bedrock", naming file and line', world: { files: { [CONFIG]: bedrockConfig() } }, status: 'pass', summary: [`${CONFIG}:1`] },
    {
      name: 'passes with the provider set by the profile file',
      world: { files: { [CONFIG]: 'model = "openai.gpt-5.5"\n', [PROFILE_FILE]: bedrockConfig() }, profile: 'work' },
      status: 'pass',
      summary: [`${PROFILE_FILE}:1`],
    },
    {
      name: 'passes with every supported override key',
      world: {
        files: {
          [CONFIG]: bedrockConfig(
            '[model_providers.amazon-bedrock]',
            'http_headers = { "X-Team" = "ml" }',
            'wire_api = "responses"',
            '[model_providers.amazon-bedrock.aws]',
            'profile = "work"',
            'region = "us-east-1"',
            // credential_export cannot go with profile, and auth_refresh needs command = "aws" (SPEC 3.9; authConfig.test.ts).
            'auth_refresh = { command = "aws" }',
          ),
        },
      },
      status: 'pass',
    },
    {
      name: 'passes with an empty [model_providers.amazon-bedrock.aws] table (no key in it, nothing unsupported)',
      world: { files: { [CONFIG]: bedrockConfig('[model_providers.amazon-bedrock]', '[model_providers.amazon-bedrock.aws]') } },
      status: 'pass',
    },
    {
      name: 'config file missing: fails with the TOML snippet to create',
      world: { dirs: [CODEX_HOME] },
      status: 'fail',
      summary: [CONFIG, 'does not exist', 'OpenAI'],
      remediation: [`Create ${CONFIG}`, TOML_SNIPPET, '[model_providers.amazon-bedrock.aws]'],
    },
    {
      name: 'Codex home from $CODEX_HOME that does not exist fails',
      world: { env: { CODEX_HOME: '/nowhere/codex' } },
      status: 'fail',
      summary: ['/nowhere/codex', 'CODEX_HOME', 'does not exist'],
      remediation: ['mkdir -p /nowhere/codex'],
    },
    {
      name: 'TOML syntax error: file, line and column',
      world: { files: { [CONFIG]: bedrockConfig('model = openai.gpt-5.5') } },
      status: 'fail',
      summary: [`${CONFIG}:2:9`, 'TOML syntax error'],
      remediation: ['line 2', CONFIG],
    },
    {
      name: 'TOML syntax error in the profile file names that file',
      world: { files: { [CONFIG]: bedrockConfig(), [PROFILE_FILE]: lines('# x', '[model_providers.amazon-bedrock.aws', 'region = "us-east-1"') }, profile: 'work' },
      status: 'fail',
      summary: [`${PROFILE_FILE}:2:`, 'TOML syntax error'],
    },
    {
      name: 'TOML syntax error does not echo the file (which may hold secrets)',
      world: { files: { [CONFIG]: lines(BEDROCK, `http_headers = { Authorization = "Bearer ${BEARER}" `) } },
      status: 'fail',
      summary: [`${CONFIG}:2:`],
    },
    {
      name: 'provider absent: Codex would use OpenAI',
      world: { files: { [CONFIG]: 'model = "openai.gpt-5.5"\n' } },
      status: 'fail',
      summary: ['model_provider is not set', 'OpenAI'],
      remediation: [TOML_SNIPPET, CONFIG],
    },
    ...['bedrock', 'amazon_bedrock', 'aws-bedrock', 'Amazon Bedrock', 'amazon-bedrock-runtime', 'Amazon-Bedrock', 'amazon-bedrok'].map(
      (id): Row => ({
        name: `misspelled provider "${id}": did you mean, with file and line`,
        world: { files: { [CONFIG]: lines('# provider', `model_provider = "${id}"`) } },
        status: 'fail',
        summary: [/did you mean "amazon-bedrock"/i, `${CONFIG}:2`],
        remediation: [TOML_SNIPPET],
      }),
    ),
    {
      name: 'an unknown provider id: Codex exits with "Model provider `bedrock` not found"',
      world: { files: { [CONFIG]: 'model_provider = "bedrock"\n' } },
      status: 'fail',
      summary: ['Model provider `bedrock` not found'],
    },
    {
      name: 'amazon-bedrock-runtime is Codex\'s other (bedrock-runtime) provider, not the one checked',
      world: { files: { [CONFIG]: 'model_provider = "amazon-bedrock-runtime"\n' } },
      status: 'fail',
      summary: ['other Bedrock provider', 'bedrock-runtime', 'Did you mean "amazon-bedrock"'],
    },
    {
      name: 'another built-in provider (openai) is not Bedrock',
      world: { files: { [CONFIG]: 'model_provider = "openai"\n' } },
      status: 'fail',
      summary: ['"openai"', 'not Amazon Bedrock'],
      remediation: [TOML_SNIPPET],
    },
    {
      name: 'key placed under a table: names the header and its line',
      world: {
        files: {
          [CONFIG]: lines(
            'model = "openai.gpt-5.5"', // 1
            '', // 2
            '[model_providers.amazon-bedrock.aws]', // 3
            'region = "us-east-1"', // 4
            'model_provider = "amazon-bedrock"', // 5
          ),
        },
      },
      status: 'fail',
      summary: ['[model_providers.amazon-bedrock.aws]', `${CONFIG}:3`, 'line 5', 'OpenAI'],
      remediation: ['top', '[table] header'],
    },
    {
      name: 'key placed under an unrelated table',
      world: { files: { [CONFIG]: lines('[tui]', 'notifications = true', 'model_provider = "amazon-bedrock"') } },
      status: 'fail',
      summary: ['[tui]', `${CONFIG}:1`, 'line 3'],
    },
    {
      name: 'legacy top-level profile = "x": Codex refuses to start',
      world: { files: { [CONFIG]: lines(BEDROCK, 'profile = "work"') } },
      status: 'fail',
      summary: ['legacy `profile = "work"`', `${CONFIG}:2`],
      details: ['use `--profile work` with `work.config.toml` instead'],
      remediation: ['work.config.toml', '--profile work'],
    },
    {
      name: '--profile x together with a [profiles.x] table: refused',
      world: { files: { [CONFIG]: lines(BEDROCK, '', '[profiles.work]', 'model = "openai.gpt-5.5"'), [PROFILE_FILE]: 'model = "openai.gpt-5.4"\n' }, profile: 'work' },
      status: 'fail',
      summary: ['--profile work', '[profiles.work]', `${CONFIG}:3`],
      remediation: [`${CODEX_HOME}/work.config.toml`],
    },
    {
      name: '--profile x whose file does not exist: Codex silently runs on config.toml alone (warn)',
      world: { files: { [CONFIG]: bedrockConfig() }, profile: 'work' },
      status: 'warn',
      summary: [PROFILE_FILE, 'does not exist', 'silently'],
    },
    {
      name: 'an unknown key under [model_providers.amazon-bedrock] (region outside aws): Codex ignores it with a warning',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock]', 'region = "us-east-1"') } },
      status: 'warn',
      summary: ['ignores unknown setting', 'model_providers.amazon-bedrock.region', `${CONFIG}:3`],
      remediation: ['Codex 0.171.0 uses base_url, auth, http_headers, aws.profile, aws.region'],
    },
    {
      name: 'a known provider field Codex refuses to change (name), next to unknown keys it only ignores',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock]', 'model = "openai.gpt-5.5"', 'name = "Bedrock"', '[model_providers.amazon-bedrock.aws]', 'role_arn = "arn:aws:iam::1:role/x"') } },
      status: 'fail',
      summary: ['refuses the config', `name (${CONFIG}:4)`],
      details: ['only supports changing `base_url`, `auth`, `http_headers`'],
    },
    {
      name: 'unknown keys only, one under aws: warn naming each',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock]', 'model = "openai.gpt-5.5"', '[model_providers.amazon-bedrock.aws]', 'role_arn = "arn:aws:iam::1:role/x"') } },
      status: 'warn',
      summary: [`model_providers.amazon-bedrock.model (${CONFIG}:3)`, `model_providers.amazon-bedrock.aws.role_arn (${CONFIG}:5)`],
    },
    {
      name: 'an auth command with [model_providers.amazon-bedrock.aws] settings: Codex refuses the combination',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock]', 'auth = { command = "get-key" }', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"') } },
      status: 'fail',
      summary: ['auth command', 'cannot be combined'],
      details: ['provider aws cannot be combined with auth'],
    },
    {
      name: 'a refused field set through -c (wire_api other than the default)',
      world: { files: { [CONFIG]: bedrockConfig() }, overrides: ['model_providers.amazon-bedrock.wire_api=chat'] },
      status: 'fail',
      summary: ['wire_api', '-c model_providers.amazon-bedrock.wire_api'],
    },
    {
      name: 'a managed config forcing another provider',
      world: { files: { [CONFIG]: bedrockConfig(), [MANAGED]: 'model_provider = "openai"\n' } },
      status: 'fail',
      summary: ['managed', `${MANAGED}:1`, '"openai"'],
      remediation: [MANAGED],
    },
    {
      name: 'OPENAI_API_KEY set: warns that it is unused, never showing it',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { OPENAI_API_KEY: OPENAI_KEY } },
      status: 'warn',
      summary: ['OPENAI_API_KEY'],
      remediation: ['OPENAI_API_KEY'],
    },
    {
      name: 'OPENAI_API_KEY from .env is named with its file and line',
      world: { files: { [CONFIG]: bedrockConfig(), [DOTENV]: lines('AWS_REGION=us-east-1', `OPENAI_API_KEY=${OPENAI_KEY}`) } },
      status: 'warn',
      summary: [`OPENAI_API_KEY in ${DOTENV}:2`],
    },
    {
      name: 'base_url overridden: warns, naming where',
      world: { files: { [CONFIG]: bedrockConfig('[model_providers.amazon-bedrock]', 'base_url = "https://proxy.example.com/openai/v1"') } },
      status: 'warn',
      summary: ['base_url', `${CONFIG}:3`],
      remediation: ['base_url'],
    },
  ])('$name', async (row) => {
    expectOutcome(await makeWorld(row.world).runCheck(configProvider, row.options), row);
  });
});

describe('region.set', () => {
  const withRegion = (region: string) => lines(BEDROCK, '', '[model_providers.amazon-bedrock.aws]', `region = ${JSON.stringify(region)}`);
  const REGION_LINE = `${CONFIG}:4`;

  it.each<Row>([
    { name: 'passes with an accepted region, naming its source', world: { files: { [CONFIG]: withRegion('us-west-2') } }, status: 'pass', summary: ['us-west-2', REGION_LINE], details: [REGION_LINE] },
    { name: 'passes with AWS_REGION', world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: 'eu-west-1' } }, status: 'pass', details: ['AWS_REGION (shell environment)'] },
    { name: 'passes with AWS_DEFAULT_REGION from .env', world: { files: { [CONFIG]: bedrockConfig(), [DOTENV]: 'AWS_DEFAULT_REGION=ap-northeast-1\n' } }, status: 'pass', details: [`AWS_DEFAULT_REGION in ${DOTENV}:1`] },
    {
      name: 'passes with the profile region on the IAM path',
      world: { files: { [CONFIG]: bedrockConfig(), [AWS_CONFIG]: lines('[profile work]', 'region = eu-central-1') }, env: { AWS_PROFILE: 'work' } },
      status: 'pass',
      details: [`profile work in ${AWS_CONFIG}:2`],
    },
    {
      name: 'passes when two sources agree',
      world: { files: { [CONFIG]: withRegion('us-east-1') }, env: { AWS_REGION: 'us-east-1' } },
      status: 'pass',
    },
    {
      name: 'none found (IAM path): says which sources were tried, in order',
      world: { files: { [CONFIG]: bedrockConfig() } },
      status: 'fail',
      summary: ['No region'],
      details: [/aws\.region.*AWS_REGION, AWS_DEFAULT_REGION, region of AWS profile "default"/],
      remediation: ['region = "us-east-1"', '[model_providers.amazon-bedrock.aws]', `${CODEX_HOME}/.env`],
    },
    {
      name: 'none found (bearer path): Codex\'s own error, and no profile in the list',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      status: 'fail',
      summary: ['bearer token auth requires `model_providers.amazon-bedrock.aws.region`, `AWS_REGION`, or `AWS_DEFAULT_REGION`'],
      details: [/aws\.region.*AWS_REGION, AWS_DEFAULT_REGION$/m],
      absent: ['AWS profile'],
    },
    {
      name: 'empty string in the config',
      world: { files: { [CONFIG]: withRegion('') } },
      status: 'fail',
      summary: ['empty', REGION_LINE],
    },
    {
      name: 'empty AWS_REGION: ignored by Codex, so none found, and the empty variable is named',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: '', AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      status: 'fail',
      summary: ['No region'],
      details: [/AWS_REGION \(shell environment\) was ignored: .*empty/],
    },
    ...[
      { value: 'US-EAST-1', why: 'upper case' },
      { value: 'useast1', why: 'no dashes' },
      { value: 'us-east1', why: 'a missing dash' },
    ].map(
      ({ value, why }): Row => ({
        name: `malformed (${why}): did you mean "us-east-1"`,
        world: { files: { [CONFIG]: withRegion(value) } },
        status: 'fail',
        summary: ['not a well-formed', 'did you mean "us-east-1"', REGION_LINE],
        remediation: ['"us-east-1"', REGION_LINE],
      }),
    ),
    ...['us-east-1 ', ' us-east-1'].map(
      (value): Row => ({
        name: `config region ${JSON.stringify(value)}: Codex trims aws.region, so warn (other tools may not)`,
        world: { files: { [CONFIG]: withRegion(value) } },
        status: 'warn',
        summary: ['surrounding spaces', 'Codex trims', REGION_LINE],
        remediation: ['Remove the spaces'],
      }),
    ),
    {
      name: 'IAM path: AWS_REGION with a trailing space is used as it is, so Codex fails',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: 'us-east-1 ', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY000001', AWS_SECRET_ACCESS_KEY: 'exampleSecretKey000000000000000000000001' } },
      status: 'fail',
      summary: ['"us-east-1 "', 'did you mean "us-east-1"'],
    },
    {
      name: 'IAM path: an empty AWS_REGION is used as it is, so Codex fails',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-2' } },
      status: 'fail',
      summary: ['AWS_REGION (shell environment) is set but empty', 'does not support region'],
    },
    {
      name: 'malformed AWS_REGION names the variable',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: 'EU-WEST-1' } },
      status: 'fail',
      summary: ['did you mean "eu-west-1"', 'AWS_REGION (shell environment)'],
    },
    {
      name: 'not in the allow-list: Codex\'s error, and which regions are accepted',
      world: { files: { [CONFIG]: withRegion('eu-west-3') } },
      status: 'fail',
      summary: ['Amazon Bedrock does not support region `eu-west-3`', REGION_LINE],
      details: ['us-east-1, us-east-2, us-west-2, ap-northeast-1, ap-south-1, ap-southeast-3, eu-central-1, eu-north-1, eu-south-1, eu-west-1, eu-west-2, sa-east-1'],
      remediation: ['us-east-1', 'sa-east-1'],
    },
    {
      name: 'us-west-1 has no Mantle endpoint at all',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: 'us-west-1' } },
      status: 'fail',
      summary: ['`us-west-1`', 'no Bedrock Mantle endpoint in us-west-1'],
    },
    {
      name: 'a base_url override skips the allow-list',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock]', 'base_url = "https://proxy.example.com/v1"', 'aws.region = "eu-west-3"') } },
      status: 'pass',
      details: ['allow-list'],
    },
    {
      name: 'GovCloud passes here (Codex lets it through; region.not-govcloud judges it)',
      world: { files: { [CONFIG]: withRegion('us-gov-west-1') } },
      status: 'pass',
    },
    {
      name: 'sources that disagree: warns naming the winner and the losers',
      world: { files: { [CONFIG]: withRegion('us-east-1') }, env: { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' } },
      status: 'warn',
      summary: ['us-east-1', REGION_LINE, 'wins', '"eu-west-1" (AWS_REGION (shell environment))', '"eu-west-2" (AWS_DEFAULT_REGION (shell environment))'],
      details: [REGION_LINE],
      remediation: ['us-east-1'],
    },
    {
      name: 'a disagreeing profile region on the IAM path is a loser too',
      world: { files: { [CONFIG]: bedrockConfig(), [AWS_CONFIG]: lines('[default]', 'region = eu-north-1') }, env: { AWS_REGION: 'us-east-2' } },
      status: 'warn',
      summary: ['us-east-2', `"eu-north-1" (profile default in ${AWS_CONFIG}:2)`],
    },
  ])('$name', async (row) => {
    expectOutcome(await makeWorld(row.world).runCheck(regionSet, row.options), row);
  });
});

describe('region.not-govcloud', () => {
  const GUIDE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html';
  const inRegion = (region: string, options?: Partial<CheckOptions>): Pick<Row, 'world' | 'options'> => ({
    world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: region } },
    ...(options ? { options } : {}),
  });

  it.each<Row>([
    { name: 'us-east-1 is commercial', ...inRegion('us-east-1'), status: 'pass', summary: ['us-east-1', 'commercial'] },
    { name: 'eu-west-1 is commercial', ...inRegion('eu-west-1'), status: 'pass' },
    ...['us-gov-west-1', 'us-gov-east-1'].map(
      (region): Row => ({ name: `${region} fails citing the setup guide`, ...inRegion(region), status: 'fail', summary: [region, 'GovCloud', 'setup guide'], remediation: ['--allow-govcloud'], docs: GUIDE }),
    ),
    {
      name: '--allow-govcloud turns GovCloud into a warning',
      ...inRegion('us-gov-west-1', { allowGovcloud: true }),
      status: 'warn',
      summary: ['GovCloud', '--allow-govcloud'],
      docs: GUIDE,
    },
    ...[
      { region: 'cn-north-1', partition: 'China' },
      { region: 'cn-northwest-1', partition: 'China' },
      { region: 'us-iso-east-1', partition: 'ISO' },
      { region: 'us-isob-east-1', partition: 'ISOB' },
      { region: 'eu-isoe-west-1', partition: 'ISOE' },
      { region: 'us-isof-south-1', partition: 'ISOF' },
      { region: 'eusc-de-east-1', partition: 'European Sovereign Cloud' },
    ].flatMap(({ region, partition }): Row[] => [
      { name: `${region} fails as a non-commercial partition`, ...inRegion(region), status: 'fail', summary: [region, partition, 'partition'], remediation: ['us-east-1'] },
      { name: `${region} still fails with --allow-govcloud`, ...inRegion(region, { allowGovcloud: true }), status: 'fail', summary: [partition] },
    ]),
  ])('$name', async (row) => {
    expectOutcome(await makeWorld(row.world).runCheck(regionNotGovcloud, row.options), row);
  });
});

describe('model.id', () => {
  const withModel = (model: string) => lines(BEDROCK, `model = ${JSON.stringify(model)}`);
  const MODEL_LINE = `${CONFIG}:2`;
  const flag = (model: string): WorldSpec => ({ files: { [CONFIG]: bedrockConfig() }, modelFlag: model });

  it.each<Row>([
    { name: 'a catalogue id from config.toml passes, naming file and line', world: { files: { [CONFIG]: withModel('openai.gpt-5.5') } }, status: 'pass', summary: ['openai.gpt-5.5', MODEL_LINE] },
    { name: "no model set: Codex's default passes", world: { files: { [CONFIG]: bedrockConfig() } }, status: 'pass', summary: ['openai.gpt-6.2-sol', 'default'] },
    { name: "no model set, Codex 0.169.0: that release's default passes", world: { files: { [CONFIG]: bedrockConfig() }, codexVersion: '0.169.0' }, status: 'pass', summary: ['openai.gpt-6.1-sol', 'Codex 0.169.0 default'] },
    { name: 'from -m', world: flag('openai.gpt-6-astra'), status: 'pass', summary: ['--model'] },
    { name: 'from -c', world: { files: { [CONFIG]: withModel('openai.gpt-5.5') }, overrides: ['model=openai.gpt-5.6-luna'] }, status: 'pass', summary: ['openai.gpt-5.6-luna', '-c model'] },
    {
      name: 'from the profile file',
      world: { files: { [CONFIG]: withModel('openai.gpt-5.5'), [PROFILE_FILE]: 'model = "openai.gpt-6.1-terra"\n' }, profile: 'work' },
      status: 'pass',
      summary: ['openai.gpt-6.1-terra', `${PROFILE_FILE}:1`],
    },
    ...[
      { id: 'gpt-5.5', suggestion: 'openai.gpt-5.5', why: 'missing openai. prefix' },
      { id: 'gpt-6.1-sol', suggestion: 'openai.gpt-6.1-sol', why: 'missing openai. prefix' },
      { id: 'OpenAI.GPT-5.5', suggestion: 'openai.gpt-5.5', why: 'wrong case' },
      { id: 'openai.GPT-5.4', suggestion: 'openai.gpt-5.4', why: 'wrong case' },
      { id: ' openai.gpt-5.5', suggestion: 'openai.gpt-5.5', why: 'a leading space' },
      { id: 'openai.gpt-5.5 ', suggestion: 'openai.gpt-5.5', why: 'a trailing space' },
      { id: 'openai.gpt-5.4-cmb', suggestion: 'openai.gpt-5.4', why: 'a retired suffix' },
      { id: 'openai.gpt-oss-120b-1:0', suggestion: 'openai.gpt-oss-120b', why: 'the bedrock-runtime form' },
      { id: 'openai.gpt-5.5-v1:0', suggestion: 'openai.gpt-5.5', why: 'the bedrock-runtime form' },
      { id: 'us.openai.gpt-5.5', suggestion: 'openai.gpt-5.5', why: 'a us. cross-region prefix' },
      { id: 'global.openai.gpt-5.4', suggestion: 'openai.gpt-5.4', why: 'a global. cross-region prefix' },
      { id: 'eu.openai.gpt-6-luna', suggestion: 'openai.gpt-6-luna', why: 'an eu. cross-region prefix' },
    ].map(
      ({ id, suggestion, why }): Row => ({
        name: `${JSON.stringify(id)} (${why}): did you mean "${suggestion}"`,
        world: { files: { [CONFIG]: withModel(id) } },
        status: 'fail',
        summary: [`Did you mean "${suggestion}"`, MODEL_LINE],
        remediation: [`model = "${suggestion}"`],
      }),
    ),
    {
      name: 'a cross-region prefix is called out as one Mantle rejects',
      world: { files: { [CONFIG]: withModel('us.openai.gpt-5.5') } },
      status: 'fail',
      summary: ['cross-region', 'Mantle'],
    },
    { name: 'a near miss from -m names the flag', world: flag('gpt-5.5'), status: 'fail', summary: ['--model', 'Did you mean "openai.gpt-5.5"'] },
    {
      name: 'a well-formed openai.* id missing from the catalogue warns (the live call settles it)',
      world: { files: { [CONFIG]: withModel('openai.gpt-7-nova') } },
      status: 'warn',
      summary: ['openai.gpt-7-nova', 'catalogue', MODEL_LINE],
      remediation: ['bedrock.responses'],
    },
    {
      name: 'a retired id without a replacement warns',
      world: { files: { [CONFIG]: withModel('openai.gpt-oss-20b') } },
      status: 'warn',
      summary: ['openai.gpt-oss-20b'],
      remediation: ['bedrock.responses'],
    },
    {
      name: 'an id that is not a Bedrock OpenAI id fails',
      world: { files: { [CONFIG]: withModel('claude-sonnet-4') } },
      status: 'fail',
      summary: ['"claude-sonnet-4"', 'not a Bedrock model id'],
      remediation: ['model = "'],
    },
  ])('$name', async (row) => {
    expectOutcome(await makeWorld(row.world).runCheck(modelId, row.options), row);
  });
});

describe('env.dotenv', () => {
  /** Region and credentials both in the config: nothing Codex needs comes from the shell. */
  const SELF_CONTAINED = lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'profile = "work"', 'region = "us-east-1"');
  const base = (spec: WorldSpec): WorldSpec => ({ ...spec, files: { [CONFIG]: SELF_CONTAINED, ...spec.files } });

  it.each<Row>([
    {
      name: 'absent, and nothing needed comes from the shell: pass',
      world: base({}),
      status: 'pass',
      summary: [DOTENV, 'absent'],
    },
    {
      name: 'absent, region only in the shell: warns for the desktop app and IDE extension',
      world: { files: { [CONFIG]: bedrockConfig() }, env: { AWS_REGION: 'us-east-1', AWS_PROFILE: 'work' } },
      status: 'warn',
      summary: ['absent', 'AWS_REGION (shell environment)', 'desktop app', 'IDE extension'],
      remediation: [DOTENV],
    },
    {
      name: 'absent, bearer key only in the shell: warns, never showing the key',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"') }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER } },
      status: 'warn',
      summary: ['AWS_BEARER_TOKEN_BEDROCK', 'desktop app'],
      remediation: [DOTENV, 'chmod 600'],
    },
    {
      name: 'absent, access keys only in the shell: warns',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"') }, env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET } },
      status: 'warn',
      summary: ['AWS_ACCESS_KEY_ID', 'desktop app'],
    },
    {
      name: 'absent, AWS_PROFILE only in the shell: warns',
      world: { files: { [CONFIG]: lines(BEDROCK, '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"') }, env: { AWS_PROFILE: 'work' } },
      status: 'warn',
      summary: ['AWS_PROFILE', 'desktop app'],
    },
    {
      name: 'present, private, holding what Codex needs: pass, listing keys with values hidden',
      world: base({ files: { [CONFIG]: bedrockConfig(), [DOTENV]: lines(`AWS_BEARER_TOKEN_BEDROCK=${BEARER}`, 'AWS_REGION=eu-west-1') } }),
      status: 'pass',
      summary: ['2 keys'],
      details: ['AWS_BEARER_TOKEN_BEDROCK (line 1)', 'AWS_REGION (line 2)'],
      absent: ['eu-west-1'],
    },
    {
      name: 'a line Codex would drop: warns with its line number',
      world: base({ files: { [DOTENV]: lines('AWS_REGION=us-east-1', 'AWS_PROFILE=my profile', 'FOO=bar') } }),
      status: 'warn',
      summary: ['line 2'],
      remediation: ['KEY=value'],
      details: ['AWS_REGION (line 1)', 'FOO (line 3)'],
    },
    {
      name: 'CODEX_* keys Codex ignores: warns naming them',
      world: base({ files: { [DOTENV]: lines('AWS_REGION=us-east-1', 'CODEX_HOME=/elsewhere') } }),
      status: 'warn',
      summary: ['CODEX_HOME (line 2)'],
      remediation: ['CODEX_'],
      absent: ['/elsewhere'],
    },
    {
      name: 'a .env value overriding a different shell value: warns naming the key, never the values',
      world: base({ files: { [DOTENV]: lines('AWS_REGION=eu-west-1') }, env: { AWS_REGION: 'us-west-2' } }),
      status: 'warn',
      summary: ['overrides', 'AWS_REGION'],
      absent: ['eu-west-1', 'us-west-2'],
    },
    {
      name: 'a secret override names the key only',
      world: base({ files: { [DOTENV]: lines(`AWS_SECRET_ACCESS_KEY=${SECRET}`) }, env: { AWS_SECRET_ACCESS_KEY: 'shellSecretValue0123456789' } }),
      status: 'warn',
      summary: ['AWS_SECRET_ACCESS_KEY'],
      absent: ['shellSecretValue0123456789'],
    },
    {
      name: 'same value in .env and shell is not an override',
      world: base({ files: { [DOTENV]: lines('AWS_REGION=us-east-1') }, env: { AWS_REGION: 'us-east-1' } }),
      status: 'pass',
    },
    {
      name: 'a secret in a world-readable file: chmod 600',
      world: base({ files: { [DOTENV]: lines(`AWS_BEARER_TOKEN_BEDROCK=${BEARER}`) }, modes: { [DOTENV]: 0o644 } }),
      status: 'warn',
      summary: ['AWS_BEARER_TOKEN_BEDROCK', 'others', '644'],
      remediation: [`chmod 600 ${DOTENV}`],
    },
    {
      name: 'a secret in a group-readable file: chmod 600',
      world: base({ files: { [DOTENV]: lines(`AWS_SECRET_ACCESS_KEY=${SECRET}`, `AWS_ACCESS_KEY_ID=${AKID}`) }, modes: { [DOTENV]: 0o640 } }),
      status: 'warn',
      summary: ['AWS_SECRET_ACCESS_KEY', 'group'],
      remediation: ['chmod 600'],
    },
    {
      name: 'the mode is judged with the file-type bits stat reports (0o100644)',
      world: base({ files: { [DOTENV]: lines(`AWS_SESSION_TOKEN=${SECRET}`) }, modes: { [DOTENV]: 0o100644 } }),
      status: 'warn',
      remediation: ['chmod 600'],
    },
    {
      name: 'a secret in a 600 file: pass',
      world: base({ files: { [DOTENV]: lines(`AWS_BEARER_TOKEN_BEDROCK=${BEARER}`) }, modes: { [DOTENV]: 0o600 } }),
      status: 'pass',
    },
    {
      name: 'no secret in a world-readable file: pass',
      world: base({ files: { [DOTENV]: lines('AWS_REGION=us-east-1', `AWS_ACCESS_KEY_ID=${AKID}`) }, modes: { [DOTENV]: 0o644 } }),
      status: 'pass',
    },
    {
      name: 'an unreadable .env warns that none of its values apply',
      world: base({ unreadable: { [DOTENV]: 'permission denied (the current user cannot read it)' } }),
      status: 'warn',
      summary: ['permission denied'],
    },
    {
      name: 'several problems at once: warns with each in the details',
      world: base({ files: { [DOTENV]: lines(`AWS_BEARER_TOKEN_BEDROCK=${BEARER}`, 'CODEX_X=1', 'bad line') }, modes: { [DOTENV]: 0o644 } }),
      status: 'warn',
      details: ['line 3', 'CODEX_X (line 2)', 'mode 644'],
      remediation: ['chmod 600'],
    },
  ])('$name', async (row) => {
    expectOutcome(await makeWorld(row.world).runCheck(envDotenv, row.options), row);
  });
});
