import type { FileReader } from '../io/files.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { resolveIamCredentials, type IamCredentials, type IamResolution } from './iamCredentials.js';
import { runAuthCommand, type CommandOutcome } from './authCommand.js';
import { mantleRequest, type MantleResult } from './mantle.js';
import { getCallerIdentity, stsEndpoint, type CallerIdentityResult } from './sts.js';

/**
 * What checks reach the outside world through. The AWS SDK is imported inside these functions, never at
 * module load, so offline and bearer-only runs never load it. Results are memoised: credentials are
 * resolved once and shared by auth.token, auth.identity and bedrock.responses.
 */
export interface Services {
  iamCredentials(): Promise<IamResolution>;
  /** The token the configured provider auth command prints (run once, like Codex). */
  authCommandToken(): Promise<CommandOutcome<string>>;
  callerIdentity(credentials: IamCredentials): Promise<CallerIdentityResult>;
  mantle: typeof mantleRequest;
  /** Secrets learned while running (the auth command's token, resolved IAM secrets), for the redactor. */
  secretsSeen(): string[];
}

export function createServices(setup: EffectiveSetup, options: { timeoutMs: number; readFile: FileReader; homeDir: string; now: () => Date }): Services {
  const region = typeof setup.region.effective?.value === 'string' ? setup.region.effective.value : 'us-east-1';
  const sts = stsEndpoint(setup.env, region);
  let credentials: Promise<IamResolution> | undefined;
  let identity: Promise<CallerIdentityResult> | undefined;
  let authToken: Promise<CommandOutcome<string>> | undefined;
  const revealed: string[] = [];
  const remember = <T>(work: Promise<T>, secrets: (value: T) => (string | undefined)[]): Promise<T> =>
    work.then((value) => {
      secrets(value).forEach((secret) => secret && revealed.push(secret));
      return value;
    });
  return {
    iamCredentials() {
      credentials ??= remember(resolveIamCredentials(setup, options), (r) => (r.ok ? [r.credentials.secretAccessKey, r.credentials.sessionToken] : []));
      return credentials;
    },
    authCommandToken() {
      const command = setup.auth.authCommand;
      authToken ??= command
        ? remember(runAuthCommand(command, setup.env.toRecord(), options.timeoutMs), (r) => (r.ok ? [r.value] : []))
        : Promise.resolve({ ok: false as const, reason: `the auth command cannot be used: ${setup.auth.commandProblem ?? 'none is configured'}` });
      return authToken;
    },
    callerIdentity(resolved) {
      identity ??= getCallerIdentity(resolved, { region, endpoint: sts, timeoutMs: options.timeoutMs, env: setup.env });
      return identity;
    },
    secretsSeen: () => [...revealed],
    mantle: mantleRequest,
  };
}

/** For --offline runs and tests: any use of the network is a bug and says so. */
export const NO_NETWORK: Services = {
  iamCredentials: () => Promise.reject(new Error('network service used although the network is off')),
  callerIdentity: () => Promise.reject(new Error('network service used although the network is off')),
  authCommandToken: () => Promise.reject(new Error('network service used although the network is off')),
  mantle: (): Promise<MantleResult> => Promise.reject(new Error('network service used although the network is off')),
  secretsSeen: () => [],
};
