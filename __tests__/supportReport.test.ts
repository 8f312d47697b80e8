/**
 * The Markdown support report (`--report FILE`, `-` for stdout), issue "For CI pipelines and support
 * engineers", item 3. For EVERY fixture scenario the BUILT CLI runs twice on the same temporary copy, once
 * with --json and once with --report -, and the report must: render the same verdicts (every check's status,
 * the overall verdict, the counts); carry every failing or warning check's summary and remediation and every
 * check's details (a support engineer diagnoses from the report alone); have the Machine section (OS,
 * Node.js, Codex CLI), the Effective setup table with a `from` column, the Files section and the environment
 * variable names; and hold none of the scenario's secrets. A canary run plants secrets in every source and
 * searches the report for them and for fragments of them, while key names stay visible.
 */
import { getToken } from '@aws/bedrock-token-generator';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import {
  assertBuilt,
  cleanEnv,
  loadScenarios,
  parseReport,
  pool,
  runCli,
  runScenario,
  stackTraceLines,
  substitute,
  type CliRun,
  type Report,
  type ScenarioRun,
} from './helpers/scenarios.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const CONCURRENCY = 4;
/** The same rule the scenario runner uses for "a value that must never be printed". */
const SECRET_ENV = /(SECRET|TOKEN|API_?KEY|PASSWORD|SESSION)/i;
const STATUS_WORD = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

const scenarios = loadScenarios();

function mustParse(run: CliRun, label: string): Report {
  const parsed = parseReport(run.stdout);
  if ('problem' in parsed) throw new Error(`${label}: ${parsed.problem}; stderr: ${run.stderr.slice(0, 400)}`);
  return parsed.report;
}

