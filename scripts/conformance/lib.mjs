// Plumbing shared by the conformance scripts (scripts/conformance.mjs, scripts/conformance/*.mjs):
// bounded child processes, the loopback-only network namespace, the per-release Codex cache, and the
// bundled loopback test servers. Nothing here talks to anything but loopback, except `npm install` /
// `npm view` of @openai/codex, which run outside the namespace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, accessSync, constants } from 'node:fs';
import { isBuiltin } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Bedrock support in Codex starts here; older releases are not conformance targets. */
export const FIRST_BEDROCK_RELEASE = '0.128.0';

export const LIB_TIMEOUTS = {
  npmInstallMs: 300_000,
  npmViewMs: 30_000,
  bundleMs: 60_000,
  unshareProbeMs: 5_000,
  killGraceMs: 3_000,
};

export const log = (...a) => console.error(...a);

export const isInside = (dir, parent) => {
  const rel = relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Children started by this process (each in its own process group), stopped if this process is told to stop. */
export const activeChildren = new Set();
function track(child) {
  activeChildren.add(child);
  child.on('close', () => activeChildren.delete(child));
  child.on('error', () => activeChildren.delete(child));
  return child;
}

/** Signals the process group of a child we started (spawned with detached: true, so its pid is the group id). */
export function killGroup(child, signal) {
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

/** On SIGTERM/SIGINT/SIGHUP: kill every child this process started, then exit. */
export function stopChildrenOnSignal() {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.once(signal, () => {
      for (const c of activeChildren) killGroup(c, 'SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * The entry point of a script that re-executes itself inside the namespace with `--inside`: the inner part
 * stops its children on a signal; either part's exit code becomes the process's, 2 on an internal error.
 */
export async function main(name, { inside, outside }) {
  const isInner = process.argv.includes('--inside');
  if (isInner) stopChildrenOnSignal();
  try {
    process.exitCode = (await (isInner ? inside() : outside())) ?? 0;
  } catch (error) {
    log(`${name}${isInner ? ' (inside)' : ''}: ${error instanceof Error ? (isInner ? error.stack : error.message) : String(error)}`);
    process.exitCode = 2;
  }
}

/**
 * Runs a command with a hard time limit; never throws. `stopWhen` (polled every 50 ms) ends the run early:
 * once it returns true the child gets `graceMs` more, then SIGTERM (its whole process group).
 */
export function run(cmd, args, { cwd, env, timeoutMs = 60_000, input, stopWhen, graceMs = 300 } = {}) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let stoppedEarly = false;
    let child;
    try {
      child = track(spawn(cmd, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true }));
    } catch (error) {
      resolvePromise({ code: null, signal: null, stdout, stderr: String(error), timedOut, stoppedEarly, ms: 0, error });
      return;
    }
    if (input !== undefined) child.stdin.end(input);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const stop = () => {
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), LIB_TIMEOUTS.killGraceMs).unref();
    };
    const poll = stopWhen
      ? setInterval(() => {
          if (!stopWhen()) return;
          clearInterval(poll);
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) {
              stoppedEarly = true;
              stop();
            }
          }, graceMs);
        }, 50)
      : undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    let done = false;
    const finish = (code, signal, error) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr: error ? stderr + String(error) : stderr, timedOut, stoppedEarly, ms: Date.now() - started, error });
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]);
}

