#!/usr/bin/env node
// Keeping up with Codex is one command:
//   node scripts/conformance/new-release.mjs NEW_VERSION [--against OLD_VERSION] [--skip-matrix]
// 1. installs NEW_VERSION (and OLD_VERSION, default: the newest cached release before it) into the cache,
// 2. runs every behaviour probe (scripts/conformance/probes.mjs) on both and prints, per behaviour, whether
//    the new release behaves like the old one or CHANGED (with both values),
// 3. runs the doctor-vs-Codex matrix (scripts/conformance.mjs --codex NEW_VERSION) and prints its result,
// 4. prints the doctor's own view of NEW_VERSION (`doctor --json --offline --only codex.version` with it first
//    on PATH): version, source, rule set, and which rule-table rows the probes confirm or contradict.
// Exit 0 when nothing changed and the matrix agrees; 1 otherwise (a changed behaviour needs a rule row).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, cacheRoot, cachedReleases, compareVersions, ensureRelease, log, makeCodexBin, resolveCodexVersions, run } from './lib.mjs';
import { PROBES } from './probes.mjs';
import { compareWithRules } from './rules-check.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** Runs a node script with inherited stderr; resolves with its exit code and stdout. */
function node(args) {
  return new Promise((resolvePromise) => {
    let stdout = '';
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolvePromise({ code: code ?? 2, stdout }));
  });
}

async function main() {
  const spec = argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--against');
  if (!spec) throw new Error('usage: new-release.mjs NEW_VERSION|latest [--against OLD_VERSION] [--skip-matrix]');
  const cache = cacheRoot();
  const [version] = await resolveCodexVersions(spec, cache);
  await ensureRelease(cache, version);
  const against = opt('--against') ?? cachedReleases(cache).filter((v) => compareVersions(v, version) < 0).at(-1);
  if (!against) throw new Error(`no cached release before ${version} to compare with; pass --against OLD_VERSION`);
  await ensureRelease(cache, against);
  log(`new-release: ${version} against ${against}`);

  const tmp = mkdtempSync(join(tmpdir(), 'codex-new-release-'));
  try {
    // 2. the probes, both releases
    const json = join(tmp, 'probes.json');
    const probeNames = PROBES.filter((p) => !p.behaviour.startsWith('ca') || p.name === 'ca-ssl-cert-file').map((p) => p.name);
    const probes = await node([join(REPO, 'scripts', 'conformance', 'probe.mjs'), '--codex', `${against},${version}`, '--probe', probeNames.join(','), '--json', json]);
    if (probes.code !== 0) throw new Error(`probe.mjs failed (exit ${probes.code})`);
    const obs = JSON.parse(readFileSync(json, 'utf8'));
    const value = (name, v) => obs.find((o) => o.probe === name && o.version === v)?.value;
    const changed = [];
    const out = ['', `Behaviour probes: ${version} vs ${against}`];
    for (const p of PROBES.filter((q) => probeNames.includes(q.name))) {
      const [a, b] = [value(p.name, against), value(p.name, version)];
      if (a === undefined && b === undefined) continue;
      if (a === b) out.push(`  same     ${p.name.padEnd(30)} ${b}`);
      else {
        changed.push(p.name);
        out.push(`  CHANGED  ${p.name.padEnd(30)} (${p.behaviour}) ${p.what}`, `             ${against}: ${a ?? '(not run)'}`, `             ${version}: ${b ?? '(not run)'}`);
      }
    }

    // 3. the doctor-vs-Codex matrix
    let matrixCode = 0;
    if (!argv.includes('--skip-matrix')) {
      const m = await node([join(REPO, 'scripts', 'conformance.mjs'), '--codex', version]);
      matrixCode = m.code;
      out.push('', 'Doctor vs Codex matrix:', ...m.stdout.split('\n').filter((l) => /^\||^RESULT/.test(l)));
    }

    // 4. the doctor's view and its rule table
    const binDir = makeCodexBin(join(tmp, 'bin'), cache, version);
    const home = join(tmp, 'home');
    const d = await run(process.execPath, [join(REPO, 'bin', 'codex-bedrock.cjs'), 'doctor', '--json', '--offline', '--only', 'codex.version', '--codex-home', join(home, '.codex')], {
      env: { PATH: `${binDir}:${process.env.PATH}`, HOME: home, CODEX_BEDROCK_MANAGED_CONFIG: join(tmp, 'none', 'managed_config.toml') },
      timeoutMs: 30_000,
    });
    let report = null;
    try {
      report = JSON.parse(d.stdout);
    } catch {
      /* below */
    }
    const check = report?.checks?.find((c) => c.id === 'codex.version');
    out.push('', `Doctor's view of ${version}: ${check ? `${check.status}: ${check.summary}` : `no report (exit ${d.code})`}`);
    out.push(...compareWithRules(report?.codex, obs, version));
    out.push('', changed.length ? `RESULT: ${changed.length} behaviour(s) changed since ${against}: ${changed.join(', ')}` : `RESULT: no behaviour changed since ${against}`);
    console.log(out.join('\n'));
    return changed.length === 0 && matrixCode === 0 ? 0 : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  log(`new-release: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
