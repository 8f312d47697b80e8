import type { DoctorReport, ReportCheck } from './report.js';

/**
 * JUnit XML, the format CI test reporters ingest: one testcase per check; fail → <failure>, skip →
 * <skipped>, warn → a passing testcase whose <system-out> carries the warning.
 */
function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function body(check: ReportCheck): string {
  return [check.summary, ...(check.remediation ? [`fix: ${check.remediation}`] : []), ...check.details.map((d) => `- ${d}`), ...(check.docs ? [`docs: ${check.docs}`] : [])].join('\n');
}

function testcase(check: ReportCheck): string {
  const open = `    <testcase classname="codex-bedrock.doctor" name="${xml(`${check.id}: ${check.title}`)}" time="${seconds(check.durationMs)}"`;
  switch (check.status) {
    case 'fail':
      return `${open}>\n      <failure message="${xml(check.summary)}" type="fail">${xml(body(check))}</failure>\n    </testcase>`;
    case 'skip':
      return `${open}>\n      <skipped message="${xml(check.skipReason ?? check.summary)}"/>\n    </testcase>`;
    case 'warn':
      return `${open}>\n      <system-out>${xml(`WARNING: ${body(check)}`)}</system-out>\n    </testcase>`;
    default:
      return `${open}/>`;
  }
}

export function renderJunit(report: DoctorReport): string {
  const total = report.checks.length + (report.error ? 1 : 0);
  const time = seconds(report.checks.reduce((sum, check) => sum + check.durationMs, 0));
  const errors = report.error ? 1 : 0;
  const counts = `tests="${total}" failures="${report.summary.fail}" errors="${errors}" skipped="${report.summary.skip}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="codex-bedrock doctor" ${counts}>`,
    `  <testsuite name="codex-bedrock doctor" ${counts} timestamp="${xml(report.generatedAt)}">`,
    `    <properties>\n      <property name="codex-bedrock.version" value="${xml(report.tool.version)}"/>\n      <property name="overallStatus" value="${report.overallStatus}"/>\n    </properties>`,
    ...report.checks.map(testcase),
    ...(report.error ? [`    <testcase classname="codex-bedrock.doctor" name="doctor"><error message="${xml(report.error)}"/></testcase>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
