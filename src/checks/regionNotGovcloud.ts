import { partitionOf, REGION_SHAPE } from '../catalogue/regions.js';
import type { Check, CheckOutcome } from './types.js';

const SETUP_GUIDE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html';

const PARTITION_NAMES: Record<string, string> = {
  'aws-cn': 'AWS China',
  'aws-iso': 'AWS ISO (US isolated)',
  'aws-iso-b': 'AWS ISOB (US isolated)',
  'aws-iso-e': 'AWS ISOE (EU isolated)',
  'aws-iso-f': 'AWS ISOF (isolated)',
  'aws-eusc': 'AWS European Sovereign Cloud',
};

export const regionNotGovcloud: Check = {
  id: 'region.not-govcloud',
  title: 'Region is in the commercial AWS partition',
  // Not gated on region.set: a cn-* or us-iso* region fails Codex's allow-list there, and this check still
  // says why (wrong partition) instead of being skipped.
  requires: ['config.provider'],
  network: false,
  run({ setup, options }): CheckOutcome {
    const value = setup.region.effective?.value;
    if (typeof value !== 'string' || !REGION_SHAPE.test(value)) {
      const reason = 'needs a well-formed region (see region.set)';
      return { status: 'skip', code: 'region.malformed', summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const region = value;
    const partition = partitionOf(region);
    if (partition === 'aws') return { status: 'pass', code: 'region.commercial', summary: `${region} is in the commercial AWS partition`, facts: { partition } };
    if (partition === 'aws-us-gov') {
      const summary = `${region} is an AWS GovCloud (US) region: the setup guide says Codex does not support Bedrock Mantle endpoints in GovCloud`;
      return options.allowGovcloud
        ? {
            status: 'warn',
            code: 'region.govcloud-allowed',
            summary: `${summary} (reported as a warning because of --allow-govcloud)`,
            remediation: 'Only continue if your organisation has confirmed Mantle access for Codex in GovCloud.',
            docs: SETUP_GUIDE,
            facts: { partition },
          }
        : {
            status: 'fail',
            code: 'region.govcloud',
            summary,
            remediation: 'Use a commercial region such as us-east-1 or us-west-2. If your organisation has confirmed access, run with --allow-govcloud to report this as a warning.',
            docs: SETUP_GUIDE,
            facts: { partition },
          };
    }
    return {
      status: 'fail',
      code: 'region.other-partition',
      summary: `${region} is in the ${PARTITION_NAMES[partition] ?? partition} partition, not the commercial AWS partition Codex's Bedrock provider supports`,
      remediation: 'Use a commercial region such as us-east-1, with credentials for a commercial AWS account.',
      docs: SETUP_GUIDE,
      facts: { partition },
    };
  },
};
