// Which rows of the doctor's version rule table (src/codex/rules.ts, reported by `doctor --json` as
// `codex: {version, source, ruleSet}`) the probe observations of one release confirm or contradict.
//
// RULE_CHECKS maps a rule row (matched by its id) to the probe that establishes it and to a judgement of
// the probe's value against the row's value for that release. Rows without a check are listed as
// "not probed".

/** @type {Array<{ id: RegExp, probe: string, judge: (rowValue: unknown, probeValue: string) => boolean }>} */
export const RULE_CHECKS = [];

function rowsOf(ruleSet) {
  if (!ruleSet) return [];
  if (Array.isArray(ruleSet)) return ruleSet;
  if (Array.isArray(ruleSet.rows)) return ruleSet.rows;
  if (typeof ruleSet === 'object') return Object.entries(ruleSet).map(([id, value]) => ({ id, value }));
  return [];
}

export function compareWithRules(codex, observations, version) {
  if (!codex) {
    return [
      'Rule table: PENDING — the doctor\'s --json report has no `codex` field yet (src/codex/rules.ts is not on main), so',
      'no rule row can be confirmed or contradicted automatically. The behaviour probes above are the evidence to compare by hand.',
    ];
  }
  const out = [`Rule table: doctor reports codex ${JSON.stringify({ version: codex.version, source: codex.source })}`];
  const rows = rowsOf(codex.ruleSet);
  if (rows.length === 0) {
    out.push(`  ruleSet: ${JSON.stringify(codex.ruleSet)} (no rows to check)`);
    return out;
  }
  for (const row of rows) {
    const id = String(row.id ?? row.behaviour ?? row.name ?? '?');
    const value = row.value ?? row.rule ?? row;
    const check = RULE_CHECKS.find((c) => c.id.test(id));
    const probeValue = check ? observations.find((o) => o.probe === check.probe && o.version === version)?.value : undefined;
    if (!check || probeValue === undefined) out.push(`  not probed    ${id}: ${JSON.stringify(value)}`);
    else out.push(`  ${check.judge(value, probeValue) ? 'confirms   ' : 'CONTRADICTS'}   ${id}: ${JSON.stringify(value)}  <- ${check.probe}: ${probeValue}`);
  }
  return out;
}
