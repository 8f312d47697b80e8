/**
 * Output formats and check selection, for CI pipelines (the issue "For CI pipelines and support engineers"):
 *
 *  - `--format junit`: a real XML parser validates and reads it; one testcase per check, in order, with
 *    <failure>, <skipped> and <system-out> exactly where the JSON report says fail, skip and warn; the count
 *    attributes agree; the exit code equals JSON mode's.
 *  - `--format github`: one ::error per failure and one ::warning per warning, escaped as the Actions toolkit
 *    does (%0A for new lines), each titled with the check id, followed by the plain human report.
 *  - human output piped: no ANSI escape codes, ASCII only.
 *  - `--json` and `--format json` print the same document; contradictory flags are usage errors (exit 2).
 *  - `--only` / `--skip`: prerequisites followed, reasons given, unknown ids are usage errors listing the valid ids.
 *
 * Every run is the BUILT CLI in a child process with a clean environment, on a temporary copy of a fixture.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startMantleServer, type MantleServer } from './helpers/mantleServer.js';
import {
  assertBuilt,
  cleanEnv,
  loadScenarios,
  parseReport,
  pool,
  runCli,
  runScenario,
  SPEC_CHECK_IDS,
  stackTraceLines,
  type CliRun,
  type Report,
  type Scenario,
  type ScenarioRun,
} from './helpers/scenarios.js';
import { startStsServer, type StsServer } from './helpers/stsServer.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const CONCURRENCY = 4;

/**
 * Healthy (pass + skip), warnings only, failures with multi-line remediations, a failure and a warning together,
 * a non-ASCII summary, and --strict (exit code 1 from a warning).
 */
const FORMAT_SCENARIOS = [
  'healthy-profile',
  'region-disagree',
  'region-none-bearer',
  'provider-absent',
  'region-eusc-base-url',
  'model-runtime-suffix',
  'dotenv-absent-region-shell',
  'openai-api-key-strict',
];

interface FormatRuns {
  json: ScenarioRun;
  report: Report;
  junit: CliRun;
  github: CliRun;
  human: CliRun;
  humanVerbose: CliRun;
  githubVerbose: CliRun;
}

const allScenarios = loadScenarios();
const byName = new Map(allScenarios.map((scenario) => [scenario.name, scenario]));

function scenario(name: string): Scenario {
  const found = byName.get(name);
  if (!found) throw new Error(`fixture scenario ${name} is missing`);
  return found;
}

/** The scenario's own command line with --json removed, so another format can be asked for. */
function withoutJson(run: ScenarioRun): string[] {
  return run.args.filter((arg) => arg !== '--json');
}

function mustParse(run: CliRun, label: string): Report {
  const parsed = parseReport(run.stdout);
  if ('problem' in parsed) throw new Error(`${label}: ${parsed.problem}; stderr: ${run.stderr.slice(0, 400)}`);
  return parsed.report;
}

/** The document without the values that legitimately change between two runs. */
function stable(report: Report): unknown {
  return { ...report, generatedAt: '<time>', checks: report.checks.map((check) => ({ ...check, durationMs: 0 })) };
}

// ----------------------------------------------------------------------------------------------------------
// JUnit helpers

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  isArray: (name) => ['testsuite', 'testcase', 'property', 'failure', 'skipped', 'system-out', 'error'].includes(name),
});

interface XmlTestcase {
  '@_name': string;
  '@_classname'?: string;
  '@_time'?: string;
  failure?: (string | { '#text'?: string; '@_message'?: string; '@_type'?: string })[];
  skipped?: (string | { '@_message'?: string })[];
  'system-out'?: (string | { '#text'?: string })[];
  error?: unknown[];
}

interface XmlSuite {
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  testcase?: XmlTestcase[];
}

function parseJunit(xml: string): { suites: XmlSuite; suite: XmlSuite } {
  const doc = xmlParser.parse(xml) as { testsuites?: XmlSuite & { testsuite?: XmlSuite[] } };
  if (!doc.testsuites) throw new Error(`no <testsuites> root: ${xml.slice(0, 300)}`);
  const suites = doc.testsuites;
  const suite = suites.testsuite?.[0];
  if (!suite || suites.testsuite!.length !== 1) throw new Error(`expected exactly one <testsuite>: ${xml.slice(0, 300)}`);
  return { suites, suite };
}

const text = (node: unknown): string => (typeof node === 'string' ? node : ((node as { '#text'?: string } | undefined)?.['#text'] ?? ''));
const attr = (node: unknown, name: string): string | undefined => (typeof node === 'object' && node !== null ? (node as Record<string, string>)[`@_${name}`] : undefined);

