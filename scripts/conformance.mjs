#!/usr/bin/env node
// Conformance: does the doctor's verdict agree with what the REAL Codex CLI does?
//
// For each fixture (a HOME/CODEX_HOME plus AWS environment), this runs
//   a. the built doctor: `node bin/codex-bedrock.cjs doctor --json --only bedrock.responses`, and
//   b. the real Codex CLI (@openai/codex@0.169.0): `codex exec --skip-git-repo-check ping`,
// both against the same loopback Mantle server (__tests__/helpers/mantleServer.ts, which really verifies
// SigV4 for `bedrock-mantle` and Bedrock API keys), and checks: doctor bedrock.responses passes <=> the
// server accepted the first POST /openai/v1/responses that Codex sent. Codex asks for a stream and this
// server does not stream, so what Codex prints afterwards does not matter; Codex is stopped once the
// server has judged its first request.
//
// Usage: npm run conformance            (builds first; NOT part of npm test or CI)
//   CODEX_CONFORMANCE_CACHE=DIR         keep the Codex install in DIR and reuse it on later runs
//   CODEX_CONFORMANCE_NO_UNSHARE=1      do not use a network namespace (see below)
//   node scripts/conformance.mjs --fixture NAME[,NAME...]   run only some fixtures
//
// Network: everything stays on 127.0.0.1. Where `unshare -n` works (root, or unprivileged user
// namespaces), the script re-executes itself inside a fresh network namespace that has only loopback, and
// starts the servers, the doctor and Codex there. Otherwise it warns and runs without a namespace, with
// HTTPS_PROXY/HTTP_PROXY/ALL_PROXY pointed at a loopback port that refuses and NO_PROXY=127.0.0.1, so
// Codex's background traffic (github.com, chatgpt.com, ...) goes nowhere while the loopback server is
// reached directly. Only the one-time `npm install @openai/codex@0.169.0` (skipped when the cache
// already holds it) talks to the npm registry, from outside the namespace.
//
// The real home directory is never used: every process gets a temporary HOME and CODEX_HOME, and the doctor
// is pointed at a managed_config.toml that does not exist (Codex reads /etc/codex/managed_config.toml; the
// script refuses to run when that file exists, as Codex's verdicts would then depend on it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CODEX_VERSION = '0.169.0';
const CODEX_PACKAGE = `@openai/codex@${CODEX_VERSION}`;
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = fileURLToPath(import.meta.url);
const CLI = join(REPO, 'bin', 'codex-bedrock.cjs');

const REGION = 'us-east-1';
const OTHER_REGION = 'us-west-2';
const MODEL = 'openai.gpt-5.5';
// Test-only credentials, known to the loopback servers and nowhere else.
const AKID = 'AKIACONFORMANCE00001';
const SECRET = 'conformanceSecret/Key+0123456789abcdefgh';
const WRONG_SECRET = 'notTheSecretTheServerKnows/0123456789abc';
const TEMP = {
  accessKeyId: 'ASIACONFORMANCE00002',
  secretAccessKey: 'conformanceTempSecret/abcdefghijklmnopqr',
  sessionToken: 'FwoGZXIvYXdzCONFORMANCE+session/token==',
};
const PROFILE_AKID = 'AKIACONFORMANCE00003';
const PROFILE_SECRET = 'conformanceProfileSecret/0123456789abcde';
const LONG_TERM_KEY = `ABSK${Buffer.from('conformance-user-at-123456789012:conformanceLongTermSecret0000').toString('base64')}`;

const TIMEOUTS = {
  npmInstallMs: 300_000,
  bundleMs: 60_000,
  unshareProbeMs: 5_000,
  ipLinkMs: 5_000,
  codexVersionMs: 20_000,
  doctorMs: 30_000,
  doctorNetworkSeconds: 10,
  codexMs: 40_000,
  /** After the server judged Codex's first request: let Codex go on a little, then stop it. */
  codexGraceMs: 300,
  killGraceMs: 3_000,
  insideMs: 20 * 60_000,
};

const argv = process.argv.slice(2);
const INSIDE = argv.includes('--inside');
const onlyFixtures = (() => {
  const i = argv.indexOf('--fixture');
  return i >= 0 && argv[i + 1] ? new Set(argv[i + 1].split(',')) : null;
})();

const log = (...a) => console.error(...a);
const isInside = (dir, parent) => {
  const rel = relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Children started by this process (each in its own process group), stopped if this process is told to stop. */
const activeChildren = new Set();
function track(child) {
  activeChildren.add(child);
  child.on('close', () => activeChildren.delete(child));
  child.on('error', () => activeChildren.delete(child));
  return child;
}

/** Runs a command to completion with a hard time limit; never throws. */
function run(cmd, args, { cwd, env, timeoutMs, input } = {}) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = track(spawn(cmd, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true }));
    } catch (error) {
      resolvePromise({ code: null, signal: null, stdout, stderr: String(error), timedOut, ms: 0, error });
      return;
    }
    if (input !== undefined) child.stdin.end(input);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), TIMEOUTS.killGraceMs).unref();
    }, timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: null, signal: null, stdout, stderr: stderr + String(error), timedOut, ms: Date.now() - started, error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** Signals the process group of a child we started (spawned with detached: true, so its pid is the group id). */
