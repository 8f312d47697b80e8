/**
 * End-to-end: every folder under fixtures/scenarios/ is copied to a temporary directory and the BUILT CLI
 * (`node bin/codex-bedrock.cjs doctor --json --offline ...`) runs there as a child process with a clean
 * environment. See __tests__/helpers/scenarios.ts for the scenario format and what is asserted.
 *
 * The children run in beforeAll, four at a time; each test then checks one scenario's result.
 * `npm test` builds before jest; this file does not build.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import AjvModule from 'ajv';
import {
  assertBuilt,
  loadScenarios,
  pool,
  REPO_ROOT,
  repositoryModes,
  runScenario,
  scenarioProblems,
  SCENARIO_DIR,
  SPEC_CHECK_IDS,
  type ScenarioRun,
} from './helpers/scenarios.js';

const scenarios = loadScenarios();
const CONCURRENCY = 4;

/**
 * SPEC section 5: the JSON document is kept as a JSON Schema in the repository and the output is tested
 * against it. Ajv in strict mode (union types such as ["string", "null"] are standard JSON Schema; strict
 * mode only asks for them to be allowed explicitly).
 */
const Ajv = AjvModule.default;
const validateReport = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }).compile(
  JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'report.schema.json'), 'utf8')) as object,
);

describe(`end-to-end scenarios (${SCENARIO_DIR})`, () => {
  let tmpRoot = '';
  const runs = new Map<string, ScenarioRun>();
  const modesBefore = repositoryModes(scenarios);

  beforeAll(async () => {
    assertBuilt();
    tmpRoot = mkdtempSync(join(tmpdir(), 'codex-bedrock-e2e-'));
    const results = await pool(scenarios, CONCURRENCY, (scenario) => runScenario(scenario, tmpRoot));
    results.forEach((run) => runs.set(run.scenario.name, run));
  }, 120_000);

  afterAll(() => {
    if (tmpRoot && !process.env['KEEP_E2E_TMP']) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('has at least 30 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
  });

  it.each(scenarios.map((scenario) => [scenario.name, scenario.description] as const))('%s: %s', (name) => {
    const run = runs.get(name);
    if (!run) throw new Error(`scenario ${name} did not run (see the beforeAll failure)`);
    expect(scenarioProblems(run)).toEqual([]);
  });

  it.each(scenarios.map((scenario) => [scenario.name] as const))('%s: the JSON output is valid against schema/report.schema.json', (name) => {
    const run = runs.get(name);
    if (!run) throw new Error(`scenario ${name} did not run (see the beforeAll failure)`);
    const document = JSON.parse(run.cli.stdout) as unknown;
    const valid = validateReport(document);
    expect(valid ? [] : (validateReport.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)).toEqual([]);
  });

  it('only ever modifies the temporary copies, never the fixtures in the repository', () => {
    for (const [path, mode] of modesBefore) expect({ path, mode: statSync(path).mode & 0o7777 }).toEqual({ path, mode });
  });

  it('asserts every status each offline check can take at least once', () => {
    const seen = new Set(scenarios.flatMap((scenario) => Object.entries(scenario.expect.checks ?? {}).map(([id, status]) => `${id}:${status}`)));
    const wanted: Record<string, string[]> = {
      'config.provider': ['pass', 'warn', 'fail'],
      'region.set': ['pass', 'warn', 'fail', 'skip'],
      'region.not-govcloud': ['pass', 'warn', 'fail', 'skip'],
      'model.id': ['pass', 'warn', 'fail', 'skip'],
      'env.dotenv': ['pass', 'warn'],
    };
    expect(Object.keys(wanted).every((id) => (SPEC_CHECK_IDS as readonly string[]).includes(id))).toBe(true);
    const missing = Object.entries(wanted).flatMap(([id, statuses]) => statuses.filter((s) => !seen.has(`${id}:${s}`)).map((s) => `${id}:${s}`));
    expect(missing).toEqual([]);
  });

  it('runs quickly enough to keep the suite well under a minute', () => {
    const slowest = Math.max(...[...runs.values()].map((run) => run.cli.durationMs));
    expect(slowest).toBeLessThan(15_000);
  });
});
