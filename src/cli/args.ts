import { parseArgs } from 'node:util';
import { CHECK_IDS, type CheckId } from '../checks/types.js';
import { parseVersion } from '../codex/version.js';
import { OUTPUT_FORMATS, type DoctorOptions, type OutputFormat } from './options.js';

/**
 * Command-line parsing with node:util's parseArgs. yargs was measured at 100+ ms of start-up on its own,
 * more than the whole budget of an --offline run (within 2x of bare Node), so the doctor parses by hand.
 */
export type ParsedCommandLine =
  | { kind: 'run'; options: DoctorOptions }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string; wantsJson: boolean };

export const HELP_TEXT = `Usage: codex-bedrock doctor [options]

Tells whether OpenAI Codex will work with Amazon Bedrock on this machine, and if not, what to change.

Options:
  --json                  Print the JSON report on stdout (same as --format json)
  --format FORMAT         Output format: human (default), json, junit, github
  --offline               Run only the checks that need no network; network checks report "skip"
  --codex-home DIR        Codex home (default: $CODEX_HOME, else ~/.codex)
  --cd DIR                Working folder Codex starts in (default: the current one; finds .codex/config.toml)
  -p, --profile NAME      Codex profile: layers $CODEX_HOME/NAME.config.toml over config.toml
  -c, --config KEY=VALUE  Codex config override, repeatable (same semantics as codex -c)
  -m, --model ID          Model override (as codex -m)
  --codex-version X       Judge by the rules of Codex release X (default: the Codex found on this machine)
  --only ID[,ID...]       Run only these checks
  --skip ID[,ID...]       Do not run these checks (their dependents are skipped too)
  --report FILE           Also write a redacted Markdown support report to FILE ("-": print it instead)
  --timeout SECONDS       Time limit for each network step (default 10)
  --strict                Warnings also make the exit code 1
  --allow-govcloud        Report a GovCloud region as a warning instead of a failure
  --verbose               Show details for passing checks too
  --no-color              No colour (NO_COLOR and FORCE_COLOR are honoured too)
  -h, --help              Show this help
  --version               Show the version

Checks: ${CHECK_IDS.join(', ')}
Exit codes: 0 no check failed; 1 a check failed (or warned, with --strict); 2 usage or internal error.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  format: { type: 'string' },
  offline: { type: 'boolean' },
  'codex-home': { type: 'string' },
  cd: { type: 'string' },
  profile: { type: 'string', short: 'p' },
  config: { type: 'string', short: 'c', multiple: true },
  model: { type: 'string', short: 'm' },
  'codex-version': { type: 'string' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  report: { type: 'string' },
  timeout: { type: 'string' },
  strict: { type: 'boolean' },
  'allow-govcloud': { type: 'boolean' },
  verbose: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  color: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** parseArgs' messages suggest `--` tricks; say the plain thing instead. */
function plainParseError(error: Error & { code?: string }): string {
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${option ?? ''} needs a value`.replace('  ', ' ');
    default:
      return error.message;
  }
}

function checkIds(values: readonly string[] | undefined, flag: string): CheckId[] | string {
  const ids = (values ?? []).flatMap((value) => value.split(',')).map((id) => id.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) return `${flag}: unknown check id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; valid ids: ${CHECK_IDS.join(', ')}`;
  if ((values ?? []).length > 0 && ids.length === 0) return `${flag} needs at least one check id; valid ids: ${CHECK_IDS.join(', ')}`;
  return ids as CheckId[];
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const wantsJson = argv.includes('--json') || argv.includes('--format=json') || argv.some((arg, i) => arg === '--format' && argv[i + 1] === 'json');
  const usage = (message: string): ParsedCommandLine => ({ kind: 'usage-error', message, wantsJson });
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usage(plainParseError(error as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals.length === 0) return usage('name a command: codex-bedrock doctor');
  if (positionals[0] !== 'doctor') return usage(`unknown command ${JSON.stringify(positionals[0])}; the command is: codex-bedrock doctor`);
  if (positionals.length > 1) return usage(`unexpected argument ${JSON.stringify(positionals[1])}`);

  let format: OutputFormat = values.json ? 'json' : 'human';
  if (values.format !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(values.format)) return usage(`--format must be one of ${OUTPUT_FORMATS.join(', ')} (got ${JSON.stringify(values.format)})`);
    if (values.json && values.format !== 'json') return usage(`--json and --format ${values.format} contradict each other`);
    format = values.format as OutputFormat;
  }
  const timeoutSeconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return usage(`--timeout must be a positive number of seconds (got ${JSON.stringify(values.timeout)})`);
  const codexVersion = values['codex-version'];
  if (codexVersion !== undefined && !parseVersion(codexVersion)) return usage(`--codex-version needs a release number such as 0.171.0 (got ${JSON.stringify(codexVersion)})`);
  const only = values.only ? checkIds(values.only, '--only') : null;
  if (typeof only === 'string') return usage(only);
  const skip = checkIds(values.skip, '--skip');
  if (typeof skip === 'string') return usage(skip);
  if (values.report === '') return usage('--report needs a file name, or - for stdout');
  if (values.report === '-' && format !== 'human') return usage(`--report - prints the support report on stdout, where --format ${format} also goes; write the report to a file instead`);

  return {
    kind: 'run',
    options: {
      format,
      offline: values.offline ?? false,
      ...(values['codex-home'] !== undefined ? { codexHome: values['codex-home'] } : {}),
      ...(values.cd !== undefined ? { cd: values.cd } : {}),
      ...(values.profile !== undefined ? { profile: values.profile } : {}),
      configOverrides: values.config ?? [],
      ...(values.model !== undefined ? { model: values.model } : {}),
      ...(codexVersion !== undefined ? { codexVersion: codexVersion.trim().replace(/^v/, '') } : {}),
      timeoutSeconds,
      strict: values.strict ?? false,
      allowGovcloud: values['allow-govcloud'] ?? false,
      verbose: values.verbose ?? false,
      color: !values['no-color'] && values.color !== false,
      only,
      skip,
      reportPath: values.report ?? null,
    },
  };
}