/** Everything wrong with one JUnit document, compared with the JSON report of the same setup. */
function junitProblems(xml: string, report: Report): string[] {
  const problems: string[] = [];
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return [`not well-formed XML: ${JSON.stringify(valid.err)}`];
  const { suites, suite } = parseJunit(xml);
  const cases = suite.testcase ?? [];
  if (cases.length !== report.checks.length) problems.push(`${cases.length} testcases for ${report.checks.length} checks`);
  report.checks.forEach((check, index) => {
    const testcase = cases[index];
    if (!testcase) return;
    const name = testcase['@_name'];
    if (!name.startsWith(check.id)) problems.push(`testcase #${index} is ${JSON.stringify(name)}, expected the check ${check.id} (order must follow the report)`);
    const failures = testcase.failure ?? [];
    const skipped = testcase.skipped ?? [];
    const out = testcase['system-out'] ?? [];
    if ((failures.length > 0) !== (check.status === 'fail')) problems.push(`${check.id} (${check.status}): ${failures.length} <failure> elements`);
    if ((skipped.length > 0) !== (check.status === 'skip')) problems.push(`${check.id} (${check.status}): ${skipped.length} <skipped> elements`);
    if ((out.length > 0) !== (check.status === 'warn')) problems.push(`${check.id} (${check.status}): ${out.length} <system-out> elements`);
    if ((testcase.error ?? []).length > 0) problems.push(`${check.id}: unexpected <error>`);
    if (check.status === 'fail') {
      const message = attr(failures[0], 'message') ?? '';
      const body = text(failures[0]);
      if (!message.includes(check.summary) && !body.includes(check.summary)) problems.push(`${check.id}: <failure> does not carry the summary ${JSON.stringify(check.summary)}`);
      if (check.remediation && !body.includes(check.remediation)) problems.push(`${check.id}: <failure> body does not carry the remediation ${JSON.stringify(check.remediation)}`);
    }
    if (check.status === 'skip') {
      const message = attr(skipped[0], 'message') ?? text(skipped[0]);
      if (!message.includes(check.skipReason ?? '<no reason>')) problems.push(`${check.id}: <skipped> message ${JSON.stringify(message)} does not give the reason ${JSON.stringify(check.skipReason)}`);
    }
    if (check.status === 'warn') {
      const body = text(out[0]);
      if (!body.includes(check.summary)) problems.push(`${check.id}: <system-out> does not carry the warning ${JSON.stringify(check.summary)}`);
      if (check.remediation && !body.includes(check.remediation)) problems.push(`${check.id}: <system-out> does not carry the remediation`);
    }
  });
  for (const [label, node] of [['testsuites', suites], ['testsuite', suite]] as const) {
    const want = { tests: report.checks.length, failures: report.summary.fail, errors: report.error ? 1 : 0, skipped: report.summary.skip };
    const got = { tests: Number(node['@_tests']), failures: Number(node['@_failures']), errors: Number(node['@_errors']), skipped: Number(node['@_skipped']) };
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`<${label}> counts ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  return problems;
}

// ----------------------------------------------------------------------------------------------------------
// GitHub helpers

const ANNOTATION = /^::(error|warning)(?: ([^:]*))?::(.*)$/;
const unescapeData = (value: string) => value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (value: string) => unescapeData(value.replace(/%3A/g, ':').replace(/%2C/g, ','));

function splitGithub(output: string): { annotations: { kind: string; title: string; raw: string; message: string }[]; rest: string } {
  const lines = output.split('\n');
  const annotations: { kind: string; title: string; raw: string; message: string }[] = [];
  let index = 0;
  for (; index < lines.length; index++) {
    const match = ANNOTATION.exec(lines[index]!);
    if (!match) break;
    const properties = match[2] ?? '';
    const title = /(?:^|,)title=([^,]*)/.exec(properties)?.[1] ?? '';
    annotations.push({ kind: match[1]!, title: unescapeProperty(title), raw: match[3]!, message: unescapeData(match[3]!) });
  }
  return { annotations, rest: lines.slice(index).join('\n') };
}

/** An SGR escape sequence, or one whose ESC byte was replaced by "?" (colour codes mangled by an ASCII filter). */
const ANSI = /(?:\u001b|\?)\[\d+(?:;\d+)*m/;
const NON_ASCII = /[^\x09\x0a\x0d\x20-\x7e]/;

// ----------------------------------------------------------------------------------------------------------

describe('--format junit | github | human | json', () => {
  let tmpRoot = '';
  const runs = new Map<string, FormatRuns>();

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-formats-'));
    const results = await pool(FORMAT_SCENARIOS, CONCURRENCY, async (name) => {
      const json = await runScenario(scenario(name), tmpRoot);
      const base = withoutJson(json);
      const [junit, github, human, humanVerbose, githubVerbose] = await Promise.all([
        runCli([...base, '--format', 'junit'], json.env, json.root),
        runCli([...base, '--format', 'github'], json.env, json.root),
        runCli(base, json.env, json.root),
        runCli([...base, '--verbose'], json.env, json.root),
        runCli([...base, '--format=github', '--verbose'], json.env, json.root),
      ]);
      return { name, runs: { json, report: mustParse(json.cli, `${name} --json`), junit, github, human, humanVerbose, githubVerbose } };
    });
    results.forEach(({ name, runs: r }) => runs.set(name, r));
  }, 60_000);

  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  const get = (name: string): FormatRuns => {
    const found = runs.get(name);
    if (!found) throw new Error(`${name} did not run (see the beforeAll failure)`);
    return found;
  };

  it('the chosen scenarios cover pass, warn, fail and skip, and multi-line remediations', () => {
    const statuses = new Set(FORMAT_SCENARIOS.flatMap((name) => get(name).report.checks.map((check) => check.status)));
    expect([...statuses].sort()).toEqual(['fail', 'pass', 'skip', 'warn']);
    const multiLine = FORMAT_SCENARIOS.flatMap((name) => get(name).report.checks.filter((c) => (c.status === 'fail' || c.status === 'warn') && (c.remediation ?? '').includes('\n')));
    expect(multiLine.length).toBeGreaterThan(0);
  });

  describe('junit', () => {
    it.each(FORMAT_SCENARIOS)('%s: well-formed, one testcase per check in order, failure/skipped/system-out where JSON says fail/skip/warn', (name) => {
      const { junit, report } = get(name);
      expect({ stderrTraces: stackTraceLines(junit.stderr), startsWithXml: junit.stdout.startsWith('<?xml') }).toEqual({ stderrTraces: [], startsWithXml: true });
      expect(junitProblems(junit.stdout, report)).toEqual([]);
    });

    it.each(FORMAT_SCENARIOS)('%s: exit code equals JSON mode', (name) => {
      const { junit, json } = get(name);
      expect(junit.code).toBe(json.cli.code);
    });

    it('has no ANSI escape codes and nothing but the XML document on stdout', () => {
      for (const name of FORMAT_SCENARIOS) {
        const { junit } = get(name);
        expect({ name, ansi: ANSI.test(junit.stdout) }).toEqual({ name, ansi: false });
        expect({ name, trailing: junit.stdout.trim().endsWith('</testsuites>') }).toEqual({ name, trailing: true });
      }
    });
  });

  describe('github', () => {
    it.each(FORMAT_SCENARIOS)('%s: one ::error per failure and one ::warning per warning, titled with the check id, in order', (name) => {
      const { github, report } = get(name);
      const { annotations } = splitGithub(github.stdout);
      const problems = report.checks.filter((check) => check.status === 'fail' || check.status === 'warn');
      expect(annotations.map((a) => a.kind)).toEqual(problems.map((check) => (check.status === 'fail' ? 'error' : 'warning')));
      annotations.forEach((annotation, index) => {
        const check = problems[index]!;
        expect({ id: check.id, titleNamesId: annotation.title.includes(check.id) }).toEqual({ id: check.id, titleNamesId: true });
        expect(annotation.message).toContain(check.summary);
        if (check.remediation) expect(annotation.message).toContain(check.remediation);
        // Data escaping of the Actions toolkit: a raw % is written %25, new lines %0A / %0D; nothing else.
        expect({ id: check.id, strayPercent: /%(?!25|0A|0D)/.test(annotation.raw) }).toEqual({ id: check.id, strayPercent: false });
      });
      // No annotation command anywhere else (a multi-line message must not spill onto lines of its own).
      const commandLines = github.stdout.split('\n').filter((line) => line.startsWith('::'));
      expect(commandLines.length).toBe(problems.length);
    });

    it('escapes multi-line messages with %0A', () => {
      let seen = 0;
      for (const name of FORMAT_SCENARIOS) {
        const { github, report } = get(name);
        const { annotations } = splitGithub(github.stdout);
        const problems = report.checks.filter((check) => check.status === 'fail' || check.status === 'warn');
        problems.forEach((check, index) => {
          if (!(check.remediation ?? '').includes('\n')) return;
          seen += 1;
          expect(annotations[index]!.raw).toContain('%0A');
          expect(annotations[index]!.message).toContain(check.remediation!);
        });
      }
      expect(seen).toBeGreaterThan(0);
    });

    it.each(FORMAT_SCENARIOS)('%s: the annotations are followed by the human report', (name) => {
      const { github, human, githubVerbose, humanVerbose } = get(name);
      expect(splitGithub(github.stdout).rest).toBe(human.stdout);
      expect(splitGithub(githubVerbose.stdout).rest).toBe(humanVerbose.stdout);
    });

    it.each(FORMAT_SCENARIOS)('%s: exit code equals JSON mode', (name) => {
      expect(get(name).github.code).toBe(get(name).json.cli.code);
    });
  });

  describe('human, piped', () => {
    it.each(FORMAT_SCENARIOS)('%s: no ANSI escape codes, ASCII only, exit code equals JSON mode', (name) => {
      const { human, humanVerbose, json } = get(name);
      for (const run of [human, humanVerbose]) {
        expect({ ansi: ANSI.test(run.stdout + run.stderr), nonAscii: NON_ASCII.exec(run.stdout)?.[0] ?? null }).toEqual({ ansi: false, nonAscii: null });
      }
      expect(human.code).toBe(json.cli.code);
    });

    it('has no colour when piped even without NO_COLOR, in typical CI environments', async () => {
      const { json } = get('region-none-bearer');
      const base = withoutJson(json);
      const environments: Record<string, string | null>[] = [
        { NO_COLOR: null },
        { NO_COLOR: null, TERM: 'xterm-256color', COLORTERM: 'truecolor' },
        { NO_COLOR: null, TERM: 'xterm-256color', CI: 'true', GITHUB_ACTIONS: 'true' },
        { NO_COLOR: null, CI: 'true', GITLAB_CI: 'true', TERM: 'xterm' },
      ];
      const results = await pool(environments, CONCURRENCY, (extra) => runCli(base, cleanEnv(json.root, { ...json.env, ...extra }), json.root));
      results.forEach((run, index) => {
        expect({ env: environments[index], ansi: ANSI.test(run.stdout), nonAscii: NON_ASCII.exec(run.stdout)?.[0] ?? null, code: run.code }).toEqual({
          env: environments[index],
          ansi: false,
          nonAscii: null,
          code: 1,
        });
      });
    });

    it('FORCE_COLOR=1 is honoured when piped: real ANSI colour, not escape codes mangled into "?[...m"', async () => {
      const { json } = get('region-none-bearer');
      const run = await runCli(withoutJson(json), cleanEnv(json.root, { ...json.env, NO_COLOR: null, FORCE_COLOR: '1' }), json.root);
      expect({ realEscapes: /\u001b\[\d+m/.test(run.stdout), mangled: /\?\[\d+(?:;\d+)*m/.exec(run.stdout)?.[0] ?? null, code: run.code }).toEqual({ realEscapes: true, mangled: null, code: 1 });
    });

    it('has no colour when piped in Azure Pipelines (TF_BUILD, AGENT_NAME set)', async () => {
      const { json } = get('region-none-bearer');
      const run = await runCli(withoutJson(json), cleanEnv(json.root, { ...json.env, NO_COLOR: null, TF_BUILD: 'True', AGENT_NAME: 'Azure Pipelines 1' }), json.root);
      expect({ ansi: ANSI.exec(run.stdout)?.[0] ?? null, code: run.code }).toEqual({ ansi: null, code: 1 });
    });
  });

  describe('json', () => {
    it('--json, --format json and --format=json print the same document', async () => {
      for (const name of ['region-disagree', 'provider-absent']) {
        const { json } = get(name);
        const base = withoutJson(json);
        const [formatJson, formatEquals, both] = await Promise.all([
          runCli([...base, '--format', 'json'], json.env, json.root),
          runCli([...base, '--format=json'], json.env, json.root),
          runCli([...base, '--json', '--format', 'json'], json.env, json.root),
        ]);
        const reference = stable(mustParse(json.cli, `${name} --json`));
        for (const [label, run] of [['--format json', formatJson], ['--format=json', formatEquals], ['--json --format json', both]] as const) {
          expect({ label, code: run.code, doc: stable(mustParse(run, `${name} ${label}`)) }).toEqual({ label, code: json.cli.code, doc: reference });
        }
      }
    });
  });

  describe('usage errors', () => {
    const usageCases: { label: string; args: string[]; json: boolean; mentions: RegExp[] }[] = [
      { label: '--json --format junit', args: ['--json', '--format', 'junit'], json: true, mentions: [/--json/, /junit/] },
      { label: '--format github --json', args: ['--format', 'github', '--json'], json: true, mentions: [/--json/, /github/] },
      { label: '--report - --json', args: ['--report', '-', '--json'], json: true, mentions: [/--report/] },
      { label: '--report - --format json', args: ['--report', '-', '--format', 'json'], json: true, mentions: [/--report/] },
      { label: '--report - --format junit', args: ['--report', '-', '--format', 'junit'], json: false, mentions: [/--report/] },
      { label: '--format xml', args: ['--format', 'xml'], json: false, mentions: [/human/, /json/, /junit/, /github/] },
    ];

    it.each(usageCases.map((c) => [c.label, c] as const))('%s is a usage error (exit 2, message on stderr)', async (_label, usage) => {
      const { json } = get('healthy-profile');
      const run = await runCli(['doctor', '--offline', ...usage.args], json.env, json.root);
      expect(run.code).toBe(2);
      expect(stackTraceLines(run.stderr)).toEqual([]);
      for (const mention of usage.mentions) expect(run.stderr).toMatch(mention);
      if (usage.json) {
        const report = mustParse(run, usage.label);
        expect(report.error).toMatch(/usage error/);
        for (const mention of usage.mentions) expect(report.error).toMatch(mention);
        expect(report.checks).toEqual([]);
      } else {
        // Not JSON, and no support report: stdout carries nothing a pipeline could mistake for results.
        expect(run.stdout).toBe('');
      }
    });
  });
});

describe('junit and github for every fixture scenario', () => {
  let tmpRoot = '';
  const results = new Map<string, { json: ScenarioRun; report: Report; junit: CliRun; github: CliRun }>();

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-formats-all-'));
    const done = await pool(allScenarios, CONCURRENCY, async (s) => {
      const json = await runScenario(s, tmpRoot);
      const base = withoutJson(json);
      const [junit, github] = await Promise.all([runCli([...base, '--format', 'junit'], json.env, json.root), runCli([...base, '--format', 'github'], json.env, json.root)]);
      return { json, report: mustParse(json.cli, s.name), junit, github };
    });
    done.forEach((result) => results.set(result.json.scenario.name, result));
  }, 90_000);

  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it.each(allScenarios.map((s) => [s.name] as const))('%s', (name) => {
    const result = results.get(name);
    if (!result) throw new Error(`${name} did not run`);
    const { json, report, junit, github } = result;
    const problems = junitProblems(junit.stdout, report);
    if (junit.code !== json.cli.code) problems.push(`junit exit code ${junit.code}, JSON ${json.cli.code}`);
    if (github.code !== json.cli.code) problems.push(`github exit code ${github.code}, JSON ${json.cli.code}`);
    const { annotations } = splitGithub(github.stdout);
    const wanted = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.status === 'fail' ? 'error' : 'warning'} ${c.id}`);
    const got = annotations.map((a) => `${a.kind} ${a.title.replace(/^codex-bedrock /, '')}`);
    if (JSON.stringify(got) !== JSON.stringify(wanted)) problems.push(`github annotations ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`);
    for (const secret of Object.entries(json.scenario.env).filter(([k, v]) => /(SECRET|TOKEN|API_?KEY|PASSWORD|SESSION)/i.test(k) && typeof v === 'string' && v.length >= 8).map(([, v]) => v as string)) {
      if (junit.stdout.includes(secret) || github.stdout.includes(secret)) problems.push(`a secret appears: ${secret.slice(0, 10)}…`);
    }
    expect(problems).toEqual([]);
  });
});

