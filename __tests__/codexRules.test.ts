/**
 * The version rule table (src/codex/rules.ts) and release numbers (src/codex/version.ts): lookups at every
 * boundary, clamping outside the known range, and the table's own consistency. The behaviour each rule
 * drives in the resolver and the checks is tested in codexReleases.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import {
  BEHAVIOUR_NAMES,
  changeFor,
  changeReleases,
  FIRST_BEDROCK_RELEASE,
  NEWEST_KNOWN_RELEASE,
  RULE_TABLE,
  rulesFor,
  type BehaviourName,
} from '../src/codex/rules.js';
import { compareVersions, findVersion, parseVersion } from '../src/codex/version.js';

describe('release numbers', () => {
  it.each([
    ['0.128.0', '0.128.0', 0],
    ['0.99.0', '0.128.0', -1],
    ['0.145.0', '0.144.6', 1],
    ['0.153.1', '0.153.0', 1],
    ['1.0.0', '0.171.0', 1],
    ['0.128.0-alpha.1', '0.128.0', -1],
    ['0.128.0', '0.128.0-alpha.1', 1],
    ['v0.171.0', '0.171.0', 0],
  ])('%s vs %s: %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it.each([
    ['codex-cli 0.171.0', '0.171.0'],
    ['codex-cli 0.128.0-alpha.1\n', '0.128.0-alpha.1'],
    ['OpenAI Codex v0.145.0 (research preview)', '0.145.0'],
    ['no version here', null],
    ['1.2', null],
  ])('findVersion(%j) = %j', (text, expected) => {
    expect(findVersion(text)).toBe(expected);
  });

  it('refuses what is not a release number', () => {
    expect(parseVersion('latest')).toBeNull();
    expect(parseVersion('0.171')).toBeNull();
    expect(parseVersion('0.171.0; rm -rf /')).toBeNull();
  });
});

describe('the rule table', () => {
  it('every row starts at the first Bedrock release and lists its changes in ascending order', () => {
    for (const name of BEHAVIOUR_NAMES) {
      const froms = RULE_TABLE[name].changes.map((change) => change.from);
      expect({ name, first: froms[0] }).toEqual({ name, first: FIRST_BEDROCK_RELEASE });
      const sorted = [...froms].sort(compareVersions);
      expect({ name, froms }).toEqual({ name, froms: sorted });
      expect(new Set(froms).size).toBe(froms.length);
    }
  });

  it('every change says how it was established', () => {
    for (const name of BEHAVIOUR_NAMES) for (const change of RULE_TABLE[name].changes) expect(change.established.length).toBeGreaterThan(10);
  });

  it('no change is dated after the newest known release', () => {
    for (const name of BEHAVIOUR_NAMES) for (const change of RULE_TABLE[name].changes) expect(compareVersions(change.from, NEWEST_KNOWN_RELEASE)).toBeLessThanOrEqual(0);
  });

  it('changeReleases lists each release where something changes, once, ascending', () => {
    const releases = changeReleases();
    expect(releases[0]).toBe(FIRST_BEDROCK_RELEASE);
    expect([...releases].sort(compareVersions)).toEqual(releases);
    expect(releases).toContain('0.145.0');
    expect(releases).toContain(NEWEST_KNOWN_RELEASE);
  });
});

describe('rulesFor: the value of each behaviour by release', () => {
  const at = <K extends BehaviourName>(version: string, behaviour: K) => rulesFor(version).behaviour[behaviour];

  it.each([
    // The three differences issue 8 names.
    ['0.171.0', 'defaultModel', 'openai.gpt-6.2-sol'],
    ['0.169.0', 'defaultModel', 'openai.gpt-6.1-sol'],
    ['0.128.0', 'providerKeys', []],
    ['0.140.0', 'providerKeys', []],
    ['0.145.0', 'providerKeys', ['base_url', 'auth', 'http_headers']],
    ['0.128.0', 'profileFlag', 'legacy-table'],
    ['0.140.0', 'profileFlag', 'profile-file'],
    ['0.145.0', 'profileBeatsBearer', false],
    ['0.155.0', 'profileBeatsBearer', true],
    // Boundaries: the release before a change keeps the old value.
    ['0.144.6', 'providerKeys', []],
    ['0.148.0', 'awsKeys', ['profile', 'region']],
    ['0.149.0', 'awsKeys', ['profile', 'region', 'auth_refresh']],
    ['0.155.0', 'awsKeys', ['profile', 'region', 'credential_export', 'auth_refresh']],
    ['0.133.0', 'profileFlag', 'legacy-table'],
    ['0.134.0', 'profileFlag', 'profile-file'],
    ['0.135.0', 'bearerRegionFromEnv', false],
    ['0.136.0', 'bearerRegionFromEnv', true],
    ['0.149.1', 'profileBeatsBearer', false],
    ['0.150.0', 'profileBeatsBearer', true],
    ['0.155.1', 'warnsIgnoredKeys', false],
    ['0.156.0', 'warnsIgnoredKeys', true],
    ['0.149.1', 'regionRefusal', 'Amazon Bedrock Mantle does not support region'],
    ['0.150.0', 'regionRefusal', 'Amazon Bedrock does not support region'],
    ['0.135.0', 'defaultModel', 'openai.gpt-5.4'],
    ['0.136.0', 'defaultModel', 'openai.gpt-5.5'],
    ['0.156.1', 'defaultModel', 'openai.gpt-5.6-sol'],
    ['0.157.0', 'defaultModel', 'openai.gpt-6-sol'],
    ['0.159.0', 'defaultModel', 'openai.gpt-6-sol'],
    ['0.159.1', 'defaultModel', 'openai.gpt-6.1-sol'],
    ['0.154.0', 'credentialExport', 'ignored'],
    ['0.155.0', 'credentialExport', 'used'],
    ['0.133.0', 'govcloud', []],
    ['0.134.0', 'govcloud', ['us-gov-west-1']],
    ['0.135.0', 'govcloud', []],
    ['0.160.1', 'govcloud', []],
    ['0.161.0', 'govcloud', ['us-gov-east-1', 'us-gov-west-1']],
    ['0.160.1', 'retries429', false],
    ['0.161.0', 'retries429', true],
    ['0.171.0', 'retries404', true],
  ] as const)('Codex %s: %s = %j', (version, behaviour, expected) => {
    expect(at(version, behaviour)).toEqual(expected);
  });

  it('0.171.0 catalogue adds openai.gpt-6.2-sol and openai.gpt-6.2-astra to what 0.169.0 lists', () => {
    const older = rulesFor('0.169.0').behaviour.catalogue;
    const newer = rulesFor('0.171.0').behaviour.catalogue;
    expect(older).not.toContain('openai.gpt-6.2-astra');
    expect(newer.filter((id) => !older.includes(id))).toEqual(expect.arrayContaining(['openai.gpt-6.2-sol', 'openai.gpt-6.2-astra']));
  });

  it("each release's default model is in its own catalogue", () => {
    for (const version of changeReleases()) {
      const { behaviour } = rulesFor(version);
      expect({ version, inCatalogue: behaviour.catalogue.includes(behaviour.defaultModel) }).toEqual({ version, inCatalogue: true });
    }
  });

  it('a release newer than the newest known gets the newest rules; one older than 0.128.0 the first', () => {
    expect(rulesFor('0.172.0').release).toBe(NEWEST_KNOWN_RELEASE);
    expect(rulesFor('9.0.0').behaviour).toEqual(rulesFor(NEWEST_KNOWN_RELEASE).behaviour);
    expect(rulesFor('0.100.0').release).toBe(FIRST_BEDROCK_RELEASE);
    expect(rulesFor('0.128.0-alpha.1').release).toBe(FIRST_BEDROCK_RELEASE);
  });

  it('a pre-release of a change release still has the old behaviour', () => {
    expect(changeFor(RULE_TABLE.providerKeys, '0.145.0-alpha.2').value).toEqual([]);
  });

  it('names, for each behaviour, the release range the applied value holds for', () => {
    const applied = rulesFor('0.147.0').applied;
    expect(applied.map((rule) => rule.behaviour)).toEqual(BEHAVIOUR_NAMES);
    expect(applied.find((rule) => rule.behaviour === 'providerKeys')?.range).toBe('0.145.0 and later');
    expect(applied.find((rule) => rule.behaviour === 'profileBeatsBearer')?.range).toBe('0.128.0 – before 0.150.0');
    expect(applied.find((rule) => rule.behaviour === 'regionAllowList')?.range).toBe('0.128.0 and later');
  });
});
