import yargs from 'yargs';
import { closest } from '../checks/suggest.js';
import { CHECK_IDS, type CheckId } from '../checks/types.js';
import { parseVersion } from '../codex/version.js';
import { TOOL_VERSION } from '../version.js';
import { OUTPUT_FORMATS, type DoctorOptions, type OutputFormat } from './options.js';

/**
 * Command-line parsing with yargs: commands (`doctor`, `completion`), strict options with "did you mean",
 * help on a bare `codex-bedrock`. It is bundled into dist/codex-bedrock.cjs and covered by the V8 code cache,
 * which keeps its start-up cost small (see `npm run bench`); unbundled, its import alone cost 100+ ms.
 * yargs 17, not 18: 18's string-width builds an Intl.Segmenter when loaded, ~70 ms on every run.
 * Parsing is pure over argv and the environment given: yargs never prints or exits here, its output is
 * returned for main to write.
 */
export type ParsedCommandLine =
  | { kind: 'run'; options: DoctorOptions }
  /** Help, the version, a completion script or completion candidates: print `text` on stdout, exit 0. */
  | { kind: 'print'; text: string }
  | { kind: 'usage-error'; message: string; wantsJson: boolean };

const EPILOGUE = `Checks: ${CHECK_IDS.join(', ')}
Exit codes: 0 no check failed; 1 a check failed (or warned, with --strict); 2 usage or internal error.
Colour: only on a terminal; NO_COLOR turns it off, FORCE_COLOR forces it.`;

/** Every option of `doctor`, as yargs declares it; `key` names are the long flags. */
const DOCTOR_OPTIONS = {
  json: { type: 'boolean', describe: 'Print the JSON report on stdout (same as --format json)' },
  format: { type: 'string', describe: `Output format: ${OUTPUT_FORMATS.join(', ')}`, defaultDescription: 'human', requiresArg: true },
  offline: { type: 'boolean', describe: 'Run only the checks that need no network; network checks report "skip"' },
  'codex-home': { type: 'string', describe: 'Codex home (default: $CODEX_HOME, else ~/.codex)', requiresArg: true },
  profile: { alias: 'p', type: 'string', describe: 'Codex profile: layers $CODEX_HOME/NAME.config.toml over config.toml', requiresArg: true },
  config: { alias: 'c', type: 'string', array: true, describe: 'Codex config override KEY=VALUE, repeatable (as codex -c)', requiresArg: true },
  model: { alias: 'm', type: 'string', describe: 'Model override (as codex -m)', requiresArg: true },
  'codex-version': { type: 'string', describe: 'Judge by the rules of Codex release X (default: the Codex found on this machine)', requiresArg: true },
  only: { type: 'string', array: true, describe: 'Run only these checks (ID[,ID...])', requiresArg: true },
  skip: { type: 'string', array: true, describe: 'Do not run these checks (their dependents are skipped too)', requiresArg: true },
  report: { type: 'string', describe: 'Also write a redacted Markdown support report to FILE ("-": print it instead)' },
  junit: { type: 'string', describe: 'Also write the JUnit XML report of the same run to FILE', requiresArg: true },
  timeout: { type: 'string', describe: 'Time limit for each network step, in seconds', defaultDescription: '10', requiresArg: true },
  strict: { type: 'boolean', describe: 'Warnings also make the exit code 1' },
  'allow-govcloud': { type: 'boolean', describe: 'Report a GovCloud region as a warning instead of a failure' },
  verbose: { type: 'boolean', describe: 'Show details for passing checks and the effective setup with where each value came from' },
  color: { type: 'boolean', describe: 'Colour on a terminal (--no-color: none)', defaultDescription: 'true' },
} as const;

const LONG_FLAGS = [...Object.keys(DOCTOR_OPTIONS), 'no-color', 'help', 'version'];
const COMMANDS = ['doctor', 'completion'];

/** The closest of `candidates` to a typo, if any is close enough to be what was meant. */
function nearest(typo: string, candidates: readonly string[]): string | undefined {
  return closest(typo, candidates, Math.max(2, Math.floor(typo.length / 3)))[0];
}

