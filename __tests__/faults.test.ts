/**
 * The fault corpus (issue 10), end to end: every hostile file and loopback server of fixtures/faults/corpus.mjs
 * against the BUILT CLI as a child process. Every run must end by itself (runCli kills a child after 20 s, so a
 * hang fails here instead of hanging CI), print one JSON document with --json, print no stack trace, and say
 * what actually happened, naming who answered and which setting is wrong. Terminal attacks are checked in human,
 * GitHub and Markdown output too; JSON must keep the server's text exact.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FAULT_ITEMS, FAULT_TIMEOUT_S, prepareItem, TERMINAL_ATTACK, type FaultItem } from '../fixtures/faults/corpus.mjs';
import { assertBuilt, CLI_BIN, cleanEnv, parseReport, pool, runCli, stackTraceLines, type CliRun, type Report, type ReportCheck } from './helpers/scenarios.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const tmpRoot = mkdtempSync(join(tmpdir(), 'cb-faults-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function check(report: Report, id: string): ReportCheck {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`${id} is missing; checks: ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** A finding, not a tool error: exit 1, report.error null, the check's status and summary as given. */
function finding(id: string, status: 'fail' | 'warn', summary: RegExp, notSummary?: RegExp) {
  return (run: CliRun, report: Report) => {
    const found = check(report, id);
    expect({ error: report.error, status: found.status }).toEqual({ error: null, status });
    expect(run.code).toBe(status === 'fail' ? 1 : report.summary.fail > 0 ? 1 : 0);
    expect(found.summary).toMatch(summary);
    if (notSummary) expect(found.summary).not.toMatch(notSummary);
  };
}

function usageError(message: RegExp) {
  return (run: CliRun, report: Report) => {
    expect(run.code).toBe(2);
    expect(report.error ?? '').toMatch(message);
    expect(run.stderr).toMatch(message);
  };
}

const NAMED_PIPE = /named pipe \(FIFO\), not a regular file/;
const TIMEOUT = FAULT_TIMEOUT_S;

