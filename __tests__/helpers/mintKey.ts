import { getToken } from '@aws/bedrock-token-generator';
import { jest } from '@jest/globals';

export interface MintCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Mints a REAL short-term Bedrock API key with the official generator at a known instant. The generator has
 * no clock parameter (SignatureV4 signs with `new Date()`), so only Date is faked: timers, microtasks and
 * nextTick stay real, so the async signer still resolves.
 */
export async function mintShortTermKey(credentials: MintCredentials, at: Date, opts: { region: string; expiresInSeconds?: number }): Promise<string> {
  jest.useFakeTimers({
    now: at,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
      'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
      'setTimeout', 'clearTimeout'],
  });
  try {
    return await getToken({ credentials, region: opts.region, ...(opts.expiresInSeconds ? { expiresInSeconds: opts.expiresInSeconds } : {}) });
  } finally {
    jest.useRealTimers();
  }
}
