import { accessKeyHint } from '../format.js';
import type { IamCredentials } from './iamCredentials.js';
import { proxyAgentFor } from './proxy.js';
import { classifyNetworkError, explainNetworkFailure } from './networkErrors.js';

export type CallerIdentityResult =
  | { ok: true; account: string; arn: string; userId: string; endpoint: string; latencyMs: number }
  | { ok: false; errorName: string; summary: string; fix: string; endpoint: string };

/**
 * The endpoint STS is called at: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (a path prefix is kept), else
 * the regional endpoint (the SDK's default). Named here so messages can say where the call went.
 */
export function stsEndpoint(env: { get(name: string): string | undefined }, region: string): { url: string; overridden: boolean } {
  const override = env.get('AWS_ENDPOINT_URL_STS')?.trim() || env.get('AWS_ENDPOINT_URL')?.trim();
  if (override) return { url: override, overridden: true };
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return { url: `https://sts.${region}.${suffix}`, overridden: false };
}

function explainStsError(error: unknown, credentials: IamCredentials, endpoint: string, timeoutMs: number): CallerIdentityResult {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const key = accessKeyHint(credentials.accessKeyId);
  const result = (summary: string, fix: string): CallerIdentityResult => ({ ok: false, errorName: name, summary, fix, endpoint });
  switch (name) {
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return result(
        `STS says the session token of ${key} has expired (ExpiredToken)`,
        credentials.source === 'sso' ? `Run: aws sso login${credentials.profile ? ` --profile ${credentials.profile}` : ''}` : 'Get fresh temporary credentials (re-run the command that exported them, aws sso login, or aws login).',
      );
    case 'InvalidClientTokenId':
      return result(
        `STS does not recognise access key ${key} (InvalidClientTokenId): it was deleted or deactivated, belongs to another partition, or its session token is missing or wrong`,
        'Check the key in the IAM console (aws iam list-access-keys), create a new one if it was deleted, and make sure AWS_SESSION_TOKEN goes with ASIA… keys.',
      );
    case 'SignatureDoesNotMatch':
      return /expired|skew|time/i.test(message)
        ? result(`STS rejected the signature because of the clock: ${message.split('\n')[0]}`, 'Sync this machine’s clock (e.g. timedatectl set-ntp true); SigV4 rejects requests more than 5 minutes off.')
        : result(
            `STS says the signature does not match (SignatureDoesNotMatch): the secret access key for ${key} is wrong, or this machine's clock is off`,
            'Re-enter the secret access key that belongs to this access key id (aws configure), and check the clock.',
          );
    case 'AccessDenied':
    case 'AccessDeniedException':
      return result(
        `STS denied GetCallerIdentity for ${key} (AccessDenied); that call needs no IAM permission, so an explicit deny (SCP, permission boundary, VPC endpoint policy) is in the way`,
        'Ask your AWS administrator which policy denies sts:GetCallerIdentity; the same policy may block bedrock-mantle calls.',
      );
    default: {
      const network = classifyNetworkError(error);
      if (network.kind !== 'other') {
        const host = (() => {
          try {
            return new URL(endpoint).host;
          } catch {
            return endpoint;
          }
        })();
        const { summary, fix } = explainNetworkFailure(network, 'AWS STS', host, Math.round(timeoutMs / 1000));
        return result(summary, fix);
      }
      return result(`STS GetCallerIdentity failed: ${name}: ${message.split('\n')[0]}`, 'Check the credentials and network access to STS.');
    }
  }
}

/** One STS GetCallerIdentity attempt, bounded by the timeout, at the regional (or overridden) endpoint. */
export async function getCallerIdentity(
  credentials: IamCredentials,
  options: { region: string; endpoint: { url: string; overridden: boolean }; timeoutMs: number; env: { get(name: string): string | undefined } },
): Promise<CallerIdentityResult> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  // The SDK ignores HTTPS_PROXY; where Codex's traffic must go through a proxy, so does this call.
  const { agent } = await proxyAgentFor(new URL(options.endpoint.url), options.env);
  const client = new STSClient({
    ...(agent ? { requestHandler: { httpAgent: agent, httpsAgent: agent } } : {}),
    region: options.region,
    maxAttempts: 1,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    ...(options.endpoint.overridden ? { endpoint: options.endpoint.url } : {}),
  });
  const started = performance.now();
  try {
    const answer = await client.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(options.timeoutMs) });
    return {
      ok: true,
      account: answer.Account ?? '',
      arn: answer.Arn ?? '',
      userId: answer.UserId ?? '',
      endpoint: options.endpoint.url,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return explainStsError(error, credentials, options.endpoint.url, options.timeoutMs);
  } finally {
    client.destroy();
  }
}
