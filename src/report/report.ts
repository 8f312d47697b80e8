import type { CheckResult, CheckStatus } from '../checks/types.js';
import { describeOrigin } from '../resolve/origin.js';
import type { EffectiveSetup } from '../resolve/setup.js';

export const SCHEMA_VERSION = 1;

export interface ReportSetup {
  codexHome: string | null;
  configFiles: { layer: string; path: string; status: string }[];
  profile: string | null;
  provider: string | null;
  model: string | null;
  region: string | null;
  regionSource: string | null;
  authMode: string | null;
  authSource: string | null;
  endpoint: string | null;
}

/** The Codex release the doctor modelled and the rules it applied (src/codex). */
export interface ReportCodex {
  /** The release the user runs (or named with --codex-version); null when none was found or it was unreadable. */
  version: string | null;
  /** Where the version came from: a package.json path, "`codex --version`", "--codex-version". */
  source: string | null;
  install: { kind: string; path: string; onPath: boolean } | null;
  basis: string;
  /** The release whose rules were applied. */
  ruleSet: string;
  rules: { behaviour: string; value: unknown; range: string; established: string }[];
}

/** A check as the report shows it: the runner's result without its internal bookkeeping. */
export type ReportCheck = Omit<CheckResult, 'internalError' | 'blocked'>;

/** The JSON document of SPEC section 5; every output format is rendered from it. */
export interface DoctorReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'codex-bedrock'; version: string };
  generatedAt: string;
  overallStatus: 'pass' | 'warn' | 'fail';
  summary: Record<CheckStatus, number>;
  setup: ReportSetup;
  codex: ReportCodex | null;
  checks: ReportCheck[];
  error: string | null;
}

const EMPTY_SETUP: ReportSetup = {
  codexHome: null,
  configFiles: [],
  profile: null,
  provider: null,
  model: null,
  region: null,
  regionSource: null,
  authMode: null,
  authSource: null,
  endpoint: null,
};

function reportSetup(setup: EffectiveSetup): ReportSetup {
  const region = setup.region.effective;
  return {
    codexHome: setup.codexHome.path,
    configFiles: setup.layers.map((layer) => ({ layer: layer.name, path: layer.path, status: layer.status })),
    profile: setup.profileName,
    provider: typeof setup.provider?.value === 'string' ? setup.provider.value : null,
    model: setup.model.value,
    region: typeof region?.value === 'string' ? region.value : null,
    regionSource: region ? describeOrigin(region.origin) : null,
    authMode: setup.auth.mode,
    authSource: setup.auth.description,
    endpoint: setup.endpoint?.value ?? null,
  };
}

/** A runner result as the report shows it, without the runner's bookkeeping. */
export function reportCheck({ internalError: _internal, blocked: _blocked, ...check }: CheckResult): ReportCheck {
  return check;
}

function reportCodex(setup: EffectiveSetup): ReportCodex {
  const { codex } = setup;
  return {
    version: codex.version,
    source: codex.versionFrom,
    install: codex.install ? { kind: codex.install.kind, path: codex.install.path, onPath: codex.install.onPath } : null,
    basis: codex.basis,
    ruleSet: codex.rules.release,
    rules: codex.rules.applied.map((rule) => ({ behaviour: rule.behaviour, value: codex.rules.behaviour[rule.behaviour], range: rule.range, established: rule.established })),
  };
}

export function buildReport(input: {
  version: string;
  generatedAt: Date;
  setup: EffectiveSetup | null;
  results: readonly CheckResult[];
  error: string | null;
}): DoctorReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  input.results.forEach((result) => (summary[result.status] += 1));
  const overallStatus = input.error || summary.fail > 0 ? 'fail' : summary.warn > 0 ? 'warn' : 'pass';
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'codex-bedrock', version: input.version },
    generatedAt: input.generatedAt.toISOString(),
    overallStatus,
    summary,
    setup: input.setup ? reportSetup(input.setup) : EMPTY_SETUP,
    codex: input.setup ? reportCodex(input.setup) : null,
    checks: input.results.map(reportCheck),
    error: input.error,
  };
}

/** SPEC section 2: 2 for a usage or internal error, 1 for a failed check (or a warning with --strict), else 0. */
export function exitCodeFor(report: DoctorReport, strict: boolean): 0 | 1 | 2 {
  if (report.error) return 2;
  if (report.summary.fail > 0) return 1;
  if (strict && report.summary.warn > 0) return 1;
  return 0;
}
