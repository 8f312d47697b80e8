import { REGION_SHAPE } from '../catalogue/regions.js';
import { stsEndpoint } from '../net/sts.js';
import type { Check, CheckOutcome } from './types.js';

const DOCS = 'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html';

export const authIdentity: Check = {
  id: 'auth.identity',
  title: 'AWS identity (STS GetCallerIdentity)',
  requires: ['auth.token'],
  network: true,
  async run({ setup, services, earlier }): Promise<CheckOutcome> {
    if (setup.auth.mode !== 'iam') {
      const account = earlier.get('auth.token')?.facts['accountId'];
      const reason =
        setup.auth.mode === 'bearer'
          ? `Codex authenticates with a Bedrock API key, not IAM credentials${typeof account === 'string' ? `; the long-term key belongs to account ${account}` : ''}`
          : 'Codex authenticates with the configured auth command, not IAM credentials';
      return { status: 'skip', code: 'identity.not-iam', summary: `Skipped: ${reason}`, skipReason: reason, ...(typeof account === 'string' ? { facts: { account } } : {}) };
    }
    const region = setup.region.effective?.value;
    if (typeof region === 'string' && !REGION_SHAPE.test(region) && !stsEndpoint(setup.env, region).overridden) {
      // STS is called at sts.REGION.amazonaws.com: a malformed region would only add a DNS failure that hides
      // the real cause, which region.set already reports.
      const reason = `needs a well-formed region for the regional STS endpoint (${JSON.stringify(region)} is not; see region.set)`;
      return { status: 'skip', code: 'identity.malformed-region', summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const resolution = await services.iamCredentials();
    if (!resolution.ok) {
      const reason = 'no IAM credentials to ask about (see auth.token)';
      return { status: 'skip', code: 'identity.no-credentials', summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const identity = await services.callerIdentity(resolution.credentials);
    if (!identity.ok) {
      return { status: 'fail', code: 'identity.sts-error', summary: identity.summary, details: [`STS endpoint: ${identity.endpoint}`, ...(identity.errorName !== 'Error' ? [`error: ${identity.errorName}`] : [])], remediation: identity.fix, docs: DOCS };
    }
    return {
      status: 'pass',
      code: 'identity.ok',
      summary: `Account ${identity.account}, ${identity.arn}`,
      details: [`STS endpoint: ${identity.endpoint}`, `user id: ${identity.userId}`, `latency: ${identity.latencyMs} ms`],
      facts: { account: identity.account, arn: identity.arn, userId: identity.userId, latencyMs: identity.latencyMs },
    };
  },
};
