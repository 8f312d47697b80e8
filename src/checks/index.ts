import { authIdentity } from './authIdentity.js';
import { authToken } from './authToken.js';
import { bedrockResponses } from './bedrockResponses.js';
import { codexVersion } from './codexVersion.js';
import { configProvider } from './configProvider.js';
import { envDotenv } from './envDotenv.js';
import { modelId } from './modelId.js';
import { regionNotGovcloud } from './regionNotGovcloud.js';
import { regionSet } from './regionSet.js';
import type { Check } from './types.js';

/** The checks in report order (SPEC section 4). */
export const ALL_CHECKS: readonly Check[] = [
  codexVersion,
  configProvider,
  regionSet,
  regionNotGovcloud,
  authToken,
  authIdentity,
  modelId,
  envDotenv,
  bedrockResponses,
];