function killGroup(child, signal) {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]);
}

// =====================================================================================================
// Outside the namespace: install Codex, bundle the servers, pick the isolation, run the inner part.
// =====================================================================================================

function codexInstalled(dir) {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', '@openai', 'codex', 'package.json'), 'utf8'));
    const platformPkg = join(dir, 'node_modules', '@openai', `codex-${process.platform}-${process.arch}`, 'package.json');
    return pkg.version === CODEX_VERSION && existsSync(platformPkg);
  } catch {
    return false;
  }
}

async function ensureCodex(dir) {
  mkdirSync(dir, { recursive: true });
  if (codexInstalled(dir)) {
    log(`Codex ${CODEX_VERSION}: reusing ${dir}`);
    return;
  }
  // A package.json of its own keeps npm from walking up to some parent project.
  if (!existsSync(join(dir, 'package.json'))) {
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'codex-conformance-install', private: true }, null, 2)}\n`);
  }
  log(`Codex ${CODEX_VERSION}: npm install ${CODEX_PACKAGE} into ${dir} ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const env = { ...process.env };
  // `npm run` exports the project's npm_config_* / npm_package_*; none of them belongs to this install.
  for (const k of Object.keys(env)) if (/^npm_(package|lifecycle)_/i.test(k) || /^npm_config_(prefix|global|save.*)$/i.test(k)) delete env[k];
  const r = await run(npm, ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', CODEX_PACKAGE], {
    cwd: dir,
    env,
    timeoutMs: TIMEOUTS.npmInstallMs,
  });
  if (r.code !== 0 || !codexInstalled(dir)) {
    throw new Error(`npm install ${CODEX_PACKAGE} failed${r.timedOut ? ' (timed out)' : ''} (exit ${r.code}):\n${r.stderr.slice(-2000)}`);
  }
}

async function bundleServers(outdir) {
  const { build } = await import('esbuild');
  // Packages stay external, but as absolute file: URLs resolved from this repository, because the bundle
  // lives in a temporary folder outside it where bare names would not resolve.
  const externalFromRepo = {
    name: 'external-from-repo',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        return { path: import.meta.resolve(args.path), external: true };
      });
    },
  };
  await withTimeout(
    build({
      entryPoints: {
        mantleServer: join(REPO, '__tests__', 'helpers', 'mantleServer.ts'),
        stsServer: join(REPO, '__tests__', 'helpers', 'stsServer.ts'),
        ssoServer: join(REPO, '__tests__', 'helpers', 'ssoServer.ts'),
      },
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      plugins: [externalFromRepo],
      logLevel: 'warning',
    }),
    TIMEOUTS.bundleMs,
    'esbuild',
  );
  return { mantle: join(outdir, 'mantleServer.mjs'), sts: join(outdir, 'stsServer.mjs'), sso: join(outdir, 'ssoServer.mjs') };
}

