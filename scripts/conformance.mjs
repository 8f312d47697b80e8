#!/usr/bin/env node
// Conformance: does the doctor's verdict agree with what the REAL Codex CLI does, release by release?
//
// For each Codex release and each fixture (a HOME/CODEX_HOME plus AWS environment, scripts/conformance/
// fixtures.mjs), this runs
//   a. the built doctor: `node bin/codex-bedrock.cjs doctor --json --only bedrock.responses`, and
//   b. that release's Codex CLI: `codex exec --skip-git-repo-check ping`,
// both with the release first on PATH (a temporary bin folder holding `codex` -> the release's
// bin/codex.js, the layout `npm install -g` creates, so the doctor's own Codex detection is exercised), and
// against the same loopback Mantle server (__tests__/helpers/mantleServer.ts, which really verifies SigV4
// for `bedrock-mantle` and Bedrock API keys). It checks: doctor bedrock.responses passes (or warns) <=> the
// server accepted the first POST /openai/v1/responses Codex sent. A release that refuses the config sends
// nothing, and the doctor must then fail. Codex asks for a stream and this server does not stream, so what
// Codex prints afterwards does not matter; Codex is stopped once the server has judged its first request.
//
// Two routes to the loopback Mantle:
//   base_url   config.toml sets base_url = http://127.0.0.1:PORT/openai/v1 (releases before 0.145.0
//              refuse this key, so on them every such fixture is a config refusal);
//   intercept  no base_url: Codex and the doctor go to https://bedrock-mantle.REGION.api.aws through
//              HTTPS_PROXY = a loopback CONNECT proxy that terminates TLS with a test CA made at run time
//              (Codex gets it in SSL_CERT_FILE, which every release from 0.128.0 trusts; the doctor in
//              NODE_EXTRA_CA_CERTS) and pipes to the loopback Mantle (scripts/conformance/mitm.mjs).
// Fixtures may pin a route; the others use the run's route: base_url for the single-release default run,
// intercept for a matrix (--codex), so the same fixture means the same thing on every release.
//
// Usage: npm run conformance [-- OPTIONS]     (builds first; NOT part of npm test or CI)
//   --codex LIST         releases: x.y.z[,x.y.z...], latest, all (every release >= 0.128.0 on npm), cached
//                        (default: 0.169.0, the release the doctor was first modelled on)
//   --fixture NAME[,..]  run only these fixtures
//   --route base_url|intercept   override the route of fixtures that do not pin one
//   --out FILE           also write the printed report (matrix and cell details) to FILE
//   CODEX_CONFORMANCE_CACHE=DIR  release cache (default /var/cache/codex-conformance when writable, else
//                        ~/.cache/codex-bedrock-conformance; never inside the repository): DIR/<version>/
//   CODEX_CONFORMANCE_NO_UNSHARE=1  do not use a network namespace (see below)
// Exit 0 only when every cell agrees.
//
// Network: everything stays on 127.0.0.1. Where `unshare -n` works (root, or unprivileged user
// namespaces), the script re-executes itself inside a fresh network namespace that has only loopback, and
// starts the servers, the doctor and Codex there. Otherwise it warns and runs without a namespace, with
// HTTP_PROXY/ALL_PROXY pointed at a loopback port that refuses (HTTPS_PROXY at the intercepting proxy, which
// forwards only to the loopback Mantle) and NO_PROXY=127.0.0.1, so Codex's background traffic (github.com,
// chatgpt.com, ...) goes nowhere. Only `npm install`/`npm view @openai/codex` talk to the npm registry, from
// outside the namespace, and only for releases missing from the cache.
//
// The real home directory is never used: every process gets a temporary HOME and CODEX_HOME, and the doctor
// is pointed at a managed_config.toml that does not exist (Codex reads /etc/codex/managed_config.toml; the
// script refuses to run when that file exists, as Codex's verdicts would then depend on it).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  REPO, bundleServers, cacheRoot, describeAuthorization, ensureReleases, isInside, killGroup, log, loopbackUp, makeCodexBin, resolveCodexVersions,
  main, run, unshareWorks,
} from './conformance/lib.mjs';
import { fixtures } from './conformance/fixtures.mjs';
import { MODEL, REGION, baseEnv, bedrockConfig, loadWorld, makeHome } from './conformance/world.mjs';

