import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { supportsColor } from 'chalk';
import { buildReport } from '../report/report.js';
import { TOOL_VERSION } from '../version.js';
import { runDoctor } from './doctor.js';
import type { DoctorOptions } from './options.js';

/** Usage errors (exit 2). With --json the document still goes to stdout, its `error` saying what went wrong. */
function usageFailure(message: string, wantsJson: boolean): never {
  process.stderr.write(`codex-bedrock: usage error: ${message}\nRun codex-bedrock doctor --help for the options.\n`);
  if (wantsJson) {
    const report = buildReport({ version: TOOL_VERSION, generatedAt: new Date(), setup: null, results: [], error: `usage error: ${message}` });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  }
  process.exit(2);
}

function doctorOptions(y: Argv) {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'Print the JSON report on stdout (nothing else goes to stdout)' })
    .option('offline', { type: 'boolean', default: false, describe: 'Run only the checks that need no network' })
    .option('codex-home', { type: 'string', describe: 'Codex home (default: $CODEX_HOME, else ~/.codex)' })
    .option('profile', { alias: 'p', type: 'string', describe: 'Codex profile: layers $CODEX_HOME/NAME.config.toml over config.toml' })
    .option('config', { alias: 'c', type: 'string', describe: 'Codex config override KEY=VALUE (repeatable; as codex -c)' })
    .option('model', { alias: 'm', type: 'string', describe: 'Model override (as codex -m)' })
    .option('timeout', { type: 'number', default: 10, describe: 'Time limit in seconds for each network step' })
    .option('strict', { type: 'boolean', default: false, describe: 'Warnings also make the exit code 1' })
    .option('allow-govcloud', { type: 'boolean', default: false, describe: 'Report a GovCloud region as a warning instead of a failure' })
    .option('verbose', { type: 'boolean', default: false, describe: 'Show details for passing checks too' })
    .option('color', { type: 'boolean', default: true, describe: 'Colour on a terminal (--no-color turns it off; NO_COLOR and FORCE_COLOR are honoured)' });
}

/** Network steps that may each take up to --timeout: credentials, STS, the Responses call, the model list. */
const NETWORK_STEPS = 4;

/**
 * Every network step has its own timeout; this ceiling is the backstop for a bug or a hung dependency, so the
 * doctor itself can never hang a CI job.
 */
function armHardCeiling(options: DoctorOptions, wantsJson: boolean): void {
  const ceilingMs = (options.timeoutSeconds * (NETWORK_STEPS + 1) + 5) * 1000;
  setTimeout(() => {
    const message = `gave up after ${Math.round(ceilingMs / 1000)} s (the hard ceiling of the whole run)`;
    process.stderr.write(`codex-bedrock: internal error: ${message}\n`);
    if (wantsJson) {
      const report = buildReport({ version: TOOL_VERSION, generatedAt: new Date(), setup: null, results: [], error: message });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
    process.exit(2);
  }, ceilingMs).unref();
}

export async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  const parsed = await yargs(argv)
    .scriptName('codex-bedrock')
    .usage('$0 doctor [options]\n\nTells whether OpenAI Codex will work with Amazon Bedrock on this machine, and if not, what to change.')
    .command('doctor', 'Check this machine’s Codex + Amazon Bedrock setup', doctorOptions)
    .demandCommand(1, 'Name a command: codex-bedrock doctor')
    // Dashed names only: camel-case twins would double every "Unknown argument" in messages.
    .parserConfiguration({ 'camel-case-expansion': false })
    .strictCommands()
    .strict()
    .version(TOOL_VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => usageFailure(message || error?.message || 'invalid arguments', wantsJson))
    .parseAsync();

  const timeout = Number(parsed['timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    const flagAt = argv.lastIndexOf('--timeout');
    const given = flagAt >= 0 ? argv[flagAt + 1] : argv.find((arg) => arg.startsWith('--timeout='))?.slice('--timeout='.length);
    usageFailure(`--timeout must be a positive number of seconds (got ${JSON.stringify(given ?? String(parsed['timeout']))})`, wantsJson);
  }
  const asList = (value: unknown): string[] => (value === undefined ? [] : ([] as unknown[]).concat(value).map(String));
  const optional = (value: unknown): string | undefined => (value === undefined ? undefined : String(asList(value).at(-1)));
  const options: DoctorOptions = {
    format: parsed['json'] ? 'json' : 'human',
    offline: Boolean(parsed['offline']),
    codexHome: optional(parsed['codex-home']),
    profile: optional(parsed['profile']),
    configOverrides: asList(parsed['config']),
    model: optional(parsed['model']),
    timeoutSeconds: timeout,
    strict: Boolean(parsed['strict']),
    allowGovcloud: Boolean(parsed['allow-govcloud']),
    verbose: Boolean(parsed['verbose']),
    color: parsed['color'] !== false,
  };
  armHardCeiling(options, wantsJson);
  // Snapshot the shell before silencing the AWS SDK's Node-version notice, which would pollute stderr.
  const shellEnv = { ...process.env };
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return runDoctor(options, {
    shellEnv,
    stdout: process.stdout,
    stderr: process.stderr,
    stdoutIsTTY: process.stdout.isTTY === true,
    colorLevel: supportsColor ? supportsColor.level : 0,
    now: () => new Date(),
  });
}

/** Exits once stdout has drained, so a lingering socket (a timed-out SDK call) can never keep the process alive. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(hideBin(process.argv)).then(exitAfterFlush, (error: unknown) => {
  process.stderr.write(`codex-bedrock: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  exitAfterFlush(2);
});