function unshareWorks() {
  if (process.env.CODEX_CONFORMANCE_NO_UNSHARE === '1') return { ok: false, why: 'CODEX_CONFORMANCE_NO_UNSHARE=1' };
  if (process.platform !== 'linux') return { ok: false, why: `not Linux (${process.platform})` };
  // Inside the new namespace, loopback must come up: `ip link set lo up` is the whole probe.
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { timeout: TIMEOUTS.unshareProbeMs, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) return { ok: false, why: `unshare: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, why: `unshare -n / ip link set lo up failed: ${String(r.stderr).trim() || `exit ${r.status}`}` };
  return { ok: true };
}

async function outside() {
  const startedAt = Date.now();
  if (existsSync('/etc/codex/managed_config.toml')) {
    log('conformance: /etc/codex/managed_config.toml exists. Codex reads it and it outranks config.toml, so the fixtures');
    log('would not be what they say. Move it away for the run (or run this on another machine).');
    process.exit(2);
  }
  if (!existsSync(CLI) || !existsSync(join(REPO, 'dist', 'codex-bedrock.cjs'))) {
    log('conformance: the CLI is not built. Run `npm run conformance` (it builds first), or `npm run build`.');
    process.exit(2);
  }
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'codex-bedrock-conformance-')));
  if (isInside(tmp, REPO)) throw new Error(`temporary folder ${tmp} is inside the repository; set TMPDIR elsewhere`);
  const cacheEnv = process.env.CODEX_CONFORMANCE_CACHE?.trim();
  const codexDir = cacheEnv ? resolve(cacheEnv) : join(tmp, 'codex');
  if (isInside(codexDir, REPO)) throw new Error(`CODEX_CONFORMANCE_CACHE (${codexDir}) must be outside the repository`);

  let child;
  const cleanup = () => {
    if (process.env.CODEX_CONFORMANCE_KEEP_TMP === '1') log(`conformance: keeping ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    // The inner run stops its own children (doctor, Codex) on SIGTERM; SIGKILL follows if it lingers.
    killGroup(child, 'SIGTERM');
    setTimeout(() => {
      killGroup(child, 'SIGKILL');
      cleanup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }, 1_000);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let exitCode = 2;
  try {
    await ensureCodex(codexDir);
    const bundles = await bundleServers(join(tmp, 'servers'));
    const netns = unshareWorks();
    const state = {
      tmp,
      codexJs: join(codexDir, 'node_modules', '@openai', 'codex', 'bin', 'codex.js'),
      bundles,
      isolation: netns.ok ? 'netns' : 'proxy',
      isolationWhy: netns.ok ? '' : netns.why,
      startedAt,
      onlyFixtures: onlyFixtures ? [...onlyFixtures] : null,
    };
    writeFileSync(join(tmp, 'state.json'), JSON.stringify(state));
    if (!netns.ok) {
      log(`WARNING: no loopback-only network namespace (${netns.why}).`);
      log('         Running without one: Codex and the doctor get HTTPS_PROXY/HTTP_PROXY/ALL_PROXY pointing at a loopback');
      log('         port that refuses, and NO_PROXY=127.0.0.1, so only the loopback test servers are reachable through them.');
    }
    const [cmd, args] = netns.ok
      ? ['unshare', ['-n', '--', process.execPath, SCRIPT, '--inside']]
      : [process.execPath, [SCRIPT, '--inside']];
    exitCode = await new Promise((resolvePromise) => {
      child = spawn(cmd, args, {
        cwd: tmp,
        env: { ...process.env, CODEX_CONFORMANCE_STATE: join(tmp, 'state.json') },
        stdio: 'inherit',
        detached: true,
      });
      const timer = setTimeout(() => {
        log(`conformance: the run took longer than ${TIMEOUTS.insideMs / 60000} min; stopping it.`);
        killGroup(child, 'SIGTERM');
        setTimeout(() => killGroup(child, 'SIGKILL'), TIMEOUTS.killGraceMs).unref();
      }, TIMEOUTS.insideMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        log(`conformance: could not start ${cmd}: ${error.message}`);
        resolvePromise(2);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolvePromise(code ?? 2);
      });
    });
  } catch (error) {
    log(`conformance: ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 2;
  } finally {
    cleanup();
  }
  log(`conformance: total ${((Date.now() - startedAt) / 1000).toFixed(1)} s (Codex install ${cacheEnv ? `cached in ${codexDir}` : 'temporary, removed'})`);
  process.exit(exitCode);
}

// =====================================================================================================
// Inside the namespace (or, as a fallback, behind a refusing proxy): servers, fixtures, doctor, Codex.
// =====================================================================================================

/** The fixtures. `env` is the fixture's AWS environment; `expect` is what the test server should do (a note). */
function fixtures(keys) {
  const iam = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET };
  const profileFiles = {
    credentials: `[p]\naws_access_key_id = ${PROFILE_AKID}\naws_secret_access_key = ${PROFILE_SECRET}\n\n[bad]\naws_access_key_id = ${PROFILE_AKID}\naws_secret_access_key = ${WRONG_SECRET}\n`,
    config: `[profile p]\nregion = ${REGION}\n\n[profile bad]\nregion = ${REGION}\n`,
  };
  return [
    { name: 'bearer-key', what: 'short-term Bedrock API key (getToken, us-east-1)', env: { AWS_BEARER_TOKEN_BEDROCK: keys.good }, expect: true },
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
    {
      name: 'env-keys-beat-aws-profile',
      what: 'good env keys + AWS_PROFILE=bad (wrong secret)',
      env: { ...iam, AWS_PROFILE: 'bad' },
      aws: profileFiles,
      expect: true,
    },
    { name: 'aws-profile-keys', what: 'AWS_PROFILE=p, keys in ~/.aws/credentials', env: { AWS_PROFILE: 'p' }, aws: profileFiles, expect: true },
    {
      name: 'config-profile-beats-bearer',
      what: 'aws.profile = "bad" in config + good API key',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good },
      aws: profileFiles,
      awsTable: ['profile = "bad"'],
      expect: false,
    },
    // Region rules differ per auth path in Codex 0.169.0 (no aws.region in config.toml for these).
    {
      name: 'bearer-region-env-space',
      what: 'API key, AWS_REGION="us-east-1 " (bearer path trims)',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good, AWS_REGION: `${REGION} ` },
      configRegion: false,
      expect: true,
    },
    {
      name: 'bearer-region-empty-then-default',
      what: 'API key, AWS_REGION="", AWS_DEFAULT_REGION=us-east-1',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.good, AWS_REGION: '', AWS_DEFAULT_REGION: REGION },
      configRegion: false,
      expect: true,
    },
    {
      name: 'iam-region-env-space',
      what: 'env keys, AWS_REGION="us-east-1 " (IAM path signs it raw)',
      env: { ...iam, AWS_REGION: `${REGION} ` },
      configRegion: false,
      expect: false,
    },
    { name: 'iam-region-from-profile', what: 'AWS_PROFILE=p, region only in ~/.aws/config', env: { AWS_PROFILE: 'p' }, aws: profileFiles, configRegion: false, expect: true },
    // Credentials stored by Codex's Bedrock login in $CODEX_HOME/auth.json outrank the environment.
    {
      name: 'stored-api-key',
      what: 'auth.json bedrock_api_key (us-east-1) + shell us-west-2 key',
      env: { AWS_BEARER_TOKEN_BEDROCK: keys.otherRegion },
      authJson: { auth_mode: 'bedrockApiKey', OPENAI_API_KEY: null, bedrock_api_key: { api_key: keys.good, region: REGION } },
      expect: true,
    },
    {
      name: 'stored-access-keys',
      what: 'auth.json bedrock_access_keys + quoted shell API key',
      env: { AWS_BEARER_TOKEN_BEDROCK: `"${keys.good}"` },
      authJson: { auth_mode: 'bedrockAccessKeys', OPENAI_API_KEY: null, bedrock_access_keys: { access_key_id: AKID, secret_access_key: SECRET, session_token: null } },
      expect: true,
    },
    ...credentialFixtures(),
  ];
}

/**
 * Issue 9: credentials through the Rust aws-config rules, where the JavaScript SDK differs. `files` are written
 * under the fixture root (`__ROOT__` in any text becomes that root; an object gives a mode); `sso` starts the
 * loopback SSO portal/OIDC server with a cached token; `extraSecrets` are keys the servers also know.
 */
function credentialFixtures() {
  const keysLines = (akid, secret) => `aws_access_key_id = ${akid}\naws_secret_access_key = ${secret}\n`;
  const script = (text) => ({ text: `#!/bin/sh\n${text}\n`, mode: 0o755 });
  const ssoConfig = `[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Bedrock\nregion = ${REGION}\n\n[sso-session corp]\nsso_start_url = https://corp-example.awsapps.com/start\nsso_region = ${REGION}\n`;
  const processProfile = (json) => ({ config: `[profile proc]\nregion = ${REGION}\ncredential_process = /bin/sh __ROOT__/bin/creds.sh\n`, credentials: '' , script: script(`echo '${JSON.stringify(json)}'`) });
  const camel = processProfile({ version: 1, accessKeyId: PROFILE_AKID, secretAccessKey: PROFILE_SECRET });
  const expired = processProfile({ Version: 1, AccessKeyId: TEMP.accessKeyId, SecretAccessKey: TEMP.secretAccessKey, SessionToken: TEMP.sessionToken, Expiration: '2020-01-01T00:00:00Z' });
  return [
    { name: 'sso-session-sts-override', what: 'sso-session profile, valid cached token, AWS_ENDPOINT_URL_STS set', env: { AWS_PROFILE: 'sso' }, aws: { config: ssoConfig, credentials: '' }, sso: 'valid', expect: true },
    { name: 'sso-expired-token-refreshable', what: 'sso-session profile, access token expired, refresh token good', env: { AWS_PROFILE: 'sso' }, aws: { config: ssoConfig, credentials: '' }, sso: 'refresh', expect: true },
    { name: 'process-camelcase', what: 'credential_process printing camelCase keys', env: { AWS_PROFILE: 'proc' }, aws: camel, files: { 'bin/creds.sh': camel.script }, expect: true },
    {
      name: 'process-expired',
      what: 'credential_process with an Expiration in the past (the servers know the session expired)',
      env: { AWS_PROFILE: 'proc' },
      aws: expired,
      files: { 'bin/creds.sh': expired.script },
      extraSecrets: [[TEMP.accessKeyId, { secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken, expiration: new Date('2020-01-01T00:00:00Z') }]],
      expect: false,
    },
    {
      name: 'assume-role-duration-seconds',
      what: 'role profile with duration_seconds = 43200 (role maximum 1 h)',
      env: { AWS_PROFILE: 'role' },
      aws: { config: `[profile role]\nrole_arn = arn:aws:iam::444455556666:role/Codex\nsource_profile = base\nduration_seconds = 43200\nregion = ${REGION}\n`, credentials: `[base]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}` },
      expect: true,
    },
    {
      name: 'profile-default-preferred',
      what: '[default] with a wrong secret, then [profile default] with good keys, no AWS_PROFILE',
      env: {},
      aws: { config: `[default]\n${keysLines(PROFILE_AKID, WRONG_SECRET)}\n[profile default]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}`, credentials: '' },
      expect: true,
    },
    {
      name: 'region-inline-comment',
      what: 'AWS_PROFILE=p, region = us-east-1   # comment, only in ~/.aws/config',
      env: { AWS_PROFILE: 'p' },
      aws: { config: `[profile p]\nregion = ${REGION}   # N. Virginia\n`, credentials: `[p]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}` },
      configRegion: false,
      expect: true,
    },
    {
      name: 'region-in-credentials-file',
      what: 'AWS_PROFILE=p, region only in ~/.aws/credentials',
      env: { AWS_PROFILE: 'p' },
      aws: { config: '', credentials: `[p]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}region = ${REGION}\n` },
      configRegion: false,
      expect: true,
    },
    {
      name: 'aws-files-tilde',
      what: 'AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE starting with ~',
      env: { AWS_PROFILE: 'p', AWS_CONFIG_FILE: '~/alt/config', AWS_SHARED_CREDENTIALS_FILE: '~/alt/credentials' },
      files: { 'home/alt/config': `[profile p]\nregion = ${REGION}\n`, 'home/alt/credentials': `[p]\n${keysLines(PROFILE_AKID, PROFILE_SECRET)}` },
      configRegion: false,
      expect: true,
    },
    {
      name: 'process-fails',
      what: 'credential_process exiting 1, good env keys absent: Codex has nothing else',
      env: { AWS_PROFILE: 'proc' },
      aws: { config: `[profile proc]\nregion = ${REGION}\ncredential_process = /bin/sh __ROOT__/bin/creds.sh\n`, credentials: '' },
      files: { 'bin/creds.sh': script('echo "helper: denied" >&2; exit 1') },
      expect: false,
    },
    {
      name: 'akia-leftover-session-token',
      what: 'long-term AKIA env keys + a leftover AWS_SESSION_TOKEN',
      env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: 'FwoGZXIvYXdzLeftoverSessionToken==' },
      expect: false,
    },
    {
      name: 'web-identity-env',
      what: 'AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (GitHub Actions OIDC, EKS IRSA)',
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: '__ROOT__/token.jwt', AWS_ROLE_ARN: 'arn:aws:iam::444455556666:role/GitHubActions' },
      files: { 'token.jwt': 'eyJhbGciOiJSUzI1NiJ9.conformance.sig' },
      expect: true,
    },
    {
      name: 'web-identity-without-role-arn',
      what: 'AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN',
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: '__ROOT__/token.jwt' },
      files: { 'token.jwt': 'eyJhbGciOiJSUzI1NiJ9.conformance.sig' },
      expect: false,
    },
    {
      name: 'credential-export-before-stored-key',
      what: 'aws.credential_export that fails + a good API key stored in auth.json',
      env: {},
      awsTable: ['credential_export = { command = "__ROOT__/bin/export.sh" }'],
      files: { 'bin/export.sh': script('exit 1') },
      authJson: 'stored-good-key',
      expect: false,
    },
    {
      name: 'missing-source-profile',
      what: 'role profile whose source_profile does not exist',
      env: { AWS_PROFILE: 'role' },
      aws: { config: `[profile role]\nrole_arn = arn:aws:iam::444455556666:role/Codex\nsource_profile = nowhere\nregion = ${REGION}\n`, credentials: '' },
      expect: false,
    },
  ];
}