export function unshareWorks() {
  if (process.env.CODEX_CONFORMANCE_NO_UNSHARE === '1') return { ok: false, why: 'CODEX_CONFORMANCE_NO_UNSHARE=1' };
  if (process.platform !== 'linux') return { ok: false, why: `not Linux (${process.platform})` };
  // Inside the new namespace, loopback must come up: `ip link set lo up` is the whole probe.
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { timeout: LIB_TIMEOUTS.unshareProbeMs, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) return { ok: false, why: `unshare: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, why: `unshare -n / ip link set lo up failed: ${String(r.stderr).trim() || `exit ${r.status}`}` };
  return { ok: true };
}

/** Inside a fresh namespace loopback starts down. */
export async function loopbackUp() {
  const r = await run('ip', ['link', 'set', 'lo', 'up'], { timeoutMs: 5_000 });
  if (r.code !== 0) throw new Error(`ip link set lo up failed: ${r.stderr.trim()}`);
}

// -----------------------------------------------------------------------------------------------------
// Releases and the per-release cache: CACHE/<version>/node_modules/@openai/codex (+ the platform package).
// -----------------------------------------------------------------------------------------------------

export function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
const isStable = (v) => /^\d+\.\d+\.\d+$/.test(v);

/** CODEX_CONFORMANCE_CACHE, else /var/cache/codex-conformance when writable, else ~/.cache/codex-bedrock-conformance. */
export function cacheRoot() {
  const env = process.env.CODEX_CONFORMANCE_CACHE?.trim();
  let dir = env ? resolve(env) : '/var/cache/codex-conformance';
  if (!env) {
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      dir = join(homedir(), '.cache', 'codex-bedrock-conformance');
    }
  }
  if (isInside(dir, REPO)) throw new Error(`the Codex cache (${dir}) must be outside the repository`);
  return dir;
}

export function releaseDir(root, version) {
  return join(root, version);
}
export function codexPackageDir(root, version) {
  return join(releaseDir(root, version), 'node_modules', '@openai', 'codex');
}
export function codexLauncher(root, version) {
  return join(codexPackageDir(root, version), 'bin', 'codex.js');
}

export function releaseInstalled(root, version) {
  try {
    const pkg = JSON.parse(readFileSync(join(codexPackageDir(root, version), 'package.json'), 'utf8'));
    const platformPkg = join(releaseDir(root, version), 'node_modules', '@openai', `codex-${process.platform}-${process.arch}`, 'package.json');
    return pkg.version === version && existsSync(platformPkg);
  } catch {
    return false;
  }
}

export function cachedReleases(root) {
  let names = [];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((v) => isStable(v) && compareVersions(v, FIRST_BEDROCK_RELEASE) >= 0 && releaseInstalled(root, v)).sort(compareVersions);
}

function npmEnv() {
  const env = { ...process.env };
  // `npm run` exports the project's npm_config_* / npm_package_*; none of them belongs to these commands.
  for (const k of Object.keys(env)) if (/^npm_(package|lifecycle)_/i.test(k) || /^npm_config_(prefix|global|save.*)$/i.test(k)) delete env[k];
  return env;
}
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Every stable release >= FIRST_BEDROCK_RELEASE on the registry, and `latest`. Null when npm cannot answer. */
export async function publishedReleases() {
  const r = await run(NPM, ['view', '@openai/codex', 'versions', 'dist-tags', '--json'], { env: npmEnv(), timeoutMs: LIB_TIMEOUTS.npmViewMs });
  if (r.code !== 0) return null;
  try {
    const data = JSON.parse(r.stdout);
    const versions = data.versions.filter((v) => isStable(v) && compareVersions(v, FIRST_BEDROCK_RELEASE) >= 0).sort(compareVersions);
    return { versions, latest: data['dist-tags']?.latest ?? versions.at(-1) };
  } catch {
    return null;
  }
}

/**
 * Turns `--codex` into a sorted list of versions: `all`, `latest`, `cached`, or a comma list of versions
 * (each may also be `latest`). `all`/`latest` ask the registry; offline they fall back to the cache.
 */
export async function resolveCodexVersions(spec, root) {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const needsRegistry = parts.some((p) => p === 'all' || p === 'latest');
  const published = needsRegistry ? await publishedReleases() : null;
  const cached = cachedReleases(root);
  if (needsRegistry && !published) log(`conformance: npm could not list @openai/codex releases; using the cache (${cached.length} releases in ${root})`);
  const out = new Set();
  for (const p of parts) {
    if (p === 'all') for (const v of published?.versions ?? cached) out.add(v);
    else if (p === 'cached') for (const v of cached) out.add(v);
    else if (p === 'latest') {
      const v = published?.latest ?? cached.at(-1);
      if (!v) throw new Error('no `latest` Codex: npm did not answer and the cache is empty');
      out.add(v);
    } else if (isStable(p)) out.add(p);
    else throw new Error(`--codex: ${JSON.stringify(p)} is not a version (x.y.z), latest, all or cached`);
  }
  return [...out].sort(compareVersions);
}

/** Installs @openai/codex@VERSION into CACHE/VERSION unless it is already there. */
export async function ensureRelease(root, version) {
  const dir = releaseDir(root, version);
  if (releaseInstalled(root, version)) return dir;
  // Some releases were published without their platform packages (0.142.1, 0.153.1 for linux-x64): npm
  // installs the launcher alone, which cannot run. The marker keeps later runs from reinstalling them.
  const unavailable = join(dir, NO_PLATFORM_MARKER);
  if (existsSync(unavailable)) throw new Error(`@openai/codex@${version} has no ${process.platform}-${process.arch} package on npm (${unavailable})`);
  mkdirSync(dir, { recursive: true });
  // A package.json of its own keeps npm from walking up to some parent project.
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'codex-conformance-install', private: true }, null, 2)}\n`);
  log(`Codex ${version}: npm install @openai/codex@${version} into ${dir} ...`);
  const r = await run(NPM, ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `@openai/codex@${version}`], {
    cwd: dir,
    env: npmEnv(),
    timeoutMs: LIB_TIMEOUTS.npmInstallMs,
  });
  if (r.code === 0 && existsSync(join(codexPackageDir(root, version), 'package.json')) && !releaseInstalled(root, version)) {
    writeFileSync(unavailable, `npm install @openai/codex@${version} brought no ${process.platform}-${process.arch} package\n`);
    throw new Error(`@openai/codex@${version} has no ${process.platform}-${process.arch} package on npm`);
  }
  if (r.code !== 0 || !releaseInstalled(root, version)) {
    throw new Error(`npm install @openai/codex@${version} failed${r.timedOut ? ' (timed out)' : ''} (exit ${r.code}):\n${r.stderr.slice(-2000)}`);
  }
  return dir;
}
const NO_PLATFORM_MARKER = '.no-platform-package';

