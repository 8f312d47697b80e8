/**
 * The command line (yargs): every option keeps its meaning, mistyped flags, commands and check ids get a
 * "did you mean", a bare `codex-bedrock` prints help, `-V` the version, `completion` a shell script, and
 * NO_COLOR turns colour off. parseCommandLine is pure over argv and env; a few cases also run the built CLI.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, type ParsedCommandLine } from '../src/cli/args.js';
import type { DoctorOptions } from '../src/cli/options.js';
import { TOOL_VERSION } from '../src/version.js';
import { assertBuilt, cleanEnv, runCli } from './helpers/scenarios.js';

function options(argv: string[], env: Record<string, string> = {}): DoctorOptions {
  const parsed = parseCommandLine(argv, env);
  if (parsed.kind !== 'run') throw new Error(`expected a run for ${argv.join(' ')}, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function usageError(argv: string[]): string {
  const parsed = parseCommandLine(argv, {});
  if (parsed.kind !== 'usage-error') throw new Error(`expected a usage error for ${argv.join(' ')}, got ${JSON.stringify(parsed).slice(0, 300)}`);
  return parsed.message;
}

function printed(argv: string[]): string {
  const parsed: ParsedCommandLine = parseCommandLine(argv, {});
  if (parsed.kind !== 'print') throw new Error(`expected printed text for ${argv.join(' ')}, got ${JSON.stringify(parsed).slice(0, 300)}`);
  return parsed.text;
}

describe('every option keeps its meaning', () => {
  it('defaults', () => {
    expect(options(['doctor'])).toEqual({
      format: 'human', offline: false, configOverrides: [], timeoutSeconds: 10, strict: false, allowGovcloud: false, verbose: false,
      color: true, only: null, skip: [], reportPath: null,
    });
  });

  it('all options at once, short and long forms', () => {
    expect(
      options(['doctor', '--json', '--offline', '--codex-home', '/h', '-p', 'work', '-c', 'a=1', '--config', 'b="x y"', '-m', 'openai.gpt-5.5', '--codex-version', '0.150.0',
        '--only', 'model.id,region.set', '--skip', 'codex.version', '--report', 'r.md', '--timeout', '2.5', '--strict', '--allow-govcloud', '--verbose', '--no-color']),
    ).toEqual({
      format: 'json', offline: true, codexHome: '/h', profile: 'work', configOverrides: ['a=1', 'b="x y"'], model: 'openai.gpt-5.5', codexVersion: '0.150.0',
      timeoutSeconds: 2.5, strict: true, allowGovcloud: true, verbose: true, color: false, only: ['model.id', 'region.set'], skip: ['codex.version'], reportPath: 'r.md',
    });
  });

  it.each([
    [['doctor', '--format', 'junit'], { format: 'junit' }],
    [['doctor', '--format=github'], { format: 'github' }],
    [['doctor', '--json', '--format', 'json'], { format: 'json' }],
    [['doctor', '--report', '-'], { reportPath: '-' }],
    [['doctor', '--only', 'model.id', '--only', 'auth.token'], { only: ['model.id', 'auth.token'] }],
    [['doctor', '-p', 'a', '-p', 'b'], { profile: 'b' }],
    [['doctor', '-m', '"quoted"'], { model: '"quoted"' }],
    [['doctor', '-m', ' spaced '], { model: ' spaced ' }],
    [['doctor', '-m', '5'], { model: '5' }],
    [['doctor', '--profile=a=b'], { profile: 'a=b' }],
    [['doctor', '--junit', 'out.xml'], { junitPath: 'out.xml' }],
  ] as const)('%j', (argv, expected) => {
    expect(options([...argv])).toEqual(expect.objectContaining(expected));
  });

  it('NO_COLOR (any value but empty) turns colour off; empty NO_COLOR does not', () => {
    expect(options(['doctor'], { NO_COLOR: '1' }).color).toBe(false);
    expect(options(['doctor'], { NO_COLOR: '' }).color).toBe(true);
  });
});

describe('usage errors say what was meant', () => {
  it.each([
    [['doctor', '--strcit'], 'unknown option --strcit (did you mean --strict?)'],
    [['doctor', '--jsno'], 'unknown option --jsno (did you mean --json?)'],
    [['doctor', '--ofline'], 'unknown option --ofline (did you mean --offline?)'],
    [['doctor', '--allow-gov-cloud'], 'unknown option --allow-gov-cloud (did you mean --allow-govcloud?)'],
    [['doctor', '--frobnicate'], 'unknown option --frobnicate'],
    [['doctr'], 'unexpected argument "doctr" (did you mean doctor?)'],
    [['doctor', 'extra'], 'unexpected argument "extra"'],
    [['doctor', '--only', 'modle.id'], '--only: unknown check id modle.id (did you mean model.id?)'],
    [['doctor', '--skip', 'auth.tokens,bedrock.response'], '--skip: unknown check ids auth.tokens (did you mean auth.token?), bedrock.response (did you mean bedrock.responses?)'],
    [['doctor', '--format'], 'option --format needs a value'],
    [['doctor', '--format', 'xml'], '--format must be one of human, json, junit, github'],
    [['doctor', '--json', '--format', 'junit'], '--json and --format junit contradict each other'],
    [['doctor', '--timeout', '0'], '--timeout must be a positive number'],
    [['doctor', '--codex-version', ' '], '--codex-version needs a release number such as 0.171.0'],
    [['doctor', '--junit'], 'option --junit needs a value'],
  ] as const)('%j', (argv, message) => {
    expect(usageError([...argv])).toContain(message);
  });

  it('a mistyped flag does not suggest anything when nothing is close', () => {
    expect(usageError(['doctor', '--zzzzzzzz'])).not.toContain('did you mean');
  });

  it('wantsJson is set so that --json still gets a JSON document', () => {
    expect(parseCommandLine(['doctor', '--json', '--strcit'], {})).toEqual(expect.objectContaining({ kind: 'usage-error', wantsJson: true }));
  });
});

describe('help, version and completion are printed, not errors', () => {
  it('a bare codex-bedrock prints the help', () => {
    const help = printed([]);
    expect(help).toContain('Usage: codex-bedrock doctor [options]');
    expect(help).toContain('codex-bedrock completion');
    expect(help).toContain('Exit codes:');
  });

  it('doctor --help lists every option', () => {
    const help = printed(['doctor', '--help']);
    for (const flag of ['--json', '--format', '--offline', '--codex-home', '--profile', '--config', '--model', '--codex-version', '--only', '--skip', '--report', '--timeout', '--strict', '--allow-govcloud', '--verbose', '--color']) {
      expect(help).toContain(flag);
    }
  });

  it.each([['-V'], ['--version']])('%s prints the version', (flag) => {
    expect(printed([flag])).toBe(`${TOOL_VERSION}\n`);
  });

  it('completion prints a bash script that asks codex-bedrock for candidates', () => {
    expect(printed(['completion'])).toContain('codex-bedrock --get-yargs-completions');
  });

  it('completion candidates for doctor options', () => {
    const candidates = printed(['--get-yargs-completions', 'codex-bedrock', 'doctor', '--']).split('\n');
    expect(candidates).toEqual(expect.arrayContaining(['--json', '--offline', '--strict', '--codex-version']));
  });
});

describe('the built CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'args-'));

  it('bare: help on stdout, exit 0; -V: the version', async () => {
    assertBuilt();
    const [bare, version] = await Promise.all([runCli([], cleanEnv(root), root), runCli(['-V'], cleanEnv(root), root)]);
    expect({ code: bare.code, stderr: bare.stderr }).toEqual({ code: 0, stderr: '' });
    expect(bare.stdout).toContain('Usage: codex-bedrock doctor');
    expect({ code: version.code, stdout: version.stdout }).toEqual({ code: 0, stdout: `${TOOL_VERSION}\n` });
  });

  it('a mistyped flag: exit 2 with the suggestion on stderr', async () => {
    const run = await runCli(['doctor', '--strcit'], cleanEnv(root), root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean --strict?');
    expect(run.stdout).toBe('');
  });
});
