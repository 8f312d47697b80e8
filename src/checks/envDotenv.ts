import { MAX_EXPANDED_TOTAL_CHARS, MAX_EXPANDED_VALUE_CHARS } from '../resolve/dotenv.js';
import { describeOrigin, type Origin } from '../resolve/origin.js';
import { isSecretName } from '../resolve/secretNames.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { CODEX_MANTLE_REGIONS, REGION_SHAPE } from '../catalogue/regions.js';
import { profileSettings } from '../auth/profileKind.js';
import { isContinuousIntegration } from '../platform.js';
import type { Check, CheckContext, CheckOutcome } from './types.js';

const DOCS = 'https://developers.openai.com/codex/config-advanced';

/** Values the desktop app and IDE extension need but cannot inherit from a shell. */
interface ShellOnlyNeed {
  what: string;
  /** .env lines that would fix it: the shell's value only where the doctor found it sound, else a placeholder. */
  lines: string[];
}

/** A region worth copying into .env: well-formed, accepted by Codex, and not flagged by region.set. */
function soundRegion(setup: EffectiveSetup, region: string, earlier: CheckContext['earlier']): boolean {
  if (earlier.get('region.set')?.status === 'fail') return false;
  return REGION_SHAPE.test(region) && (setup.baseUrl !== null || (CODEX_MANTLE_REGIONS as readonly string[]).includes(region));
}

function shellOnlyNeeds(setup: EffectiveSetup, earlier: CheckContext['earlier']): ShellOnlyNeed[] {
  const fromShell = (origin: Origin | undefined) => origin?.kind === 'env' && origin.from === 'shell';
  const needs: ShellOnlyNeed[] = [];
  const region = setup.region.effective;
  if (region && region.origin.kind === 'env' && fromShell(region.origin)) {
    const value = String(region.value);
    const line = soundRegion(setup, value, earlier) ? value : '<a supported region, e.g. us-east-1: see region.set>';
    needs.push({ what: `the region (${describeOrigin(region.origin)})`, lines: [`${region.origin.name}=${line}`] });
  }
  if (setup.auth.source === 'bearer-env' && fromShell(setup.auth.origin)) {
    needs.push({ what: 'the Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)', lines: ['AWS_BEARER_TOKEN_BEDROCK=<your Bedrock API key>'] });
  }
  if (setup.auth.source === 'env-keys' && fromShell(setup.auth.origin)) {
    needs.push({ what: 'the AWS access keys (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)', lines: ['AWS_ACCESS_KEY_ID=<access key id>', 'AWS_SECRET_ACCESS_KEY=<secret access key>'] });
  }
  if (setup.auth.source === 'sdk-chain' && setup.auth.awsProfile && fromShell(setup.auth.awsProfile.origin)) {
    const profile = setup.auth.awsProfile.value;
    // A profile that does not exist (auth.token fails on it) must not be copied into .env as advice.
    const line = profileSettings(setup, profile) && earlier.get('auth.token')?.status !== 'fail' ? profile : '<a profile from ~/.aws/config: see auth.token>';
    needs.push({ what: 'the AWS profile (AWS_PROFILE)', lines: [`AWS_PROFILE=${line}`] });
  }
  return needs;
}

/** A file can hold thousands of bad lines; a finding names the first few and counts the rest. */
function firstFew(items: readonly string[], shown = 10): string {
  return items.length > shown ? `${items.slice(0, shown).join(', ')} and ${items.length - shown} more` : items.join(', ');
}

/** Keys whose .env line replaced a different shell value, with the line to delete to get the shell's back. */
function overridingLines(setup: EffectiveSetup): string[] {
  return setup.env.dotenv.overriddenShellKeys.map((key) => {
    const origin = setup.env.originOf(key);
    return origin?.kind === 'env' && origin.line ? `${key} (line ${origin.line})` : key;
  });
}

