#!/usr/bin/env node
/**
 * npm run faults: runs the built doctor on every item of the fault corpus (fixtures/faults/corpus.mjs), in
 * JSON and human mode, and reports for each run its exit code, wall time against its budget and peak RSS.
 *
 * Budget (issue 10): --timeout + 1 s for each network step the item may spend waiting, i.e.
 * max(1, steps) x (timeout + 1) s; peak RSS must stay under 300 MB. Peak RSS is what GNU time reports
 * (%M, kB) for the child. Exits 1 when any run is over budget, was killed, crashed, printed a stack trace,
 * or printed something other than one JSON document with --json.
 *
 * Usage: node scripts/fault-corpus.mjs [--only NAME[,NAME]] [--jobs N] [--show]   (--show prints each run's output)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_ITEMS, FAULT_TIMEOUT_S, prepareItem } from '../fixtures/faults/corpus.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'bin', 'codex-bedrock.cjs');
const RSS_LIMIT_KB = 300 * 1024;
/** A run still going after this is killed and counted as a hang. */
const KILL_AFTER_MS = 60_000;
const TIME = '/usr/bin/time';

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const only = option('--only', '')?.split(',').filter(Boolean) ?? [];
const jobs = Number(option('--jobs', '2'));
const show = process.argv.includes('--show');
const items = FAULT_ITEMS.filter((item) => only.length === 0 || only.includes(item.name));

/** The same clean environment as cleanEnv in __tests__/helpers/scenarios.ts (this script runs without compiling the tests). */
function environment(root, extra) {
  const home = join(root, 'home');
  return {
    PATH: `${join(REPO, 'fixtures', 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    CODEX_HOME: join(home, '.codex'),
    CODEX_BEDROCK_MANAGED_CONFIG: join(root, 'etc', 'managed_config.toml'),
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    ...extra,
  };
}

function runOnce(args, env, cwd) {
  const rssFile = join(cwd, `rss-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  return new Promise((done) => {
    const command = existsSync(TIME) ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
    execFile(command[0], command[1], { env, cwd, timeout: KILL_AFTER_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const wallMs = Math.round(performance.now() - started);
      let rssKb = null;
      try {
        rssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      } catch {
        rssKb = null;
      }
      // GNU time reports the child's exit status as its own; a signal shows as "Command terminated by signal".
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, killed: Boolean(error?.killed), stdout, stderr, wallMs, rssKb });
    });
  });
}

function problemsOf(run, json, budgetMs) {
  const problems = [];
  if (run.killed) problems.push(`killed after ${KILL_AFTER_MS} ms`);
  if (run.code === null || run.code > 2) problems.push(`exit ${run.code}`);
  if (/Command terminated by signal|^\s{4}at /m.test(run.stderr)) problems.push('crash or stack trace on stderr');
  if (/internal error/i.test(run.stderr)) problems.push('internal error');
  if (run.wallMs > budgetMs) problems.push(`wall ${run.wallMs} ms > budget ${budgetMs} ms`);
  if (run.rssKb !== null && run.rssKb > RSS_LIMIT_KB) problems.push(`peak RSS ${Math.round(run.rssKb / 1024)} MB`);
  if (json) {
    try {
      JSON.parse(run.stdout);
    } catch {
      problems.push(`stdout is not one JSON document: ${JSON.stringify(run.stdout.slice(0, 80))}`);
    }
  }
  return problems;
}

async function runItem(item) {
  const rows = [];
  for (const json of [true, false]) {
    const root = mkdtempSync(join(tmpdir(), 'cb-fault-'));
    const prepared = await prepareItem(item, root);
    try {
      const run = await runOnce(['doctor', ...(json ? ['--json'] : []), ...prepared.args], environment(root, prepared.env), root);
      const budgetMs = Math.max(1, item.network) * (FAULT_TIMEOUT_S + 1) * 1000;
      if (show) console.log(`----- ${item.name} (${json ? 'json' : 'human'}) exit ${run.code}\n${run.stdout}\n-- stderr:\n${run.stderr}`);
      rows.push({ name: item.name, mode: json ? 'json' : 'human', ...run, budgetMs, problems: problemsOf(run, json, budgetMs) });
    } finally {
      await prepared.close();
      rmSync(root, { recursive: true, force: true });
    }
  }
  return rows;
}

const queue = [...items];
const rows = [];
await Promise.all(
  Array.from({ length: Math.max(1, jobs) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) rows.push(...(await runItem(item)));
  }),
);
rows.sort((a, b) => a.name.localeCompare(b.name) || a.mode.localeCompare(b.mode));
for (const row of rows) {
  const rss = row.rssKb === null ? '?' : `${Math.round(row.rssKb / 1024)} MB`;
  console.log(`${row.problems.length ? 'FAIL' : 'ok  '} ${row.name.padEnd(36)} ${row.mode.padEnd(5)} exit ${String(row.code).padEnd(4)} ${String(row.wallMs).padStart(6)} ms / ${row.budgetMs} ms  ${rss.padStart(7)}  ${row.problems.join('; ')}`);
}
const worstWall = rows.reduce((worst, row) => (row.wallMs / row.budgetMs > worst.wallMs / worst.budgetMs ? row : worst), rows[0]);
const worstRss = rows.reduce((worst, row) => ((row.rssKb ?? 0) > (worst.rssKb ?? 0) ? row : worst), rows[0]);
console.log(`\n${rows.length} runs over ${items.length} items, --timeout ${FAULT_TIMEOUT_S}`);
console.log(`worst wall time vs budget: ${worstWall.wallMs} ms of ${worstWall.budgetMs} ms (${worstWall.name}, ${worstWall.mode})`);
console.log(`worst peak RSS: ${worstRss.rssKb === null ? 'unknown' : `${Math.round(worstRss.rssKb / 1024)} MB`} (${worstRss.name}, ${worstRss.mode}); limit ${RSS_LIMIT_KB / 1024} MB`);
const failed = rows.filter((row) => row.problems.length > 0);
console.log(failed.length ? `${failed.length} runs with problems` : 'no problems');
process.exit(failed.length ? 1 : 0);
