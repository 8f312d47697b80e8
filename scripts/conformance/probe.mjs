#!/usr/bin/env node
// Establishes what real Codex releases do, one behaviour at a time, and bisects each to the first release
// where it changed. A probe is one Codex run (`codex exec --skip-git-repo-check ping`, or a probe's own
// arguments) in a fresh HOME/CODEX_HOME against the loopback servers; its outcome is reduced to a short
// value ("sent bearer-short-term ok model=…", "refused: <Codex's message>", …) that is compared across
// releases. Nothing here runs the doctor: scripts/conformance.mjs compares the doctor with Codex.
//
// Usage (after `npm run bundle`; releases come from the cache, see lib.mjs):
//   node scripts/conformance/probe.mjs --codex 0.128.0,latest --probe NAME[,NAME...]    values per release
//   node scripts/conformance/probe.mjs --codex cached --probe NAME --bisect             first release that differs
//   node scripts/conformance/probe.mjs --list                                            the probes
//   --json FILE   also write every observation as JSON;  --verbose  print Codex's stderr tail per run
// Every run is bounded (PROBE_TIMEOUT_MS, or the probe's own limit) and stopped once its verdict is in.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  activeChildren, bundleServers, cacheRoot, codexLauncher, compareVersions, describeAuthorization, ensureReleases, killGroup, log,
  loopbackUp, resolveCodexVersions, main, run, unshareWorks,
} from './lib.mjs';
import { PROBES } from './probes.mjs';
import { baseEnv, loadWorld, makeHome } from './world.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const PROBE_TIMEOUT_MS = 20_000;

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** One observation, reduced from what the servers saw and how Codex ended. */
export function summarize(obs) {
  const responses = obs.requests.filter((r) => r.method === 'POST' && /\/responses$/.test(r.path.split('?')[0]));
  if (responses.length > 0) {
    const f = responses[0];
    return `sent ${f.via} ${f.auth} model=${f.model ?? '-'}${obs.warnings.length ? ` [warning: ${obs.warnings.join(' | ')}]` : ''}`;
  }
  const tlsFail = obs.connects.find((c) => c.tls && c.tls !== 'ok');
  if (tlsFail) return `tls refused (${tlsFail.target}: ${tlsFail.tls})`;
  const mantle = obs.connects.filter((c) => /^bedrock-mantle\./.test(c.target));
  if (mantle.length > 0) return `connect only ${mantle.map((c) => c.target).join(' ')}`;
  return `no request: ${obs.errorLine || (obs.timedOut ? 'timed out' : `exit ${obs.code}`)}`;
}

/** Codex's own message for a refusal: a fatal/config error line first, else the last line; ANSI and temp paths made stable. */
function errorLine(stderr, stdout) {
  const lines = cleanLines(`${stderr}\n${stdout}`);
  const hit =
    lines.find((l) => /Fatal error:|^Error/.test(l)) ??
    lines.find((l) => !/Reconnecting/.test(l) && /error|invalid|not supported|only supports|refus|unknown|not found|must|unsupported/i.test(l));
  return (hit ?? lines.at(-1) ?? '').slice(0, 400);
}

