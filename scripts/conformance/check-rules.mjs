#!/usr/bin/env node
// Judges the doctor's rule table against stored probe observations, release by release:
//   node scripts/conformance/check-rules.mjs OBSERVATIONS.json [MORE.json ...]
// where each file is written by `probe.mjs --json FILE` (any releases, any probes). For every release seen,
// the doctor's rules come from `doctor --json --offline --codex-version RELEASE`; every row with an
// observation is printed as confirmed or CONTRADICTED (with the evidence). Exit 1 when any row is contradicted.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions, log } from './lib.mjs';
import { compareWithRules, doctorRulesFor } from './rules-check.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  log('usage: check-rules.mjs OBSERVATIONS.json [...]   (written by probe.mjs --json)');
  process.exit(2);
}
const observations = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')));
const versions = [...new Set(observations.map((o) => o.version))].sort(compareVersions);
const home = mkdtempSync(join(tmpdir(), 'codex-check-rules-'));
mkdirSync(join(home, '.codex'));
let contradicted = 0;
let confirmed = 0;
try {
  for (const version of versions) {
    const codex = await doctorRulesFor(version, home);
    const lines = compareWithRules(codex, observations, version).filter((l) => !/^\s+not probed/.test(l));
    contradicted += lines.filter((l) => l.includes('CONTRADICTS')).length;
    confirmed += lines.filter((l) => l.includes('confirms')).length;
    console.log(`\n== ${version}`);
    console.log(lines.join('\n'));
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log(`\nRESULT: ${confirmed} row(s) confirmed, ${contradicted} CONTRADICTED, over ${versions.length} release(s) and ${observations.length} observation(s)`);
process.exitCode = contradicted > 0 ? 1 : 0;
