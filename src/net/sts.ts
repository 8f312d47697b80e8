import { accessKeyHint } from '../format.js';
import type { IamCredentials } from './iamCredentials.js';
import { proxyAgentFor } from './proxy.js';
import { classifyNetworkError, explainNetworkFailure, unusableUrl, type NetworkFailure } from './networkErrors.js';

export type CallerIdentityResult =
  | { ok: true; account: string; arn: string; userId: string; endpoint: string; latencyMs: number }
  | { ok: false; errorName: string; summary: string; fix: string; endpoint: string };

/**
 * The endpoint STS is called at: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (a path prefix is kept), else
 * the regional endpoint (the SDK's default). Named here so messages can say where the call went.
 */
export function stsEndpoint(env: { get(name: string): string | undefined }, region: string): { url: string; overridden: boolean; setting?: string } {
  for (const setting of ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL']) {
    const override = env.get(setting)?.trim();
    if (override) return { url: override, overridden: true, setting };
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return { url: `https://sts.${region}.${suffix}`, overridden: false };
}

function explainStsError(error: unknown, credentials: IamCredentials, endpoint: string, timeoutMs: number, known?: NetworkFailure): CallerIdentityResult {
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
      const network = known ?? classifyNetworkError(error);
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

/** What the body-capping plugin saw of the one answer: enough to say who answered and what. */
export interface AnswerSeen {
  status: number | null;
  contentType: string | null;
  /** The first bytes of the body, for a message when the answer is not STS's XML. */
  preview: string;
  tooLarge: boolean;
}

/** STS answers are a few hundred bytes; an endless or huge body is cut here, before the SDK collects it. */
export const MAX_STS_BODY_BYTES = 256 * 1024;
const PREVIEW_BYTES = 300;

/**
 * An SDK client plugin that caps the raw response body (the SDK would read it whole, without limit) and
 * records what came back. Usable on our STS client and, through clientPlugins, on the SDK's own STS clients.
 */
export function cappedBodyPlugin(seen: AnswerSeen = { status: null, contentType: null, preview: '', tooLarge: false }, maxBytes = MAX_STS_BODY_BYTES) {
  return {
    seen,
    applyToStack(stack: { add(middleware: unknown, options: { step: 'deserialize'; priority: 'low'; name: string }): void }) {
      stack.add(
        (next: (args: unknown) => Promise<{ response: { statusCode?: number; headers?: Record<string, string>; body?: unknown } }>) => async (args: unknown) => {
          const result = await next(args);
          const response = result.response;
          seen.status = response.statusCode ?? null;
          seen.contentType = response.headers?.['content-type'] ?? null;
          const body = response.body as NodeJS.ReadableStream & { destroy?: () => void } | undefined;
          if (body && typeof body.on === 'function') {
            const { PassThrough } = await import('node:stream');
            const capped = new PassThrough();
            let received = 0;
            body.on('data', (chunk: Buffer) => {
              received += chunk.length;
              if (seen.preview.length < PREVIEW_BYTES) seen.preview += chunk.toString('utf8', 0, PREVIEW_BYTES - seen.preview.length);
              if (received > maxBytes) {
                seen.tooLarge = true;
                body.destroy?.();
                capped.destroy(Object.assign(new Error(`the answer is larger than ${maxBytes} bytes`), { name: 'BodyTooLarge' }));
              } else capped.write(chunk);
            });
            body.on('end', () => capped.end());
            body.on('error', (error) => capped.destroy(error));
            response.body = capped;
          }
          return result;
        },
        { step: 'deserialize', priority: 'low', name: 'codexBedrockCappedBody' },
      );
    },
  };
}

/** An answer that parsed is still not STS's unless it carries an account id and an ARN. */
function looksLikeIdentity(answer: { Account?: string; Arn?: string }): boolean {
  return /^\d{12}$/.test(answer.Account ?? '') && /^arn:aws[\w-]*:/.test(answer.Arn ?? '');
}

function notSts(seen: AnswerSeen, endpoint: string, credentials: IamCredentials, timeoutMs: number): CallerIdentityResult | null {
  if (seen.tooLarge) return explainStsError(Object.assign(new Error('too large'), { code: 'too-large' }), credentials, endpoint, timeoutMs, { kind: 'too-large', code: `HTTP ${seen.status}`, answeredBy: 'server' });
  // 407 is the proxy's own answer (its body may quote the Proxy-Authorization sent): STS was never reached.
  if (seen.status === 407) return explainStsError(new Error('proxy'), credentials, endpoint, timeoutMs, { kind: 'proxy-auth', code: 'HTTP 407', answeredBy: 'proxy' });
  if (seen.status === null || /xml/i.test(seen.contentType ?? '')) return null;
  const preview = seen.preview.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  return {
    ok: false,
    errorName: 'NotSts',
    summary: `${endpoint} answered HTTP ${seen.status} (${seen.contentType ?? 'no content type'}), not with an STS XML document${preview ? `: "${preview}"` : ''}; something other than AWS STS answered (a proxy, captive portal or a wrong endpoint)`,
    fix: 'Check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL and HTTPS_PROXY/NO_PROXY; STS lives at https://sts.REGION.amazonaws.com.',
    endpoint,
  };
}

/** One STS GetCallerIdentity attempt, bounded by the timeout, at the regional (or overridden) endpoint. */
export async function getCallerIdentity(
  credentials: IamCredentials,
  options: { region: string; endpoint: { url: string; overridden: boolean; setting?: string }; timeoutMs: number; env: { get(name: string): string | undefined } },
): Promise<CallerIdentityResult> {
  const badUrl = unusableUrl(options.endpoint.url);
  const settingProblem = (detail: string): CallerIdentityResult => {
    const { summary, fix } = explainNetworkFailure({ kind: 'bad-setting', code: null, detail }, 'AWS STS', '', 0);
    return { ok: false, errorName: 'BadSetting', summary, fix, endpoint: options.endpoint.url };
  };
  if (badUrl) return settingProblem(`${options.endpoint.setting ?? 'The STS endpoint'} = ${JSON.stringify(options.endpoint.url)} cannot be used (${badUrl})`);
  // The SDK ignores HTTPS_PROXY; where Codex's traffic must go through a proxy, so does this call.
  const { agent, problem } = await proxyAgentFor(new URL(options.endpoint.url), options.env);
  if (problem) return settingProblem(problem);
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
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
  const plugin = cappedBodyPlugin();
  client.middlewareStack.use(plugin as never);
  const started = performance.now();
  const abort = new AbortController();
  // The SDK's abort signal does not reach a proxy's CONNECT; this timer bounds the whole call whatever it waits on.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve('timeout');
    }, options.timeoutMs);
  });
  try {
    const answer = await Promise.race([client.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal }), timedOut]);
    if (answer === 'timeout') {
      const kind = plugin.seen.status !== null ? 'slow-body' : 'timeout';
      return explainStsError(new Error('timeout'), credentials, options.endpoint.url, options.timeoutMs, { kind, code: null });
    }
    if (!looksLikeIdentity(answer)) {
      return (
        notSts(plugin.seen, options.endpoint.url, credentials, options.timeoutMs) ?? {
          ok: false,
          errorName: 'NotSts',
          summary: `${options.endpoint.url} answered HTTP ${plugin.seen.status ?? '?'} without an account id and ARN: that is not an STS GetCallerIdentity answer`,
          fix: 'Check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL and HTTPS_PROXY/NO_PROXY; STS lives at https://sts.REGION.amazonaws.com.',
          endpoint: options.endpoint.url,
        }
      );
    }
    return {
      ok: true,
      account: answer.Account ?? '',
      arn: answer.Arn ?? '',
      userId: answer.UserId ?? '',
      endpoint: options.endpoint.url,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return notSts(plugin.seen, options.endpoint.url, credentials, options.timeoutMs) ?? explainStsError(error, credentials, options.endpoint.url, options.timeoutMs);
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
