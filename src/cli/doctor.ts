import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { detectCodexInstalls } from '../codex/detect.js';
import { diskProbes } from '../codex/diskProbes.js';
import { chooseCodexRelease, type CodexRelease } from '../codex/release.js';
import { readCodexVersion } from '../net/codexCli.js';
import { ALL_CHECKS } from '../checks/index.js';
import { runChecks, type RunProgress } from '../checks/runner.js';
import { deselectedChecks } from '../checks/selection.js';
import type { Check, CheckResult } from '../checks/types.js';
import { readBytesFromDisk } from '../io/bytes.js';
import { directoryState, readFileFromDisk } from '../io/files.js';
import { createServices, NO_NETWORK, type Services } from '../net/services.js';
import type { ShellEnv } from '../resolve/environment.js';
import { resolveCodexHome, resolveSetup, UsageError, type EffectiveSetup, type ResolveInputs } from '../resolve/setup.js';
import { currentPlatform, homeFolder, managedConfigPath } from '../platform.js';
import { renderGithub } from '../report/github.js';
import { idColumnWidth, paletteFor, renderCheck, renderFooter, renderHeader, renderHuman, type HumanStyle, type Palette, type SetupRow } from '../report/human.js';
import { renderJunit } from '../report/junit.js';
import { redactorForSetup, type Redactor } from '../report/redact.js';
import { visibleDeep, visibleLine } from '../report/terminalSafe.js';
import { buildReport, exitCodeFor, reportCheck, type DoctorReport } from '../report/report.js';
import { collectSupportFacts, machineFacts, renderSupportReport, setupProvenance } from '../report/support.js';
import { TOOL_VERSION } from '../version.js';
import type { DoctorOptions } from './options.js';

export interface DoctorIo {
  shellEnv: ShellEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdoutIsTTY: boolean;
  /** Width of the terminal stdout writes to (wrapping); undefined when piped. */
  stdoutColumns?: number;
  colorLevel: 0 | 1 | 2 | 3;
  now: () => Date;
}

/** Testing and support hook: where Codex's managed config is read from (Codex itself uses /etc/codex). */
export const MANAGED_CONFIG_ENV = 'CODEX_BEDROCK_MANAGED_CONFIG';

/** The check-id column fits every check, so lines printed one at a time line up with each other. */
const ID_WIDTH = idColumnWidth(ALL_CHECKS.map((check) => check.id));

function humanStyle(options: DoctorOptions, io: DoctorIo): HumanStyle {
  return {
    colorLevel: options.color ? io.colorLevel : 0,
    unicode: io.stdoutIsTTY,
    verbose: options.verbose,
    ...(io.stdoutIsTTY && io.stdoutColumns ? { columns: io.stdoutColumns } : {}),
  };
}

/** --verbose: the effective setup, each value with where it came from, redacted like everything else. */
function setupRows(setup: EffectiveSetup | null, options: DoctorOptions, redactor: Redactor): SetupRow[] {
  return options.verbose && setup ? redactor.scrubDeep(setupProvenance(setup)) : [];
}

/** The folder Codex would start in: --cd DIR (as `codex --cd`), else the current one. */
function workingFolder(cd: string | undefined): string {
  if (cd === undefined) return process.cwd();
  const folder = resolve(cd);
  if (directoryState(folder) !== 'directory') throw new UsageError(`--cd ${cd}: not a directory`);
  return folder;
}

/** Renders a report in the chosen format; the report given is already redacted. JSON alone keeps strings exact. */
async function render(redacted: DoctorReport, options: DoctorOptions, redactedRows: SetupRow[], style: HumanStyle, palette: Palette): Promise<string> {
  if (options.format === 'json') return `${JSON.stringify(redacted, null, 2)}\n`;
  const report = visibleDeep(redacted);
  const rows = visibleDeep(redactedRows);
  switch (options.format) {
    case 'junit':
      return renderJunit(report);
    case 'github':
      return renderGithub(report, options.verbose, rows);
    default:
      return renderHuman(report, style, palette, rows);
  }
}

/** What the spinner names while a check runs: the step that can take time. */
function stepLabel(check: Check, setup: EffectiveSetup, offline: boolean): string {
  switch (check.id) {
    case 'codex.version':
      return 'checking the Codex CLI version';
    case 'auth.token':
      return setup.auth.mode === 'iam' && !offline ? 'resolving AWS credentials' : 'checking the credential';
    case 'auth.identity':
      return 'calling STS GetCallerIdentity';
    case 'bedrock.responses':
      return 'calling Bedrock Mantle (POST /responses)';
    default:
      return `checking ${check.id}`;
  }
}

