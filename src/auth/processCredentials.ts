/**
 * Parses what a credential helper prints (credential_process, and Codex's aws.credential_export which uses the
 * same format) as the Rust SDK does (aws-config `parse_credential_process_json_credentials`): one JSON object,
 * keys matched case-insensitively (so `accessKeyId` works; the JavaScript SDK wants `AccessKeyId`), `Version`
 * the number 1, `Expiration` RFC 3339 and used even when already past (AWS then rejects the request).
 */
export interface ProcessCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  accountId?: string;
}

export type ProcessCredentialsParse = { ok: true; credentials: ProcessCredentials } | { ok: false; reason: string };

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseProcessCredentials(text: string): ProcessCredentialsParse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'its output is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'its output is not a JSON object' };
  const fields = new Map<string, unknown>();
  Object.entries(parsed).forEach(([key, value]) => fields.set(key.toLowerCase(), value));
  const text_ = (key: string) => (typeof fields.get(key) === 'string' ? (fields.get(key) as string) : undefined);
  const version = fields.get('version');
  if (version === undefined) return { ok: false, reason: 'its output has no `Version` field (it must be 1)' };
  if (version !== 1) return { ok: false, reason: `its output has Version ${JSON.stringify(version)}; only the number 1 is accepted` };
  const accessKeyId = text_('accesskeyid');
  if (accessKeyId === undefined) return { ok: false, reason: 'its output has no `AccessKeyId`' };
  const secretAccessKey = text_('secretaccesskey');
  if (secretAccessKey === undefined) return { ok: false, reason: 'its output has no `SecretAccessKey`' };
  const expirationText = text_('expiration');
  let expiration: Date | undefined;
  if (expirationText !== undefined) {
    expiration = new Date(expirationText);
    if (!RFC3339.test(expirationText) || Number.isNaN(expiration.getTime())) return { ok: false, reason: 'its `Expiration` is not an RFC 3339 date-time' };
  }
  const sessionToken = text_('sessiontoken');
  const accountId = text_('accountid');
  return {
    ok: true,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}), ...(expiration ? { expiration } : {}), ...(accountId !== undefined ? { accountId } : {}) },
  };
}