const DEFAULT_CODEX = '0.169.0';
const SCRIPT = fileURLToPath(import.meta.url);
const CLI = join(REPO, 'bin', 'codex-bedrock.cjs');

const TIMEOUTS = {
  doctorMs: 30_000,
  doctorNetworkSeconds: 10,
  codexMs: 40_000,
  /** After the server judged Codex's first request: let Codex go on a little, then stop it. */
  codexGraceMs: 300,
  insideMs: 120 * 60_000,
};

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : undefined;
};

// =====================================================================================================
// Outside the namespace: install the releases, bundle the servers, pick the isolation, run the inner part.
// =====================================================================================================

async function outside() {
  const startedAt = Date.now();
  if (existsSync('/etc/codex/managed_config.toml')) {
    log('conformance: /etc/codex/managed_config.toml exists. Codex reads it and it outranks config.toml, so the fixtures');
    log('would not be what they say. Move it away for the run (or run this on another machine).');
    return 2;
  }
  if (!existsSync(CLI) || !existsSync(join(REPO, 'dist', 'codex-bedrock.cjs'))) {
    log('conformance: the CLI is not built. Run `npm run conformance` (it builds first), or `npm run bundle`.');
    return 2;
  }
  const route = opt('--route');
  if (route && route !== 'base_url' && route !== 'intercept') throw new Error('--route must be base_url or intercept');
  const cache = cacheRoot();
  const matrix = opt('--codex') !== undefined;
  const spec = opt('--codex') ?? DEFAULT_CODEX;
  const versions = await ensureReleases(cache, await resolveCodexVersions(spec, cache), spec);
  if (versions.length === 0) throw new Error(`no installable Codex release in --codex ${spec}`);

  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'codex-bedrock-conformance-')));
  if (isInside(tmp, REPO)) throw new Error(`temporary folder ${tmp} is inside the repository; set TMPDIR elsewhere`);
  let child;
  const cleanup = () => {
    if (process.env.CODEX_CONFORMANCE_KEEP_TMP === '1') log(`conformance: keeping ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      // The inner run stops its own children (doctor, Codex) on SIGTERM; SIGKILL follows if it lingers.
      killGroup(child, 'SIGTERM');
      setTimeout(() => {
        killGroup(child, 'SIGKILL');
        cleanup();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }, 1_000);
    });
  }
  try {
    const bundles = await bundleServers(join(tmp, 'servers'));
    const netns = unshareWorks();
    const onlyFixtures = opt('--fixture')?.split(',') ?? null;
    const state = {
      tmp,
      cache,
      versions,
      matrix,
      route: route ?? (matrix ? 'intercept' : 'base_url'),
      bundles,
      isolation: netns.ok ? 'netns' : 'proxy',
      isolationWhy: netns.ok ? '' : netns.why,
      startedAt,
      onlyFixtures,
      out: opt('--out') ?? null,
    };
    writeFileSync(join(tmp, 'state.json'), JSON.stringify(state));
    if (!netns.ok) {
      log(`WARNING: no loopback-only network namespace (${netns.why}).`);
      log('         Running without one: Codex and the doctor get HTTP_PROXY/ALL_PROXY pointing at a loopback port that refuses,');
      log('         HTTPS_PROXY at the intercepting proxy (loopback Mantle only), and NO_PROXY=127.0.0.1.');
    }
    const [cmd, args] = netns.ok ? ['unshare', ['-n', '--', process.execPath, SCRIPT, '--inside']] : [process.execPath, [SCRIPT, '--inside']];
    return await new Promise((resolvePromise) => {
      child = spawn(cmd, args, { cwd: tmp, env: { ...process.env, CODEX_CONFORMANCE_STATE: join(tmp, 'state.json') }, stdio: 'inherit', detached: true });
      const timer = setTimeout(() => {
        log(`conformance: the run took longer than ${TIMEOUTS.insideMs / 60000} min; stopping it.`);
        killGroup(child, 'SIGTERM');
        setTimeout(() => killGroup(child, 'SIGKILL'), 3_000).unref();
      }, TIMEOUTS.insideMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        log(`conformance: could not start ${cmd}: ${error.message}`);
        resolvePromise(2);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise(code ?? 2);
      });
    });
  } finally {
    cleanup();
    log(`conformance: total ${((Date.now() - startedAt) / 1000).toFixed(1)} s (releases cached in ${cache})`);
  }
}

// =====================================================================================================
// Inside the namespace (or, as a fallback, behind proxies): servers, fixtures, doctor, Codex.
// =====================================================================================================

/** The doctor's own view of the Codex it found on PATH: version, how it was found, the rule set applied. */
async function doctorCodexView(root, env) {
  const d = await run(process.execPath, [CLI, 'doctor', '--json', '--offline', '--only', 'codex.version'], { cwd: join(root, 'work'), env, timeoutMs: TIMEOUTS.doctorMs });
  try {
    const report = JSON.parse(d.stdout);
    const check = report.checks?.find((c) => c.id === 'codex.version');
    return { codex: report.codex ?? null, check: check ? `${check.status}: ${check.summary}` : null };
  } catch {
    return { codex: null, check: `no report (exit ${d.code})` };
  }
}

function shortSkip(check) {
  return check.skipReason ? `${check.status} (${check.skipReason})` : check.status;
}

async function runFixture({ world, state, fx, version, binDir, n, total, proxyFallback }) {
  const routeName = fx.route ?? state.route;
  const root = mkdtempSync(join(state.tmp, `${fx.name}-${version}-`));
  const served = fx.mantle?.models ?? [MODEL];
  const servers = await world.startServers({ region: fx.mantle?.region ?? REGION, models: served });
  let prepared = {};
  try {
    const lines = (v) => (typeof v === 'function' ? v(root) : v ?? []);
    const auth = fx.authCommand ? ['', '[model_providers.amazon-bedrock.auth]', `command = "${fx.authCommand(root)}"`] : [];
    const config = bedrockConfig({
      baseUrl: routeName === 'base_url' ? servers.mantle.baseUrl : null,
      model: fx.model === undefined ? MODEL : fx.model,
      region: fx.configRegion === false ? null : (fx.region ?? REGION),
      awsLines: lines(fx.awsLines),
      providerLines: lines(fx.providerLines),
      tail: [...auth, ...(fx.tail ?? [])],
    });
    makeHome(root, {
      config: fx.configInProfile ? '' : config,
      extraFiles: fx.configInProfile ? { [`${fx.configInProfile}.config.toml`]: config } : undefined,
      authJson: fx.authJson,
      dotenv: fx.dotenv,
      aws: fx.aws,
    });
    // Credential fixtures (credentialFixtures.mjs) write their own files and may start an SSO server.
    prepared = fx.prepare ? await fx.prepare(root, servers, world) : {};
    const noProxy = '127.0.0.1,localhost';
    const proxyEnv = {
      ...proxyFallback,
      ...(routeName === 'intercept' ? { HTTPS_PROXY: servers.proxy.url, https_proxy: servers.proxy.url, NO_PROXY: noProxy, no_proxy: noProxy } : {}),
    };
    const env = {
      ...baseEnv(root, { path: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, proxyEnv }),
      AWS_ENDPOINT_URL_STS: servers.sts.url,
      ...(routeName === 'intercept' ? { SSL_CERT_FILE: world.ca.certPath, NODE_EXTRA_CA_CERTS: world.ca.certPath } : {}),
      ...fx.env,
      ...prepared.env,
    };
    const globalArgs = fx.args ?? [];
    log(`[${n}/${total}] ${version} ${fx.name}: doctor ...`);

    // a0. fixtures that start broken (fx.fix): the doctor must fail first, then `codex-bedrock fix --yes` repairs
    // the files, and the rest of the run judges the repaired setup: Codex's own first request must be accepted.
    let fixStep = null;
    if (fx.fix) {
      const checkArgs = ['doctor', '--json', '--timeout', String(TIMEOUTS.doctorNetworkSeconds), ...globalArgs, ...(fx.doctorArgs ?? [])];
      const before = await run(process.execPath, [CLI, ...checkArgs], { cwd: join(root, 'work'), env, timeoutMs: TIMEOUTS.doctorMs });
      let beforeStatus = 'no report';
      try {
        beforeStatus = JSON.parse(before.stdout).overallStatus;
      } catch {
        /* reported as 'no report' */
      }
      const f = await run(process.execPath, [CLI, 'fix', '--yes', '--offline', ...globalArgs], { cwd: join(root, 'work'), env, timeoutMs: TIMEOUTS.doctorMs * 2 });
      fixStep = { beforeStatus, exit: f.code, ok: beforeStatus === 'fail' && f.code !== 2 && f.code !== null };
      log(`    before fix: doctor ${beforeStatus}; fix --yes exited ${f.code}`);
    }

    // a. the doctor
    const doctorArgs = ['doctor', '--json', '--only', 'bedrock.responses', '--timeout', String(TIMEOUTS.doctorNetworkSeconds), ...globalArgs, ...(fx.doctorArgs ?? [])];
    const d = await run(process.execPath, [CLI, ...doctorArgs], { cwd: join(root, 'work'), env, timeoutMs: TIMEOUTS.doctorMs });
    let report = null;
    try {
      report = JSON.parse(d.stdout);
    } catch {
      /* reported below */
    }
    const check = report?.checks?.find((c) => c.id === 'bedrock.responses') ?? null;
    // "needs X, which failed", or a chain "needs Y, which was skipped (needs X, which failed)": X is the blocker.
    const blocker = check?.skipReason ? /needs ([^\s,]+), which failed/.exec(check.skipReason)?.[1] : undefined;
    const blockerCheck = blocker ? report.checks.find((c) => c.id === blocker) : null;
    const doctor = {
      status: check?.status ?? (d.timedOut ? 'timeout' : 'error'),
      cell: check ? (blocker ? `skip (${blocker} failed)` : check.status === 'skip' ? shortSkip(check) : check.status) : d.timedOut ? 'timed out' : `no report (exit ${d.code})`,
      summary: check?.summary ?? d.stderr.trim().split('\n').slice(-3).join(' / '),
      blockerSummary: blockerCheck ? `${blockerCheck.id} [${blockerCheck.status}]: ${blockerCheck.summary}` : null,
      ms: d.ms,
    };
    const says = doctor.status === 'pass' || doctor.status === 'warn';
    // A skip that is not caused by a failed check is the doctor declining to judge (it does not run the
    // provider's auth command, for one): such a cell is reported as "abstains", neither agreeing nor not.
    const abstains = doctor.status === 'skip' && !blocker;

    // b. the real Codex, found on PATH like the doctor found it
    log(`[${n}/${total}] ${version} ${fx.name}: codex exec ...`);
    const before = servers.mantle.requests.length;
    const codexResponses = () => servers.mantle.requests.slice(before).filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/openai/v1/responses');
    const c = await run(join(binDir, 'codex'), [...globalArgs, 'exec', '--skip-git-repo-check', 'ping'], {
      cwd: join(root, 'work'),
      env,
      timeoutMs: TIMEOUTS.codexMs,
      stopWhen: () => codexResponses()[0]?.auth !== undefined,
      graceMs: TIMEOUTS.codexGraceMs,
    });
    const first = codexResponses()[0];
    let model;
    try {
      model = first ? JSON.parse(first.body).model : undefined;
    } catch {
      /* not JSON */
    }
    // Authenticated is not enough: the server answers 404 for a model it does not serve (the default-model fixture).
    const accepted = first?.auth?.ok === true && served.includes(model);
    const serverCell = !first
      ? 'no request'
      : first.auth === undefined
        ? 'not judged'
        : !first.auth.ok
          ? `rejected (${first.auth.kind}: ${first.auth.code})`
          : accepted
            ? `accepted (${first.auth.kind})`
            : `rejected (404: model ${model} not served)`;
    const row = {
      fx,
      version,
      route: routeName,
      doctor,
      serverCell,
      accepted,
      abstains,
      fixStep,
      // A fix fixture must also have started broken and been repaired by fix without an error.
      agree: (abstains || says === accepted) && (fixStep === null || fixStep.ok),
      codex: {
        ...c,
        requests: codexResponses().length,
        model,
        host: first ? String(first.headers.host ?? '') : '',
        userAgent: first ? String(first.headers['user-agent'] ?? '') : '',
        authorization: first ? describeAuthorization(String(first.headers.authorization ?? '')) : '',
      },
    };
    log(`    doctor: ${doctor.cell} | server: ${serverCell} | ${verdict(row)}`);
    return row;
  } finally {
    await prepared.close?.();
    await servers.close();
  }
}

async function inside() {
  const state = JSON.parse(readFileSync(process.env.CODEX_CONFORMANCE_STATE, 'utf8'));
  if (state.isolation === 'netns') await loopbackUp();
  const world = await loadWorld(state.bundles, state.tmp);
  if (state.isolation === 'proxy') state.refusingPort = await world.closedPort();
  const proxyFallback =
    state.isolation === 'proxy'
      ? (() => {
          const refusing = `http://127.0.0.1:${state.refusingPort}`;
          const noProxy = '127.0.0.1,localhost';
          return { HTTPS_PROXY: refusing, https_proxy: refusing, HTTP_PROXY: refusing, http_proxy: refusing, ALL_PROXY: refusing, all_proxy: refusing, NO_PROXY: noProxy, no_proxy: noProxy };
        })()
      : {};

  const only = state.onlyFixtures ? new Set(state.onlyFixtures) : null;
  const selected = fixtures(world.keys).filter((f) => !only || only.has(f.name));
  if (selected.length === 0) throw new Error(`no fixture matches --fixture ${[...only].join(',')}`);

  const rows = [];
  const views = new Map();
  let n = 0;
  const total = selected.length * state.versions.length;
  for (const version of state.versions) {
    const binDir = makeCodexBin(join(state.tmp, 'bin', version), state.cache, version);
    const viewRoot = join(state.tmp, 'view', version);
    makeHome(viewRoot, {});
    views.set(version, await doctorCodexView(viewRoot, baseEnv(viewRoot, { path: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, proxyEnv: proxyFallback })));
    for (const fx of selected) {
      n++;
      rows.push(await runFixture({ world, state, fx, version, binDir, n, total, proxyFallback }));
    }
  }
  const text = render(rows, views, state, world.mask);
  console.log(text);
  if (state.out) writeFileSync(state.out, `${text}\n`);
  // The doctor must also have found the release on PATH; otherwise the cells judge the wrong rules.
  const misdetected = [...views].filter(([v, view]) => view.codex?.version !== v).map(([v]) => v);
  if (misdetected.length > 0) console.log(`DETECTION: the doctor did not identify the release on PATH for ${misdetected.join(', ')}`);
  return rows.every((r) => r.agree) && misdetected.length === 0 ? 0 : 1;
}

