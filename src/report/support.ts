import { arch, release, type } from 'node:os';
import { describeOrigin } from '../resolve/origin.js';
import { isSecretName } from '../resolve/secretNames.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { countLine, verdictLine } from './human.js';
import { isSecretKeyPath, maskTomlText, REDACTED } from './redact.js';
import type { DoctorReport } from './report.js';

/**
 * The Markdown support report (`--report`): everything a support engineer needs to diagnose someone else's
 * machine, readable top to bottom, with every secret value masked. It is built from the same report as the
 * other formats (so the verdicts agree) plus the provenance the resolver recorded.
 */
export interface MachineFacts {
  os: string;
  node: string;
}

/** Known even when the setup could not be resolved (a usage error): the report still says where it ran. */
export function machineFacts(): MachineFacts {
  return { os: `${type()} ${release()} (${arch()})`, node: process.version };
}

export interface SupportFacts {
  provenance: { what: string; value: string; from: string }[];
  files: { title: string; path: string; language: string; text: string | null; note: string }[];
  environment: { name: string; from: string; value: string | null }[];
}

/** Variables that matter to Codex on Bedrock; values are shown only for region and profile names. */
const RELEVANT_ENV = /^(AWS_|CODEX_|OPENAI_API_KEY$|HTTPS?_PROXY$|https?_proxy$|ALL_PROXY$|all_proxy$|NO_PROXY$|no_proxy$|NODE_EXTRA_CA_CERTS$|SSL_CERT_(FILE|DIR)$)/;
const SHOWN_VALUES = new Set(['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE']);

/** Commands may carry secrets in their arguments (`credential_process = get-creds --api-key ...`). */
const COMMAND_KEYS = /^(credential_process|command|args)$/i;

