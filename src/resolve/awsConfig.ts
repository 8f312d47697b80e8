import { join } from 'node:path';
import type { FileRead } from '../io/files.js';
import type { Sourced } from './origin.js';

/**
 * The AWS shared config and credentials files, read with the rules of the Rust SDK that Codex links
 * (aws-runtime `env_config::parse` and `normalize`), not the JavaScript SDK's loader
 * (@smithy/shared-ini-file-loader), which cannot give line numbers for provenance. Codex's rules:
 * - `[profile default]` in the config file replaces `[default]`, in either order (smithy agrees);
 * - a comment on a property line starts at `#` or `;` after whitespace (`region = us-east-2   # Ohio` is
 *   `us-east-2`, smithy agrees), on a header line anywhere;
 * - keys are case-insensitive (lower-cased; smithy keeps case); lines starting with whitespace continue the
 *   previous property;
 * - a property line before any header, or without `=`, is a parse error and Codex loads no profile at all
 *   from the files (smithy skips the line silently);
 * - the credentials file is merged over the config file key by key, so its `region` counts too;
 * - section names must be identifiers; `[profile x]` in the credentials file and `[x]` (other than
 *   `[default]`) in the config file are ignored.
 * Line numbers are kept for provenance, which smithy's loader cannot give.
 */
export interface AwsProfileSection {
  name: string;
  line: number;
  values: Map<string, { value: string; line: number }>;
}

export interface AwsParseProblem {
  line: number;
  message: string;
}

export interface AwsSharedFile {
  path: string;
  status: FileRead['status'];
  reason?: string;
  profiles: Map<string, AwsProfileSection>;
  /** `[sso-session NAME]` sections of the config file. */
  ssoSessions: Map<string, AwsProfileSection>;
  /** A line the Rust parser refuses: Codex then loads no profile from either file. */
  parseError?: AwsParseProblem;
  /** Sections the Rust SDK ignores (wrong prefix for the file, invalid name, `[default]` hidden by `[profile default]`). */
  ignoredSections: AwsParseProblem[];
  /** The file's text as read (for the support report, which shows it with secret values masked). */
  text?: string;
}

const WHITESPACE = /^[ \t]+|[ \t]+$/g;
const trimWs = (text: string) => text.replace(WHITESPACE, '');
/** aws-runtime `validate_identifier`: ASCII alphanumerics and `_-/.%@:+`. */
const IDENTIFIER = /^[A-Za-z0-9_\-/.%@:+]+$/;

/** aws-runtime `prepare_line`: trims, then cuts at the first comment character (after whitespace on property lines). */
function prepareLine(line: string, commentsNeedWhitespace: boolean): string {
  const trimmed = trimWs(line);
  let previousWhitespace = false;
  for (let index = 0; index < trimmed.length; index += 1) {
    const char = trimmed[index]!;
    if ((char === '#' || char === ';') && (previousWhitespace || !commentsNeedWhitespace)) return trimWs(trimmed.slice(0, index));
    previousWhitespace = /\s/.test(char);
  }
  return trimmed;
}

interface RawSection {
  title: string;
  line: number;
  values: Map<string, { value: string; line: number }>;
}

function parseRaw(text: string): { sections: RawSection[]; error?: AwsParseProblem } {
  const sections = new Map<string, RawSection>();
  let current: RawSection | null = null;
  let property: string | null = null;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index]!;
    const line = index + 1;
    if (trimWs(raw) === '' || raw.startsWith('#') || raw.startsWith(';')) continue;
    if (raw.startsWith('[')) {
      const prepared = prepareLine(raw, false);
      if (!prepared.endsWith(']')) return { sections: [...sections.values()], error: { line, message: "Profile definition must end with ']'" } };
      const title = prepared.slice(1, -1);
      current = sections.get(title) ?? { title, line, values: new Map() };
      sections.set(title, current);
      property = null;
      continue;
    }
    if (!current) return { sections: [...sections.values()], error: { line, message: 'Expected a profile definition' } };
    if (/^[ \t]/.test(raw)) {
      // A continuation line: part of the previous property's value (sub-properties such as `s3 =`).
      if (!property) return { sections: [...sections.values()], error: { line, message: 'Expected a property definition, found continuation' } };
      const entry = current.values.get(property)!;
      entry.value = `${entry.value}\n${trimWs(raw)}`;
      continue;
    }
    const prepared = prepareLine(raw, true);
    const equals = prepared.indexOf('=');
    if (equals < 0) return { sections: [...sections.values()], error: { line, message: "Expected an '=' sign defining a property" } };
    const key = trimWs(prepared.slice(0, equals)).toLowerCase();
    if (key === '') return { sections: [...sections.values()], error: { line, message: 'Property did not have a name' } };
    current.values.set(key, { value: trimWs(prepared.slice(equals + 1)), line });
    property = key;
  }
  return { sections: [...sections.values()] };
}

