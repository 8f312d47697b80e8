import { CODEX_GOVCLOUD_REGIONS, CODEX_MANTLE_REGIONS, partitionOf, REGION_SHAPE } from '../catalogue/regions.js';
import type { CodexRelease } from '../codex/release.js';
import { unreadableAwsFiles } from '../auth/profileKind.js';
import { describeOrigin } from '../resolve/origin.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { closest } from './suggest.js';
import type { Check, CheckOutcome } from './types.js';

const DOCS = 'https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html';
const KNOWN_REGIONS = [...CODEX_MANTLE_REGIONS, ...CODEX_GOVCLOUD_REGIONS, 'us-west-1', 'ca-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-2', 'ap-northeast-3', 'eu-west-3', 'eu-south-2', 'eu-central-2', 'me-central-1', 'me-south-1', 'af-south-1', 'il-central-1', 'ca-west-1', 'mx-central-1'];

function regionSnippet(region: string): string {
  return ['[model_providers.amazon-bedrock.aws]', `region = "${region}"`].join('\n');
}

/** A near miss of a well-formed region: wrong case, surrounding spaces, dashes dropped. */
function suggestRegion(value: string): string | undefined {
  const trimmedLower = value.trim().toLowerCase();
  if (REGION_SHAPE.test(trimmedLower)) return trimmedLower;
  const squashed = trimmedLower.replace(/[^a-z0-9]/g, '');
  return KNOWN_REGIONS.find((region) => region.replace(/-/g, '') === squashed) ?? closest(trimmedLower, KNOWN_REGIONS, 2)[0];
}

/** The regions this Codex release sends to Mantle without a base_url override. */
function acceptedRegions(codex: CodexRelease): readonly string[] {
  const rules = codex.rules.behaviour;
  return [...rules.regionAllowList, ...rules.govcloud];
}

function whereToSet(setup: EffectiveSetup): string {
  if (setup.region.rule === 'bearer-config-only') {
    return `Set it in ${setup.codexHome.path}/config.toml (Codex ${setup.codex.rules.release} reads the region of a Bedrock API key from nowhere else):\n${regionSnippet('us-east-1')}`;
  }
  return `Set it in ${setup.codexHome.path}/config.toml:\n${regionSnippet('us-east-1')}\nor put AWS_REGION=us-east-1 in ${setup.codexHome.path}/.env (the desktop app and IDE extension read that file, not your shell).`;
}

