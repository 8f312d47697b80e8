/**
 * runChecks: order, prerequisites, internal errors, offline skips, timing. The checks here are small real
 * Check objects written for the test; the setup they run over comes from the real resolver.
 */
import { describe, expect, it } from '@jest/globals';
import { deselectedChecks } from '../src/checks/selection.js';
import { runChecks } from '../src/checks/runner.js';
import type { Check, CheckContext, CheckId, CheckOutcome, CheckResult } from '../src/checks/types.js';
import { CONFIG, FIXED_NOW, makeWorld } from './helpers/world.js';

/** A check that records that it ran and returns a fixed outcome (or throws, or waits). */
function check(
  id: CheckId,
  outcome: CheckOutcome | (() => CheckOutcome | Promise<CheckOutcome>),
  { requires = [], network = false }: { requires?: CheckId[]; network?: boolean } = {},
  ran: CheckId[] = [],
): Check {
  return {
    id,
    title: `title of ${id}`,
    requires,
    network,
    run: () => {
      ran.push(id);
      return typeof outcome === 'function' ? outcome() : outcome;
    },
  };
}

const PASS: CheckOutcome = { status: 'pass', code: 'test.pass', summary: 'fine' };
const WARN: CheckOutcome = { status: 'warn', code: 'test.warn', summary: 'careful', remediation: 'do this' };
const FAIL: CheckOutcome = { status: 'fail', code: 'test.fail', summary: 'broken', remediation: 'fix it' };

function context(options: { offline?: boolean } = {}): Omit<CheckContext, 'earlier'> {
  return makeWorld({ files: { [CONFIG]: 'model_provider = "amazon-bedrock"\n' } }).checkContext(options);
}

