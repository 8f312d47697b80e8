/**
 * Regions Codex 0.169.0's Amazon Bedrock provider accepts without a base_url override (SPEC section 3,
 * observed with the real CLI). Codex also lets the two GovCloud regions through, but the setup guide says
 * Mantle endpoints in GovCloud are not supported by Codex; region.not-govcloud reports that separately.
 */
export const CODEX_MANTLE_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ap-northeast-1',
  'ap-south-1',
  'ap-southeast-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'sa-east-1',
] as const;

export const CODEX_GOVCLOUD_REGIONS = ['us-gov-east-1', 'us-gov-west-1'] as const;

/** Well-formed region names: lower-case partition/area, direction, digit (us-east-1, ap-southeast-3, eusc-de-east-1). */
export const REGION_SHAPE = /^[a-z]{2,5}(-[a-z]+)+-\d{1,2}$/;

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f' | 'aws-eusc';

/** Partition by prefix, as in the AWS SDKs' partitions.json. Order matters: `us-isob-` before `us-iso-`. */
export function partitionOf(region: string): Partition {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-') || region.startsWith('eu-isof-')) return 'aws-iso-f';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-iso-') || region.startsWith('us-iso')) return 'aws-iso';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

export function mantleEndpoint(region: string): string {
  return `https://bedrock-mantle.${region}.api.aws/openai/v1`;
}
