import { buildReport } from '../report/report.js';
import { visibleLine } from '../report/terminalSafe.js';
import { TOOL_VERSION } from '../version.js';
import { parseCommandLine } from './args.js';
import { runDoctor } from './doctor.js';
import type { DoctorOptions } from './options.js';

/** Network steps that may each take up to --timeout: credentials, STS, the Responses call, the model list. */
const NETWORK_STEPS = 4;
/**
 * The longest --timeout accepted. Each step has its own timeout, so ten minutes per step is already far beyond
 * any AWS call; larger values would also overflow Node's timers (2^31 - 1 ms), which then fire at once.
 */
const MAX_TIMEOUT_SECONDS = 600;

function errorDocument(message: string): string {
  return `${JSON.stringify(buildReport({ version: TOOL_VERSION, generatedAt: new Date(), setup: null, results: [], error: message }), null, 2)}\n`;
}

/**
 * Every network step has its own timeout; this ceiling is the backstop for a bug or a hung dependency, so the
 * doctor itself can never hang a CI job.
 */
function armHardCeiling(options: DoctorOptions): void {
  const ceilingMs = Math.round((options.timeoutSeconds * (NETWORK_STEPS + 1) + 5) * 1000);
  setTimeout(() => {
    const message = `internal error: gave up after ${Math.round(ceilingMs / 1000)} s (the hard ceiling of the whole run)`;
    process.stderr.write(`codex-bedrock: ${message}\n`);
    if (options.format === 'json') process.stdout.write(errorDocument(message));
    process.exit(2);
  }, ceilingMs).unref();
}

/** chalk's own terminal detection (NO_COLOR, FORCE_COLOR, TTY); loaded only when colour could be shown. */
async function colorLevel(options: DoctorOptions): Promise<0 | 1 | 2 | 3> {
  if (options.format !== 'human' || !options.color) return 0;
  // SPEC: colour only on a TTY (chalk would also colour for some CI services on a pipe), unless FORCE_COLOR.
  if (process.stdout.isTTY !== true && process.env['FORCE_COLOR'] === undefined) return 0;
  const { supportsColor } = await import('chalk');
  return supportsColor ? supportsColor.level : 0;
}

/**
 * What the option parser cannot say well: `--timeout -1` reads as a missing value (the -1 looks like a flag),
 * and huge values overflow timers. Returns the message of a usage error, or null.
 */
function timeoutProblem(argv: readonly string[], timeoutSeconds: number | null): string | null {
  const at = argv.indexOf('--timeout');
  const next = at >= 0 ? argv[at + 1] : undefined;
  if (next !== undefined && /^-\d|^-\.\d|^-Infinity$/.test(next)) return `--timeout must be a positive number of seconds (got ${next})`;
  if (timeoutSeconds !== null && timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    return `--timeout must be at most ${MAX_TIMEOUT_SECONDS} seconds (got ${timeoutSeconds}); it limits each network step, and no AWS call needs longer`;
  }
  return null;
}

function usageError(message: string, wantsJson: boolean): number {
  process.stderr.write(`codex-bedrock: usage error: ${visibleLine(message)}\nRun codex-bedrock doctor --help for the options.\n`);
  if (wantsJson) process.stdout.write(errorDocument(`usage error: ${message}`));
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv, process.env, process.stdout.columns);
  const badTimeout = timeoutProblem(argv, command.kind === 'run' ? command.options.timeoutSeconds : null);
  if (badTimeout && command.kind === 'run') return usageError(badTimeout, command.options.format === 'json');
  if (command.kind === 'print') {
    process.stdout.write(command.text);
    return 0;
  }
  if (command.kind === 'usage-error') return usageError(command.message, command.wantsJson);
  const options = command.options;
  armHardCeiling(options);
  // Snapshot the shell before silencing the AWS SDK's Node-version notice, which would pollute stderr.
  const shellEnv = { ...process.env };
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  try {
    return await runDoctor(options, {
      shellEnv,
      stdout: process.stdout,
      stderr: process.stderr,
      stdoutIsTTY: process.stdout.isTTY === true,
      ...(process.stdout.isTTY === true && process.stdout.columns > 0 ? { stdoutColumns: process.stdout.columns } : {}),
      colorLevel: await colorLevel(options),
      now: () => new Date(),
    });
  } catch (error) {
    // Whatever went wrong, --json still prints one valid document (SPEC section 2).
    const message = `internal error: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`codex-bedrock: ${visibleLine(message)}\n`);
    if (options.format === 'json') process.stdout.write(errorDocument(message));
    return 2;
  }
}

/** Set when stdout refuses a write (a full disk, /dev/full, a closed pipe): the report was lost. */
let outputLost: NodeJS.ErrnoException | null = null;
process.stdout.on('error', (error: NodeJS.ErrnoException) => (outputLost ??= error));

/**
 * Exits once stdout has drained, so a lingering socket (a timed-out SDK call) can never keep the process alive.
 * Output that could not be written is a failure of the run, whatever the checks said.
 */
function exitAfterFlush(code: number): void {
  process.stdout.write('', (error) => {
    const lost = outputLost ?? (error as NodeJS.ErrnoException | null | undefined);
    if (lost) {
      process.stderr.write(`codex-bedrock: error: the output could not be written to stdout (${lost.code ?? lost.message})\n`);
      process.exit(2);
    }
    process.exit(code);
  });
}

main(process.argv.slice(2)).then(exitAfterFlush, (error: unknown) => {
  process.stderr.write(`codex-bedrock: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  exitAfterFlush(2);
});