const byId = (results: CheckResult[]) => new Map(results.map((result) => [result.id, result]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runChecks', () => {
  it('keeps the order it was given (not alphabetical, not by status)', async () => {
    const ids: CheckId[] = ['model.id', 'config.provider', 'env.dotenv', 'region.set', 'auth.token'];
    const outcomes = [FAIL, PASS, WARN, { status: 'skip', code: 'test.skip', summary: 'n/a', skipReason: 'not applicable' } as CheckOutcome, PASS];
    const results = await runChecks(
      ids.map((id, i) => check(id, outcomes[i]!)),
      context(),
    );
    expect(results.map((r) => r.id)).toEqual(ids);
    expect(results.map((r) => r.status)).toEqual(['fail', 'pass', 'warn', 'skip', 'pass']);
  });

  it('turns an outcome into a full result with defaults', async () => {
    const [pass, skip, warn] = await runChecks(
      [
        check('config.provider', PASS),
        check('region.set', { status: 'skip', code: 'test.skip', summary: 'Skipped: nothing to judge', skipReason: 'nothing to judge' }),
        check('model.id', { ...WARN, details: ['a'], docs: 'https://example.com', facts: { model: 'x' } }),
      ],
      context(),
    );
    expect(pass).toEqual({
      id: 'config.provider',
      title: 'title of config.provider',
      status: 'pass',
      code: 'test.pass',
      summary: 'fine',
      details: [],
      remediation: null,
      docs: null,
      durationMs: expect.any(Number),
      skipReason: null,
      facts: {},
    });
    expect(skip).toMatchObject({ status: 'skip', skipReason: 'nothing to judge' });
    expect((await runChecks([check('config.provider', { ...PASS, code: 'config.ok' })], context()))[0]?.code).toBe('config.ok');
    expect(skip?.blocked).toBeFalsy();
    expect(warn).toMatchObject({ status: 'warn', details: ['a'], remediation: 'do this', docs: 'https://example.com', facts: { model: 'x' }, skipReason: null });
  });

  it.each<{ name: string; prerequisite: CheckOutcome; runs: boolean }>([
    { name: 'failed: the dependent is skipped', prerequisite: FAIL, runs: false },
    { name: 'warned: the dependent runs', prerequisite: WARN, runs: true },
    { name: 'passed: the dependent runs', prerequisite: PASS, runs: true },
    // A check that decides by itself that it does not apply is not a failure; its dependents still run.
    { name: 'skipped by itself (not blocked): the dependent runs', prerequisite: { status: 'skip', code: 'test.skip', summary: 'n/a', skipReason: 'n/a' }, runs: true },
  ])('prerequisite $name', async ({ prerequisite, runs }) => {
    const ran: CheckId[] = [];
    const results = await runChecks(
      [check('config.provider', prerequisite, {}, ran), check('region.set', PASS, { requires: ['config.provider'] }, ran)],
      context(),
    );
    const dependent = byId(results).get('region.set')!;
    expect(ran.includes('region.set')).toBe(runs);
    if (runs) {
      expect(dependent.status).toBe('pass');
    } else {
      expect(dependent).toMatchObject({ status: 'skip', code: 'skip.prerequisite', blocked: true, durationMs: 0 });
      expect(dependent.skipReason).toContain('config.provider');
      expect(dependent.skipReason).toMatch(/fail/);
      expect(dependent.summary).toContain('config.provider');
    }
  });

  it('skips a dependent of a blocked check too, naming the check it waited on', async () => {
    const ran: CheckId[] = [];
    const results = byId(
      await runChecks(
        [
          check('config.provider', FAIL, {}, ran),
          check('region.set', PASS, { requires: ['config.provider'] }, ran),
          check('region.not-govcloud', PASS, { requires: ['region.set'] }, ran),
          check('env.dotenv', PASS, {}, ran),
        ],
        context(),
      ),
    );
    expect(ran).toEqual(['config.provider', 'env.dotenv']);
    expect(results.get('region.not-govcloud')).toMatchObject({ status: 'skip', blocked: true });
    expect(results.get('region.not-govcloud')!.skipReason).toContain('region.set');
    expect(results.get('env.dotenv')!.status).toBe('pass');
  });

  it('names the first failed prerequisite when several are listed', async () => {
    const results = byId(
      await runChecks(
        [
          check('region.set', PASS),
          check('auth.token', FAIL),
          check('model.id', FAIL),
          check('bedrock.responses', PASS, { requires: ['region.set', 'auth.token', 'model.id'] }),
        ],
        context(),
      ),
    );
    expect(results.get('bedrock.responses')!.skipReason).toContain('auth.token');
  });

  it.each<{ name: string; thrown: unknown; message: string }>([
    { name: 'an Error', thrown: new Error('cannot read properties of undefined'), message: 'cannot read properties of undefined' },
    { name: 'a non-Error value', thrown: 'plain string thrown', message: 'plain string thrown' },
  ])('a check that throws $name becomes an internal-error failure; later checks still run', async ({ thrown, message }) => {
    const ran: CheckId[] = [];
    const results = byId(
      await runChecks(
        [
          check('config.provider', PASS, {}, ran),
          check('region.set', () => {
            throw thrown;
          }, {}, ran),
          check('region.not-govcloud', PASS, { requires: ['region.set'] }, ran),
          check('model.id', PASS, {}, ran),
        ],
        context(),
      ),
    );
    const broken = results.get('region.set')!;
    expect(broken).toMatchObject({ status: 'fail', internalError: true });
    expect(broken.summary).toContain(message);
    expect(broken.summary).toMatch(/internal error/i);
    expect(broken.remediation).toMatch(/bug/);
    expect(broken.durationMs).toBeGreaterThanOrEqual(0);
    expect(ran).toEqual(['config.provider', 'region.set', 'model.id']);
    expect(results.get('model.id')).toMatchObject({ status: 'pass' });
    expect(results.get('model.id')!.internalError).toBeFalsy();
    // A broken check is a failed prerequisite: its dependents are not run on garbage.
    expect(results.get('region.not-govcloud')).toMatchObject({ status: 'skip', blocked: true });
    expect(results.get('region.not-govcloud')!.skipReason).toContain('region.set');
  });

  it('a check whose promise rejects is an internal error too', async () => {
    const results = await runChecks(
      [check('auth.identity', async () => Promise.reject(new Error('socket hang up'))), check('env.dotenv', PASS)],
      context(),
    );
    expect(results[0]).toMatchObject({ status: 'fail', internalError: true });
    expect(results[0]!.summary).toContain('socket hang up');
    expect(results[1]!.status).toBe('pass');
  });

  it.each<{ offline: boolean; runs: boolean }>([
    { offline: true, runs: false },
    { offline: false, runs: true },
  ])('network checks with offline=$offline', async ({ offline, runs }) => {
    const ran: CheckId[] = [];
    const results = byId(
      await runChecks(
        [check('auth.token', PASS, {}, ran), check('auth.identity', PASS, { network: true, requires: ['auth.token'] }, ran), check('model.id', PASS, {}, ran)],
        context({ offline }),
      ),
    );
    expect(ran).toEqual(runs ? ['auth.token', 'auth.identity', 'model.id'] : ['auth.token', 'model.id']);
    const network = results.get('auth.identity')!;
    if (runs) {
      expect(network.status).toBe('pass');
    } else {
      expect(network.status).toBe('skip');
      expect(network.skipReason).toMatch(/offline/);
      expect(network.summary).toMatch(/offline/);
      expect(network.blocked).toBeFalsy();
    }
  });

  it('a failed prerequisite is the reason given even under --offline', async () => {
    const results = byId(
      await runChecks([check('auth.token', FAIL), check('auth.identity', PASS, { network: true, requires: ['auth.token'] })], context({ offline: true })),
    );
    expect(results.get('auth.identity')!.skipReason).toContain('auth.token');
  });

  it('records durations: zero or more for every check, and the real time of a slow one', async () => {
    const results = await runChecks(
      [
        check('config.provider', PASS),
        check('region.set', async () => {
          await sleep(30);
          return PASS;
        }),
        check('region.not-govcloud', FAIL),
        check('auth.token', PASS, { requires: ['region.not-govcloud'] }),
        check('auth.identity', PASS, { network: true }),
      ],
      context({ offline: true }),
    );
    results.forEach((result) => {
      expect(Number.isFinite(result.durationMs)).toBe(true);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });
    expect(byId(results).get('region.set')!.durationMs).toBeGreaterThanOrEqual(20);
  });

  it('hands every check the setup, options, clock and the results before it', async () => {
    const seen: { earlier: CheckId[]; region: unknown; offline: boolean; now: string; provider: unknown }[] = [];
    const spy = (id: CheckId): Check => ({
      id,
      title: id,
      requires: [],
      network: false,
      run: ({ earlier, setup, options, now }) => {
        seen.push({ earlier: [...earlier.keys()], region: setup.region.effective?.value ?? null, offline: options.offline, now: now().toISOString(), provider: setup.provider?.value });
        return PASS;
      },
    });
    await runChecks([spy('config.provider'), spy('region.set'), spy('model.id')], context({ offline: true }));
    expect(seen).toEqual([
      { earlier: [], region: null, offline: true, now: FIXED_NOW.toISOString(), provider: 'amazon-bedrock' },
      { earlier: ['config.provider'], region: null, offline: true, now: FIXED_NOW.toISOString(), provider: 'amazon-bedrock' },
      { earlier: ['config.provider', 'region.set'], region: null, offline: true, now: FIXED_NOW.toISOString(), provider: 'amazon-bedrock' },
    ]);
  });

  it('a deselected check is skipped and blocks its dependents', async () => {
    const ran: CheckId[] = [];
    const results = byId(
      await runChecks(
        [check('auth.token', PASS, {}, ran), check('auth.identity', PASS, { requires: ['auth.token'] }, ran), check('model.id', PASS, {}, ran)],
        context(),
        { deselected: new Map<CheckId, string>([['auth.token', 'skipped with --skip']]) },
      ),
    );
    expect(ran).toEqual(['model.id']);
    expect(results.get('auth.token')).toMatchObject({ status: 'skip', blocked: true, skipReason: 'skipped with --skip' });
    expect(results.get('auth.identity')).toMatchObject({ status: 'skip', blocked: true });
    expect(results.get('auth.identity')!.skipReason).toContain('auth.token');
  });
});