/** `codex --version` starts a native binary; a few seconds is plenty, and never more than --timeout. */
const VERSION_PROBE_TIMEOUT_MS = 5000;

/**
 * Which Codex runs here, read from files beside it where possible: starting the npm launcher costs about as
 * much as a whole offline run. Only when no file states the version is `codex --version` run, bounded.
 */
async function detectCodex(shellEnv: ShellEnv, homeDir: string, flagVersion: string | undefined, timeoutMs: number): Promise<CodexRelease> {
  const detection = detectCodexInstalls(diskProbes(process.platform, shellEnv, homeDir));
  return chooseCodexRelease(detection, flagVersion, (path) => readCodexVersion(path, Math.min(VERSION_PROBE_TIMEOUT_MS, timeoutMs)));
}

/**
 * Progress on a terminal: the spinner (stderr) names the step in progress with its elapsed time, and each
 * check's line is printed (stdout) as soon as the check finishes. Null when stderr is not a sized terminal
 * (ora clears lines in an endless loop on a pty that reports no width) or the output is not for a person.
 */
async function terminalProgress(
  io: DoctorIo,
  colour: boolean,
  label: (check: Check) => string,
  printCheck: ((result: CheckResult) => void) | null,
): Promise<(RunProgress & { stop(): void }) | null> {
  if (io.stderr.isTTY !== true || !(typeof io.stderr.columns === 'number' && io.stderr.columns > 0)) return null;
  const { default: ora } = await import('ora');
  const spinner = ora({ text: 'Checking Codex and Amazon Bedrock…', stream: io.stderr, color: colour ? 'cyan' : false }).start();
  let step = '';
  let started = 0;
  const tick = setInterval(() => {
    if (step !== '') spinner.text = `${step}… ${((performance.now() - started) / 1000).toFixed(1)} s`;
  }, 100);
  tick.unref();
  return {
    started(check) {
      step = label(check);
      started = performance.now();
      spinner.text = `${step}…`;
    },
    finished(result) {
      step = '';
      if (!printCheck) return;
      spinner.clear();
      printCheck(result);
      spinner.render();
    },
    stop() {
      clearInterval(tick);
      spinner.stop();
    },
  };
}

/** What the resolver needs to know about this machine and the command line (doctor and fix build it alike). */
export interface ResolutionOptions {
  codexHome?: string;
  cd?: string;
  profile?: string;
  configOverrides: string[];
  model?: string;
  codexVersion?: string;
  timeoutSeconds: number;
}

/** The resolver's inputs for this machine: the Codex found here, the platform's paths, the disk. */
export async function machineInputs(options: ResolutionOptions, shellEnv: ShellEnv): Promise<ResolveInputs> {
  const platform = currentPlatform();
  const homeDir = homeFolder(platform, shellEnv, homedir());
  const codex = await detectCodex(shellEnv, homeDir, options.codexVersion, options.timeoutSeconds * 1000);
  const located = {
    ...(options.codexHome !== undefined ? { codexHomeFlag: options.codexHome } : {}),
    shellEnv,
    homeDir,
    directoryState,
  };
  return {
    ...located,
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.model !== undefined ? { modelFlag: options.model } : {}),
    configOverrides: options.configOverrides,
    managedConfigPath: shellEnv[MANAGED_CONFIG_ENV] || managedConfigPath(platform, resolveCodexHome(located).path),
    cwd: workingFolder(options.cd),
    readFile: readFileFromDisk,
    readBytes: readBytesFromDisk,
    codex,
    platform,
  };
}

/**
 * Runs the doctor end to end: resolve once, check, report, render. Returns the exit code; never calls
 * process.exit, so tests and the bin stub decide what to do with it.
 */
