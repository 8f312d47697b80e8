/**
 * The codex.version check (issue "For CI pipelines and support engineers", item 4), end to end with the BUILT
 * CLI: it finds `codex` on PATH as a shell would, reads `codex --version` with a short timeout, passes at
 * 0.128.0 or later, fails below with the update command, warns when no usable Codex CLI is found, and is
 * never a prerequisite of another check. It also proves the doctor never runs anything else from PATH:
 * instrumented stand-ins for common programs record every start in a marker file, which must stay empty
 * after full offline and online runs (loopback STS and Mantle) in every output format.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import {
  assertBuilt,
  cleanEnv,
  FIXTURE_BIN,
  loadScenarios,
  parseReport,
  pool,
  runCli,
  runScenario,
  stackTraceLines,
  type CliRun,
  type Report,
  type ScenarioRun,
} from './helpers/scenarios.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const FIXTURE_CODEX = join(FIXTURE_BIN, 'codex');
const UPDATE_COMMAND = /npm install -g @openai\/codex/;

let tmpRoot = '';
/** A copy of the healthy-profile fixture: every other offline check passes there. */
let healthy: ScenarioRun;
const sleeperPidFile = () => join(tmpRoot, 'sleeper.pid');

function mustParse(run: CliRun, label: string): Report {
  const parsed = parseReport(run.stdout);
  if ('problem' in parsed) throw new Error(`${label}: ${parsed.problem}; stderr: ${run.stderr.slice(0, 400)}`);
  return parsed.report;
}

