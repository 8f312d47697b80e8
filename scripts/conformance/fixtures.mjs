// The conformance fixtures: each is a HOME/CODEX_HOME plus an AWS environment (and optionally Codex
// arguments shared by the doctor and Codex). The verdict compared is: the doctor's bedrock.responses passes
// (or warns) <=> the loopback Mantle accepted the first POST /responses Codex sent (no request = refused).
//
// Fields: env, dotenv, aws ({credentials, config}), authJson, awsLines (under [model_providers.amazon-bedrock.aws]),
// providerLines, tail (raw TOML lines appended), configRegion (false: no aws.region), model (null: unset),
// args (global Codex args, e.g. ['-p', 'work'], given to both), doctorArgs (doctor only), extraFiles (under CODEX_HOME),
// mantle ({region, models}: what the loopback Mantle plays), route ('base_url' | 'intercept'; default: the run's).
// `expect` is what the 0.169.0 server did (a note for the details, not part of the verdict). `changes` names
// the behaviour (issue 8 letter) whose version dependence the fixture shows.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentialFixtures } from './credentialFixtures.mjs';
import { AKID, LONG_TERM_KEY, MODEL, OTHER_REGION, PROFILE_FILES, REGION, SECRET, TEMP, WRONG_SECRET } from './world.mjs';