/** `### STATUS \`id\`` headings of the Checks section, in order. */
function reportStatuses(markdown: string): [string, string][] {
  return [...markdown.matchAll(/^### (PASS|WARN|FAIL|SKIP) `([a-z]+\.[a-z-]+)`/gm)].map((m) => [m[2]!, m[1]!]);
}

function section(markdown: string, heading: string): string | null {
  const start = markdown.indexOf(`\n## ${heading}`);
  if (start < 0) return null;
  const next = markdown.indexOf('\n## ', start + 4);
  return markdown.slice(start, next < 0 ? undefined : next);
}

/** The report run's command line: the scenario's own, with --json replaced by --report -. */
function reportArgs(run: ScenarioRun): string[] {
  return [...run.args.filter((arg) => arg !== '--json'), '--report', '-'];
}

/** Everything a support engineer would miss in one scenario's report, as sentences. */
function reportProblems(run: ScenarioRun, report: Report, markdownRun: CliRun): string[] {
  const problems: string[] = [];
  const md = markdownRun.stdout;
  if (stackTraceLines(markdownRun.stderr).length > 0) problems.push(`stderr has a stack trace: ${markdownRun.stderr.slice(0, 400)}`);
  if (markdownRun.code !== run.cli.code) problems.push(`exit code ${markdownRun.code} with --report -, ${run.cli.code} with --json`);
  if (!md.startsWith('# codex-bedrock support report')) problems.push(`stdout does not start with the report title: ${JSON.stringify(md.slice(0, 120))}`);
  if (/^\s*\{/.test(md)) problems.push('stdout holds JSON, not only the report');

  // Same verdicts as the JSON.
  const wanted = report.checks.map((check) => [check.id, STATUS_WORD[check.status]] as [string, string]);
  const got = reportStatuses(md);
  if (JSON.stringify(got) !== JSON.stringify(wanted)) problems.push(`check headings ${JSON.stringify(got)}, JSON says ${JSON.stringify(wanted)}`);
  if (!md.includes(`**Verdict:** ${report.overallStatus.toUpperCase()}`)) problems.push(`verdict line does not say ${report.overallStatus.toUpperCase()}`);
  const s = report.summary;
  const counts = new RegExp(`${s.pass} passed\\W+${s.warn} warnings?\\W+${s.fail} failed\\W+${s.skip} skipped`);
  if (!counts.test(md)) problems.push(`no count line matching ${counts}`);
  if (!md.includes(`codex-bedrock ${report.tool.version}`)) problems.push(`tool version ${report.tool.version} is not named`);

  // Every check with its details; every failure and warning with its summary and fix.
  for (const check of report.checks) {
    const headingAt = md.indexOf(`\`${check.id}\``);
    const body = headingAt < 0 ? '' : md.slice(headingAt, md.indexOf('\n### ', headingAt + 1) < 0 ? undefined : md.indexOf('\n### ', headingAt + 1));
    if (!body.includes(check.summary)) problems.push(`${check.id}: summary ${JSON.stringify(check.summary)} not under its heading`);
    if ((check.status === 'fail' || check.status === 'warn') && check.remediation && !body.includes(check.remediation)) {
      problems.push(`${check.id}: remediation ${JSON.stringify(check.remediation)} not under its heading`);
    }
    for (const detail of check.details) if (!body.includes(detail.replace(/\n/g, ' '))) problems.push(`${check.id}: detail ${JSON.stringify(detail)} missing`);
    if (check.status === 'skip' && !body.includes(check.skipReason ?? '<none>')) problems.push(`${check.id}: skip reason missing`);
  }

  // Machine.
  const machine = section(md, 'Machine') ?? '';
  if (!machine) problems.push('no ## Machine section');
  const os = /^\| OS \| (.*) \|$/m.exec(machine)?.[1];
  if (!os || os === '-') problems.push(`Machine has no OS: ${JSON.stringify(os)}`);
  if (!/^\| Node\.js \| v\d+\.\d+\.\d+ \|$/m.test(machine)) problems.push('Machine has no Node.js version');
  if (!/^\| Codex CLI \| 0\.169\.0 \(.*\/codex\) \|$/m.test(machine)) problems.push(`Machine has no Codex CLI line with the version: ${JSON.stringify(machine)}`);

  // Effective setup with provenance.
  const setup = section(md, 'Effective setup') ?? '';
  if (!/^\| setting \| value \| from \|$/m.test(setup)) problems.push('no Effective setup table with a `from` column');
  for (const what of ['Codex home', 'model_provider', 'model', 'region', 'endpoint', 'auth mode']) {
    if (!new RegExp(`^\\| ${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\| .* \\| .+ \\|$`, 'm').test(setup)) problems.push(`Effective setup has no row for ${what}`);
  }
  // Provenance of every value: a row that has a value says where it comes from.
  for (const row of setup.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| setting '))) {
    const cells = row.slice(2, -2).split(/ (?<!\\)\| /);
    if (cells.length !== 3) problems.push(`Effective setup row is not 3 cells: ${row}`);
    else if (!/^\((not set|none)\)$/.test(cells[1]!) && (cells[2] === '-' || cells[2]!.trim() === '')) problems.push(`Effective setup gives no source for ${cells[0]} = ${cells[1]}`);
  }
  if (report.setup.region && !setup.includes(`| region | ${report.setup.region} |`)) problems.push(`Effective setup does not show region ${report.setup.region}`);
  const regionSource = typeof report.setup['regionSource'] === 'string' ? report.setup['regionSource'] : null;
  if (report.setup.region && regionSource && !setup.includes(regionSource.replace(/\|/g, '\\|'))) problems.push(`Effective setup does not say where the region comes from (${regionSource})`);

  // Files: every config layer the JSON lists, plus .env and the AWS shared files.
  const files = section(md, 'Files') ?? '';
  if (!files) problems.push('no ## Files section');
  for (const layer of report.setup.configFiles) {
    if (layer.path === '-c') continue;
    if (!files.includes(layer.path)) problems.push(`Files does not show ${layer.layer} layer ${layer.path}`);
    // A config file that exists is shown (masked), above all the one that fails to load: the engineer must see it.
    if (layer.status !== 'missing') {
      const heading = files.split('\n').findIndex((line) => line.startsWith('### ') && line.includes(`\`${layer.path}\``));
      const next = files.split('\n').slice(heading + 1).find((line) => line.trim() !== '');
      if (heading < 0 || !next?.startsWith('```toml')) problems.push(`Files does not show the content of the ${layer.layer} layer ${layer.path} (status ${layer.status})`);
    }
  }
  const dotenvPath = report.setup.codexHome ? [join(report.setup.codexHome, '.env')] : [];
  for (const path of [...dotenvPath, run.env['AWS_CONFIG_FILE']!, run.env['AWS_SHARED_CREDENTIALS_FILE']!]) {
    if (!files.includes(path)) problems.push(`Files does not mention ${path}`);
  }

  // Environment: names of the relevant variables; values only for region and profile names.
  const environment = section(md, 'Environment variables') ?? '';
  if (!environment) problems.push('no ## Environment variables section');
  for (const [name, raw] of Object.entries(run.scenario.env)) {
    if (raw === null || !/^(AWS_|OPENAI_API_KEY$)/.test(name)) continue;
    const value = substitute(raw, { home: run.home, root: run.root });
    const row = new RegExp(`^\\| ${name} \\| [^\\n]*$`, 'm').exec(environment)?.[0];
    if (!row) {
      problems.push(`Environment does not list ${name}`);
      continue;
    }
    const shown = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE'].includes(name);
    if (shown && row.endsWith('| (hidden) |')) problems.push(`Environment hides the value of ${name}: ${row}`);
    if (shown && value !== '' && /shell environment/.test(row) && !row.includes(value)) problems.push(`Environment does not show the shell's ${name}: ${row}`);
    if (!shown && value.length >= 4 && row.includes(value)) problems.push(`Environment shows the value of ${name}: ${row}`);
  }

  // Secrets of the scenario.
  const secrets = [
    ...Object.entries(run.scenario.env)
      .filter(([key, value]) => SECRET_ENV.test(key) && typeof value === 'string' && value.length >= 8)
      .map(([, value]) => value as string),
    ...(run.scenario.expect.absent ?? []).map((secret) => substitute(secret, { home: run.home, root: run.root })),
  ];
  for (const secret of secrets) {
    if (md.includes(secret) || markdownRun.stderr.includes(secret)) problems.push(`a secret appears in the report: ${secret.slice(0, 10)}…`);
  }
  return problems;
}

describe('--report - for every fixture scenario', () => {
  let tmpRoot = '';
  const results = new Map<string, { run: ScenarioRun; report: Report; markdown: CliRun }>();

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-report-'));
    const done = await pool(scenarios, CONCURRENCY, async (scenario) => {
      const run = await runScenario(scenario, tmpRoot);
      // The doctor never writes into the fixture, so the second run sees exactly what the first saw.
      const markdown = await runCli(reportArgs(run), run.env, run.root);
      return { run, report: mustParse(run.cli, scenario.name), markdown };
    });
    done.forEach((result) => results.set(result.run.scenario.name, result));
  }, 90_000);

  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('covers every scenario', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
  });

  it.each(scenarios.map((scenario) => [scenario.name] as const))('%s', (name) => {
    const result = results.get(name);
    if (!result) throw new Error(`${name} did not run (see the beforeAll failure)`);
    expect(reportProblems(result.run, result.report, result.markdown)).toEqual([]);
  });
});