const verdict = (r) => (r.abstains ? 'doctor abstains' : r.agree ? 'agree' : 'DISAGREE');

function table(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
}

function render(rows, views, state, mask) {
  const out = [''];
  out.push(`Codex releases: ${state.versions.join(', ')} (cache ${state.cache}; each first on PATH as bin/codex -> <release>/node_modules/@openai/codex/bin/codex.js)`);
  out.push(`Isolation: ${state.isolation === 'netns' ? 'loopback-only network namespace (unshare -n)' : `NO namespace (${state.isolationWhy}); HTTP_PROXY/ALL_PROXY -> refusing 127.0.0.1:${state.refusingPort}, NO_PROXY=127.0.0.1,localhost`}`);
  out.push(`Route: ${state.route} for fixtures that do not pin one (intercept: HTTPS_PROXY -> loopback CONNECT proxy with a run-time test CA in SSL_CERT_FILE / NODE_EXTRA_CA_CERTS)`);
  out.push('Doctor command: node bin/codex-bedrock.cjs doctor --json --only bedrock.responses [fixture args]');
  out.push(`Codex command:  codex [fixture args] exec --skip-git-repo-check ping   (stdin /dev/null, limit ${TIMEOUTS.codexMs / 1000} s, stopped once the server judged its first request)`);
  out.push(`Environment:    HOME, CODEX_HOME=$HOME/.codex (config.toml: model_provider amazon-bedrock, model ${MODEL}, aws.region ${REGION} unless a fixture says otherwise), PATH (release bin first), AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_EC2_METADATA_DISABLED=true, AWS_ENDPOINT_URL_STS -> loopback STS, CODEX_BEDROCK_MANAGED_CONFIG -> missing file, plus the fixture's variables`);
  out.push('');
  out.push('Doctor\'s view of the Codex on PATH (doctor --json --offline --only codex.version):');
  for (const [v, view] of views) {
    const c = view.codex;
    const seen = c ? `detected ${c.version ?? 'none'} (${c.source ?? '-'}${c.install ? `, ${c.install.kind}` : ''}), rule set ${c.ruleSet}` : '(no `codex` block in the report)';
    out.push(`- ${v}: ${seen}; codex.version ${view.check ?? '-'}${c && c.version !== v ? '   <-- NOT the release on PATH' : ''}`);
  }
  out.push('');

  // The matrix: fixtures x releases.
  const names = [...new Set(rows.map((r) => r.fx.name))];
  const cell = (r) => (r ? (r.abstains ? `abstains (${r.accepted ? 'sent' : 'refused'})` : r.agree ? (r.accepted ? 'ok (sent)' : 'ok (refused)') : 'DISAGREE') : '-');
  out.push(...table(['fixture', ...state.versions], names.map((name) => [name, ...state.versions.map((v) => cell(rows.find((r) => r.fx.name === name && r.version === v)))])));
  out.push('ok (sent): Codex sent a request the server accepted, and the doctor passed. ok (refused): Codex sent nothing or was rejected, and the doctor did not pass.');
  out.push('abstains: the doctor skipped bedrock.responses without a failed check; not counted either way.');
  out.push('');
  out.push('Cells:');
  for (const r of rows) {
    out.push(`- ${r.version} ${r.fx.name} [${r.route}]: doctor ${r.doctor.cell} | server: ${r.serverCell} | ${verdict(r)}`);
    if (r.agree && !r.abstains && state.versions.length > 1) continue;
    out.push(`    fixture: ${r.fx.what}`);
    out.push(`    doctor (${r.doctor.ms} ms): bedrock.responses [${r.doctor.status}] ${mask(r.doctor.summary)}`);
    if (r.doctor.blockerSummary) out.push(`    doctor blocked by ${mask(r.doctor.blockerSummary)}`);
    if (r.fixStep) out.push(`    fix: the doctor said ${r.fixStep.beforeStatus} before; \`codex-bedrock fix --yes --offline\` exited ${r.fixStep.exit}${r.fixStep.ok ? '' : ' (the fixture did not start broken, or fix failed)'}`);
    const ended = r.codex.stoppedEarly ? 'stopped after the verdict' : r.codex.timedOut ? 'TIMED OUT' : `exit ${r.codex.code}`;
    out.push(
      `    codex (${r.codex.ms} ms, ${ended}): ${r.codex.requests} POST /responses seen; first: ${mask(r.codex.authorization) || '-'}${r.codex.host ? ` host ${r.codex.host}` : ''}${r.codex.model ? ` model ${r.codex.model}` : ''}`,
    );
    if (!r.agree || r.serverCell === 'no request') {
      const tail = mask(r.codex.stderr)
        .replace(/\/tmp\/[^\s:"'`)]+/g, '<tmp>')
        .split('\n')
        .filter((l) => l.trim() && !/^\s+\d+: |Stack backtrace|bubblewrap|PATH aliases/.test(l))
        .slice(-4);
      for (const l of tail) out.push(`    codex stderr: ${l.slice(0, 300)}`);
    }
  }
  const disagreements = rows.filter((r) => !r.agree);
  const abstained = rows.filter((r) => r.abstains);
  out.push('');
  if (abstained.length > 0) out.push(`The doctor abstained in ${abstained.length} cell(s): ${abstained.map((r) => `${r.fx.name}@${r.version}`).join(', ')}`);
  out.push(
    disagreements.length === 0
      ? `RESULT: all ${rows.length - abstained.length} judged cells agree (doctor bedrock.responses pass/warn <=> the server accepted Codex's first request).`
      : `RESULT: ${disagreements.length} of ${rows.length} cells DISAGREE: ${disagreements.map((r) => `${r.fx.name}@${r.version}`).join(', ')}`,
  );
  out.push(`Time: ${((Date.now() - state.startedAt) / 1000).toFixed(1)} s since the start`);
  return out.join('\n');
}

await main('conformance', { inside, outside });