/** What the doctor must say about each item; every corpus item needs an entry (checked below). */
const EXPECTED: Record<string, (run: CliRun, report: Report) => void> = {
  'fifo-aws-config': finding('auth.token', 'fail', NAMED_PIPE),
  'fifo-aws-credentials': finding('auth.token', 'fail', NAMED_PIPE),
  'fifo-aws-config-file-env': finding('auth.token', 'fail', NAMED_PIPE),
  'fifo-web-identity-token': finding('auth.token', 'fail', NAMED_PIPE),
  'fifo-web-identity-token-in-profile': finding('auth.token', 'fail', NAMED_PIPE),
  'fifo-sso-token-cache': finding('auth.token', 'fail', NAMED_PIPE),
  'fifo-config-toml': finding('config.provider', 'fail', NAMED_PIPE),
  'fifo-dotenv': finding('env.dotenv', 'warn', NAMED_PIPE),
  'urandom-aws-config': finding('auth.token', 'fail', /it is a device, not a regular file/),
  'zero-config-toml': finding('config.provider', 'fail', /it is a device, not a regular file/),
  'dotenv-chained-expansion': finding('env.dotenv', 'warn', /line 2 \(B0\).* expand to more than 65536 characters/),
  'dotenv-doubling': finding('env.dotenv', 'warn', /line 14 \(A13\) expands to more than 65536 characters/),
  'dotenv-unterminated-quote-1mb': finding('env.dotenv', 'warn', /unterminated double quote: everything to the end of the file \(lines 1-500001\) is dropped/),
  'dotenv-many-bad-lines': (run, report) => {
    finding('env.dotenv', 'warn', /200000 lines Codex silently drops: line 3 .* and 199990 more/)(run, report);
    expect(check(report, 'env.dotenv').summary.length).toBeLessThan(5000);
  },
  'toml-dotted-4000': finding('config.provider', 'fail', /more than 80 levels deep/),
  'toml-table-header-4000': finding('config.provider', 'fail', /more than 80 levels deep/),
  'toml-nested-arrays': finding('config.provider', 'fail', /more than 80 levels deep/),
  'toml-nested-inline-tables': finding('config.provider', 'fail', /more than 80 levels deep/),
  'toml-deep-override': usageError(/-c #1: invalid override: the key has more than 80 dotted parts/),
  'mantle-stream-forever': finding('bedrock.responses', 'fail', /answered \(HTTP 200\) with a body larger than any Bedrock Mantle answer/),
  'mantle-slow-body': finding('bedrock.responses', 'fail', new RegExp(`started answering but the answer did not finish within ${TIMEOUT} s`), /reset/),
  'mantle-silent': finding('bedrock.responses', 'fail', new RegExp(`did not answer within ${TIMEOUT} s`)),
  'mantle-models-bomb': finding('bedrock.responses', 'fail', /404/),
  'mantle-terminal-echo': finding('bedrock.responses', 'fail', /HTTP 400/),
  'mantle-https-on-plain-port': finding('bedrock.responses', 'fail', /does not speak TLS .*the URL says https:\/\/ but the port answers plain HTTP/, /certificate/),
  'sts-stream-forever': finding('auth.identity', 'fail', /with a body larger than any AWS STS answer/),
  'sts-slow-body': finding('auth.identity', 'fail', new RegExp(`started answering but the answer did not finish within ${TIMEOUT} s`), /reset/),
  'sts-html-200': finding('auth.identity', 'fail', /answered HTTP 200 \(text\/html\), not with an STS XML document: "Welcome to the hotel Wi-Fi"/),
  'sts-text-500': finding('auth.identity', 'fail', /answered HTTP 502 \(text\/plain\), not with an STS XML document: "upstream connect error/, /Unknown|XML parse/),
  'sts-terminal-echo': finding('auth.identity', 'fail', /STS GetCallerIdentity failed/),
  'sts-escape-arn': (run, report) => {
    expect(check(report, 'auth.identity').status).toBe('pass');
    expect(check(report, 'auth.identity').summary).toContain(TERMINAL_ATTACK.replace('\r', '\n'));
  },
  'proxy-connect-silent': finding('bedrock.responses', 'fail', new RegExp(`The proxy did not answer the CONNECT request for 127.0.0.1:9 within ${TIMEOUT} s`)),
  'proxy-407-https': finding('bedrock.responses', 'fail', /The proxy refused the request .*HTTP 407 Proxy Authentication Required.*never reached/, /Mantle refused/),
  'proxy-407-http': finding('bedrock.responses', 'fail', /The proxy refused the request .*HTTP 407 Proxy Authentication Required.*never reached/, /Mantle refused/),
  'proxy-407-sts': finding('auth.identity', 'fail', /The proxy refused the request .*HTTP 407 Proxy Authentication Required.*AWS STS was never reached/),
  'malformed-http-proxy': finding('bedrock.responses', 'fail', /HTTP_PROXY cannot be used as a proxy \(it is not a valid URL\)/),
  'malformed-base-url': finding('bedrock.responses', 'fail', /base_url "not a url" \(.*config\.toml:5\) cannot be used: it is not a valid URL/),
  'ftp-base-url': finding('bedrock.responses', 'fail', /base_url "ftp:\/\/127\.0\.0\.1:9\/openai\/v1" \(.*config\.toml:5\) cannot be used: its scheme is ftp/),
  'malformed-sts-endpoint': finding('auth.identity', 'fail', /AWS_ENDPOINT_URL_STS = "not a url" cannot be used \(it is not a valid URL\)/),
  'userinfo-base-url': (run) => expect(run.code).toBe(1),
  'timeout-2.01': finding('bedrock.responses', 'fail', /did not answer within 2 s/),
  'timeout-1e9': usageError(/--timeout must be at most 600 seconds \(got 1000000000\)/),
  'timeout-500000': usageError(/--timeout must be at most 600 seconds \(got 500000\)/),
  'timeout-negative': usageError(/--timeout must be a positive number of seconds \(got "?-1"?\)/),
};

/** Secrets the corpus plants in URLs and sends to proxies: never printed, in any mode. */
const PLANTED = ['ProxyPassw0rdSecret', Buffer.from('corp:ProxyPassw0rdSecret').toString('base64'), 'BaseUrlPassw0rdSecret', 'FaultCorpusSecretAccessKey'];
/** Characters that let output draw on a terminal: ESC, CR, BEL, and the C1 CSI. */
const TERMINAL_CONTROL = /[\u001b\r\u0007\u009b]/;

async function runItem(item: FaultItem, mode: string[]): Promise<CliRun> {
  const root = mkdtempSync(join(tmpRoot, `${item.name}-`));
  const prepared = await prepareItem(item, root);
  try {
    return await runCli(['doctor', ...mode, ...prepared.args], cleanEnv(root, prepared.env), root);
  } finally {
    await prepared.close();
  }
}

describe('fault corpus', () => {
  it('has an expectation for every item', () => {
    expect(FAULT_ITEMS.map((item) => item.name).filter((name) => !EXPECTED[name])).toEqual([]);
  });

  it('every item: ends by itself, one JSON document, no stack trace, no planted secret, the right finding', async () => {
    assertBuilt();
    const runs = await pool(FAULT_ITEMS, 3, async (item) => ({ item, run: await runItem(item, ['--json']) }));
    const problems: string[] = [];
    for (const { item, run } of runs) {
      const label = item.name;
      if (run.timedOut || run.signal) problems.push(`${label}: killed (${run.signal ?? 'timeout'}) after ${run.durationMs} ms`);
      if (stackTraceLines(run.stderr).length > 0) problems.push(`${label}: stack trace on stderr: ${run.stderr.slice(0, 300)}`);
      if (/internal error/i.test(run.stderr)) problems.push(`${label}: internal error: ${run.stderr.slice(0, 300)}`);
      PLANTED.filter((secret) => run.stdout.includes(secret) || run.stderr.includes(secret)).forEach((secret) => problems.push(`${label}: printed ${secret}`));
      const parsed = parseReport(run.stdout);
      if ('problem' in parsed) {
        problems.push(`${label}: ${parsed.problem}`);
        continue;
      }
      try {
        EXPECTED[label]?.(run, parsed.report);
      } catch (error) {
        problems.push(`${label}: ${(error as Error).message.split('\n').slice(0, 6).join(' ')}`);
      }
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it('server and file text cannot draw on the terminal in human, GitHub or Markdown output, and stays exact in JSON', async () => {
    const items = FAULT_ITEMS.filter((item) => ['mantle-terminal-echo', 'sts-terminal-echo', 'sts-escape-arn'].includes(item.name));
    const modes = [[], ['--verbose'], ['--format', 'github', '--verbose'], ['--report', '-']];
    const runs = await pool(
      items.flatMap((item) => modes.map((mode) => ({ item, mode }))),
      3,
      async ({ item, mode }) => ({ label: `${item.name} ${mode.join(' ') || '(human)'}`, run: await runItem(item, mode) }),
    );
    const drawn = runs.filter(({ run }) => TERMINAL_CONTROL.test(run.stdout) || TERMINAL_CONTROL.test(run.stderr)).map(({ label }) => label);
    expect(drawn).toEqual([]);
    // The attack is still shown, as visible escapes, so a support engineer sees what the server sent.
    for (const { label, run } of runs) expect({ label, shown: run.stdout.includes('\\x1b]0;owned\\x07') }).toEqual({ label, shown: true });
    const json = await runItem(items.find((item) => item.name === 'mantle-terminal-echo')!, ['--json', '--verbose']);
    expect(JSON.parse(json.stdout).checks.find((c: ReportCheck) => c.id === 'bedrock.responses').summary).toContain(TERMINAL_ATTACK);
  }, 120_000);
});

describe('lost output', () => {
  it('stdout on /dev/full: exit 2 and a message on stderr, in human and JSON mode', async () => {
    const root = mkdtempSync(join(tmpRoot, 'devfull-'));
    const item = FAULT_ITEMS.find((candidate) => candidate.name === 'fifo-dotenv')!;
    const prepared = await prepareItem(item, root);
    const results: { code: number | null; stderr: string }[] = [];
    for (const mode of [[], ['--json']]) {
      const full = openSync('/dev/full', 'w');
      const child = spawn(process.execPath, [CLI_BIN, 'doctor', ...mode, ...prepared.args], { env: cleanEnv(root, prepared.env), cwd: root, stdio: ['ignore', full, 'pipe'] });
      closeSync(full);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
      clearTimeout(killer);
      results.push({ code, stderr });
    }
    await prepared.close();
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/the output could not be written to stdout \(ENOSPC\)/);
    }
  }, 60_000);
});
