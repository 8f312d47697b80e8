/**
 * The human renderer's layout: wrapping with a hanging indent only when a terminal width is given (piped
 * output stays unwrapped, one line per finding), and the --verbose effective-setup table.
 */
import { describe, expect, it } from '@jest/globals';
import { renderHuman, wrapWords } from '../src/report/human.js';
import { buildReport } from '../src/report/report.js';
import type { CheckResult } from '../src/checks/types.js';

const LONG = 'Codex fails with "Amazon Bedrock does not support region `ca-central-1`" (AWS_REGION (shell environment)) and more words to wrap';

function report(): ReturnType<typeof buildReport> {
  const result: CheckResult = {
    id: 'region.set', title: 'Region', status: 'fail', code: 'region.not-in-allow-list', summary: LONG, details: ['a detail'],
    remediation: 'Change the region at AWS_REGION (shell environment) to one where your model is available, e.g. us-east-1.',
    docs: 'https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html', durationMs: 1, skipReason: null, facts: {},
  };
  return buildReport({ version: '9.9.9', generatedAt: new Date(0), setup: null, results: [result], error: null });
}

describe('wrapWords', () => {
  it.each([
    ['a b c d', 3, ['a b', 'c d']],
    ['one two  three', 8, ['one two', 'three']],
    ['short', 80, ['short']],
    ['https://a.very.long/url/that/cannot/break x', 10, ['https://a.very.long/url/that/cannot/break', 'x']],
  ] as const)('%j at %i columns', (text, width, expected) => {
    expect(wrapWords(text, width, width)).toEqual(expected);
  });
});

describe('renderHuman layout', () => {
  it('piped (no columns): every finding stays on one line', () => {
    const text = renderHuman(report(), { colorLevel: 0, unicode: false, verbose: false });
    expect(text).toContain(`[FAIL] region.set  ${LONG}`);
  });

  it('on a 60-column terminal: no line is longer than 60 columns, continuation lines hang under the text', () => {
    const text = renderHuman(report(), { colorLevel: 0, unicode: true, verbose: true, columns: 60 });
    const lines = text.split('\n');
    expect(lines.filter((line) => line.length > 60 && !/\S{40,}/.test(line))).toEqual([]);
    const first = lines.findIndex((line) => line.startsWith('✖ region.set'));
    expect(lines[first + 1]).toMatch(/^ {14}\S/);
    const fix = lines.findIndex((line) => line.startsWith('    fix: '));
    expect(lines[fix + 1]).toMatch(/^ {9}\S/);
  });

  it('--verbose with setup rows: the effective-setup table, each value and where it came from', () => {
    const rows = [{ what: 'region', value: 'us-east-1', from: 'AWS_REGION (shell environment)' }, { what: 'Codex profile', value: '(none)', from: '-' }];
    const text = renderHuman(report(), { colorLevel: 0, unicode: false, verbose: true }, undefined, rows);
    expect(text).toContain('Effective setup (value, then where it comes from):\n  region         us-east-1  (AWS_REGION (shell environment))\n  Codex profile  (none)\n');
    expect(renderHuman(report(), { colorLevel: 0, unicode: false, verbose: false }, undefined, rows)).not.toContain('Effective setup');
  });
});
