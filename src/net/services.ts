/**
 * What network checks reach the outside world through. Built lazily by the CLI so that offline runs never
 * load the AWS SDK; tests construct the same real implementations pointed at loopback servers.
 */
export interface Services {
  /** Environment handed to the AWS SDK and child processes (the effective environment, not process.env). */
  readonly placeholder?: never;
}
