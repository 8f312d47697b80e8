/**
 * Bad input, end to end (SPEC section 7: "Bad input gets a clear message and a non-crashing exit"): binary,
 * huge, invalid UTF-8, unreadable files, directories where files are expected, symlink loops, a missing
 * Codex home, and malformed arguments. The bad files are generated in a temporary directory at test time;
 * the BUILT CLI runs against them as a child process with a clean environment (helpers/scenarios.ts).
 *
 * Every case asserts: the child exits by itself (no timeout, no signal) with the expected code, stderr
 * holds no stack trace, stdout is exactly one JSON document whose counts agree with its checks, and the
 * finding names the offending file.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  assertBuilt,
  cleanEnv,
  parseReport,
  pool,
  reportInvariants,
  runCli,
  stackTraceLines,
  type CliRun,
  type Report,
  type ReportCheck,
} from './helpers/scenarios.js';

const HEALTHY_CONFIG = 'model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n\n[model_providers.amazon-bedrock.aws]\nregion = "us-east-1"\n';
const FAKE_KEY = 'ABSKZml4dHVyZS11c2VyLWF0LTEyMzQ1Njc4OTAxMjpGQUtFU0VDUkVURkFLRVNFQ1JFVEZBS0VTRUNSRVRGQUtFU0VDUkVUMDA=';
const NUL_BYTES = Buffer.from([0x00, 0x01, 0x02, 0x00, 0xff, 0xfe, 0x00]);
const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]);

interface Paths {
  root: string;
  home: string;
  codexHome: string;
  config: string;
  dotenv: string;
}

interface Case {
  name: string;
  /** Creates the bad input under the case's root (home/.codex already exists). */
  setup: (paths: Paths) => void;
  args?: (paths: Paths) => string[];
  env?: (paths: Paths) => Record<string, string | null>;
  /** Replaces `doctor --json --offline` entirely (for argument errors before the command). */
  rawArgs?: string[];
  /** Assertions beyond the common ones (which already checked that stdout is one JSON document). */
  verify: (run: CliRun, report: Report, paths: Paths) => void;
}