function script(dir: string, name: string, body: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

/** Runs the doctor on the healthy copy with `PATH` replaced (the CLI itself is started by absolute path). */
async function doctorWithPath(path: string, extra: Record<string, string | null> = {}, args: string[] = []): Promise<{ run: CliRun; report: Report }> {
  const env = cleanEnv(healthy.root, { ...extra, PATH: path });
  const run = await runCli(['doctor', '--json', '--offline', ...args], env, healthy.root);
  return { run, report: mustParse(run, `PATH=${path}`) };
}

const codexCheck = (report: Report) => report.checks.find((check) => check.id === 'codex.version')!;
const others = (report: Report) => report.checks.filter((check) => check.id !== 'codex.version').map((check) => [check.id, check.status, check.skipReason]);

beforeAll(async () => {
  assertBuilt();
  tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-codexversion-'));
  const scenario = loadScenarios().find((s) => s.name === 'healthy-profile');
  if (!scenario) throw new Error('fixture healthy-profile is missing');
  healthy = await runScenario(scenario, tmpRoot);
}, 30_000);

afterAll(() => {
  // The hung `codex` below leaves its `sleep` behind once the doctor kills the shell; end it, by its pid.
  if (tmpRoot && existsSync(sleeperPidFile())) {
    const pid = Number(readFileSync(sleeperPidFile(), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
});

describe('codex.version', () => {
  it('is the first check, and passes with the fixture codex (0.169.0), naming the version and the path', () => {
    const report = mustParse(healthy.cli, 'healthy');
    expect(report.checks[0]!.id).toBe('codex.version');
    const check = codexCheck(report);
    expect(check.status).toBe('pass');
    expect(check.summary).toContain('0.169.0');
    expect(check.summary).toContain(FIXTURE_CODEX);
    expect(healthy.cli.code).toBe(0);
    expect(report.overallStatus).toBe('pass');
  });

  it('fails below 0.128.0 (0.127.9) with the update command, and blocks no other check', async () => {
    const { run, report } = await doctorWithPath(healthy.env['PATH']!, { FAKE_CODEX_VERSION: '0.127.9' });
    const check = codexCheck(report);
    expect(check.status).toBe('fail');
    expect(check.summary).toContain('0.127.9');
    expect(check.summary).toContain('0.128.0');
    expect(check.remediation).toMatch(UPDATE_COMMAND);
    expect(run.code).toBe(1);
    // Never a prerequisite: every other check ran exactly as in the healthy run.
    expect(others(report)).toEqual(others(mustParse(healthy.cli, 'healthy')));
    expect(report.checks.some((c) => /codex\.version/.test(c.skipReason ?? ''))).toBe(false);
  });

  it.each([
    ['0.128.0', 'pass'],
    ['0.128.1', 'pass'],
    ['0.129.0', 'pass'],
    ['0.171.0', 'pass'],
    ['1.0.0', 'warn'],
    ['0.99.200', 'fail'],
    ['0.9.0', 'fail'],
  ] as const)('version %s: %s (numeric, not lexical, comparison)', async (version, status) => {
    const { report } = await doctorWithPath(healthy.env['PATH']!, { FAKE_CODEX_VERSION: version });
    expect({ version, status: codexCheck(report).status }).toEqual({ version, status });
  });

  it('warns when no codex is on PATH; the exit code stays 0 when everything else passes', async () => {
    const empty = join(tmpRoot, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    const { run, report } = await doctorWithPath(`${empty}:/nonexistent-dir`);
    const check = codexCheck(report);
    expect(check.status).toBe('warn');
    expect(check.remediation).toMatch(UPDATE_COMMAND);
    expect(run.code).toBe(0);
    expect(report.overallStatus).toBe('warn');
    expect(others(report)).toEqual(others(mustParse(healthy.cli, 'healthy')));
  });

  it('npm install -g layout first on PATH: reads 0.171.0 from the package, starts nothing, applies its rules', async () => {
    const marker = join(tmpRoot, 'npm-started.txt');
    const npmBin = join(process.cwd(), 'fixtures', 'codex-installs', 'npm-global', 'bin');
    const { run, report } = await doctorWithPath(`${npmBin}:${healthy.env['PATH']!}`, { CODEX_FIXTURE_MARKER: marker });
    const check = codexCheck(report);
    expect(check.status).toBe('pass');
    expect(check.summary).toContain('Codex 0.171.0');
    expect(check.summary).toContain('npm package');
    expect(report.codex).toMatchObject({ version: '0.171.0', basis: 'detected', ruleSet: '0.171.0', install: { kind: 'npm', onPath: true } });
    expect(String((report.codex as { source: string }).source)).toMatch(/@openai\/codex\/package\.json$/);
    expect(existsSync(marker)).toBe(false);
    expect(run.code).toBe(0);
  });

  it('--codex-version names the release: its rules apply and the codex on PATH is not started', async () => {
    const { report } = await doctorWithPath(join(tmpRoot, 'no-bin'), {}, ['--codex-version', '0.145.0']);
    expect(codexCheck(report)).toMatchObject({ status: 'pass', summary: expect.stringContaining('rules of Codex 0.145.0 (--codex-version)') });
    expect(report.codex).toMatchObject({ version: '0.145.0', basis: 'flag', ruleSet: '0.145.0' });
  });

  it('--codex-version with something that is not a release number is a usage error', async () => {
    const run = await runCli(['doctor', '--json', '--offline', '--codex-version', 'latest'], cleanEnv(healthy.root, {}), healthy.root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--codex-version needs a release number');
  });

  it('warns when `codex --version` prints something that is not a version', async () => {
    const dir = join(tmpRoot, 'garbage-bin');
    script(dir, 'codex', 'echo "hello from something that is not codex"');
    const { run, report } = await doctorWithPath(dir);
    const check = codexCheck(report);
    expect(check.status).toBe('warn');
    expect(check.summary).toContain(join(dir, 'codex'));
    expect(run.code).toBe(0);
  });

  it('warns when `codex --version` exits 1', async () => {
    const dir = join(tmpRoot, 'failing-bin');
    script(dir, 'codex', 'echo "codex: broken install" >&2\nexit 1');
    const { run, report } = await doctorWithPath(dir);
    const check = codexCheck(report);
    expect(check.status).toBe('warn');
    expect(check.summary).toContain(join(dir, 'codex'));
    expect(run.code).toBe(0);
    expect(stackTraceLines(run.stderr)).toEqual([]);
  });

  it('warns within a few seconds when `codex --version` hangs (a 60 s sleep), whatever --timeout says', async () => {
    const dir = join(tmpRoot, 'hung-bin');
    // Like the npm `codex` launcher, the hang is in a child of the script, which keeps the pipes open.
    // PATH holds only this folder, so the sleep is started by absolute path.
    const sleep = existsSync('/bin/sleep') ? '/bin/sleep' : '/usr/bin/sleep';
    script(dir, 'codex', `${sleep} 60 &\necho $! > '${sleeperPidFile()}'\nwait`);
    const started = Date.now();
    const { run, report } = await doctorWithPath(dir, {}, ['--timeout', '30']);
    const wall = Date.now() - started;
    const check = codexCheck(report);
    // The stand-in really hung: its sleep is still running when the doctor has answered.
    const pid = Number(readFileSync(sleeperPidFile(), 'utf8').trim());
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(check.status).toBe('warn');
    expect(check.summary).toMatch(/did not answer|timed? ?out|within/i);
    expect(run.code).toBe(0);
    expect(run.timedOut).toBe(false);
    expect(wall).toBeLessThan(8_000);
  }, 30_000);

  it('skips a `codex` directory and a non-executable `codex` file on PATH, as a shell would', async () => {
    const dirWithDir = join(tmpRoot, 'dir-bin');
    mkdirSync(join(dirWithDir, 'codex'), { recursive: true });
    const dirWithFile = join(tmpRoot, 'noexec-bin');
    script(dirWithFile, 'codex', 'echo "codex-cli 0.1.0"', 0o644);
    const { run, report } = await doctorWithPath(`${dirWithDir}:${dirWithFile}:${FIXTURE_BIN}`);
    const check = codexCheck(report);
    expect(check.status).toBe('pass');
    expect(check.summary).toContain(FIXTURE_CODEX);
    expect(check.summary).toContain('0.169.0');
    expect(run.code).toBe(0);
  });

  it('takes the first executable codex on PATH', async () => {
    const first = join(tmpRoot, 'first-bin');
    script(first, 'codex', 'echo "codex-cli 0.150.2"');
    const { report } = await doctorWithPath(`${first}:${FIXTURE_BIN}`);
    expect(codexCheck(report).summary).toContain('0.150.2');
    expect(codexCheck(report).summary).toContain(join(first, 'codex'));
  });

  it('shows the Codex CLI version on the Machine line of the support report', async () => {
    const run = await runCli(['doctor', '--offline', '--report', '-'], healthy.env, healthy.root);
    expect(run.stdout).toMatch(/^\| Codex CLI \| .*0\.169\.0.*\|$/m);
    expect(run.stdout).toContain(FIXTURE_CODEX);
  });
});

// ----------------------------------------------------------------------------------------------------------

describe('never runs anything else from PATH', () => {
  const KEY_ID = 'AKIAPATHPROBETEST001';
  const SECRET = 'PathProbeSecretKey0123456789abcdefghijXY';
  /** Programs a doctor might be tempted to start: the AWS CLI, a login helper, git, shells, Node, openers. */
  const INSTRUMENTED = ['aws', 'sso', 'git', 'sh', 'bash', 'node', 'npm', 'npx', 'brew', 'uname', 'which', 'security', 'open', 'xdg-open', 'ps', 'id', 'whoami', 'hostname', 'curl', 'wget', 'openssl', 'env', 'sw_vers', 'powershell', 'cmd', 'codex-bedrock', 'aws_signing_helper', 'gcloud', 'keytar', 'pass', 'gpg'];
  let sts: StsServer;
  let mantle: MantleServer;
  let marker = '';
  let probeBin = '';
  let onlineRoot = '';

  beforeAll(async () => {
    marker = join(tmpRoot, 'path-marker.log');
    probeBin = join(tmpRoot, 'probe-bin');
    for (const name of INSTRUMENTED) script(probeBin, name, `echo "$0 $*" >> '${marker}'\nexit 1`);
    // The instrumentation works: starting a stand-in leaves a line in the marker file.
    spawnSync(join(probeBin, 'aws'), ['sso', 'login'], { env: { PATH: '' } });
    if (!readFileSync(marker, 'utf8').includes('aws sso login')) throw new Error('the PATH stand-ins do not record their starts');
    rmSync(marker);
    const secrets = new Map([[KEY_ID, { secretAccessKey: SECRET }]]);
    sts = await startStsServer({ secrets });
    mantle = await startMantleServer({ secrets, modelsByRegion: { 'us-east-1': ['openai.gpt-5.5'] }, region: 'us-east-1' });
    onlineRoot = join(tmpRoot, 'online-probe');
    mkdirSync(join(onlineRoot, 'home', '.codex'), { recursive: true });
    writeFileSync(
      join(onlineRoot, 'home', '.codex', 'config.toml'),
      ['model_provider = "amazon-bedrock"', 'model = "openai.gpt-5.5"', '', '[model_providers.amazon-bedrock]', `base_url = "${mantle.baseUrl}"`, '', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', ''].join('\n'),
    );
    // An SSO profile with no cached token: the remediation names `aws sso login`, which must not be run.
    const sso = join(tmpRoot, 'sso-probe');
    mkdirSync(join(sso, 'home', '.codex'), { recursive: true });
    mkdirSync(join(sso, 'home', '.aws'), { recursive: true });
    writeFileSync(join(sso, 'home', '.codex', 'config.toml'), ['model_provider = "amazon-bedrock"', 'model = "openai.gpt-5.5"', '', '[model_providers.amazon-bedrock.aws]', 'profile = "sso-dev"', 'region = "us-east-1"', ''].join('\n'));
    writeFileSync(
      join(sso, 'home', '.aws', 'config'),
      ['[profile sso-dev]', 'sso_session = corp', 'sso_account_id = 123456789012', 'sso_role_name = Dev', 'region = us-east-1', '', '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = us-east-1', ''].join('\n'),
    );
  }, 30_000);

  afterAll(async () => {
    await Promise.all([sts?.close(), mantle?.close()]);
  });

  it('starts none of the instrumented programs in full offline, online and SSO runs, in every format', async () => {
    const path = `${probeBin}:${FIXTURE_BIN}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
    const offlineEnv = cleanEnv(healthy.root, { PATH: path });
    const onlineEnv = cleanEnv(onlineRoot, { PATH: path, AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_ENDPOINT_URL_STS: sts.url });
    const ssoRoot = join(tmpRoot, 'sso-probe');
    const ssoEnv = cleanEnv(ssoRoot, { PATH: path, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    const formats = [['--json'], [], ['--verbose'], ['--format', 'junit'], ['--format', 'github'], ['--report', '-']];
    const runs = [
      ...formats.map((f) => ({ label: `offline ${f.join(' ')}`, args: ['doctor', '--offline', ...f], env: offlineEnv, cwd: healthy.root })),
      ...formats.map((f) => ({ label: `online ${f.join(' ')}`, args: ['doctor', '--timeout', '5', ...f], env: onlineEnv, cwd: onlineRoot })),
      { label: 'sso online --json', args: ['doctor', '--json', '--timeout', '3'], env: ssoEnv, cwd: ssoRoot },
    ];
    const results = await pool(runs, 4, async (r) => ({ label: r.label, run: await runCli(r.args, r.env, r.cwd) }));
    const byLabel = new Map(results.map((r) => [r.label, r.run]));

    // The runs were real: the fixture codex answered, and the online run reached STS and Mantle and passed.
    const offline = mustParse(byLabel.get('offline --json')!, 'offline');
    expect(codexCheck(offline).status).toBe('pass');
    const online = mustParse(byLabel.get('online --json')!, 'online');
    expect(Object.fromEntries(online.checks.map((c) => [c.id, c.status]))).toMatchObject({ 'codex.version': 'pass', 'auth.token': 'pass', 'auth.identity': 'pass', 'bedrock.responses': 'pass' });
    expect(sts.requests.length).toBeGreaterThan(0);
    expect(mantle.requests.length).toBeGreaterThan(0);
    const sso = mustParse(byLabel.get('sso online --json')!, 'sso');
    expect(sso.checks.find((c) => c.id === 'auth.token')!.status).toBe('fail');
    expect(sso.checks.find((c) => c.id === 'auth.token')!.remediation).toMatch(/aws sso login --profile sso-dev/);
    for (const { label, run } of results) expect({ label, code: run.code === 0 || run.code === 1 }).toEqual({ label, code: true });

    const started = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    expect(started).toBe('');
  }, 60_000);
});