const SSO_TOKEN = 'aoaConformanceSsoAccessToken000000000000000000000000000000';
const SSO_REFRESH = { token: 'aorConformanceRefreshToken0000000000000000', clientId: 'conformance-client', clientSecret: 'conformanceClientSecret0000' };

/** Writes a fixture's extra files and its SSO token cache; returns the SSO server (or null) to close afterwards. */
async function prepareCredentialFixture(fx, root, shared, startSsoServer) {
  for (const [path, spec] of Object.entries(fx.files ?? {})) {
    const { text, mode } = typeof spec === 'string' ? { text: spec, mode: 0o600 } : spec;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text.replaceAll('__ROOT__', root), { mode });
  }
  for (const [akid, entry] of fx.extraSecrets ?? []) shared.set(akid, entry);
  if (!fx.sso) return null;
  const now = Date.now();
  const cache = fx.sso === 'valid'
    ? { accessToken: SSO_TOKEN, expiresAt: new Date(now + 3_600_000).toISOString() }
    : { accessToken: 'aoaExpiredConformanceToken', expiresAt: new Date(now - 3_600_000).toISOString(), clientId: SSO_REFRESH.clientId, clientSecret: SSO_REFRESH.clientSecret, refreshToken: SSO_REFRESH.token, registrationExpiresAt: new Date(now + 30 * 86_400_000).toISOString() };
  const { createHash } = await import('node:crypto');
  const cacheDir = join(root, 'home', '.aws', 'sso', 'cache');
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, `${createHash('sha1').update('corp').digest('hex')}.json`), JSON.stringify(cache), { mode: 0o600 });
  return startSsoServer({ secrets: shared, accessTokens: new Set([SSO_TOKEN]), refreshTokens: new Map([[SSO_REFRESH.token, { clientId: SSO_REFRESH.clientId, clientSecret: SSO_REFRESH.clientSecret }]]) });
}