export async function runDoctor(options: DoctorOptions, io: DoctorIo): Promise<number> {
  let setup: EffectiveSetup | null = null;
  let results: CheckResult[] = [];
  let error: string | null = null;
  let usage = false;
  let services: Services = NO_NETWORK;
  const style = humanStyle(options, io);
  const palette = await paletteFor(style.colorLevel);
  const human = options.format === 'human' && options.reportPath !== '-';
  /** Set once the header and check lines went to the terminal as the checks finished. */
  let printedLive = false;
  try {
    const inputs = await machineInputs(options, io.shellEnv);
    setup = resolveSetup(inputs);
    const homeDir = inputs.homeDir;
    const resolved = setup;
    if (!options.offline) {
      // Codex applies $CODEX_HOME/.env with set_var before anything reads the environment; the AWS SDK
      // reads process.env, so the doctor does the same before it loads the SDK.
      resolved.env.dotenv.parse?.entries.forEach((entry) => (process.env[entry.key] = entry.value));
    }
    // Whole milliseconds: 2.01 s is 2009.9999999999998 ms in floating point, which AbortSignal.timeout rejects.
    const timeoutMs = Math.round(options.timeoutSeconds * 1000);
    const liveServices = options.offline ? NO_NETWORK : createServices(resolved, { timeoutMs, readFile: readFileFromDisk, homeDir, now: io.now });
    services = liveServices;
    const redactor = redactorForSetup(resolved, io.shellEnv);
    // On a terminal each check's line appears as it finishes; the count and verdict follow at the end. Lines
    // pass the same redactor (with the credentials obtained so far) and terminal-safety as the rest.
    const printLive = (result: CheckResult) => {
      liveServices.secretsSeen().forEach((secret) => redactor.add(secret));
      if (!printedLive) {
        const header = visibleDeep(redactor.scrubDeep(buildReport({ version: TOOL_VERSION, generatedAt: io.now(), setup: resolved, results: [], error: null })));
        io.stdout.write(renderHeader(header, style, palette, visibleDeep(setupRows(resolved, options, redactor))));
        printedLive = true;
      }
      io.stdout.write(renderCheck(visibleDeep(redactor.scrubDeep(reportCheck(result))), ID_WIDTH, style, palette));
    };
    const progress = human ? await terminalProgress(io, style.colorLevel > 0, (check) => stepLabel(check, resolved, options.offline), io.stdoutIsTTY ? printLive : null) : null;
    try {
      results = await runChecks(
        ALL_CHECKS,
        {
          setup: resolved,
          options: { offline: options.offline, timeoutMs, allowGovcloud: options.allowGovcloud },
          now: io.now,
          services,
        },
        { deselected: deselectedChecks(ALL_CHECKS, options.only, options.skip) },
        progress ?? undefined,
      );
    } finally {
      progress?.stop();
    }
    const broken = results.filter((result) => result.internalError);
    if (broken.length > 0) error = `internal error in ${broken.map((result) => result.id).join(', ')} (a bug in codex-bedrock)`;
  } catch (caught) {
    usage = caught instanceof UsageError;
    const message = caught instanceof Error ? caught.message : String(caught);
    error = usage ? `usage error: ${message}` : `internal error: ${message}`;
  }
  const redactor = redactorForSetup(setup, io.shellEnv);
  // Credentials obtained while checking (an auth command's token, SSO or assumed-role secrets) are secrets too.
  services.secretsSeen().forEach((secret) => redactor.add(secret));
  const report = redactor.scrubDeep(buildReport({ version: TOOL_VERSION, generatedAt: io.now(), setup, results, error }));
  if (error) {
    const shown = visibleLine(report.error ?? '');
    io.stderr.write(usage ? `codex-bedrock: ${shown}\nRun codex-bedrock doctor --help for the options.\n` : `codex-bedrock: error: ${shown}\n`);
  }
  let exitCode = exitCodeFor(report, options.strict);
  /** Writes an extra output file the user asked for; a failure to write is an error of the run (exit 2). */
  const writeOutput = (path: string, what: string, text: string) => {
    try {
      writeFileSync(path, text);
      io.stderr.write(`codex-bedrock: ${what} written to ${path}\n`);
    } catch (writeError) {
      io.stderr.write(`codex-bedrock: error: cannot write the ${what} to ${path}: ${(writeError as NodeJS.ErrnoException).code ?? String(writeError)}\n`);
      exitCode = 2;
    }
  };
  if (options.junitPath !== undefined) writeOutput(options.junitPath, 'JUnit report', renderJunit(report));
  if (options.reportPath !== null) {
    // The support report passes through the same redactor as every other output.
    const markdown = redactor.scrub(renderSupportReport(visibleDeep(report), setup ? visibleDeep(collectSupportFacts(setup)) : null, machineFacts()));
    if (options.reportPath === '-') {
      io.stdout.write(markdown);
      return exitCode;
    }
    writeOutput(options.reportPath, 'support report', markdown);
  }
  if (printedLive) io.stdout.write(renderFooter(visibleDeep(report), style, palette));
  else if (options.format !== 'human' || results.length > 0) io.stdout.write(await render(report, options, setupRows(setup, options, redactor), style, palette));
  return exitCode;
}