function check(report: Report, id: string): ReportCheck {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`${id} is missing from the report; checks: ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** A finding (not a tool error): exit 1, the check fails, and its summary names the file and the reason. */
function expectFileFailure(run: CliRun, report: Report, id: string, path: string, reason: RegExp): void {
  const found = check(report, id);
  expect({ exit: run.code, status: found.status, error: report.error }).toEqual({ exit: 1, status: 'fail', error: null });
  expect(found.summary).toContain(path);
  expect(withoutPaths(found.summary)).toMatch(reason);
}

/** The reason must be in the words, not in a path that happens to contain them. */
function withoutPaths(text: string): string {
  return text.split(tmpRoot).join('<tmp>');
}

/** A usage error: exit 2, a one-line reason on stderr, and still one JSON document with `error` set. */
function expectUsageError(run: CliRun, report: Report, stderrPattern: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(stderrPattern);
  expect(typeof report.error).toBe('string');
  expect(report.error).toMatch(stderrPattern);
  expect(report.overallStatus).toBe('fail');
  expect(report.checks).toEqual([]);
}

/** Root reads a mode-000 file anyway; the expectation depends on what this process can actually do. */
function canRead(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

let unreadableIsReadable: boolean | null = null;
/** Case folders are named case-NN, so no path can contain a word a reason is matched against. */
const tmpRoot = mkdtempSync(join(tmpdir(), 'cb-bad-'));

const cases: Case[] = [
  {
    name: 'config.toml is a binary file (NUL bytes)',
    setup: ({ config }) => writeFileSync(config, Buffer.concat([Buffer.from('model_provider = "amazon-bedrock"\n'), NUL_BYTES])),
    verify: (run, report, { config }) => expectFileFailure(run, report, 'config.provider', config, /binary|NUL|not text/i),
  },
  {
    name: 'config.toml is huge (> 1 MiB)',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG + `# ${'x'.repeat(76)}\n`.repeat(20_000)),
    verify: (run, report, { config }) => expectFileFailure(run, report, 'config.provider', config, /too large|larger|bytes/i),
  },
  {
    name: 'config.toml is not valid UTF-8',
    setup: ({ config }) => writeFileSync(config, Buffer.concat([Buffer.from('model_provider = "amazon-bedrock"\nmodel = "openai.'), INVALID_UTF8, Buffer.from('"\n')])),
    verify: (run, report, { config }) => expectFileFailure(run, report, 'config.provider', config, /UTF-8/i),
  },
  {
    name: 'config.toml is a directory',
    setup: ({ config }) => mkdirSync(config),
    verify: (run, report, { config }) => expectFileFailure(run, report, 'config.provider', config, /directory/i),
  },
  {
    name: 'config.toml is a symlink loop',
    setup: ({ config, codexHome }) => {
      symlinkSync(join(codexHome, 'loop.toml'), config);
      symlinkSync(config, join(codexHome, 'loop.toml'));
    },
    verify: (run, report, { config }) => expectFileFailure(run, report, 'config.provider', config, /loop/i),
  },
  {
    name: 'config.toml is unreadable (mode 000)',
    setup: ({ config }) => {
      writeFileSync(config, HEALTHY_CONFIG);
      chmodSync(config, 0o000);
      unreadableIsReadable = canRead(config);
    },
    verify: (run, report, { config }) => {
      if (unreadableIsReadable) {
        // Running as root (or with CAP_DAC_OVERRIDE): the file is readable, so Codex and the doctor read it normally.
        const provider = check(report, 'config.provider');
        expect({ exit: run.code, status: provider.status }).toEqual({ exit: 0, status: 'pass' });
        expect(provider.summary).toContain(config);
      } else {
        expectFileFailure(run, report, 'config.provider', config, /permission denied|cannot be read|not readable/i);
      }
    },
  },
  {
    name: 'the managed config is a binary file',
    setup: ({ config, root }) => {
      writeFileSync(config, HEALTHY_CONFIG);
      mkdirSync(join(root, 'etc'));
      writeFileSync(join(root, 'etc', 'managed_config.toml'), NUL_BYTES);
    },
    verify: (run, report, { root }) => expectFileFailure(run, report, 'config.provider', join(root, 'etc', 'managed_config.toml'), /binary|NUL|not text/i),
  },
  {
    name: '--profile names a profile file that is a directory',
    setup: ({ config, codexHome }) => {
      writeFileSync(config, HEALTHY_CONFIG);
      mkdirSync(join(codexHome, 'work.config.toml'));
    },
    args: () => ['--profile', 'work'],
    verify: (run, report, { codexHome }) => expectFileFailure(run, report, 'config.provider', join(codexHome, 'work.config.toml'), /directory/i),
  },
  ...(
    [
      ['binary', (dotenv: string) => writeFileSync(dotenv, Buffer.concat([Buffer.from(`AWS_BEARER_TOKEN_BEDROCK=${FAKE_KEY}\n`), NUL_BYTES])), /binary|NUL|not text/i],
      ['a directory', (dotenv: string) => mkdirSync(dotenv), /directory/i],
      ['not valid UTF-8', (dotenv: string) => writeFileSync(dotenv, Buffer.concat([Buffer.from('AWS_REGION=us-east-'), INVALID_UTF8, Buffer.from('\n')])), /UTF-8/i],
    ] as const
  ).map(
    ([what, make, reason]): Case => ({
      name: `.env is ${what}`,
      setup: ({ config, dotenv }) => {
        writeFileSync(config, HEALTHY_CONFIG);
        make(dotenv);
      },
      verify: (run, report, { dotenv }) => {
        const found = check(report, 'env.dotenv');
        // Codex skips a .env it cannot read; the doctor must say so (warn or fail), naming the file.
        expect(['warn', 'fail']).toContain(found.status);
        expect(run.code).toBe(found.status === 'fail' ? 1 : 0);
        expect(report.error).toBeNull();
        expect(found.summary).toContain(dotenv);
        expect(withoutPaths(found.summary)).toMatch(reason);
        expect(found.remediation ?? '').toContain(dotenv);
        expect(check(report, 'config.provider').status).toBe('pass');
        expect(run.stdout).not.toContain(FAKE_KEY);
      },
    }),
  ),
  {
    name: 'CODEX_HOME does not exist',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    env: ({ root }) => ({ CODEX_HOME: join(root, 'missing-codex-home') }),
    verify: (run, report, { root }) => {
      expectFileFailure(run, report, 'config.provider', join(root, 'missing-codex-home'), /does not exist/i);
      expect(check(report, 'config.provider').summary).toContain('CODEX_HOME');
      expect(report.setup.codexHome).toBe(join(root, 'missing-codex-home'));
    },
  },
  {
    name: '--codex-home names a directory that does not exist (the flag beats CODEX_HOME)',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    args: ({ root }) => ['--codex-home', join(root, 'nowhere')],
    verify: (run, report, { root }) => {
      expectFileFailure(run, report, 'config.provider', join(root, 'nowhere'), /does not exist/i);
      expect(check(report, 'config.provider').summary).toContain('--codex-home');
    },
  },
  {
    name: 'CODEX_HOME is a regular file',
    setup: ({ root }) => writeFileSync(join(root, 'not-a-dir'), 'just a file\n'),
    env: ({ root }) => ({ CODEX_HOME: join(root, 'not-a-dir') }),
    verify: (run, report, { root }) => expectFileFailure(run, report, 'config.provider', join(root, 'not-a-dir'), /not a directory/i),
  },
  {
    name: '~/.aws/config is a binary file on the profile path (its region cannot be read)',
    setup: ({ config, home }) => {
      writeFileSync(config, 'model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n\n[model_providers.amazon-bedrock.aws]\nprofile = "codex-dev"\n');
      mkdirSync(join(home, '.aws'));
      writeFileSync(join(home, '.aws', 'config'), Buffer.concat([Buffer.from('[profile codex-dev]\nregion = us-east-1\n'), NUL_BYTES]));
    },
    verify: (run, report, { home }) => {
      expect([0, 1]).toContain(run.code);
      expect(report.error).toBeNull();
      // "No region found" (or "profile does not exist") alone would send the user looking in the wrong place:
      // the region and profile are in a file the doctor cannot read. Some finding must name that file and why.
      const awsConfig = join(home, '.aws', 'config');
      const naming = report.checks.filter((c) =>
        [c.summary, ...c.details].some((text) => text.includes(awsConfig) && /binary|NUL|not text|cannot be read|unreadable/i.test(withoutPaths(text))),
      );
      if (naming.length === 0) {
        const said = report.checks.filter((c) => c.status !== 'skip').map((c) => `${c.id} [${c.status}]: ${withoutPaths(c.summary)}`);
        throw new Error(`no finding says that ${withoutPaths(awsConfig)} cannot be read (it is binary); the report says:\n${said.join('\n')}`);
      }
    },
  },
  {
    name: 'malformed -c (missing "=")',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    args: () => ['-c', 'model_provider'],
    verify: (run, report) => {
      expectUsageError(run, report, /missing '='/);
      // Names which -c is wrong without echoing its text (people paste secrets into -c values).
      expect(run.stderr).toContain('-c #1');
      expect(run.stderr).not.toContain('model_provider');
    },
  },
  {
    name: 'malformed -c (empty key)',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    args: () => ['-c', '=amazon-bedrock'],
    verify: (run, report) => expectUsageError(run, report, /empty key/i),
  },
  {
    name: '--timeout -1',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    args: () => ['--timeout', '-1'],
    verify: (run, report) => expectUsageError(run, report, /--timeout/),
  },
  {
    name: '--timeout that is not a number',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    args: () => ['--timeout', 'soon'],
    verify: (run, report) => expectUsageError(run, report, /--timeout/),
  },
  {
    name: 'an unknown option',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    args: () => ['--frobnicate-harder'],
    verify: (run, report) => expectUsageError(run, report, /unknown.*frobnicate-harder/i),
  },
  {
    name: 'an unknown command',
    setup: ({ config }) => writeFileSync(config, HEALTHY_CONFIG),
    rawArgs: ['frobnicate', '--json'],
    verify: (run, report) => expectUsageError(run, report, /frobnicate/),
  },
];