export const envDotenv: Check = {
  id: 'env.dotenv',
  title: '$CODEX_HOME/.env',
  requires: [],
  network: false,
  run({ setup, earlier }): CheckOutcome {
    const { dotenv } = setup.env;
    const path = dotenv.path;
    const warnings: string[] = [];
    const remediation: string[] = [];
    const details: string[] = [];
    /** One code per warning, in the same order: the first is the outcome's code. */
    const codes: string[] = [];
    if (setup.codexHome.state !== 'directory') {
      const reason = `the Codex home ${setup.codexHome.path} does not exist (see config.provider)`;
      return { status: 'skip', code: 'env.no-codex-home', summary: `Skipped: ${reason}`, skipReason: reason };
    }
    // A CI job is not a desktop: the desktop app and IDE extension never run there, so the advice about
    // them would only make `--strict` pipelines fail on a healthy set-up.
    const onCi = isContinuousIntegration(setup.env.shell);
    const shellNeeds = onCi ? [] : shellOnlyNeeds(setup, earlier);
    if (onCi) details.push('running under CI: the desktop app and IDE extension advice does not apply here');
    if (shellNeeds.length > 0) {
      codes.push('env.desktop-needs-dotenv');
      warnings.push(`only your shell sets ${shellNeeds.map((need) => need.what).join(' and ')}: the Codex desktop app and IDE extension will not see ${shellNeeds.length === 1 ? 'it' : 'them'}`);
      // On Windows file modes do not protect the file (its ACL does), so there is no chmod to suggest.
      const protect = setup.platform.posixModes ? `\nthen chmod 600 ${path}` : '';
      remediation.push(`If you use the desktop app or IDE extension, add to ${path}:\n${shellNeeds.flatMap((need) => need.lines).join('\n')}${protect}`);
    }
    const read = dotenv.read;
    if (read.status === 'missing') {
      if (warnings.length === 0) return { status: 'pass', code: 'env.dotenv-absent', summary: `${path} is absent; nothing Codex needs depends on it`, details: ['the CLI inherits the shell environment', ...details] };
      return { status: 'warn', code: 'env.desktop-needs-dotenv', summary: `${path} is absent, and ${warnings[0]}`, remediation: remediation.join('\n'), docs: DOCS };
    }
    if (read.status === 'unreadable') {
      return {
        status: 'warn',
        code: 'env.dotenv-unreadable',
        summary: `${path} cannot be read (${read.reason}); Codex skips it, so none of its values apply`,
        details: warnings,
        remediation: `Make ${path} a readable UTF-8 text file of KEY=value lines, or remove it.`,
        docs: DOCS,
      };
    }
    const parse = dotenv.parse!;
    details.push(`keys set by the file (values hidden): ${firstFew(parse.entries.map((e) => `${e.key} (line ${e.line})`)) || 'none'}`);
    if (parse.dropped.length > 0) {
      codes.push('env.dotenv-dropped-lines');
      warnings.push(`${parse.dropped.length} line${parse.dropped.length > 1 ? 's' : ''} Codex silently drops: ${firstFew(parse.dropped.map((d) => `line ${d.line} (${d.reason})`))}`);
      remediation.push(`Fix those lines in ${path}: each must be KEY=value (optionally prefixed by "export ").`);
    }
    if (parse.oversized.length > 0) {
      warnings.push(`${firstFew(parse.oversized.map((o) => `line ${o.line} (${o.key})`))} expand${parse.oversized.length === 1 ? 's' : ''} to more than ${MAX_EXPANDED_VALUE_CHARS} characters (or all values together to more than ${MAX_EXPANDED_TOTAL_CHARS}); the doctor did not expand ${parse.oversized.length === 1 ? 'it' : 'them'}, and Codex would set values that large`);
      remediation.push(`Remove the repeated \${...} references from those lines of ${path}.`);
    }
    if (parse.ignoredCodexKeys.length > 0) {
      codes.push('env.dotenv-codex-keys');
      warnings.push(`Codex ignores CODEX_* keys in .env: ${parse.ignoredCodexKeys.map((k) => `${k.key} (line ${k.line})`).join(', ')}`);
      remediation.push('Set CODEX_* variables in the shell or the app environment instead; Codex refuses them from .env.');
    }
    if (dotenv.overriddenShellKeys.length > 0) {
      const overriding = overridingLines(setup);
      codes.push('env.dotenv-overrides-shell');
      warnings.push(`it overrides different values already set in your shell for ${overriding.join(', ')} (Codex uses the .env values)`);
      remediation.push(`If the shell holds the right values, delete ${overriding.length === 1 ? 'that line' : 'those lines'} of ${path}; otherwise make the shell agree, so other tools and Codex use the same values.`);
    }
    const secretKeys = parse.entries.filter((e) => isSecretName(e.key)).map((e) => e.key);
    if (secretKeys.length > 0 && setup.platform.posixModes && (read.mode & 0o077) !== 0) {
      codes.push('env.dotenv-permissions');
      warnings.push(`it holds secrets (${[...new Set(secretKeys)].join(', ')}) and is readable by ${read.mode & 0o007 ? 'others' : 'its group'} (mode ${(read.mode & 0o777).toString(8)})`);
      remediation.push(`chmod 600 ${path}`);
    }
    if (warnings.length === 0) {
      return { status: 'pass', code: 'env.dotenv-ok', summary: `${path} parses: ${parse.entries.length} key${parse.entries.length === 1 ? '' : 's'}, applied over the shell as Codex does`, details };
    }
    return {
      status: 'warn',
      code: codes[0]!,
      summary: `${path}: ${warnings.join('; ')}`,
      details: [...details, ...warnings],
      remediation: remediation.join('\n'),
      docs: DOCS,
    };
  },
};
