/** The doctor's options after argument parsing (SPEC section 2). */
export type OutputFormat = 'human' | 'json';

export interface DoctorOptions {
  format: OutputFormat;
  offline: boolean;
  codexHome?: string;
  profile?: string;
  configOverrides: string[];
  model?: string;
  timeoutSeconds: number;
  strict: boolean;
  allowGovcloud: boolean;
  verbose: boolean;
  color: boolean;
}
