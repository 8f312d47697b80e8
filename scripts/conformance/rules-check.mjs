// Which rows of the doctor's version rule table (src/codex/rules.ts, reported by `doctor --json` as
// `codex: {version, source, ruleSet, rules: [{behaviour, value, range, established}]}`) the probe
// observations of one release confirm or contradict.
//
// RULE_CHECKS maps each row (by behaviour name) to the probes that establish it and a judgement of their
// values (scripts/conformance/probes.mjs) against the row's value for that release. A row whose probes were
// not run for the release is listed as "not probed".
import { join } from 'node:path';
import { REPO, run } from './lib.mjs';

const posts = (value) => Number(/^(\d+) POST/.exec(value ?? '')?.[1] ?? NaN);
const sent = (value) => /^sent/.test(value ?? '');

/** @type {Record<string, { probes: string[], judge: (rowValue: any, v: (probe: string) => string | undefined) => boolean | undefined }>} */
export const RULE_CHECKS = {
  providerKeys: { probes: ['base-url'], judge: (row, v) => row.includes('base_url') === sent(v('base-url')) },
  awsKeys: {
    // From 0.145.0 the refusal of another provider field lists the known aws keys; before, only profile/region.
    probes: ['provider-name'],
    judge: (row, v) => ['auth_refresh', 'credential_export'].every((k) => row.includes(k) === (v('provider-name') ?? '').includes(`\`aws.${k}\``)),
  },
  warnsIgnoredKeys: { probes: ['provider-unknown-key'], judge: (row, v) => row === (v('provider-unknown-key') ?? '').includes('[warning:') },
  profileFlag: { probes: ['profile-file'], judge: (row, v) => (row === 'profile-file') === sent(v('profile-file')) },
  bearerRegionFromEnv: { probes: ['bearer-region-aws-region'], judge: (row, v) => row === sent(v('bearer-region-aws-region')) },
  profileBeatsBearer: { probes: ['profile-vs-bearer'], judge: (row, v) => row === / sigv4 ok /.test(v('profile-vs-bearer') ?? '') },
  credentialExport: { probes: ['credential-export'], judge: (row, v) => (row === 'used') === / sigv4 ok /.test(v('credential-export') ?? '') },
  defaultModel: { probes: ['default-model'], judge: (row, v) => (v('default-model') ?? '').includes(` model=${row}`) },
  catalogue: { probes: ['catalogue'], judge: (row, v) => v('catalogue') === row.join(' ') },
  govcloud: { probes: ['region-us-gov-west-1', 'region-us-gov-east-1'], judge: (row, v) => ['west', 'east'].every((s) => v(`region-us-gov-${s}-1`) === undefined || row.includes(`us-gov-${s}-1`) === sent(v(`region-us-gov-${s}-1`))) },
  regionAllowList: {
    probes: ['us-east-2', 'us-west-2', 'us-west-1', 'ca-central-1', 'ap-southeast-1', 'ap-northeast-1', 'ap-south-1', 'ap-southeast-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-west-1', 'eu-west-2', 'sa-east-1'].map((r) => `region-${r}`),
    judge: (row, v) => {
      const judged = RULE_CHECKS.regionAllowList.probes.filter((p) => v(p) !== undefined);
      return judged.length === 0 ? undefined : judged.every((p) => row.includes(p.slice('region-'.length)) === sent(v(p)));
    },
  },
  regionRefusal: { probes: ['region-us-west-1'], judge: (row, v) => (v('region-us-west-1') ?? '').includes(`${row} \`us-west-1\``) },
  retries404: { probes: ['retry-404'], judge: (row, v) => row === posts(v('retry-404')) > 1 },
  retries429: { probes: ['retry-429'], judge: (row, v) => row === posts(v('retry-429')) > 1 },
  // The probes store a good key / good access keys in auth.json and put a us-west-2 key in the shell.
  storedApiKey: { probes: ['stored-api-key'], judge: (row, v) => (row === 'used') === / ok model=/.test(v('stored-api-key') ?? '') },
  storedAccessKeys: {
    probes: ['stored-access-keys'],
    judge: (row, v) => {
      const value = v('stored-access-keys') ?? '';
      const seen = /unknown variant/.test(value) ? 'unknown' : / sigv4 ok /.test(value) ? 'before-bearer-key' : /bearer-short-term WrongRegion/.test(value) ? 'after-bearer-key' : '?';
      return row === seen;
    },
  },
};

/** Lines judging each rule row of `codex` (the report's `codex` block) against the observations of `version`. */
export function compareWithRules(codex, observations, version) {
  if (!codex?.rules) {
    return ["Rule table: the doctor's --json report has no `codex.rules` (an older build?); no row can be checked."];
  }
  const v = (probe) => observations.find((o) => o.probe === probe && o.version === version)?.value;
  const out = [`Rule table: doctor detected ${codex.version ?? 'no Codex'} (${codex.source ?? '-'}), rule set ${codex.ruleSet}`];
  for (const rule of codex.rules) {
    const check = RULE_CHECKS[rule.behaviour];
    const probed = check?.probes.some((p) => v(p) !== undefined);
    const verdict = check && probed ? check.judge(rule.value, v) : undefined;
    const shown = JSON.stringify(rule.value);
    const evidence = check ? check.probes.filter((p) => v(p) !== undefined).map((p) => `${p}: ${v(p)}`).join('; ') : '';
    if (verdict === undefined) out.push(`  not probed    ${rule.behaviour} = ${shown.slice(0, 120)} (${rule.range})`);
    else out.push(`  ${verdict ? 'confirms   ' : 'CONTRADICTS'}   ${rule.behaviour} = ${shown.slice(0, 120)} (${rule.range})${verdict ? '' : `\n                <- ${evidence.slice(0, 600)}`}`);
  }
  return out;
}

/** The doctor's rules for a release, from the built CLI (`--codex-version`, offline, no config). */
export async function doctorRulesFor(version, home) {
  const r = await run(
    process.execPath,
    [join(REPO, 'bin', 'codex-bedrock.cjs'), 'doctor', '--json', '--offline', '--only', 'codex.version', '--codex-version', version, '--codex-home', join(home, '.codex')],
    { env: { PATH: process.env.PATH, HOME: home, CODEX_BEDROCK_MANAGED_CONFIG: join(home, 'none', 'managed_config.toml') }, timeoutMs: 30_000 },
  );
  try {
    return JSON.parse(r.stdout).codex ?? null;
  } catch {
    return null;
  }
}