/**
 * Installs every release of the list. A release that cannot be installed stops the run when it was named
 * explicitly; from `all`/`cached` it is left out with a warning (the npm list has releases without platform
 * packages).
 */
export async function ensureReleases(root, versions, spec) {
  const explicit = new Set(spec.split(',').map((s) => s.trim()));
  const ok = [];
  for (const v of versions) {
    try {
      await ensureRelease(root, v);
      ok.push(v);
    } catch (error) {
      if (explicit.has(v)) throw error;
      log(`conformance: leaving out ${v}: ${error.message.split('\n')[0]}`);
    }
  }
  return ok;
}

/**
 * A bin folder holding only `codex` -> the release's bin/codex.js, the layout `npm install -g` creates, so
 * that a doctor with this folder first on PATH finds and identifies exactly this release.
 */
export function makeCodexBin(dir, root, version) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(codexLauncher(root, version), join(dir, 'codex'));
  return dir;
}

// -----------------------------------------------------------------------------------------------------
// The loopback test servers (TypeScript helpers under __tests__/helpers), bundled for plain Node.
// -----------------------------------------------------------------------------------------------------

export async function bundleServers(outdir) {
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
    LIB_TIMEOUTS.bundleMs,
    'esbuild',
  );
  return { mantle: join(outdir, 'mantleServer.mjs'), sts: join(outdir, 'stsServer.mjs'), sso: join(outdir, 'ssoServer.mjs') };
}

/** `Bearer <18 chars>…` or `SigV4 AKID/date/region/service signed=a;b;c`, never the secret parts. */
export function describeAuthorization(value) {
  const sig = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,\s]+)/.exec(value);
  if (sig) {
    const scope = sig[1].replace(/\/aws4_request$/, '');
    return `SigV4 ${/\s/.test(scope) ? JSON.stringify(scope) : scope} SignedHeaders=${sig[2]}`;
  }
  const bearer = /^Bearer (.*)$/s.exec(value);
  if (bearer) return `Bearer ${JSON.stringify(bearer[1].slice(0, 18))}… (${bearer[1].length} chars)`;
  return value ? `${value.slice(0, 12)}…` : 'no Authorization header';
}