describe('deselectedChecks (--only / --skip)', () => {
  const chain = [
    check('config.provider', PASS),
    check('region.set', PASS, { requires: ['config.provider'] }),
    check('auth.token', PASS, { requires: ['config.provider'] }),
    check('bedrock.responses', PASS, { requires: ['region.set', 'auth.token'] }),
    check('env.dotenv', PASS),
  ];
  it.each<{ name: string; only: CheckId[] | null; skip: CheckId[]; expected: [CheckId, string][] }>([
    { name: 'nothing deselected by default', only: null, skip: [], expected: [] },
    { name: '--only follows prerequisites transitively', only: ['bedrock.responses'], skip: [], expected: [['env.dotenv', 'not selected by --only']] },
    { name: '--only a leaf deselects the rest', only: ['env.dotenv'], skip: [], expected: [['config.provider', 'not selected by --only'], ['region.set', 'not selected by --only'], ['auth.token', 'not selected by --only'], ['bedrock.responses', 'not selected by --only']] },
    { name: '--skip wins over a prerequisite --only pulled in', only: ['bedrock.responses'], skip: ['auth.token'], expected: [['auth.token', 'skipped with --skip'], ['env.dotenv', 'not selected by --only']] },
  ])('$name', ({ only, skip, expected }) => {
    expect([...deselectedChecks(chain, only, skip)]).toEqual(expected);
  });
});
