import type { FileRead } from '../io/files.js';

/**
 * The AWS shared config and credentials files (INI). The doctor reads them only to learn what Codex needs
 * before any SDK call: the selected profile's region and which profiles exist. Credentials themselves are
 * always resolved by the real AWS SDK.
 */
export interface AwsProfileSection {
  name: string;
  line: number;
  values: Map<string, { value: string; line: number }>;
}

export interface AwsSharedFile {
  path: string;
  status: FileRead['status'];
  reason?: string;
  profiles: Map<string, AwsProfileSection>;
  /** `[sso-session NAME]` sections of the config file. */
  ssoSessions: Map<string, AwsProfileSection>;
  /** The file's text as read (for the support report, which shows it with secret values masked). */
  text?: string;
}

/** In the config file profiles are `[profile NAME]` (except `[default]`); in the credentials file plain `[NAME]`. */
export function parseAwsIni(read: FileRead, kind: 'config' | 'credentials'): AwsSharedFile {
  const file: AwsSharedFile = { path: read.path, status: read.status, profiles: new Map(), ssoSessions: new Map() };
  if (read.status !== 'ok') {
    if (read.status === 'unreadable') file.reason = read.reason;
    return file;
  }
  file.text = read.text;
  let section: AwsProfileSection | null = null;
  let lastKey: string | null = null;
  read.text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(trimmed);
    if (header) {
      const title = header[1]!.replace(/\s+/g, ' ');
      section = null;
      lastKey = null;
      if (kind === 'credentials') {
        section = { name: title, line, values: new Map() };
        file.profiles.set(title, section);
      } else if (title === 'default' || title.startsWith('profile ')) {
        const name = title === 'default' ? 'default' : title.slice('profile '.length).trim();
        section = { name, line, values: new Map() };
        file.profiles.set(name, section);
      } else if (title.startsWith('sso-session ')) {
        const name = title.slice('sso-session '.length).trim();
        section = { name, line, values: new Map() };
        file.ssoSessions.set(name, section);
      }
      return;
    }
    if (!section) return;
    // Indented lines continue a nested block (e.g. `s3 =` sub-settings); they are not top-level settings.
    if (/^\s/.test(raw) && lastKey) return;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) return;
    const key = trimmed.slice(0, equals).trim().toLowerCase();
    const value = trimmed.slice(equals + 1).trim();
    (section as AwsProfileSection).values.set(key, { value, line });
    lastKey = key;
  });
  return file;
}