describe('--report FILE', () => {
  let tmpRoot = '';
  let runs: ScenarioRun[] = [];

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-reportfile-'));
    const chosen = scenarios.filter((scenario) => ['healthy-profile', 'region-none-bearer', 'region-disagree'].includes(scenario.name));
    runs = await pool(chosen, CONCURRENCY, (scenario) => runScenario(scenario, tmpRoot));
  }, 30_000);

  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('writes the report and still prints the normal output, with the same exit code', async () => {
    for (const run of runs) {
      const base = run.args.filter((arg) => arg !== '--json');
      const out = join(tmpRoot, `${run.scenario.name}-support.md`);
      const outHuman = join(tmpRoot, `${run.scenario.name}-support-human.md`);
      const [json, human, junit, stdoutReport] = await Promise.all([
        runCli([...base, '--json', '--report', out], run.env, run.root),
        runCli([...base, `--report=${outHuman}`], run.env, run.root),
        runCli([...base, '--format', 'junit', '--report', join(tmpRoot, `${run.scenario.name}-junit.md`)], run.env, run.root),
        runCli([...base, '--report', '-'], run.env, run.root),
      ]);
      const label = run.scenario.name;
      const reference = mustParse(run.cli, label);
      // --json: stdout is exactly the JSON document, with the same verdicts.
      const report = mustParse(json, `${label} --json --report FILE`);
      expect({ label, statuses: report.checks.map((c) => c.status), code: json.code }).toEqual({ label, statuses: reference.checks.map((c) => c.status), code: run.cli.code });
      // human: the usual report on stdout.
      expect({ label, human: human.stdout.startsWith('codex-bedrock doctor'), code: human.code }).toEqual({ label, human: true, code: run.cli.code });
      expect({ label, junit: junit.stdout.startsWith('<?xml'), code: junit.code }).toEqual({ label, junit: true, code: run.cli.code });
      // The files hold the report; the same one --report - prints, apart from the time and the durations.
      for (const file of [out, outHuman]) {
        expect({ label, file, exists: existsSync(file) }).toEqual({ label, file, exists: true });
        const written = readFileSync(file, 'utf8');
        const normalise = (md: string) => md.replace(/^Generated \S+/m, 'Generated <time>').replace(/^_[\d.]+ ms_$/gm, '_<ms>_');
        expect(normalise(written)).toBe(normalise(stdoutReport.stdout));
        expect(reportStatuses(written)).toEqual(reference.checks.map((c) => [c.id, STATUS_WORD[c.status]]));
      }
      expect(json.stderr).toContain(out);
    }
  });

  it('cannot write the report: exit 2 with a message, and no stack trace', async () => {
    const run = runs[0]!;
    const base = run.args.filter((arg) => arg !== '--json');
    const result = await runCli([...base, '--report', join(tmpRoot, 'no-such-dir', 'report.md')], run.env, run.root);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/report/);
    expect(stackTraceLines(result.stderr)).toEqual([]);
  });

  it('a usage error inside the run still gives a report with the Machine section', async () => {
    const run = runs[0]!;
    const base = run.args.filter((arg) => arg !== '--json');
    const result = await runCli([...base, '-c', 'not-an-assignment', '--report', '-'], run.env, run.root);
    expect(result.code).toBe(2);
    const machine = section(result.stdout, 'Machine') ?? '';
    expect(machine).toMatch(/^\| OS \| (?!- \|).+ \|$/m);
    expect(machine).toMatch(/^\| Node\.js \| v\d+/m);
    expect(result.stdout).toMatch(/usage error/);
  });
});