/** "did you mean" for flags yargs does not know, and for stray or mistyped commands. */
function explainUnknown(message: string, argv: readonly string[]): string {
  if (/^Not enough non-option arguments/.test(message)) return 'name a command: codex-bedrock doctor';
  const needsValue = /^Not enough arguments following: (.+)$/.exec(message)?.[1];
  if (needsValue) return `option ${needsValue.length === 1 ? '-' : '--'}${needsValue} needs a value`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1];
  if (!unknown) return message;
  return unknown
    .split(', ')
    .map((name) => {
      // yargs names `--strcit` as "strcit": argv tells a mistyped flag from a stray word.
      const flag = argv.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `-${name}`);
      if (flag !== undefined) {
        const shown = flag.replace(/=.*$/, '');
        const suggestion = nearest(name, LONG_FLAGS);
        return `unknown option ${shown}${suggestion ? ` (did you mean --${suggestion}?)` : ''}`;
      }
      const suggestion = nearest(name, COMMANDS);
      return `unexpected argument ${JSON.stringify(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
    })
    .join('; ');
}

/** Check ids from repeatable, comma-separated flags, each unknown id with a "did you mean". */
function checkIds(values: readonly string[] | undefined, flag: string): CheckId[] | string {
  const ids = (values ?? []).flatMap((value) => String(value).split(',')).map((id) => id.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    const named = unknown.map((id) => {
      const suggestion = nearest(id, CHECK_IDS);
      return suggestion ? `${id} (did you mean ${suggestion}?)` : id;
    });
    return `${flag}: unknown check id${unknown.length > 1 ? 's' : ''} ${named.join(', ')}; valid ids: ${CHECK_IDS.join(', ')}`;
  }
  if ((values ?? []).length > 0 && ids.length === 0) return `${flag} needs at least one check id; valid ids: ${CHECK_IDS.join(', ')}`;
  return ids as CheckId[];
}

type DoctorArgs = {
  [K in keyof typeof DOCTOR_OPTIONS]?: (typeof DOCTOR_OPTIONS)[K] extends { array: true } ? string[] : (typeof DOCTOR_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
} & { _: (string | number)[] };

/** A flag given twice keeps its last value, as with `codex` itself (yargs would make it a list). */
function lastValues(values: Record<string, unknown>): DoctorArgs {
  const single = Object.entries(DOCTOR_OPTIONS).filter(([, option]) => !('array' in option)).map(([name]) => name);
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, single.includes(key) && Array.isArray(value) ? value.at(-1) : value])) as DoctorArgs;
}

function doctorOptions(values: DoctorArgs, env: Readonly<Record<string, string | undefined>>): DoctorOptions | string {
  const extra = values._.slice(1);
  if (extra.length > 0) return `unexpected argument ${JSON.stringify(String(extra[0]))}`;
  let format: OutputFormat = values.json ? 'json' : 'human';
  if (values.format !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(values.format)) return `--format must be one of ${OUTPUT_FORMATS.join(', ')} (got ${JSON.stringify(values.format)})`;
    if (values.json && values.format !== 'json') return `--json and --format ${values.format} contradict each other`;
    format = values.format as OutputFormat;
  }
  const timeoutSeconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return `--timeout must be a positive number of seconds (got ${JSON.stringify(values.timeout)})`;
  const only = values.only ? checkIds(values.only, '--only') : null;
  if (typeof only === 'string') return only;
  const skip = checkIds(values.skip, '--skip');
  if (typeof skip === 'string') return skip;
  if (values.report === '') return '--report needs a file name, or - for stdout';
  if (values.report === '-' && format !== 'human') return `--report - prints the support report on stdout, where --format ${format} also goes; write the report to a file instead`;
  if (values.junit === '') return '--junit needs a file name';
  const codexVersion = values['codex-version'];
  if (codexVersion !== undefined && !parseVersion(codexVersion)) return `--codex-version needs a release number such as 0.171.0 (got ${JSON.stringify(codexVersion)})`;
  return {
    format,
    offline: values.offline ?? false,
    ...(values['codex-home'] !== undefined ? { codexHome: values['codex-home'] } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    configOverrides: (values.config ?? []).map(String),
    ...(values.model !== undefined ? { model: values.model } : {}),
    ...(codexVersion !== undefined ? { codexVersion: codexVersion.trim().replace(/^v/, '') } : {}),
    timeoutSeconds,
    strict: values.strict ?? false,
    allowGovcloud: values['allow-govcloud'] ?? false,
    verbose: values.verbose ?? false,
    // no-color.org: NO_COLOR set to anything but "" turns colour off, on a terminal too.
    color: values.color !== false && !env['NO_COLOR'],
    only,
    skip,
    reportPath: values.report ?? null,
    ...(values.junit !== undefined ? { junitPath: values.junit } : {}),
  };
}

/**
 * Parses argv (without node and the script). `env` supplies NO_COLOR, and the terminal width for help text.
 */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, columns?: number): ParsedCommandLine {
  const wantsJson = argv.includes('--json') || argv.includes('--format=json') || argv.some((arg, i) => arg === '--format' && argv[i + 1] === 'json');
  if (argv.length === 0) argv = ['--help'];
  // yargs reads a lone "-" as a positional; after --report it is the value that means stdout.
  argv = argv.flatMap((arg, i) => (arg === '-' && argv[i - 1] === '--report' ? [] : arg === '--report' && argv[i + 1] === '-' ? ['--report=-'] : [arg]));
  let run: DoctorOptions | string | null = null;
  let failure: string | null = null;
  let printed = '';
  const parser = yargs([...argv])
    .scriptName('codex-bedrock')
    .locale('en')
    .exitProcess(false)
    .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'greedy-arrays': false })
    .usage('Usage: codex-bedrock doctor [options]\n\nTells whether OpenAI Codex will work with Amazon Bedrock on this machine, and if not, what to change.')
    .command('doctor', 'Check Codex, its config and credentials, and a live call to Amazon Bedrock', (command) =>
      command.options(DOCTOR_OPTIONS).epilogue(EPILOGUE).strict(),
    )
    .completion('completion', 'Print a bash or zsh completion script (source it from ~/.bashrc or ~/.zshrc)')
    .demandCommand(1)
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(TOOL_VERSION)
    .alias('V', 'version')
    .epilogue(EPILOGUE)
    .wrap(columns && columns > 40 ? Math.min(columns, 120) : 100)
    .fail((message, error) => {
      failure = explainUnknown(message ?? error?.message ?? 'invalid arguments', argv);
    });
  // After running a command, yargs renders that command's whole help text and caches it, in case a handler
  // calls showHelp() later: ~50 ms of string-width work on every run, more than the rest of the parse. The
  // doctor never calls showHelp() after parsing (help is printed from the parse output), so skip the caching.
  (parser as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } }).getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  let values: DoctorArgs | undefined;
  try {
    values = parser.parse([...argv], {}, (error, _argv, output) => {
      if (output) printed = output;
      if (error && failure === null) failure = explainUnknown(error.message, argv);
    }) as DoctorArgs;
  } catch (error) {
    failure ??= error instanceof Error ? error.message : String(error);
  }
  if (failure !== null) {
    // yargs appends a recommendation of its own ("Did you mean doctor?") to the output for unknown commands.
    const recommended = /Did you mean (\S+)\?/.exec(printed)?.[1];
    return { kind: 'usage-error', message: recommended && !String(failure).includes('did you mean') ? `${failure} (did you mean ${recommended}?)` : failure, wantsJson };
  }
  if (printed !== '' || !values || values._[0] !== 'doctor') return { kind: 'print', text: printed.endsWith('\n') ? printed : `${printed}\n` };
  run = doctorOptions(lastValues(values), env);
  if (typeof run === 'string') return { kind: 'usage-error', message: run, wantsJson };
  return { kind: 'run', options: run };
}
