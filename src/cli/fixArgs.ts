import { parseArgs } from 'node:util';
import { REGION_SHAPE } from '../catalogue/regions.js';
import { parseVersion } from '../codex/version.js';
import type { FixOptions } from './fix.js';

export const FIX_HELP_TEXT = `Usage: codex-bedrock fix [options]

Applies the safe, mechanical fixes the doctor names, then runs the doctor again. Shows the plan as a diff per
file and asks once on a terminal; without a terminal it only shows the plan unless --yes is given.

Options:
  --yes                   Apply without asking
  --dry-run               Only show the plan; write nothing
  --json                  Print the plan and the outcome as JSON on stdout
  --undo                  Restore the files of the last fix run from their backups
  --region REGION         The region to set when the doctor cannot know it (one of Codex's Bedrock regions)
  --offline               Run only the checks that need no network, before and after
  --codex-home DIR        Codex home (default: $CODEX_HOME, else ~/.codex)
  -p, --profile NAME      Codex profile (as codex -p)
  -c, --config KEY=VALUE  Codex config override, repeatable (as codex -c)
  -m, --model ID          Model override (as codex -m)
  --codex-version X       Judge by the rules of Codex release X
  --timeout SECONDS       Time limit for each network step (default 10)
  -h, --help              Show this help

Every changed file keeps a backup beside it (<file>.bak-<UTC timestamp>). Nothing that needs a secret is
written: for a missing or expired credential fix prints the command that gets one.
Exit codes: 0 the doctor passes afterwards; 1 findings remain (listed); 2 usage or I/O error.
`;

export type ParsedFixCommandLine =
  | { kind: 'fix'; options: FixOptions }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string; wantsJson: boolean };

const FIX_OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  undo: { type: 'boolean' },
  region: { type: 'string' },
  offline: { type: 'boolean' },
  'codex-home': { type: 'string' },
  profile: { type: 'string', short: 'p' },
  config: { type: 'string', short: 'c', multiple: true },
  model: { type: 'string', short: 'm' },
  'codex-version': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The options of `codex-bedrock fix` (argv after the word `fix`). A function of its own so either command-line
 * parser (node:util here, or yargs) can hand the fix command's arguments to it.
 */
export function parseFixCommandLine(argv: readonly string[]): ParsedFixCommandLine {
  const wantsJson = argv.includes('--json');
  const usage = (message: string): ParsedFixCommandLine => ({ kind: 'usage-error', message, wantsJson });
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: FIX_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const option = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    return usage((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown option ${option ?? ''} for fix` : `option ${option ?? ''} needs a value`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help', text: FIX_HELP_TEXT };
  if (positionals.length > 0) return usage(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.undo && (values['dry-run'] || values.region !== undefined)) return usage('--undo restores the last backups; it takes no --dry-run or --region');
  if (values.yes && values['dry-run']) return usage('--yes and --dry-run contradict each other');
  const timeoutSeconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return usage(`--timeout must be a positive number of seconds (got ${JSON.stringify(values.timeout)})`);
  const codexVersion = values['codex-version'];
  if (codexVersion !== undefined && !parseVersion(codexVersion)) return usage(`--codex-version needs a release number such as 0.171.0 (got ${JSON.stringify(codexVersion)})`);
  const region = values.region?.trim();
  if (region !== undefined && !REGION_SHAPE.test(region)) return usage(`--region needs an AWS region name such as us-east-1 (got ${JSON.stringify(values.region)})`);
  return {
    kind: 'fix',
    options: {
      mode: values.undo ? 'undo' : values['dry-run'] ? 'dry-run' : 'apply',
      yes: values.yes ?? false,
      json: values.json ?? false,
      ...(region !== undefined ? { region } : {}),
      offline: values.offline ?? false,
      timeoutSeconds,
      ...(values['codex-home'] !== undefined ? { codexHome: values['codex-home'] } : {}),
      ...(values.profile !== undefined ? { profile: values.profile } : {}),
      configOverrides: values.config ?? [],
      ...(values.model !== undefined ? { model: values.model } : {}),
      ...(codexVersion !== undefined ? { codexVersion: codexVersion.trim().replace(/^v/, '') } : {}),
    },
  };
}