const cleanLines = (text) =>
  text
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .replace(/\/tmp\/[^\s:"'`)]+/g, '<tmp>')
    .replace(/^\S+Z\s+/gm, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/could not create PATH aliases|bubblewrap/.test(l));

/** Codex's warnings about the config (unrecognized keys and the like), made stable across runs. */
function configWarnings(stderr) {
  const lines = cleanLines(stderr);
  const out = [];
  lines.forEach((l, i) => {
    if (/^warning:/i.test(l)) out.push(l.replace(/^warning:\s*/i, ''));
    else if (/is ignored\.?$/.test(l) && i > 0) out.push(l.replace(/^\s*user \(<tmp>\):\s*/, ''));
  });
  return out;
}

async function runProbe(world, state, probe, version) {
  const root = mkdtempSync(join(state.tmp, `${probe.name}-${version}-`));
  const servers = await world.startServers(probe.servers ?? {});
  try {
    const ctx = { keys: world.keys, mantle: servers.mantle, proxy: servers.proxy, ca: world.ca, root, version };
    const spec = probe.setup(ctx);
    const dirs = makeHome(root, spec);
    const viaProxy = spec.viaProxy !== false;
    const proxyEnv = viaProxy ? { HTTPS_PROXY: servers.proxy.url, https_proxy: servers.proxy.url, NO_PROXY: '', no_proxy: '' } : {};
    const caEnv = spec.ca === 'none' ? {} : spec.ca === 'CODEX_CA_CERTIFICATE' ? { CODEX_CA_CERTIFICATE: world.ca.certPath } : { SSL_CERT_FILE: world.ca.certPath };
    const env = { ...baseEnv(root, { proxyEnv }), AWS_ENDPOINT_URL_STS: servers.sts.url, ...caEnv, ...spec.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const args = spec.args ?? ['exec', '--skip-git-repo-check', 'ping'];
    const seen = () => servers.mantle.requests.filter((r) => r.method === 'POST').length;
    const wantRequests = probe.requests ?? 1;
    const startedAt = Date.now();
    const r = await run(process.execPath, [codexLauncher(state.cache, version), ...args], {
      cwd: dirs.work,
      env,
      timeoutMs: probe.timeoutMs ?? PROBE_TIMEOUT_MS,
      stopWhen: probe.runToEnd ? undefined : () => seen() >= wantRequests || servers.proxy.events.some((e) => (e.tls && e.tls !== 'ok') || e.kind === 'http'),
      graceMs: probe.graceMs ?? 300,
    });
    const requests = servers.mantle.requests.map((q) => {
      let model;
      try {
        model = JSON.parse(q.body).model;
      } catch {
        /* not JSON */
      }
      const host = String(q.headers.host ?? '');
      return {
        method: q.method,
        path: q.path,
        via: /^127\.0\.0\.1/.test(host) ? 'base_url' : host,
        auth: q.auth ? `${q.auth.kind}${q.auth.ok ? ' ok' : ` ${q.auth.code}`}${q.auth.kind === 'sigv4' ? ` ${q.auth.accessKeyId ?? ''}/${q.auth.region ?? ''}` : ''}` : 'unjudged',
        authorization: describeAuthorization(String(q.headers.authorization ?? '')),
        model,
        at: q.receivedAt.getTime(),
      };
    });
    const obs = {
      probe: probe.name,
      version,
      startedAt,
      code: r.code,
      timedOut: r.timedOut,
      stoppedEarly: r.stoppedEarly,
      ms: r.ms,
      requests,
      connects: servers.proxy.events.map((e) => ({ kind: e.kind, target: e.target, tls: e.tls })),
      errorLine: world.mask(errorLine(r.stderr, r.stdout)),
      warnings: [...new Set(configWarnings(world.mask(r.stderr)))],
      stdout: world.mask(r.stdout),
      stderrTail: world.mask(r.stderr).split('\n').filter((l) => l.trim()).slice(-8),
    };
    obs.value = (probe.observe ?? summarize)(obs, ctx);
    obs.stdout = obs.stdout.slice(0, 4000);
    return obs;
  } finally {
    await servers.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Finds every release where the value changes, assuming none between two equal ends (checked again per step). */
async function bisect(versions, valueAt) {
  const changes = [];
  async function split(lo, hi) {
    const [a, b] = [await valueAt(versions[lo]), await valueAt(versions[hi])];
    if (a === b || hi - lo < 1) return;
    if (hi - lo === 1) {
      changes.push({ lastOld: versions[lo], firstNew: versions[hi], before: a, after: b });
      return;
    }
    const mid = (lo + hi) >> 1;
    await split(lo, mid);
    await split(mid, hi);
  }
  await split(0, versions.length - 1);
  return changes;
}

async function inside() {
  const state = JSON.parse(readFileSync(process.env.CODEX_PROBE_STATE, 'utf8'));
  if (state.isolation === 'netns') await loopbackUp();
  const world = await loadWorld(state.bundles, state.tmp);
  const all = [];
  const memo = new Map();
  const valueFor = (probe) => async (version) => {
    const key = `${probe.name}@${version}`;
    if (!memo.has(key)) {
      const obs = await runProbe(world, state, probe, version);
      all.push(obs);
      // Written after every run, so that a long scan stopped early still leaves its observations.
      if (state.json) writeFileSync(state.json, `${JSON.stringify(all, null, 2)}\n`);
      memo.set(key, obs.value);
      log(`  ${probe.name} @ ${version}: ${obs.value}  (${obs.ms} ms${obs.timedOut ? ', TIMED OUT' : ''})`);
      if (state.verbose) for (const l of obs.stderrTail) log(`      stderr: ${l.slice(0, 300)}`);
    }
    return memo.get(key);
  };
  const out = [];
  for (const name of state.probes) {
    const probe = PROBES.find((p) => p.name === name);
    const versions = state.versions.filter((v) => (!probe.from || compareVersions(v, probe.from) >= 0) && (!probe.until || compareVersions(v, probe.until) <= 0));
    log(`${probe.name} (${probe.behaviour}): ${probe.what}`);
    if (state.bisect) {
      const changes = await bisect(versions, valueFor(probe));
      out.push(`${probe.name}: ${versions[0]}..${versions.at(-1)} (${versions.length} releases, ${new Set(all.filter((o) => o.probe === probe.name).map((o) => o.version)).size} run)`);
      if (changes.length === 0) out.push(`  no change: ${await valueFor(probe)(versions[0])}`);
      for (const c of changes) out.push(`  CHANGE last-old ${c.lastOld} -> first-new ${c.firstNew}\n    before: ${c.before}\n    after:  ${c.after}`);
    } else {
      out.push(`${probe.name}:`);
      for (const v of versions) out.push(`  ${v.padEnd(8)} ${await valueFor(probe)(v)}`);
    }
  }
  console.log(out.join('\n'));
}

async function outside() {
  if (argv.includes('--list')) {
    for (const p of PROBES) console.log(`${p.name.padEnd(34)} ${p.behaviour.padEnd(3)} ${p.what}`);
    return 0;
  }
  const cache = cacheRoot();
  const spec = opt('--codex') ?? 'cached';
  const probes = (opt('--probe') ?? '').split(',').filter(Boolean);
  for (const p of probes) if (!PROBES.some((q) => q.name === p)) throw new Error(`no probe ${p} (see --list)`);
  if (probes.length === 0) throw new Error('--probe NAME[,NAME...] is required (see --list)');
  const versions = await ensureReleases(cache, await resolveCodexVersions(spec, cache), spec);
  if (versions.length === 0) throw new Error(`no installable Codex release in --codex ${spec}`);
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'codex-conformance-probe-')));
  try {
    const bundles = await bundleServers(join(tmp, 'servers'));
    const netns = unshareWorks();
    if (!netns.ok) throw new Error(`probes need a loopback-only network namespace: ${netns.why}`);
    const state = { tmp, cache, versions, probes, bisect: argv.includes('--bisect'), bundles, isolation: 'netns', json: opt('--json'), verbose: argv.includes('--verbose') };
    writeFileSync(join(tmp, 'state.json'), JSON.stringify(state));
    return await new Promise((resolvePromise) => {
      const child = spawn('unshare', ['-n', '--', process.execPath, SCRIPT, '--inside'], {
        env: { ...process.env, CODEX_PROBE_STATE: join(tmp, 'state.json') },
        stdio: 'inherit',
        detached: true,
      });
      activeChildren.add(child);
      for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => killGroup(child, 'SIGTERM'));
      child.on('close', (code) => resolvePromise(code ?? 2));
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main('probe', { inside, outside });