export function fixtures(keys) {
  const iam = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET };
  return [
    { name: 'bearer-key', what: 'short-term Bedrock API key (getToken, us-east-1)', env: { AWS_BEARER_TOKEN_BEDROCK: keys.good }, expect: true },
    // Fixtures that start broken (`fix`): the doctor fails, `codex-bedrock fix --yes` repairs the files, and the
    // repaired setup must then get Codex's own first request accepted (issue 12).
    { name: 'fix-model-prefix', what: 'model = "gpt-5.5" (no openai. prefix), repaired by fix', env: { AWS_BEARER_TOKEN_BEDROCK: keys.good }, model: 'gpt-5.5', fix: true, expect: true },
    { name: 'fix-model-runtime-form', what: 'model = "us.openai.gpt-5.5" (bedrock-runtime form), repaired by fix', env: { AWS_BEARER_TOKEN_BEDROCK: keys.good }, model: 'us.openai.gpt-5.5', fix: true, expect: true },
    { name: 'fix-refused-provider-key', what: 'name = "Bedrock" under the provider (Codex refuses the config), removed by fix', env: { AWS_BEARER_TOKEN_BEDROCK: keys.good }, providerLines: ['name = "Bedrock"'], fix: true, expect: true },
    { name: 'sigv4-env-keys', what: 'AWS_ACCESS_KEY_ID AKIA… + AWS_SECRET_ACCESS_KEY', env: iam, expect: true },
    {
      name: 'sigv4-session',
      what: 'ASIA… + secret + AWS_SESSION_TOKEN',
      env: { AWS_ACCESS_KEY_ID: TEMP.accessKeyId, AWS_SECRET_ACCESS_KEY: TEMP.secretAccessKey, AWS_SESSION_TOKEN: TEMP.sessionToken },
      expect: true,
    },
    { name: 'bearer-wrong-region', what: `API key minted for ${OTHER_REGION}, Codex region ${REGION}`, env: { AWS_BEARER_TOKEN_BEDROCK: keys.otherRegion }, expect: false },
    { name: 'iam-unknown-secret', what: 'AKIA… with a secret the server does not know', env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: WRONG_SECRET }, expect: false },
    { name: 'bearer-quoted', what: 'API key wrapped in double quotes', env: { AWS_BEARER_TOKEN_BEDROCK: `"${keys.good}"` }, expect: false },
    { name: 'bearer-trailing-newline', what: 'API key + "\\n" (Codex trims)', env: { AWS_BEARER_TOKEN_BEDROCK: `${keys.good}\n` }, expect: true },
    // Beyond the minimum: the precedence rules where Codex differs from the usual AWS tools.
    { name: 'bearer-long-term', what: 'long-term ABSK… key the server knows', env: { AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY }, expect: true },
    { name: 'bearer-empty-falls-to-iam', what: 'AWS_BEARER_TOKEN_BEDROCK="" + env keys', env: { AWS_BEARER_TOKEN_BEDROCK: '', ...iam }, expect: true },
    {
      name: 'bearer-beats-env-keys',
      what: 'good API key + env keys with a wrong secret',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good, AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: WRONG_SECRET },
      expect: true,
    },
    {
      name: 'dotenv-overrides-shell',
      what: `shell: ${OTHER_REGION} key; $CODEX_HOME/.env: good key`,
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.otherRegion },
      dotenv: `AWS_BEARER_TOKEN_BEDROCK=${keys.good}\n`,
      expect: true,
    },
    { name: 'env-keys-beat-aws-profile', what: 'good env keys + AWS_PROFILE=bad (wrong secret)', env: { ...iam, AWS_PROFILE: 'bad' }, aws: PROFILE_FILES, expect: true },
    { name: 'aws-profile-keys', what: 'AWS_PROFILE=p, keys in ~/.aws/credentials', env: { AWS_PROFILE: 'p' }, aws: PROFILE_FILES, expect: true },
    {
      name: 'config-profile-beats-bearer',
      what: 'aws.profile = "bad" in config + good API key',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      aws: PROFILE_FILES,
      awsLines: ['profile = "bad"'],
      expect: false,
      changes: 'e',
    },
    // Region rules differ per auth path (no aws.region in config.toml for these).
    {
      name: 'bearer-region-env-space',
      what: 'API key, AWS_REGION="us-east-1 " (bearer path trims)',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good, AWS_REGION: `${REGION} ` },
      configRegion: false,
      expect: true,
      changes: 'd',
    },
    {
      name: 'bearer-region-empty-then-default',
      what: 'API key, AWS_REGION="", AWS_DEFAULT_REGION=us-east-1',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good, AWS_REGION: '', AWS_DEFAULT_REGION: REGION },
      configRegion: false,
      expect: true,
      changes: 'd',
    },
    { name: 'iam-region-env-space', what: 'env keys, AWS_REGION="us-east-1 " (IAM path signs it raw)', env: { ...iam, AWS_REGION: `${REGION} ` }, configRegion: false, expect: false },
    { name: 'iam-region-from-profile', what: 'AWS_PROFILE=p, region only in ~/.aws/config', env: { AWS_PROFILE: 'p' }, aws: PROFILE_FILES, configRegion: false, expect: true },
    // Credentials stored by Codex's Bedrock login in $CODEX_HOME/auth.json outrank the environment.
    {
      name: 'stored-api-key',
      what: 'auth.json bedrock_api_key (us-east-1) + shell us-west-2 key',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.otherRegion },
      authJson: { auth_mode: 'bedrockApiKey', OPENAI_API_KEY: null, bedrock_api_key: { api_key: keys.good, region: REGION } },
      expect: true,
      changes: 'k',
    },
    {
      name: 'stored-access-keys',
      what: 'auth.json bedrock_access_keys + quoted shell API key',
      env: { AWS_BEARER_TOKEN_BEDROCK: `"${keys.good}"` },
      authJson: { auth_mode: 'bedrockAccessKeys', OPENAI_API_KEY: null, bedrock_access_keys: { access_key_id: AKID, secret_access_key: SECRET, session_token: null } },
      expect: true,
      changes: 'k',
    },

    // ---- Version-dependent behaviour (issue 8): each flips its verdict at some release.
    {
      name: 'base-url-override',
      what: 'base_url -> loopback Mantle + good API key (0.128–0.14x refuse base_url)',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      route: 'base_url',
      expect: true,
      changes: 'a',
    },
    {
      name: 'http-headers-override',
      what: 'http_headers under the provider + good API key',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      providerLines: ['http_headers = { "X-Conformance" = "1" }'],
      expect: true,
      changes: 'a',
    },
    {
      name: 'auth-command',
      what: 'provider auth command printing a good API key (no aws table; AWS_REGION=us-east-1)',
      env: { AWS_REGION: REGION },
      configRegion: false,
      authCommand: (root) => executable(root, 'key.sh', `printf '%s' '${keys.good}'`),
      expect: true,
      changes: 'a,l',
    },
    {
      name: 'auth-command-fails',
      what: 'provider auth command exiting 1, good env keys present (no fallback)',
      env: { AWS_REGION: REGION, ...iam },
      configRegion: false,
      authCommand: (root) => executable(root, 'fail.sh', 'echo nope >&2; exit 1'),
      expect: false,
      changes: 'l',
    },
    {
      name: 'auth-refresh',
      what: 'aws.auth_refresh = { command = "aws", args = ["login"] } + good API key',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      awsLines: ['auth_refresh = { command = "aws", args = ["login"] }'],
      expect: true,
      changes: 'b',
    },
    {
      name: 'credential-export',
      what: 'aws.credential_export printing good IAM keys + API key for the wrong region',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.otherRegion },
      awsLines: (root) => [
        `credential_export = { command = "${executable(root, 'export.sh', `printf '%s' '{"Version":1,"AccessKeyId":"${AKID}","SecretAccessKey":"${SECRET}"}'`)}" }`,
      ],
      expect: true,
      changes: 'f',
    },
    {
      name: 'profile-file',
      what: '-p work, Bedrock config only in $CODEX_HOME/work.config.toml',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      args: ['-p', 'work'],
      configInProfile: 'work',
      expect: true,
      changes: 'c',
    },
    {
      name: 'profile-missing',
      what: '-p nosuch without nosuch.config.toml (Bedrock config in config.toml)',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      args: ['-p', 'nosuch'],
      expect: true,
      changes: 'c',
    },
    {
      name: 'profile-legacy-table',
      what: '-p work with a legacy [profiles.work] table in config.toml (read until 0.133.0, refused from 0.134.0)',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      args: ['-p', 'work'],
      tail: ['', '[profiles.work]', `model = "${MODEL}"`],
      model: null,
      expect: false,
      changes: 'c',
    },
    {
      name: 'default-model',
      what: 'model unset; the Mantle serves only openai.gpt-6.1-sol (the 0.169.0 default)',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      model: null,
      mantle: { models: ['openai.gpt-6.1-sol'] },
      expect: true,
      changes: 'g',
    },
    {
      name: 'govcloud-region',
      what: 'aws.region = "us-gov-west-1", API key minted there, Mantle playing us-gov-west-1 (doctor --allow-govcloud)',
      // The doctor fails GovCloud by policy (the setup guide says unsupported) unless told otherwise; what is
      // compared here is whether the release itself sends there.
      doctorArgs: ['--allow-govcloud'],
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.govWest },
      region: 'us-gov-west-1',
      mantle: { region: 'us-gov-west-1' },
      route: 'intercept',
      expect: true,
      changes: 'h',
    },
    {
      name: 'unknown-provider-key',
      what: 'an unknown key under [model_providers.amazon-bedrock] + good API key',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      providerLines: ['conformance_unknown_key = 1'],
      expect: true,
      changes: 'j',
    },
    ...credentialFixtures(keys),
  ];
}

/** An executable shell script under the fixture's root (auth / credential_export commands). */
function executable(root, name, body) {
  const file = join(root, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}
