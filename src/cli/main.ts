import { buildReport } from '../report/report.js';
import { TOOL_VERSION } from '../version.js';
import { HELP_TEXT, parseCommandLine } from './args.js';
import { runDoctor } from './doctor.js';
import { emptyReport, runFix, type FixOptions } from './fix.js';
import type { DoctorOptions } from './options.js';

/** Network steps that may each take up to --timeout: credentials, STS, the Responses call, the model list. */
const NETWORK_STEPS = 4;

function errorDocument(message: string): string {
  return `${JSON.stringify(buildReport({ version: TOOL_VERSION, generatedAt: new Date(), setup: null, results: [], error: message }), null, 2)}\n`;
}

/**
 * Every network step has its own timeout; this ceiling is the backstop for a bug or a hung dependency, so the
 * doctor itself can never hang a CI job.
 */
function armHardCeiling(options: DoctorOptions): void {
  const ceilingMs = (options.timeoutSeconds * (NETWORK_STEPS + 1) + 5) * 1000;
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

export async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv);
  if (command.kind === 'help') {
    process.stdout.write('text' in command ? command.text : HELP_TEXT);
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  if (command.kind === 'usage-error') {
    process.stderr.write(`codex-bedrock: usage error: ${command.message}\nRun codex-bedrock ${argv[0] === 'fix' ? 'fix' : 'doctor'} --help for the options.\n`);
    if (command.wantsJson) process.stdout.write(errorDocument(`usage error: ${command.message}`));
    return 2;
  }
  if (command.kind === 'fix') return fixCommand(command.options);
  const options = command.options;
  armHardCeiling(options);
  // Snapshot the shell before silencing the AWS SDK's Node-version notice, which would pollute stderr.
  const shellEnv = { ...process.env };
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return runDoctor(options, {
    shellEnv,
    stdout: process.stdout,
    stderr: process.stderr,
    stdoutIsTTY: process.stdout.isTTY === true,
    colorLevel: await colorLevel(options),
    now: () => new Date(),
  });
}

/**
 * fix runs the doctor twice; the same backstop as doctor's covers both runs. The clock stops while a question
 * waits for a person, and starts again (with the full allowance) once it is answered.
 */
function fixCeiling(options: FixOptions): { pause(): void; arm(): void } {
  const ceilingMs = 2 * (options.timeoutSeconds * (NETWORK_STEPS + 1) + 5) * 1000;
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    timer = setTimeout(() => {
      const message = `internal error: gave up after ${Math.round(ceilingMs / 1000)} s (the hard ceiling of the whole run)`;
      process.stderr.write(`codex-bedrock: ${message}\n`);
      if (options.json) process.stdout.write(`${JSON.stringify({ ...emptyReport(options), error: message }, null, 2)}\n`);
      process.exit(2);
    }, ceilingMs).unref();
  };
  return { arm, pause: () => timer && clearTimeout(timer) };
}

/** `codex-bedrock fix`: questions go to the terminal (stderr), and only when stdin and stderr are one. */
async function fixCommand(options: FixOptions): Promise<number> {
  const ceiling = fixCeiling(options);
  ceiling.arm();
  const shellEnv = { ...process.env };
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const { createInterface } = await import('node:readline/promises');
  const ask = async (question: string) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    // End of input (Ctrl-D) or Ctrl-C closes the interface: that is "no answer", never a wait.
    const closed = new Promise<null>((resolve) => terminal.once('close', () => resolve(null)));
    ceiling.pause();
    try {
      return await Promise.race([terminal.question(question), closed]);
    } catch {
      return null;
    } finally {
      terminal.close();
      ceiling.arm();
    }
  };
  return runFix(options, {
    shellEnv,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
    ask,
    now: () => new Date(),
  });
}

/** Exits once stdout has drained, so a lingering socket (a timed-out SDK call) can never keep the process alive. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterFlush, (error: unknown) => {
  process.stderr.write(`codex-bedrock: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  exitAfterFlush(2);
});
