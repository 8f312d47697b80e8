import { ALL_CHECKS } from '../checks/index.js';
import { runChecks } from '../checks/runner.js';
import type { CheckResult } from '../checks/types.js';
import { machineInputs, type ResolutionOptions as MachineResolutionOptions } from '../cli/doctor.js';
import { readFileFromDisk } from '../io/files.js';
import { createServices, NO_NETWORK } from '../net/services.js';
import type { ShellEnv } from '../resolve/environment.js';
import { resolveSetup, type EffectiveSetup, type ResolveInputs } from '../resolve/setup.js';
import type { Workspace } from './workspace.js';

/** The doctor's resolution flags, as fix takes them. */
export interface ResolutionOptions extends MachineResolutionOptions {
  offline: boolean;
}

export interface Diagnosis {
  inputs: ResolveInputs;
  setup: EffectiveSetup;
  results: CheckResult[];
}

/** The resolver's inputs for this machine, exactly as `doctor` builds them. */
export function resolveInputs(options: ResolutionOptions, shellEnv: ShellEnv): Promise<ResolveInputs> {
  return machineInputs(options, shellEnv);
}

/** Keys a previous run copied from .env into process.env (for the AWS SDK), so a later run starts clean. */
const appliedDotenvKeys = new Set<string>();

/** The doctor's checks over this machine, in-process, online or offline as asked. */
export async function diagnose(inputs: ResolveInputs, options: ResolutionOptions, now: () => Date): Promise<Diagnosis> {
  const setup = resolveSetup(inputs);
  const timeoutMs = options.timeoutSeconds * 1000;
  if (!options.offline) {
    // As in doctor: Codex applies $CODEX_HOME/.env before anything reads the environment, and the AWS SDK
    // reads process.env. A second run (after fix) must not see values of lines fix removed.
    appliedDotenvKeys.forEach((key) => {
      if (inputs.shellEnv[key] === undefined) delete process.env[key];
      else process.env[key] = inputs.shellEnv[key];
    });
    setup.env.dotenv.parse?.entries.forEach((entry) => {
      process.env[entry.key] = entry.value;
      appliedDotenvKeys.add(entry.key);
    });
  }
  const results = await runChecks(ALL_CHECKS, {
    setup,
    options: { offline: options.offline, timeoutMs, allowGovcloud: false },
    now,
    services: options.offline ? NO_NETWORK : createServices(setup, { timeoutMs, readFile: readFileFromDisk, homeDir: inputs.homeDir, now }),
  });
  return { inputs, setup, results };
}

/** What the offline checks would say with the workspace's files in place of the disk's. */
export async function predict(inputs: ResolveInputs, workspace: Workspace, now: () => Date): Promise<Diagnosis> {
  const overlaid: ResolveInputs = { ...inputs, readFile: workspace.reader(), directoryState: workspace.directoryState(inputs.directoryState) };
  const setup = resolveSetup(overlaid);
  const results = await runChecks(ALL_CHECKS, { setup, options: { offline: true, timeoutMs: 1000, allowGovcloud: false }, now, services: NO_NETWORK });
  return { inputs: overlaid, setup, results };
}