// ----------------------------------------------------------------------------------------------------------

describe('canary secrets never reach the support report', () => {
  const ACCESS_KEY_ID = 'AKIAREPORTCANARY0001';
  const SECRET_ACCESS_KEY = 'ReportCanarySecretAccessKey/0123456789abc';
  const SESSION_TOKEN = 'ReportCanarySessionToken+AbCdEfGhIjKlMnOpQrStUv0123456789==';
  const PROFILE_SECRET = 'ReportCanaryProfileSecretKey9876543210zyx';
  const PROFILE_SESSION = 'ReportCanaryProfileSessionTokenQwErTyUiOp1234567890';
  const OPENAI_KEY = 'sk-report-canary-openai-0123456789abcdefghij';
  const HEADER_SECRET = 'ReportCanaryHeaderValue0123456789ABCDEF';
  const CLI_HEADER_SECRET = 'ReportCanaryCliHeaderValue5555555555';
  const DOTENV_SECRET = 'ReportCanaryDotenvTokenValue7777777777777';
  const BEARER_KEY = `ABSK${Buffer.from('report-canary-user-at-123456789012:ReportCanaryLongTermSecret0123456789').toString('base64')}`;
  const REGION = 'eu-west-1';
  const PROFILE = 'canary-profile';
  const HEALTHY = `model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n\n[model_providers.amazon-bedrock.aws]\nregion = "${REGION}"\n`;

  let tmpRoot = '';
  let sts: StsServer;
  let mantle: MantleServer;
  let shortTermKey = '';
  let canaries: string[] = [];

  /** Every value and a distinctive 12-character middle fragment of it: a partial leak is a leak. */
  const fragments = (secret: string) => [secret, secret.slice(Math.floor(secret.length / 4), Math.floor(secret.length / 4) + 12)];

  function makeHome(name: string, baseUrl: string | null): string {
    const root = join(tmpRoot, name);
    const codexHome = join(root, 'home', '.codex');
    const aws = join(root, 'home', '.aws');
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(aws, { recursive: true });
    writeFileSync(
      join(codexHome, 'config.toml'),
      [
        'model_provider = "amazon-bedrock"',
        'model = "openai.gpt-5.5"',
        '',
        '[model_providers.amazon-bedrock]',
        ...(baseUrl ? [`base_url = "${baseUrl}"`] : []),
        '',
        '[model_providers.amazon-bedrock.http_headers]',
        `Authorization = "Bearer ${HEADER_SECRET}"`,
        '',
        '[model_providers.amazon-bedrock.aws]',
        `region = "${REGION}"`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(codexHome, '.env'), `CANARY_DOTENV_TOKEN=${DOTENV_SECRET}\n`, { mode: 0o600 });
    writeFileSync(join(aws, 'config'), `[profile ${PROFILE}]\nregion = ${REGION}\n`);
    writeFileSync(
      join(aws, 'credentials'),
      `[${PROFILE}]\naws_access_key_id = AKIAREPORTPROFILE002\naws_secret_access_key = ${PROFILE_SECRET}\naws_session_token = ${PROFILE_SESSION}\n`,
      { mode: 0o600 },
    );
    return root;
  }

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-report-canary-'));
    const secrets = new Map([[ACCESS_KEY_ID, { secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN }]]);
    sts = await startStsServer({ secrets, region: REGION });
    mantle = await startMantleServer({ secrets, longTermKeys: new Set([BEARER_KEY]), modelsByRegion: { [REGION]: ['openai.gpt-5.5'] }, region: REGION });
    shortTermKey = await getToken({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN }, region: REGION });
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(Buffer.from(shortTermKey.slice('bedrock-api-key-'.length), 'base64').toString('utf8'))![1]!;
    canaries = [SECRET_ACCESS_KEY, SESSION_TOKEN, encodeURIComponent(SESSION_TOKEN), PROFILE_SECRET, PROFILE_SESSION, OPENAI_KEY, HEADER_SECRET, CLI_HEADER_SECRET, DOTENV_SECRET, BEARER_KEY, shortTermKey, signature].flatMap(fragments);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([sts?.close(), mantle?.close()]);
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('plants secrets in the shell, config.toml, -c, .env and ~/.aws/credentials; none appears, key names and region/profile do', async () => {
    const worlds = [
      { name: 'bearer-offline', bearer: BEARER_KEY, online: false },
      { name: 'bearer-online', bearer: BEARER_KEY, online: true },
      { name: 'short-term-online', bearer: null as string | null, online: true },
      { name: 'iam-online', bearer: '', online: true },
    ];
    const runs = await pool(worlds, CONCURRENCY, async (world) => {
      const root = makeHome(world.name, world.online ? mantle.baseUrl : null);
      const env = cleanEnv(root, {
        AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN: SESSION_TOKEN,
        AWS_BEARER_TOKEN_BEDROCK: world.bearer ?? shortTermKey,
        OPENAI_API_KEY: OPENAI_KEY,
        AWS_REGION: REGION,
        AWS_PROFILE: PROFILE,
        AWS_ENDPOINT_URL_STS: sts.url,
      });
      const args = ['doctor', ...(world.online ? ['--timeout', '5'] : ['--offline']), '-c', `model_providers.amazon-bedrock.http_headers.X-Api-Key="${CLI_HEADER_SECRET}"`];
      const [markdown, json] = await Promise.all([runCli([...args, '--report', '-', '--verbose'], env, root), runCli([...args, '--json'], env, root)]);
      return { world, markdown, json };
    });
    for (const { world, markdown, json } of runs) {
      const md = markdown.stdout;
      const label = world.name;
      const leaks = canaries.filter((canary) => md.includes(canary) || markdown.stderr.includes(canary)).map((canary) => `${canary.slice(0, 8)}…`);
      expect({ label, leaks }).toEqual({ label, leaks: [] });
      // The report is really the full report, with verdicts equal to the JSON's.
      const report = mustParse(json, label);
      expect({ label, statuses: reportStatuses(md) }).toEqual({ label, statuses: report.checks.map((c) => [c.id, STATUS_WORD[c.status]]) });
      // Key names are kept, values masked.
      for (const name of ['aws_secret_access_key', 'aws_session_token', 'Authorization', 'CANARY_DOTENV_TOKEN', 'X-Api-Key']) {
        expect({ label, name, shown: md.includes(name) }).toEqual({ label, name, shown: true });
      }
      for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_BEARER_TOKEN_BEDROCK', 'OPENAI_API_KEY', 'AWS_ACCESS_KEY_ID']) {
        expect({ label, name, listed: new RegExp(`^\\| ${name} \\|`, 'm').test(md) }).toEqual({ label, name, listed: true });
      }
      // Region and profile names are shown.
      expect(md).toMatch(new RegExp(`^\\| AWS_REGION \\| .* \\| ${REGION} \\|$`, 'm'));
      expect(md).toMatch(new RegExp(`^\\| AWS_PROFILE \\| .* \\| ${PROFILE} \\|$`, 'm'));
      // An access key id shows at most its first 4 and last 4 characters.
      expect(md).not.toContain(ACCESS_KEY_ID);
    }
    // The online runs really exercised the network paths whose messages could carry secrets.
    const online = runs.find((r) => r.world.name === 'bearer-online')!;
    expect(mustParse(online.json, 'bearer-online').checks.find((c) => c.id === 'bedrock.responses')!.status).toBe('pass');
    const iam = runs.find((r) => r.world.name === 'iam-online')!;
    expect(mustParse(iam.json, 'iam-online').checks.find((c) => c.id === 'auth.identity')!.status).toBe('pass');
  }, 60_000);

  it('masks a secret passed as an argument of a credential_process command in ~/.aws/config (offline: never run)', async () => {
    const PROCESS_SECRET = 'ReportCanaryProcessArgSecret24680ABCDEF';
    const root = makeHome('credential-process-arg', null);
    writeFileSync(
      join(root, 'home', '.aws', 'config'),
      `[profile ${PROFILE}]\nregion = ${REGION}\n\n[profile tooling]\ncredential_process = /opt/corp/bin/get-aws-creds --api-key ${PROCESS_SECRET} --account dev\n`,
    );
    const env = cleanEnv(root, { AWS_BEARER_TOKEN_BEDROCK: BEARER_KEY, AWS_REGION: REGION });
    const markdown = await runCli(['doctor', '--offline', '--report', '-'], env, root);
    expect(markdown.stdout).toContain('credential_process');
    expect(fragments(PROCESS_SECRET).filter((canary) => markdown.stdout.includes(canary)).map((canary) => `${canary.slice(0, 8)}…`)).toEqual([]);
  });

  it.each([
    ['an inline auth table with arguments', (secret: string) => `${HEALTHY}\n[model_providers.amazon-bedrock]\nauth = { command = "get-token", args = ["--token", "${secret}"] }\n`, []],
    ['a dotted auth key', (secret: string) => `${HEALTHY}\nmodel_providers.amazon-bedrock.auth.args = ["--token", "${secret}"]\n`, []],
    ['a multi-line array under [..auth]', (secret: string) => `${HEALTHY}\n[model_providers.amazon-bedrock.auth]\ncommand = "get-token"\nargs = [\n  "--token",\n  "${secret}",\n]\n`, []],
    ['a multi-line string when another line has a syntax error', (secret: string) => `${HEALTHY}\n[model_providers.amazon-bedrock.http_headers]\nX-Corp = """\nfirst line\n${secret}\n"""\n\nthis line = is = broken\n`, []],
    ['dotted http_headers when another line has a syntax error', (secret: string) => `${HEALTHY}\nmodel_providers.amazon-bedrock.http_headers.X-Corp = "${secret}"\n\nthis line = is = broken\n`, []],
    ['a broken line holding a secret', (secret: string) => `${HEALTHY}\nX-Corp-Header "${secret}"\n`, []],
    ['auth args passed with -c', () => HEALTHY, (secret: string) => ['-c', `model_providers.amazon-bedrock.auth={ command = "get-token", args = ["--token", "${secret}"] }`]],
  ] as const)('masks %s in --report, by key path', async (_what, config, extraArgs) => {
    const SECRET = 'ReportCanaryAuthArgument0123456789ABCDEF';
    const root = makeHome(`mask-${Math.random().toString(36).slice(2)}`, null);
    writeFileSync(join(root, 'home', '.codex', 'config.toml'), config(SECRET));
    const args = typeof extraArgs === 'function' ? extraArgs(SECRET) : extraArgs;
    const markdown = await runCli(['doctor', '--offline', '--report', '-', ...args], cleanEnv(root, { AWS_BEARER_TOKEN_BEDROCK: BEARER_KEY }), root);
    expect(markdown.stdout).toContain('## Files');
    expect(fragments(SECRET).filter((canary) => markdown.stdout.includes(canary) || markdown.stderr.includes(canary)).map((canary) => `${canary.slice(0, 8)}…`)).toEqual([]);
  });
});
