import { readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { detectCodexInstalls } from '../codex/detect.js';
import { chooseCodexRelease, type CodexRelease } from '../codex/release.js';
import { readCodexVersion } from '../net/codexCli.js';
import { ALL_CHECKS } from '../checks/index.js';
import { runChecks } from '../checks/runner.js';
import { deselectedChecks } from '../checks/selection.js';
import type { CheckResult } from '../checks/types.js';
import { directoryState, isExecutableFile, readFileFromDisk } from '../io/files.js';
import { createServices, NO_NETWORK, type Services } from '../net/services.js';
import type { ShellEnv } from '../resolve/environment.js';
import { DEFAULT_MANAGED_CONFIG_PATH, resolveSetup, UsageError, type EffectiveSetup } from '../resolve/setup.js';
import { renderGithub } from '../report/github.js';
import { paletteFor, renderHuman } from '../report/human.js';
import { renderJunit } from '../report/junit.js';
import { redactorForSetup } from '../report/redact.js';
import { visibleDeep, visibleLine } from '../report/terminalSafe.js';
import { buildReport, exitCodeFor, type DoctorReport } from '../report/report.js';
import { collectSupportFacts, machineFacts, renderSupportReport } from '../report/support.js';
import { TOOL_VERSION } from '../version.js';
import type { DoctorOptions } from './options.js';

export interface DoctorIo {
  shellEnv: ShellEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdoutIsTTY: boolean;
  colorLevel: 0 | 1 | 2 | 3;
  now: () => Date;
}

/** Testing and support hook: where Codex's managed config is read from (Codex itself uses /etc/codex). */
export const MANAGED_CONFIG_ENV = 'CODEX_BEDROCK_MANAGED_CONFIG';

/** Renders a report in the chosen format; the report given is already redacted. JSON alone keeps strings exact. */
async function render(redacted: DoctorReport, options: DoctorOptions, io: DoctorIo): Promise<string> {
  if (options.format === 'json') return `${JSON.stringify(redacted, null, 2)}\n`;
  const report = visibleDeep(redacted);
  switch (options.format) {
    case 'junit':
      return renderJunit(report);
    case 'github':
      return renderGithub(report, options.verbose);
    default: {
      const colorLevel = options.color ? io.colorLevel : 0;
      return renderHuman(report, { colorLevel, unicode: io.stdoutIsTTY, verbose: options.verbose }, await paletteFor(colorLevel));
    }
  }
}

async function withSpinner<T>(enabled: boolean, stream: NodeJS.WritableStream & { columns?: number }, work: () => Promise<T>): Promise<T> {
  // A terminal that reports no width (a pty nobody sized) sends ora into an endless clear-line loop.
  if (!enabled || !(typeof stream.columns === 'number' && stream.columns > 0)) return work();
  const { default: ora } = await import('ora');
  const spinner = ora({ text: 'Checking Codex and Amazon Bedrock…', stream }).start();
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}

/** `codex --version` starts a native binary; a few seconds is plenty, and never more than --timeout. */
const VERSION_PROBE_TIMEOUT_MS = 5000;

/**
 * Which Codex runs here, read from files beside it where possible: starting the npm launcher costs about as
 * much as a whole offline run. Only when no file states the version is `codex --version` run, bounded.
 */
async function detectCodex(shellEnv: ShellEnv, homeDir: string, flagVersion: string | undefined, timeoutMs: number): Promise<CodexRelease> {
  const detection = detectCodexInstalls({
    platform: process.platform,
    shellEnv,
    homeDir,
    isExecutableFile,
    realpath: (path) => {
      try {
        return realpathSync(path);
      } catch {
        return null;
      }
    },
    readFile: readFileFromDisk,
    listDir: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  });
  return chooseCodexRelease(detection, flagVersion, (path) => readCodexVersion(path, Math.min(VERSION_PROBE_TIMEOUT_MS, timeoutMs)));
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
  try {
    const homeDir = io.shellEnv['HOME'] || homedir();
    const codex = await detectCodex(io.shellEnv, homeDir, options.codexVersion, options.timeoutSeconds * 1000);
    setup = resolveSetup({
      ...(options.codexHome !== undefined ? { codexHomeFlag: options.codexHome } : {}),
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.model !== undefined ? { modelFlag: options.model } : {}),
      configOverrides: options.configOverrides,
      shellEnv: io.shellEnv,
      homeDir,
      managedConfigPath: io.shellEnv[MANAGED_CONFIG_ENV] || DEFAULT_MANAGED_CONFIG_PATH,
      readFile: readFileFromDisk,
      directoryState,
      codex,
    });
    const resolved = setup;
    if (!options.offline) {
      // Codex applies $CODEX_HOME/.env with set_var before anything reads the environment; the AWS SDK
      // reads process.env, so the doctor does the same before it loads the SDK.
      resolved.env.dotenv.parse?.entries.forEach((entry) => (process.env[entry.key] = entry.value));
    }
    // Whole milliseconds: 2.01 s is 2009.9999999999998 ms in floating point, which AbortSignal.timeout rejects.
    const timeoutMs = Math.round(options.timeoutSeconds * 1000);
    services = options.offline ? NO_NETWORK : createServices(resolved, { timeoutMs });
    results = await withSpinner(io.stderr.isTTY === true && options.format === 'human' && options.reportPath !== '-', io.stderr, () =>
      runChecks(
        ALL_CHECKS,
        {
          setup: resolved,
          options: { offline: options.offline, timeoutMs, allowGovcloud: options.allowGovcloud },
          now: io.now,
          services,
        },
        { deselected: deselectedChecks(ALL_CHECKS, options.only, options.skip) },
      ),
    );
    const broken = results.filter((result) => result.internalError);
    if (broken.length > 0) error = `internal error in ${broken.map((result) => result.id).join(', ')} (a bug in codex-bedrock)`;
  } catch (caught) {
    usage = caught instanceof UsageError;
    const message = caught instanceof Error ? caught.message : String(caught);
    error = usage ? `usage error: ${message}` : `internal error: ${message}`;
  }
  const redactor = redactorForSetup(setup, io.shellEnv);
  services.secretsSeen().forEach((secret) => redactor.add(secret));
  const report = redactor.scrubDeep(buildReport({ version: TOOL_VERSION, generatedAt: io.now(), setup, results, error }));
  if (error) {
    const shown = visibleLine(report.error ?? '');
    io.stderr.write(usage ? `codex-bedrock: ${shown}\nRun codex-bedrock doctor --help for the options.\n` : `codex-bedrock: error: ${shown}\n`);
  }
  let exitCode = exitCodeFor(report, options.strict);
  if (options.reportPath !== null) {
    // The support report passes through the same redactor as every other output.
    const markdown = redactor.scrub(renderSupportReport(visibleDeep(report), setup ? visibleDeep(collectSupportFacts(setup)) : null, machineFacts()));
    if (options.reportPath === '-') {
      io.stdout.write(markdown);
      return exitCode;
    }
    try {
      writeFileSync(options.reportPath, markdown);
      io.stderr.write(`codex-bedrock: support report written to ${options.reportPath}\n`);
    } catch (writeError) {
      io.stderr.write(`codex-bedrock: error: cannot write the support report to ${options.reportPath}: ${(writeError as NodeJS.ErrnoException).code ?? String(writeError)}\n`);
      exitCode = 2;
    }
  }
  if (options.format !== 'human' || results.length > 0) io.stdout.write(await render(report, options, io));
  return exitCode;
}
