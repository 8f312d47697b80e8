import { renderHuman, type SetupRow } from './human.js';
import type { DoctorReport } from './report.js';

/**
 * GitHub Actions workflow commands: an ::error or ::warning annotation per failed or warning check, then the
 * plain human report for the log. Escaping follows the Actions toolkit (data: % CR LF; properties also : ,).
 */
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function renderGithub(report: DoctorReport, verbose: boolean, setupRows: readonly SetupRow[] = []): string {
  const annotations = report.checks
    .filter((check) => check.status === 'fail' || check.status === 'warn')
    .map((check) => {
      const command = check.status === 'fail' ? 'error' : 'warning';
      const message = check.remediation ? `${check.summary}\nfix: ${check.remediation}` : check.summary;
      return `::${command} title=${escapeProperty(`codex-bedrock ${check.id}`)}::${escapeData(message)}`;
    });
  if (report.error) annotations.push(`::error title=codex-bedrock::${escapeData(report.error)}`);
  return `${annotations.join('\n')}${annotations.length > 0 ? '\n' : ''}${renderHuman(report, { colorLevel: 0, unicode: false, verbose }, undefined, setupRows)}`;
}