function configToml(baseUrl, awsTable = [], configRegion = true) {
  const aws = [...(configRegion ? [`region = "${REGION}"`] : []), ...awsTable];
  return [
    'model_provider = "amazon-bedrock"',
    `model = "${MODEL}"`,
    '',
    '[model_providers.amazon-bedrock]',
    `base_url = "${baseUrl}"`,
    ...(aws.length > 0 ? ['', '[model_providers.amazon-bedrock.aws]', ...aws] : []),
    '',
  ].join('\n');
}

function shortSkip(check) {
  return check.skipReason ? `${check.status} (${check.skipReason})` : check.status;
}

async function inside() {
  const state = JSON.parse(readFileSync(process.env.CODEX_CONFORMANCE_STATE, 'utf8'));
  const { tmp, codexJs, bundles, isolation } = state;
  const only = state.onlyFixtures ? new Set(state.onlyFixtures) : null;

  if (isolation === 'netns') {
    const r = await run('ip', ['link', 'set', 'lo', 'up'], { timeoutMs: TIMEOUTS.ipLinkMs });
    if (r.code !== 0) throw new Error(`ip link set lo up failed: ${r.stderr.trim()}`);
  }

  const { startMantleServer } = await import(pathToFileURL(bundles.mantle).href);
  const { startStsServer, closedPort } = await import(pathToFileURL(bundles.sts).href);
  const { startSsoServer } = await import(pathToFileURL(bundles.sso).href);
  const { getToken } = await import('@aws/bedrock-token-generator');

  const refusingPort = isolation === 'proxy' ? await closedPort() : null;
  const proxyEnv = refusingPort
    ? (() => {
        const proxy = `http://127.0.0.1:${refusingPort}`;
        const noProxy = '127.0.0.1,localhost';
        return { HTTPS_PROXY: proxy, https_proxy: proxy, HTTP_PROXY: proxy, http_proxy: proxy, ALL_PROXY: proxy, all_proxy: proxy, NO_PROXY: noProxy, no_proxy: noProxy };
      })()
    : {};

  const keys = {
    good: await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: REGION, expiresInSeconds: 3600 }),
    otherRegion: await getToken({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: OTHER_REGION, expiresInSeconds: 3600 }),
  };
  const secrets = () =>
    new Map([
      [AKID, { secretAccessKey: SECRET }],
      [TEMP.accessKeyId, { secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken }],
      [PROFILE_AKID, { secretAccessKey: PROFILE_SECRET }],
    ]);

  const baseEnv = (root) => ({
    HOME: join(root, 'home'),
    CODEX_HOME: join(root, 'home', '.codex'),
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    TMPDIR: join(root, 'tmp'),
    AWS_CONFIG_FILE: join(root, 'home', '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(root, 'home', '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CODEX_BEDROCK_MANAGED_CONFIG: join(root, 'no-such-dir', 'managed_config.toml'),
    ...proxyEnv,
  });

  // Codex version, from the binary itself (inside the namespace, like every other Codex run).
  const versionRoot = join(tmp, 'version');
  mkdirSync(join(versionRoot, 'home', '.codex'), { recursive: true });
  mkdirSync(join(versionRoot, 'tmp'), { recursive: true });
  const v = await run(process.execPath, [codexJs, '--version'], { cwd: versionRoot, env: baseEnv(versionRoot), timeoutMs: TIMEOUTS.codexVersionMs });
  const codexVersion = v.stdout.trim();
  if (v.code !== 0 || codexVersion !== `codex-cli ${CODEX_VERSION}`) {
    throw new Error(`\`codex --version\` gave ${JSON.stringify(codexVersion)} (exit ${v.code}); expected "codex-cli ${CODEX_VERSION}"\n${v.stderr.slice(-1000)}`);
  }

  const doctorArgs = ['doctor', '--json', '--only', 'bedrock.responses', '--timeout', String(TIMEOUTS.doctorNetworkSeconds)];
  const codexArgs = ['exec', '--skip-git-repo-check', 'ping'];

  const selected = fixtures(keys).filter((f) => !only || only.has(f.name));
  if (selected.length === 0) throw new Error(`no fixture matches --fixture ${[...only].join(',')}`);
  const rows = [];
  let n = 0;
  for (const fx of selected) {
    n++;
    const root = join(tmp, 'fixtures', fx.name);
    mkdirSync(join(root, 'home', '.codex'), { recursive: true });
    mkdirSync(join(root, 'home', '.aws'), { recursive: true });
    mkdirSync(join(root, 'work'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    const shared = secrets();
    const sts = await startStsServer({ secrets: shared, region: REGION });
    const mantle = await startMantleServer({ secrets: shared, longTermKeys: new Set([LONG_TERM_KEY]), modelsByRegion: { [REGION]: [MODEL] }, region: REGION });
    let sso = null;
    try {
      writeFileSync(join(root, 'home', '.codex', 'config.toml'), configToml(mantle.baseUrl, fx.awsTable, fx.configRegion ?? true).replaceAll('__ROOT__', root));
      const authJson = fx.authJson === 'stored-good-key' ? { auth_mode: 'bedrockApiKey', OPENAI_API_KEY: null, bedrock_api_key: { api_key: keys.good, region: REGION } } : fx.authJson;
      if (authJson) writeFileSync(join(root, 'home', '.codex', 'auth.json'), `${JSON.stringify(authJson, null, 2)}\n`, { mode: 0o600 });
      if (fx.dotenv !== undefined) writeFileSync(join(root, 'home', '.codex', '.env'), fx.dotenv, { mode: 0o600 });
      if (fx.aws) {
        writeFileSync(join(root, 'home', '.aws', 'credentials'), fx.aws.credentials, { mode: 0o600 });
        writeFileSync(join(root, 'home', '.aws', 'config'), fx.aws.config.replaceAll('__ROOT__', root));
      }
      sso = await prepareCredentialFixture(fx, root, shared, startSsoServer);
      const ssoEnv = sso ? { AWS_ENDPOINT_URL_SSO: sso.url, AWS_ENDPOINT_URL_SSO_OIDC: sso.url } : {};
      const fixtureEnv = Object.fromEntries(Object.entries(fx.env).map(([name, value]) => [name, value.replaceAll('__ROOT__', root)]));
      const env = { ...baseEnv(root), AWS_ENDPOINT_URL_STS: sts.url, ...ssoEnv, ...fixtureEnv };
      log(`[${n}/${selected.length}] ${fx.name}: doctor ...`);

      // a. the doctor
      const d = await run(process.execPath, [CLI, ...doctorArgs], { cwd: join(root, 'work'), env, timeoutMs: TIMEOUTS.doctorMs });
      let report = null;
      try {
        report = JSON.parse(d.stdout);
      } catch {
        /* reported below */
      }
      const check = report?.checks?.find((c) => c.id === 'bedrock.responses') ?? null;
      const blocker = check?.skipReason ? /^needs (\S+), which failed/.exec(check.skipReason)?.[1] : undefined;
      const blockerCheck = blocker ? report.checks.find((c) => c.id === blocker) : null;
      const doctor = {
        status: check?.status ?? (d.timedOut ? 'timeout' : 'error'),
        cell: check ? (blocker ? `skip (${blocker} failed)` : check.status === 'skip' ? shortSkip(check) : check.status) : d.timedOut ? 'timed out' : `no report (exit ${d.code})`,
        summary: check?.summary ?? d.stderr.trim().split('\n').slice(-3).join(' / '),
        blockerSummary: blockerCheck ? `${blockerCheck.id} [${blockerCheck.status}]: ${blockerCheck.summary}` : null,
        ms: d.ms,
        requests: mantle.requests.length,
      };
      const says = doctor.status === 'pass' || doctor.status === 'warn';

      // b. the real Codex
      log(`[${n}/${selected.length}] ${fx.name}: codex exec ...`);
      const before = mantle.requests.length;
      const codexResponses = () => mantle.requests.slice(before).filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/openai/v1/responses');
      const c = await runCodex(codexJs, codexArgs, { cwd: join(root, 'work'), env, judged: () => codexResponses()[0]?.auth !== undefined });
      const first = codexResponses()[0];
      const accepted = first?.auth?.ok === true;
      const serverCell = !first
        ? 'no request'
        : first.auth === undefined
          ? 'not judged'
          : accepted
            ? `accepted (${first.auth.kind})`
            : `rejected (${first.auth.kind}: ${first.auth.code})`;
      const agree = says === accepted;
      rows.push({
        fx,
        doctor,
        serverCell,
        accepted,
        agree,
        codex: {
          ...c,
          requests: codexResponses().length,
          userAgent: first ? String(first.headers['user-agent'] ?? '') : '',
          authorization: first ? describeAuthorization(String(first.headers.authorization ?? '')) : '',
        },
      });
      log(`    doctor: ${doctor.cell} | server: ${serverCell} | ${agree ? 'agree' : 'DISAGREE'}`);
    } finally {
      await mantle.close();
      await sts.close();
      await sso?.close();
    }
  }

  // ----------------------------------------------------------------------------------------------
  const secretsToMask = [keys.good, keys.otherRegion, SECRET, WRONG_SECRET, TEMP.secretAccessKey, TEMP.sessionToken, PROFILE_SECRET, LONG_TERM_KEY];
  const mask = (s) => secretsToMask.reduce((acc, secret) => acc.split(secret).join('<secret>'), s);

  const out = [];
  out.push('');
  out.push(`Codex: ${codexVersion} (${CODEX_PACKAGE}, ${codexJs})`);
  out.push(`Isolation: ${isolation === 'netns' ? 'loopback-only network namespace (unshare -n)' : `NO namespace (${state.isolationWhy}); proxies -> refusing 127.0.0.1:${refusingPort}, NO_PROXY=127.0.0.1,localhost`}`);
  out.push(`Doctor command: node bin/codex-bedrock.cjs ${doctorArgs.join(' ')}`);
  out.push(`Codex command:  codex ${codexArgs.join(' ')}   (stdin /dev/null, limit ${TIMEOUTS.codexMs / 1000} s, stopped once the server judged its first request)`);
  out.push(
    `Environment:    HOME, CODEX_HOME=$HOME/.codex (config.toml: model_provider amazon-bedrock, model ${MODEL}, base_url -> loopback Mantle, aws.region ${REGION} except where a fixture leaves it out), PATH, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_EC2_METADATA_DISABLED=true, AWS_ENDPOINT_URL_STS -> loopback STS, CODEX_BEDROCK_MANAGED_CONFIG -> missing file${refusingPort ? ', *_PROXY, NO_PROXY' : ''}, plus the fixture's variables`,
  );
  out.push('');
  const header = ['fixture', 'doctor bedrock.responses', "server accepted Codex's request", 'agree?'];
  const table = rows.map((r) => [r.fx.name, r.doctor.cell, r.serverCell, r.agree ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  out.push(line(header));
  out.push(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) out.push(line(row));
  out.push('');
  out.push('Details:');
  for (const r of rows) {
    out.push(`- ${r.fx.name}: ${r.fx.what}`);
    out.push(`    doctor (${r.doctor.ms} ms): bedrock.responses [${r.doctor.status}] ${mask(r.doctor.summary)}`);
    if (r.doctor.blockerSummary) out.push(`    doctor blocked by ${mask(r.doctor.blockerSummary)}`);
    const ended = r.codex.stoppedAfterVerdict ? 'stopped after the verdict' : r.codex.timedOut ? 'TIMED OUT' : `exit ${r.codex.code}`;
    out.push(`    codex (${r.codex.ms} ms, ${ended}): ${r.codex.requests} POST /responses seen; first: ${mask(r.codex.authorization) || '-'}${r.codex.userAgent ? `; user-agent ${r.codex.userAgent}` : ''}`);
    if (r.accepted !== r.fx.expect) out.push(`    NOTE: the test server ${r.accepted ? 'accepted' : 'rejected'} Codex here, though the fixture expected the opposite.`);
    if (!r.agree || r.serverCell === 'no request') {
      const tail = mask(r.codex.stderr)
        .split('\n')
        .filter((l) => l.trim() && !/^\s+\d+: |Stack backtrace/.test(l))
        .slice(-6);
      for (const l of tail) out.push(`    codex stderr: ${l.slice(0, 300)}`);
    }
  }
  const disagreements = rows.filter((r) => !r.agree);
  out.push('');
  out.push(
    disagreements.length === 0
      ? `RESULT: all ${rows.length} fixtures agree (doctor bedrock.responses pass/warn <=> the server accepted Codex's first request).`
      : `RESULT: ${disagreements.length} of ${rows.length} fixtures DISAGREE: ${disagreements.map((r) => r.fx.name).join(', ')}`,
  );
  out.push(`Time: ${((Date.now() - state.startedAt) / 1000).toFixed(1)} s since the start (Codex install and bundling included)`);
  console.log(out.join('\n'));
  return disagreements.length === 0 ? 0 : 1;
}

/** `Bearer <5 chars>…` or `SigV4 AKID/date/region/service signed=a;b;c`, never the secret parts. */
function describeAuthorization(value) {
  const sig = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,\s]+)/.exec(value);
  if (sig) {
    const scope = sig[1].replace(/\/aws4_request$/, '');
    return `SigV4 ${/\s/.test(scope) ? JSON.stringify(scope) : scope} SignedHeaders=${sig[2]}`;
  }
  const bearer = /^Bearer (.*)$/s.exec(value);
  if (bearer) return `Bearer ${JSON.stringify(bearer[1].slice(0, 18))}… (${bearer[1].length} chars)`;
  return value ? `${value.slice(0, 12)}…` : 'no Authorization header';
}

/** Runs Codex; stops it (its own process group) once the server has judged its first Responses request. */
function runCodex(codexJs, args, { cwd, env, judged }) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let stoppedAfterVerdict = false;
    const child = track(spawn(process.execPath, [codexJs, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const stop = () => {
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), TIMEOUTS.killGraceMs).unref();
    };
    const poll = setInterval(() => {
      if (!judged()) return;
      clearInterval(poll);
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) {
          stoppedAfterVerdict = true;
          stop();
        }
      }, TIMEOUTS.codexGraceMs);
    }, 50);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, TIMEOUTS.codexMs);
    const finish = (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut, stoppedAfterVerdict, ms: Date.now() - started });
    };
    child.on('error', (error) => {
      stderr += String(error);
      finish(null, null);
    });
    child.on('close', finish);
  });
}

if (INSIDE) {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.once(signal, () => {
      for (const c of activeChildren) killGroup(c, 'SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  try {
    process.exitCode = await inside();
  } catch (error) {
    log(`conformance (inside): ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  }
} else {
  await outside();
}
