import { proxyAgentFor } from './proxy.js';
import { cappedBodyPlugin } from './sts.js';

/**
 * STS AssumeRole and AssumeRoleWithWebIdentity as Codex's Rust SDK sends them: role ARN, session name and
 * external id only. No `DurationSeconds`: the Rust SDK never sends it (the profile's `duration_seconds` is
 * ignored), so STS grants its default hour; the JavaScript SDK's fromIni sends it, and STS refuses a
 * duration longer than the role allows. One attempt, bounded, through the proxy Codex would use.
 */
export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type AssumeResult = { ok: true; credentials: StsCredentials } | { ok: false; error: unknown };

interface StsCallOptions {
  region: string;
  endpoint: { url: string; overridden: boolean };
  timeoutMs: number;
  env: { get(name: string): string | undefined };
}

async function client(options: StsCallOptions, credentials: StsCredentials | null) {
  const { STSClient } = await import('@aws-sdk/client-sts');
  const { agent } = await proxyAgentFor(new URL(options.endpoint.url), options.env);
  const sts = new STSClient({
    ...(agent ? { requestHandler: { httpAgent: agent, httpsAgent: agent } } : {}),
    region: options.region,
    maxAttempts: 1,
    // AssumeRoleWithWebIdentity is unsigned; these placeholders keep the SDK from looking for credentials itself.
    credentials: credentials ?? { accessKeyId: 'unsigned', secretAccessKey: 'unsigned' },
    ...(options.endpoint.overridden ? { endpoint: options.endpoint.url } : {}),
  });
  // STS answers are small; a body far larger is not STS (hardening: bodies are capped).
  sts.middlewareStack.use(cappedBodyPlugin() as never);
  return sts;
}

function toCredentials(answer: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } }): AssumeResult {
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) return { ok: false, error: new Error('STS answered without credentials') };
  return { ok: true, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) } };
}

/** Rust `sts::util::default_session_name`: `<prefix>-<milliseconds since the epoch>`. */
export const defaultSessionName = (prefix: string, now: Date) => `${prefix}-${now.getTime()}`;

export async function assumeRole(source: StsCredentials, role: { roleArn: string; sessionName: string; externalId?: string }, options: StsCallOptions): Promise<AssumeResult> {
  const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const sts = await client(options, source);
  try {
    const command = new AssumeRoleCommand({ RoleArn: role.roleArn, RoleSessionName: role.sessionName, ...(role.externalId !== undefined ? { ExternalId: role.externalId } : {}) });
    return toCredentials(await sts.send(command, { abortSignal: AbortSignal.timeout(options.timeoutMs) }));
  } catch (error) {
    return { ok: false, error };
  } finally {
    sts.destroy();
  }
}

export async function assumeRoleWithWebIdentity(input: { roleArn: string; sessionName: string; token: string }, options: StsCallOptions): Promise<AssumeResult> {
  const { AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = await client(options, null);
  try {
    const command = new AssumeRoleWithWebIdentityCommand({ RoleArn: input.roleArn, RoleSessionName: input.sessionName, WebIdentityToken: input.token });
    return toCredentials(await sts.send(command, { abortSignal: AbortSignal.timeout(options.timeoutMs) }));
  } catch (error) {
    return { ok: false, error };
  } finally {
    sts.destroy();
  }
}