export const regionSet: Check = {
  id: 'region.set',
  title: 'Region is set and supported by Codex',
  requires: ['config.provider'],
  network: false,
  run({ setup }): CheckOutcome {
    const { region } = setup;
    const ignored = region.candidates.filter((c) => c.ignoredBecause).map((c) => `${describeOrigin(c.origin)} was ignored: ${c.ignoredBecause}`);
    if (!region.effective) {
      const codexSays = {
        bearer: 'Codex fails with "Amazon Bedrock bearer token auth requires `model_providers.amazon-bedrock.aws.region`, `AWS_REGION`, or `AWS_DEFAULT_REGION`"',
        'bearer-config-only': `Codex ${setup.codex.rules.release} fails with "Amazon Bedrock bearer token auth requires \`model_providers.amazon-bedrock.aws.region\`" (this release reads no other region for a Bedrock API key)`,
        'stored-key': 'the Bedrock API key stored in auth.json has no region stored with it, and Codex uses no other region for it',
        'aws-sdk': 'Codex fails with "failed to resolve Amazon Bedrock auth: AWS SDK config did not resolve a region"',
      }[region.rule];
      return {
        status: 'fail',
        code: 'region.not-set',
        summary: `No region found${ignored.length > 0 ? ` (${region.candidates.filter((c) => c.ignoredBecause).map((c) => describeOrigin(c.origin)).join(', ')}: set but empty, which Codex treats as unset)` : ''}: ${codexSays}`,
        details: [`sources tried, in Codex's order: ${region.tried.join(', ')}`, ...ignored, ...unreadableAwsFiles(setup)],
        remediation: region.rule === 'stored-key' ? 'Sign in to Bedrock again in Codex and choose the region, or remove the stored key from auth.json.' : whereToSet(setup),
        docs: DOCS,
        facts: { finding: 'region-missing' },
      };
    }
    const source = describeOrigin(region.effective.origin);
    const value = region.effective.value;
    const written = region.effective.written;
    const details = [`region from ${source}`, ...ignored];
    if (typeof value !== 'string') {
      return { status: 'fail', code: 'region.not-a-string', summary: `The region at ${source} is not a string`, details, remediation: `Write it as a string:\n${regionSnippet('us-east-1')}`, docs: DOCS };
    }
    if (value.trim() === '') {
      return {
        status: 'fail',
        code: 'region.empty',
        summary: `${describeOrigin(region.effective.origin)} is set but ${value === '' ? 'empty' : 'blank'}, and the AWS SDK region chain Codex uses on this path takes it as it is: Codex fails with "${setup.codex.rules.behaviour.regionRefusal} \`${value}\`"`,
        details,
        remediation: `Unset it or give it a value, e.g. export AWS_REGION=us-east-1 (or set the region in config.toml:\n${regionSnippet('us-east-1')})`,
        docs: DOCS,
        facts: { finding: 'region-blank' },
      };
    }
    if (!REGION_SHAPE.test(value)) {
      const suggestion = suggestRegion(value);
      const shown = JSON.stringify(value);
      return {
        status: 'fail',
        code: 'region.malformed',
        summary: `The region ${shown} (${source}) is not a well-formed AWS region name${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        details: [...details, 'Codex uses this value as it is: an endpoint host with upper case, spaces or missing dashes does not exist'],
        remediation: `Change it at ${source} to ${suggestion ? `"${suggestion}"` : 'a region such as "us-east-1"'}.`,
        docs: DOCS,
        facts: { finding: 'region-malformed', suggestion: suggestion ?? null },
      };
    }
    const overridden = setup.baseUrl !== null;
    const accepted = acceptedRegions(setup.codex);
    const allowList = setup.codex.rules.behaviour.regionAllowList;
    const release = setup.codex.rules.release;
    const allowed = accepted.includes(value);
    const refusal = setup.codex.rules.behaviour.regionRefusal;
    if (!allowed && !overridden && (CODEX_GOVCLOUD_REGIONS as readonly string[]).includes(value)) {
      return {
        status: 'fail',
        code: 'region.govcloud-refused',
        summary: `Codex ${release} fails with "${refusal} \`${value}\`" (${source}): this release refuses ${value}`,
        details: [...details, `regions Codex ${release} accepts: ${allowList.join(', ')}`],
        remediation: `Use a commercial region (${allowList.join(', ')}). Later Codex releases send GovCloud regions (see codex.version for the release this was judged against).`,
        docs: DOCS,
      };
    }
    if (!allowed && !overridden && partitionOf(value) !== 'aws') {
      return {
        status: 'fail',
        code: 'region.other-partition',
        summary: `Codex fails with "${refusal} \`${value}\`" (${source}): it is outside the commercial AWS partition (see region.not-govcloud)`,
        details,
        remediation: `Codex's Bedrock provider serves commercial regions only (${allowList.join(', ')}); that needs credentials for a commercial AWS account, not one in ${value}'s partition.`,
        docs: DOCS,
      };
    }
    if (!allowed && !overridden) {
      const why = value === 'us-west-1' ? ' (there is no Bedrock Mantle endpoint in us-west-1 at all)' : '';
      return {
        status: 'fail',
        code: 'region.not-in-allow-list',
        summary: `Codex fails with "${refusal} \`${value}\`" (${source})${why}`,
        details: [...details, `regions Codex ${release} accepts: ${allowList.join(', ')}`],
        remediation: `Change the region at ${source} to one where your model is available, e.g. ${closest(value, allowList, 6)[0] ?? 'us-east-1'}. Accepted: ${allowList.join(', ')}.`,
        docs: DOCS,
        facts: { finding: 'region-not-allowed' },
      };
    }
    if (overridden) details.push(`base_url is overridden, so Codex skips its region allow-list; the region is still used for signing`);
    if (typeof written === 'string' && written !== value) {
      return {
        status: 'warn',
        code: 'region.surrounding-spaces',
        summary: `Region ${value} (${source}) is written with surrounding spaces (${JSON.stringify(written)}); Codex trims them here, but other AWS tools may not`,
        details,
        remediation: `Remove the spaces at ${source}.`,
        docs: DOCS,
        facts: { region: value },
      };
    }
    const losers = region.candidates.filter((c) => c.value !== null && c.origin !== region.effective!.origin && c.value !== value);
    if (losers.length > 0) {
      return {
        status: 'warn',
        code: 'region.sources-disagree',
        summary: `Region ${value} from ${source} wins, but other sources disagree: ${losers.map((l) => `${JSON.stringify(l.value)} (${describeOrigin(l.origin)})`).join(', ')}`,
        details,
        remediation: `Codex uses ${value}. Make the other sources agree or remove them, so other AWS tools (which read them in a different order) use the same region.`,
        docs: DOCS,
      };
    }
    return { status: 'pass', code: 'region.ok', summary: `Region ${value} (${source})`, details, facts: { region: value } };
  },
};