/** Masks the value of every `key = value` line whose key (or table) is secret-looking; keeps key names. */
function maskAssignments(text: string, secretTables: RegExp): string {
  let inSecretTable = false;
  return text
    .split(/\r?\n/)
    .map((line) => {
      const header = /^\s*\[+\s*([^\]]+?)\s*\]+/.exec(line);
      if (header) {
        inSecretTable = secretTables.test(header[1]!);
        return line;
      }
      const assignment = /^(\s*(?:export\s+)?["']?([\w.-]+)["']?\s*=\s*)(.*)$/.exec(line);
      if (!assignment || assignment[3]!.trim() === '') return line;
      return inSecretTable || isSecretName(assignment[2]!) || COMMAND_KEYS.test(assignment[2]!) ? `${assignment[1]}"${REDACTED}"` : line;
    })
    .join('\n');
}

/** Each value of the effective setup and where it came from, as `aws configure list` shows it. */
export function setupProvenance(setup: EffectiveSetup): SupportFacts['provenance'] {
  const sourced = (what: string, value: unknown, origin: Parameters<typeof describeOrigin>[0] | undefined) => ({
    what,
    value: value === undefined || value === null ? '(not set)' : typeof value === 'string' ? value : JSON.stringify(value),
    from: origin ? describeOrigin(origin) : '-',
  });
  return [
    sourced('Codex home', setup.codexHome.path, setup.codexHome.origin),
    { what: 'Codex profile (--profile)', value: setup.profileName ?? '(none)', from: setup.profileName ? '--profile' : '-' },
    sourced('model_provider', setup.provider?.value, setup.provider?.origin),
    sourced('model', setup.model.value, setup.model.origin),
    sourced('region', setup.region.effective?.value, setup.region.effective?.origin),
    sourced('base_url override', setup.baseUrl?.value, setup.baseUrl?.origin),
    sourced('endpoint', setup.endpoint?.value, setup.endpoint?.origin),
    { what: 'auth mode', value: setup.auth.mode, from: describeOrigin(setup.auth.origin) },
    { what: 'credential', value: setup.auth.description, from: describeOrigin(setup.auth.origin) },
    ...(setup.auth.awsProfile ? [sourced('AWS profile', setup.auth.awsProfile.value, setup.auth.awsProfile.origin)] : []),
    ...setup.auth.ignored.map((item) => ({ what: 'ignored credential', value: item.what, from: item.why })),
    { what: 'Codex', value: setup.codex.install?.path ?? '(none found)', from: setup.codex.install ? (setup.codex.install.onPath ? 'PATH' : setup.codex.install.kind) : 'PATH, app and extension folders' },
    { what: 'Codex rules applied', value: `Codex ${setup.codex.rules.release}`, from: setup.codex.versionFrom ?? setup.codex.basis },
  ];
}

export function collectSupportFacts(setup: EffectiveSetup): SupportFacts {
  const provenance = setupProvenance(setup);
  const files: SupportFacts['files'] = setup.layers
    .filter((layer) => layer.name !== 'cli')
    .map((layer) => ({
      title: `Codex config (${layer.name} layer)`,
      path: layer.path,
      language: 'toml',
      text: layer.text !== undefined ? maskTomlText(layer.text) : null,
      note: layer.status === 'ok' ? '' : (layer.problem?.message ?? layer.status),
    }));
  const cli = setup.layers.find((layer) => layer.name === 'cli');
  if (cli?.overrides) {
    files.push({ title: 'Command-line overrides (-c)', path: '-c', language: 'text', text: cli.overrides.map((o) => `${o.path.join('.')} = ${isSecretKeyPath(o.path) ? `"${REDACTED}"` : JSON.stringify(o.value)}`).join('\n'), note: '' });
  }
  const dotenv = setup.env.dotenv;
  files.push({
    title: 'Codex .env (key names only)',
    path: dotenv.path,
    language: 'text',
    text: dotenv.parse ? dotenv.parse.entries.map((entry) => `${entry.key}=<hidden> (line ${entry.line})`).join('\n') || '(no keys)' : null,
    note: dotenv.read.status === 'ok' ? '' : dotenv.read.status === 'missing' ? 'absent' : (dotenv.read.reason ?? 'unreadable'),
  });
  for (const [title, file] of [['AWS shared config', setup.awsConfig], ['AWS shared credentials', setup.awsCredentials]] as const) {
    files.push({
      title,
      path: file.path,
      language: 'ini',
      text: file.text !== undefined ? maskAssignments(file.text, /^$/) : null,
      note: file.status === 'ok' ? '' : file.status === 'missing' ? 'absent' : (file.reason ?? 'unreadable'),
    });
  }
  const environment = Object.keys(setup.env.toRecord())
    .filter((name) => RELEVANT_ENV.test(name) && !/^CODEX_BEDROCK_/.test(name))
    .sort()
    .map((name) => {
      const origin = setup.env.originOf(name);
      return { name, from: origin ? describeOrigin(origin) : '-', value: SHOWN_VALUES.has(name) ? (setup.env.get(name) ?? '') : null };
    });
  return { provenance, files, environment };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const fence = (text: string) => (text.includes('```') ? text.replace(/```/g, "'''") : text);

export function renderSupportReport(report: DoctorReport, facts: SupportFacts | null, machine: MachineFacts): string {
  const codexVersion = report.checks.find((check) => check.id === 'codex.version');
  const out: string[] = [
    '# codex-bedrock support report',
    '',
    `Generated ${report.generatedAt} by codex-bedrock ${report.tool.version}. Secret values are masked; key names are kept.`,
    '',
    `**Verdict:** ${report.overallStatus.toUpperCase()}: ${verdictLine(report).replace(/^Verdict: /, '')}`,
    '',
    countLine(report, ' · '),
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| OS | ${cell(machine.os)} |`,
    `| Node.js | ${cell(machine.node)} |`,
    `| Codex CLI | ${cell(typeof codexVersion?.facts['version'] === 'string' ? `${codexVersion.facts['version']} (${codexVersion.facts['path']})` : (codexVersion?.summary ?? '-'))} |`,
    '',
  ];
  if (report.error) out.push(`**Error:** ${report.error}`, '');
  if (facts) {
    out.push('## Effective setup (what Codex will use, and where each value comes from)', '', '| setting | value | from |', '|---|---|---|');
    facts.provenance.forEach((row) => out.push(`| ${cell(row.what)} | ${cell(row.value)} | ${cell(row.from)} |`));
    out.push('');
  }
  out.push('## Checks', '');
  const symbol = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;
  for (const check of report.checks) {
    out.push(`### ${symbol[check.status]} \`${check.id}\`: ${check.title}`, '', check.summary, '');
    if (check.remediation) out.push('**Fix:**', '', '```', fence(check.remediation), '```', '');
    if (check.details.length > 0) out.push(...check.details.map((detail) => `- ${detail.replace(/\n/g, ' ')}`), '');
    if (check.docs && check.status !== 'pass') out.push(`Docs: ${check.docs}`, '');
    out.push(`_${check.durationMs} ms_`, '');
  }
  if (facts) {
    out.push('## Files', '');
    for (const file of facts.files) {
      out.push(`### ${file.title}: \`${file.path}\`${file.note ? ` (${file.note})` : ''}`, '');
      if (file.text !== null) out.push(`\`\`\`${file.language}`, fence(file.text.trimEnd()), '```', '');
    }
    out.push('## Environment variables (names; values only for region and profile)', '');
    if (facts.environment.length === 0) out.push('(none of the relevant variables is set)', '');
    else {
      out.push('| variable | from | value |', '|---|---|---|');
      facts.environment.forEach((row) => out.push(`| ${row.name} | ${cell(row.from)} | ${row.value === null ? '(hidden)' : cell(row.value)} |`));
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}
