import type { CheckId } from '../checks/types.js';

/** The doctor's options after argument parsing (SPEC section 2). */
export const OUTPUT_FORMATS = ['human', 'json', 'junit', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface DoctorOptions {
  format: OutputFormat;
  offline: boolean;
  codexHome?: string;
  profile?: string;
  configOverrides: string[];
  model?: string;
  /** --codex-version X: judge by the rules of Codex release X instead of the detected one. */
  codexVersion?: string;
  timeoutSeconds: number;
  strict: boolean;
  allowGovcloud: boolean;
  verbose: boolean;
  color: boolean;
  /** --only: run just these checks (their prerequisites that are not selected are reported as skipped). */
  only: CheckId[] | null;
  /** --skip: do not run these checks. */
  skip: CheckId[];
  /** --report FILE|-: also write the Markdown support report there ('-' for stdout, instead of the normal output). */
  reportPath: string | null;
  /** --junit FILE: also write the JUnit XML report there, from the same run (the GitHub Action's output). */
  junitPath?: string;
}