describe('secrets are redacted in junit and github output', () => {
  const ACCESS_KEY_ID = 'ASIAFORMATCANARY0001';
  const SECRET_ACCESS_KEY = 'FormatCanarySecretAccessKey/0123456789abc';
  const SESSION_TOKEN = 'FormatCanarySessionToken+AbCdEfGhIjKlMnOpQrSt0123456789==';
  const OPENAI_KEY = 'sk-format-canary-openai-0123456789abcdefghij';
  const HEADER_SECRET = 'FormatCanaryHeaderValue0123456789ABCDEF';
  const BEARER_KEY = `ABSK${Buffer.from('format-canary-user-at-123456789012:FormatCanaryLongTermSecret0123456789').toString('base64')}`;
  let tmpRoot = '';
  let sts: StsServer;
  let echo: import('node:http').Server;
  let echoUrl = '';

  beforeAll(async () => {
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-formats-canary-'));
    sts = await startStsServer({ secrets: new Map([[ACCESS_KEY_ID, { secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN }]]) });
    const http = await import('node:http');
    // Echoes the credential it received inside an error message, as a misbehaving proxy might.
    echo = http.createServer((req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'permission_denied_error', message: `Access denied for ${req.headers.authorization} token ${req.headers['x-amz-security-token'] ?? ''}` } }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}/openai/v1`;
  });

  afterAll(async () => {
    await Promise.all([sts?.close(), new Promise((resolve) => echo?.close(resolve))]);
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('plants canaries in the shell, .env and config.toml; none appears in junit or github output, offline or online', async () => {
    const fragments = (secret: string) => [secret, secret.slice(Math.floor(secret.length / 4), Math.floor(secret.length / 4) + 12)];
    const canaries = [SECRET_ACCESS_KEY, SESSION_TOKEN, encodeURIComponent(SESSION_TOKEN), OPENAI_KEY, HEADER_SECRET, BEARER_KEY].flatMap(fragments);
    const worlds = [
      { name: 'bearer', bearer: BEARER_KEY },
      { name: 'iam', bearer: '' },
    ];
    const runs = await pool(
      worlds.flatMap((world) => [['--format', 'junit'], ['--format', 'github'], ['--format', 'github', '--verbose']].flatMap((format) => [[...format, '--offline'], [...format, '--timeout', '3']].map((args) => ({ world, args })))),
      CONCURRENCY,
      async ({ world, args }) => {
        const root = join(tmpRoot, `${world.name}-${args.join('').replace(/\W/g, '')}`);
        mkdirSync(join(root, 'home', '.codex'), { recursive: true });
        writeFileSync(
          join(root, 'home', '.codex', 'config.toml'),
          ['model_provider = "amazon-bedrock"', 'model = "openai.gpt-5.5"', '', '[model_providers.amazon-bedrock]', `base_url = "${echoUrl}"`, '', '[model_providers.amazon-bedrock.http_headers]', `Authorization = "Bearer ${HEADER_SECRET}"`, '', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', ''].join('\n'),
        );
        writeFileSync(join(root, 'home', '.codex', '.env'), `AWS_SESSION_TOKEN=${SESSION_TOKEN}\n`, { mode: 0o644 });
        const env = cleanEnv(root, { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, AWS_BEARER_TOKEN_BEDROCK: world.bearer, OPENAI_API_KEY: OPENAI_KEY, AWS_ENDPOINT_URL_STS: sts.url });
        return { label: `${world.name} ${args.join(' ')}`, run: await runCli(['doctor', ...args], env, root) };
      },
    );
    const leaks = runs.flatMap(({ label, run }) => canaries.filter((c) => run.stdout.includes(c) || run.stderr.includes(c)).map((c) => `${label}: ${c.slice(0, 8)}…`));
    expect(leaks).toEqual([]);
    // The online runs reached the echoing endpoint, so the risky path was exercised.
    for (const { label, run } of runs.filter((r) => !r.label.includes('--offline'))) expect({ label, denied: /denied/i.test(run.stdout) }).toEqual({ label, denied: true });
  }, 60_000);
});

// ----------------------------------------------------------------------------------------------------------
// --only / --skip

describe('--only and --skip', () => {
  let tmpRoot = '';
  let healthy: ScenarioRun;
  let sts: StsServer;
  let mantle: MantleServer;
  let online: { root: string; env: Record<string, string> };

  const ONLINE_KEY_ID = 'AKIASELECTIONTEST001';
  const ONLINE_SECRET = 'SelectionTestSecretKey0123456789abcdefXYZ';

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-selection-'));
    healthy = await runScenario(scenario('healthy-profile'), tmpRoot);
    const secrets = new Map([[ONLINE_KEY_ID, { secretAccessKey: ONLINE_SECRET }]]);
    sts = await startStsServer({ secrets });
    mantle = await startMantleServer({ secrets, modelsByRegion: { 'us-east-1': ['openai.gpt-5.5'] }, region: 'us-east-1' });
    const root = join(tmpRoot, 'online');
    mkdirSync(join(root, 'home', '.codex'), { recursive: true });
    writeFileSync(
      join(root, 'home', '.codex', 'config.toml'),
      ['model_provider = "amazon-bedrock"', 'model = "openai.gpt-5.5"', '', '[model_providers.amazon-bedrock]', `base_url = "${mantle.baseUrl}"`, '', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"', ''].join('\n'),
    );
    online = { root, env: cleanEnv(root, { AWS_ACCESS_KEY_ID: ONLINE_KEY_ID, AWS_SECRET_ACCESS_KEY: ONLINE_SECRET, AWS_ENDPOINT_URL_STS: sts.url }) };
  }, 30_000);

  afterAll(async () => {
    await Promise.all([sts?.close(), mantle?.close()]);
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  const doctor = (args: string[], where: { root: string; env: Record<string, string> } = healthy) => runCli(['doctor', ...args], where.env, where.root);
  const statuses = (report: Report) => Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
  const reasons = (report: Report) => Object.fromEntries(report.checks.map((check) => [check.id, check.skipReason]));

  it('the online fixture passes every check when nothing is deselected (so skips below come from the flags)', async () => {
    const run = await doctor(['--json', '--timeout', '5'], online);
    const report = mustParse(run, 'online');
    // config.provider warns about the base_url override, env.dotenv about credentials only in the shell.
    expect(statuses(report)).toEqual({
      'codex.version': 'pass',
      'config.provider': 'warn',
      'region.set': 'pass',
      'region.not-govcloud': 'pass',
      'auth.token': 'pass',
      'auth.identity': 'pass',
      'model.id': 'pass',
      'env.dotenv': 'warn',
      'bedrock.responses': 'pass',
    });
    expect(report.checks.find((c) => c.id === 'config.provider')!.summary).toMatch(/base_url/);
    expect(run.code).toBe(0);
  });

  it('--only model.id runs config.provider (its prerequisite) and model.id; everything else is skipped "not selected by --only"', async () => {
    const run = await doctor(['--json', '--offline', '--only', 'model.id']);
    const report = mustParse(run, '--only model.id');
    expect(run.code).toBe(0);
    for (const check of report.checks) {
      if (check.id === 'config.provider' || check.id === 'model.id') expect({ id: check.id, status: check.status }).toEqual({ id: check.id, status: 'pass' });
      else expect({ id: check.id, status: check.status, reason: check.skipReason }).toEqual({ id: check.id, status: 'skip', reason: 'not selected by --only' });
    }
    expect(report.checks.map((check) => check.id)).toEqual([...SPEC_CHECK_IDS]);
  });

  it('--only follows prerequisites transitively (bedrock.responses pulls in regions, auth and model; online)', async () => {
    const run = await doctor(['--json', '--timeout', '5', '--only', 'bedrock.responses'], online);
    const report = mustParse(run, '--only bedrock.responses');
    expect(statuses(report)).toEqual({
      'codex.version': 'skip',
      'config.provider': 'warn',
      'region.set': 'pass',
      'region.not-govcloud': 'pass',
      'auth.token': 'pass',
      'auth.identity': 'pass',
      'model.id': 'pass',
      'env.dotenv': 'skip',
      'bedrock.responses': 'pass',
    });
    expect(reasons(report)['env.dotenv']).toBe('not selected by --only');
    expect(reasons(report)['codex.version']).toBe('not selected by --only');
  });

  it('--skip auth.token skips it "skipped with --skip" and skips auth.identity and bedrock.responses naming auth.token (online)', async () => {
    const requestsBefore = mantle.requests.length + sts.requests.length;
    const run = await doctor(['--json', '--timeout', '5', '--skip', 'auth.token'], online);
    const report = mustParse(run, '--skip auth.token');
    const byId = new Map(report.checks.map((check) => [check.id, check]));
    expect(byId.get('auth.token')).toMatchObject({ status: 'skip', skipReason: 'skipped with --skip' });
    for (const id of ['auth.identity', 'bedrock.responses']) {
      const check = byId.get(id)!;
      expect({ id, status: check.status, namesAuthToken: /auth\.token/.test(check.skipReason ?? '') && /--skip|skipped/.test(check.skipReason ?? '') }).toEqual({ id, status: 'skip', namesAuthToken: true });
      expect(check.summary).toMatch(/auth\.token/);
    }
    for (const id of ['codex.version', 'region.set', 'region.not-govcloud', 'model.id']) expect({ id, status: byId.get(id)!.status }).toEqual({ id, status: 'pass' });
    expect(byId.get('config.provider')!.status).toBe('warn');
    expect(run.code).toBe(0);
    // Nothing reached Mantle or STS: the dependents really did not run.
    expect(mantle.requests.length + sts.requests.length).toBe(requestsBefore);
  });

  it('--skip auth.token offline names auth.token, not --offline, as the reason the dependents were skipped', async () => {
    const run = await doctor(['--json', '--offline', '--skip', 'auth.token']);
    const report = mustParse(run, '--skip auth.token --offline');
    for (const id of ['auth.identity', 'bedrock.responses']) expect({ id, reason: reasons(report)[id] }).toEqual({ id, reason: expect.stringContaining('auth.token') });
  });

  it('comma lists and repeated flags select the same checks', async () => {
    const [commaOnly, repeatedOnly, commaSkip, repeatedSkip, spacedOnly] = await Promise.all([
      doctor(['--json', '--offline', '--only', 'model.id,region.not-govcloud']),
      doctor(['--json', '--offline', '--only', 'model.id', '--only', 'region.not-govcloud']),
      doctor(['--json', '--offline', '--skip', 'env.dotenv,model.id']),
      doctor(['--json', '--offline', '--skip', 'env.dotenv', '--skip=model.id']),
      doctor(['--json', '--offline', '--only=model.id, region.not-govcloud']),
    ]);
    const only = statuses(mustParse(commaOnly, 'comma --only'));
    expect(only).toEqual({
      'codex.version': 'skip',
      'config.provider': 'pass',
      'region.set': 'skip',
      'region.not-govcloud': 'pass',
      'auth.token': 'skip',
      'auth.identity': 'skip',
      'model.id': 'pass',
      'env.dotenv': 'skip',
      'bedrock.responses': 'skip',
    });
    expect(statuses(mustParse(repeatedOnly, 'repeated --only'))).toEqual(only);
    expect(statuses(mustParse(spacedOnly, 'spaced --only'))).toEqual(only);
    const skip = mustParse(commaSkip, 'comma --skip');
    expect(reasons(skip)['env.dotenv']).toBe('skipped with --skip');
    expect(reasons(skip)['model.id']).toBe('skipped with --skip');
    expect(reasons(skip)['bedrock.responses']).toMatch(/model\.id/);
    expect(stable(mustParse(repeatedSkip, 'repeated --skip'))).toEqual(stable(skip));
  });

  it('--skip wins over --only for the same id', async () => {
    const run = await doctor(['--json', '--offline', '--only', 'model.id', '--skip', 'model.id']);
    const report = mustParse(run, '--only model.id --skip model.id');
    expect(reasons(report)['model.id']).toBe('skipped with --skip');
  });

  it('codex.version is never a prerequisite: --skip codex.version skips nothing else', async () => {
    const run = await doctor(['--json', '--offline', '--skip', 'codex.version']);
    const report = mustParse(run, '--skip codex.version');
    const skipped = report.checks.filter((check) => check.status === 'skip').map((check) => [check.id, check.skipReason]);
    expect(skipped).toEqual([
      ['codex.version', 'skipped with --skip'],
      ['auth.identity', 'needs the network, and --offline is set'],
      ['bedrock.responses', 'needs the network, and --offline is set'],
    ]);
  });

  const VALID_IDS = [...SPEC_CHECK_IDS];

  it.each([
    ['--only nosuch', ['--only', 'nosuch'], ['nosuch']],
    ['--skip x,y', ['--skip', 'x,y'], ['x', 'y']],
    ['--only model.id --only bogus.check', ['--only', 'model.id', '--only', 'bogus.check'], ['bogus.check']],
  ] as const)('%s: exit 2, the message names the unknown ids and lists every valid id', async (_label, args, unknown) => {
    const [human, json, formatJson] = await Promise.all([
      doctor(['--offline', ...args]),
      doctor(['--offline', '--json', ...args]),
      doctor(['--offline', '--format', 'json', ...args]),
    ]);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(stackTraceLines(human.stderr)).toEqual([]);
    for (const id of [...unknown, ...VALID_IDS]) expect(human.stderr).toContain(id);
    for (const run of [json, formatJson]) {
      expect(run.code).toBe(2);
      const report = mustParse(run, `${args.join(' ')} --json`);
      expect(report.error).toEqual(expect.stringContaining('usage error'));
      for (const id of [...unknown, ...VALID_IDS]) expect(report.error).toContain(id);
      expect(report.checks).toEqual([]);
    }
  });

  it('an empty --only is a usage error too', async () => {
    const run = await doctor(['--offline', '--json', '--only', ',']);
    expect(run.code).toBe(2);
    expect(mustParse(run, '--only ,').error).toMatch(/--only/);
  });
});
