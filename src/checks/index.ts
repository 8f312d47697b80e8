import { authIdentity } from './authIdentity.js';
import { authToken } from './authToken.js';
import { configProvider } from './configProvider.js';
import { envDotenv } from './envDotenv.js';
import { modelId } from './modelId.js';
import { regionNotGovcloud } from './regionNotGovcloud.js';
import { regionSet } from './regionSet.js';
import type { Check, CheckId } from './types.js';

function notImplementedYet(id: CheckId, title: string, requires: CheckId[], network: boolean): Check {
  return {
    id,
    title,
    requires,
    network,
    run: () => ({ status: 'skip', summary: 'Skipped: not implemented yet', skipReason: 'not implemented yet' }),
  };
}

/** The checks in report order (SPEC section 4). */
export const ALL_CHECKS: readonly Check[] = [
  configProvider,
  regionSet,
  regionNotGovcloud,
  authToken,
  authIdentity,
  modelId,
  envDotenv,
  notImplementedYet('bedrock.responses', 'Live Responses call to Bedrock Mantle', ['region.set', 'region.not-govcloud', 'auth.token', 'auth.identity', 'model.id'], true),
];