describe('bad input, end to end', () => {
  const runs = new Map<string, { run: CliRun; paths: Paths }>();

  beforeAll(async () => {
    assertBuilt();
    const results = await pool(cases, 4, async (testCase) => {
      const root = join(tmpRoot, `case-${String(cases.indexOf(testCase)).padStart(2, '0')}`);
      const home = join(root, 'home');
      const codexHome = join(home, '.codex');
      mkdirSync(codexHome, { recursive: true });
      const paths: Paths = { root, home, codexHome, config: join(codexHome, 'config.toml'), dotenv: join(codexHome, '.env') };
      testCase.setup(paths);
      const args = testCase.rawArgs ?? ['doctor', '--json', '--offline', ...(testCase.args?.(paths) ?? [])];
      const run = await runCli(args, cleanEnv(root, testCase.env?.(paths) ?? {}), root);
      return { name: testCase.name, run, paths };
    });
    results.forEach(({ name, run, paths }) => runs.set(name, { run, paths }));
  }, 120_000);

  afterAll(() => {
    // Give back read permission so the clean-up can remove everything even when not running as root.
    for (const { paths } of runs.values()) {
      try {
        chmodSync(paths.config, 0o600);
      } catch {
        // not every case has a regular config.toml
      }
    }
    rmSync(tmpRoot, { recursive: true, force: true });
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const entry = runs.get(testCase.name);
    if (!entry) throw new Error(`${testCase.name} did not run (see the beforeAll failure)`);
    const { run, paths } = entry;
    expect({ timedOut: run.timedOut, signal: run.signal, spawnError: run.spawnError }).toEqual({ timedOut: false, signal: null, spawnError: null });
    expect(stackTraceLines(run.stderr)).toEqual([]);
    expect(run.stderr).not.toMatch(/internal error|TypeError|RangeError|ReferenceError/);
    const parsed = parseReport(run.stdout);
    if ('problem' in parsed) throw new Error(parsed.problem);
    expect(reportInvariants(parsed.report)).toEqual([]);
    testCase.verify(run, parsed.report, paths);
  });
});
