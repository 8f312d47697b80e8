import type { EffectiveSetup } from '../resolve/setup.js';
import type { Services } from '../net/services.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export const CHECK_IDS = [
  'codex.version',
  'config.provider',
  'region.set',
  'region.not-govcloud',
  'auth.token',
  'auth.identity',
  'model.id',
  'env.dotenv',
  'bedrock.responses',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** What a check decides. A check returns this; it never prints, exits or throws for a finding. */
export interface CheckOutcome {
  status: CheckStatus;
  /**
   * Stable, machine-readable cause of the finding (e.g. `region.not-in-allow-list`), so fleets can count
   * causes without parsing prose. Listed in schema/report.schema.json; never reworded once released.
   */
  code: string;
  summary: string;
  details?: string[];
  remediation?: string;
  docs?: string;
  /** For status skip: why, in a sentence. */
  skipReason?: string;
  /** Facts later checks and the report may use (account id, expiry, latency). Never secrets. */
  facts?: Record<string, string | number | boolean | null>;
}

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** The outcome's code; for skips decided by the runner, `skip.*`; for a check that threw, `internal.error`. */
  code: string | null;
  summary: string;
  details: string[];
  remediation: string | null;
  docs: string | null;
  durationMs: number;
  skipReason: string | null;
  facts: Record<string, string | number | boolean | null>;
  /** True when the check threw: a bug in the doctor, not a finding about the machine. */
  internalError?: boolean;
  /** True when skipped because a prerequisite failed or was skipped for that reason (dependents skip too). */
  blocked?: boolean;
}

export interface CheckOptions {
  offline: boolean;
  timeoutMs: number;
  allowGovcloud: boolean;
}

export interface CheckContext {
  setup: EffectiveSetup;
  options: CheckOptions;
  now: () => Date;
  services: Services;
  /** Results of the checks that ran before this one. */
  earlier: ReadonlyMap<CheckId, CheckResult>;
}

export interface Check {
  id: CheckId;
  title: string;
  /** Checks that must not have failed (or been blocked) for this one to run on sound inputs. */
  requires: readonly CheckId[];
  /** Needs the network: reports skip under --offline. */
  network: boolean;
  run(context: CheckContext): CheckOutcome | Promise<CheckOutcome>;
}
