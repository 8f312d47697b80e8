/**
 * The JSON `code` of each finding (issue 11): every code a check can return is listed in
 * schema/report.schema.json, and codes are stable identifiers (lower case, dot-separated). The end-to-end
 * tests check that every emitted report carries a code for every check and validates against the schema.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/scenarios.js';

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'report.schema.json'), 'utf8')) as {
  properties: { checks: { items: { required: string[]; properties: { code: { anyOf: [{ type: 'null' }, { enum: string[] }] } } } } };
};
const documented = new Set(schema.properties.checks.items.properties.code.anyOf[1].enum);
const source = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** Code literals in the checks: `code: 'x.y'`, ternaries of literals, bedrock's fail('cause', ...). */
function codesInChecks(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(join(REPO_ROOT, 'src', 'checks')).filter((name) => name.endsWith('.ts'))) {
    const text = source(join('src', 'checks', file));
    for (const line of text.split('\n').filter((l) => /\bcode(s\.push\(|: )/.test(l))) {
      for (const match of line.matchAll(/'([a-z]+(?:\.[a-z0-9-]+)+)'/g)) found.add(match[1]!);
    }
    for (const match of text.matchAll(/\bfail\(\s*'([a-z-]+)',/g)) found.add(`bedrock.${match[1]}`);
  }
  return [...found].sort();
}

describe('finding codes', () => {
  it('code is a required field of every check in the schema', () => {
    expect(schema.properties.checks.items.required).toContain('code');
  });

  it('every code literal in src/checks is documented in the schema', () => {
    const codes = codesInChecks();
    expect(codes.length).toBeGreaterThan(60);
    expect(codes.filter((code) => !documented.has(code))).toEqual([]);
  });

  it('every Bedrock API key finding (auth.<finding code>) is documented', () => {
    const findings = [...source('src/auth/bedrockKey.ts').matchAll(/(?:code: |bad\()'(bearer\.[a-z.-]+)'/g)].map((m) => `auth.${m[1]}`);
    expect(findings.length).toBeGreaterThan(10);
    expect(findings.filter((code) => !documented.has(code))).toEqual([]);
  });

  it('every network failure kind has its bedrock.network-* code', () => {
    const kinds = /export type NetworkFailureKind = ([^;]+);/.exec(source('src/net/networkErrors.ts'))![1]!.match(/'([a-z-]+)'/g)!.map((k) => k.slice(1, -1));
    expect(kinds.map((kind) => `bedrock.network-${kind}`).filter((code) => !documented.has(code))).toEqual([]);
  });

  it('the runner\'s own codes are documented', () => {
    for (const code of ['skip.not-selected', 'skip.prerequisite', 'skip.offline', 'internal.error']) expect(documented.has(code)).toBe(true);
  });
});
