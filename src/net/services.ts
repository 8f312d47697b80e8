import type { EffectiveSetup } from '../resolve/setup.js';
import { resolveIamCredentials, type IamCredentials, type IamResolution } from './iamCredentials.js';
import { mantleRequest, type MantleResult } from './mantle.js';
import { getCallerIdentity, stsEndpoint, type CallerIdentityResult } from './sts.js';

/**
 * What checks reach the outside world through. The AWS SDK is imported inside these functions, never at
 * module load, so offline and bearer-only runs never load it. Results are memoised: credentials are
 * resolved once and shared by auth.token, auth.identity and bedrock.responses.
 */
export interface Services {
  iamCredentials(): Promise<IamResolution>;
  callerIdentity(credentials: IamCredentials): Promise<CallerIdentityResult>;
  mantle: typeof mantleRequest;
  /** Secrets the services obtained themselves (credentials the AWS SDK resolved), for the redactor. */
  secretsSeen(): string[];
}

export function createServices(setup: EffectiveSetup, options: { timeoutMs: number }): Services {
  const region = typeof setup.region.effective?.value === 'string' ? setup.region.effective.value : 'us-east-1';
  const sts = stsEndpoint(setup.env, region);
  let credentials: Promise<IamResolution> | undefined;
  let identity: Promise<CallerIdentityResult> | undefined;
  const seen: string[] = [];
  return {
    iamCredentials() {
      // Whatever produced them (credential_process, SSO, a container or web identity), the redactor must know them.
      credentials ??= resolveIamCredentials(setup, { timeoutMs: options.timeoutMs, ...(sts.overridden ? { stsEndpoint: sts.url } : {}) }).then((resolution) => {
        if (resolution.ok) seen.push(resolution.credentials.secretAccessKey, resolution.credentials.sessionToken ?? '');
        return resolution;
      });
      return credentials;
    },
    secretsSeen: () => seen.filter(Boolean),
    callerIdentity(resolved) {
      identity ??= getCallerIdentity(resolved, { region, endpoint: sts, timeoutMs: options.timeoutMs, env: setup.env });
      return identity;
    },
    mantle: mantleRequest,
  };
}

/** For --offline runs and tests: any use of the network is a bug and says so. */
export const NO_NETWORK: Services = {
  iamCredentials: () => Promise.reject(new Error('network service used although the network is off')),
  callerIdentity: () => Promise.reject(new Error('network service used although the network is off')),
  mantle: (): Promise<MantleResult> => Promise.reject(new Error('network service used although the network is off')),
  secretsSeen: () => [],
};