/** In the config file profiles are `[profile NAME]` (and `[default]`); in the credentials file plain `[NAME]`. */
export function parseAwsIni(read: FileRead, kind: 'config' | 'credentials'): AwsSharedFile {
  const file: AwsSharedFile = { path: read.path, status: read.status, profiles: new Map(), ssoSessions: new Map(), ignoredSections: [] };
  if (read.status !== 'ok') {
    if (read.status === 'unreadable') file.reason = read.reason;
    return file;
  }
  file.text = read.text;
  const { sections, error } = parseRaw(read.text);
  if (error) {
    file.parseError = error;
    return file;
  }
  const ignore = (section: RawSection, message: string) => file.ignoredSections.push({ line: section.line, message });
  const hasPrefixedDefault = kind === 'config' && sections.some((s) => /^profile[ \t]+default$/.test(trimWs(s.title)));
  sections.forEach((section) => {
    const title = trimWs(section.title);
    const split = /^(\S+)[ \t]+(.*)$/.exec(title);
    const prefix = split ? split[1]! : null;
    const name = split ? split[2]!.trim() : title;
    if (!IDENTIFIER.test(name)) return ignore(section, `[${title}] ignored: "${name}" is not a valid profile name`);
    let target: Map<string, AwsProfileSection> | null = null;
    if (kind === 'credentials') {
      if (prefix !== null) return ignore(section, `[${title}] ignored: profiles in the credentials file are written [NAME], without a prefix`);
      target = file.profiles;
    } else if (prefix === null) {
      if (name !== 'default') return ignore(section, `[${title}] ignored: profiles in the config file are written [profile ${name}]`);
      if (hasPrefixedDefault) return ignore(section, '[default] ignored: [profile default] takes priority (as in Codex)');
      target = file.profiles;
    } else if (prefix === 'profile') target = file.profiles;
    else if (prefix === 'sso-session') target = file.ssoSessions;
    else return; // other prefixed sections ([services x]) hold no profile settings
    const existing = target.get(name) ?? { name, line: section.line, values: new Map() };
    section.values.forEach((entry, key) => existing.values.set(key, entry));
    target.set(name, existing);
  });
  return file;
}

/** Where the shared files are: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (with a leading `~` expanded, as Codex does), else ~/.aws. */
export function awsSharedFilePaths(env: { nonEmpty(name: string): Sourced<string> | undefined }, homeDir: string): { config: string; credentials: string } {
  const expand = (path: string) => (path === '~' ? homeDir : path.startsWith('~/') ? join(homeDir, path.slice(2)) : path);
  return {
    config: expand(env.nonEmpty('AWS_CONFIG_FILE')?.value ?? join(homeDir, '.aws', 'config')),
    credentials: expand(env.nonEmpty('AWS_SHARED_CREDENTIALS_FILE')?.value ?? join(homeDir, '.aws', 'credentials')),
  };
}

/** One profile's settings with the file and line of each, the credentials file over the config file (Rust merge order). */
export function mergedProfile(config: AwsSharedFile, credentials: AwsSharedFile, profile: string): Map<string, { value: string; line: number; path: string }> | null {
  if (config.parseError || credentials.parseError) return null;
  const sections = [
    [config.profiles.get(profile), config.path],
    [credentials.profiles.get(profile), credentials.path],
  ] as const;
  if (sections.every(([section]) => section === undefined)) return null;
  const merged = new Map<string, { value: string; line: number; path: string }>();
  sections.forEach(([section, path]) => section?.values.forEach((entry, key) => merged.set(key, { ...entry, path })));
  return merged;
}
