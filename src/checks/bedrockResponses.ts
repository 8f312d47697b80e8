import { codexTrim } from '../auth/bedrockKey.js';
import { CODEX_MANTLE_REGIONS } from '../catalogue/regions.js';
import { formatDuration } from '../format.js';
import { responsesProbeBody, type MantleAuth, type MantleResponse, type MantleResult } from '../net/mantle.js';
import { displayProxy } from '../net/proxy.js';
import { explainNetworkFailure, unusableUrl } from '../net/networkErrors.js';
import { describeOrigin } from '../resolve/origin.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import { bySimilarity } from './suggest.js';
import type { Check, CheckContext, CheckOutcome } from './types.js';

const DOCS = 'https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html';
/** SigV4 tolerates 5 minutes; warn well before that. */
const SKEW_WARN_MS = 60_000;
const MAX_LISTED_MODELS = 500;
const MAX_MODEL_ID_LENGTH = 128;

interface MantleError {
  type: string | null;
  code: string | null;
  message: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Mantle errors use the OpenAI shape {"error": {"type", "code", "message", "param"}}. */
function mantleError(body: string): MantleError {
  const parsed = parseJson(body) as { error?: { type?: unknown; code?: unknown; message?: unknown }; message?: unknown } | undefined;
  const error = parsed?.error;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const message = text(error?.message) ?? text(parsed?.message) ?? body.slice(0, 200).trim();
  return { type: text(error?.type), code: text(error?.code), message: message || '(empty body)' };
}

function header(response: MantleResponse, name: string): string | null {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** How far the local clock is from the server's Date header (positive: local clock ahead). */
function clockSkewMs(response: MantleResponse, now: Date): number | null {
  const date = header(response, 'date');
  const serverTime = date ? Date.parse(date) : NaN;
  return Number.isNaN(serverTime) ? null : now.getTime() - serverTime;
}

function describeSkew(skewMs: number): string {
  return `this machine's clock is ${formatDuration(skewMs)} ${skewMs > 0 ? 'ahead of' : 'behind'} the server's`;
}

function iamAction(setup: EffectiveSetup): string {
  return setup.auth.mode === 'bearer'
    ? 'bedrock-mantle:CallWithBearerToken and bedrock-mantle:CreateInference (e.g. the AWS managed policy AmazonBedrockMantleInferenceAccess) for the IAM identity the key belongs to'
    : 'bedrock-mantle:CreateInference (e.g. the AWS managed policy AmazonBedrockMantleInferenceAccess)';
}

async function authFor(context: CheckContext, region: string): Promise<MantleAuth | { skip: string }> {
  const { setup } = context;
  if (setup.auth.mode === 'bearer') return { kind: 'bearer', key: codexTrim(setup.auth.bearerKey!.value) };
  const resolution = await context.services.iamCredentials();
  if (!resolution.ok) return { skip: 'no IAM credentials to sign with (see auth.token)' };
  return { kind: 'sigv4', credentials: resolution.credentials, region };
}

async function modelsOffered(context: CheckContext, base: string, auth: MantleAuth): Promise<string[] | null> {
  const listed = await context.services.mantle({ url: `${base}/models`, method: 'GET', auth, timeoutMs: context.options.timeoutMs, env: context.setup.env });
  if (!listed.ok || listed.status < 200 || listed.status >= 300) return null;
  const data = (parseJson(listed.body) as { data?: { id?: unknown }[] } | undefined)?.data;
  // Real lists hold tens of ids; ranking a hostile list of thousands of long ones would take seconds.
  return Array.isArray(data) ? data.slice(0, MAX_LISTED_MODELS).map((entry) => entry?.id).filter((id): id is string => typeof id === 'string' && id.length <= MAX_MODEL_ID_LENGTH) : null;
}

async function diagnose(context: CheckContext, response: MantleResponse, base: string, auth: MantleAuth, region: string): Promise<CheckOutcome> {
  const { setup } = context;
  const model = setup.model.value;
  const skew = clockSkewMs(response, context.now());
  const skewed = skew !== null && Math.abs(skew) > SKEW_WARN_MS;
  const requestId = header(response, 'x-amzn-requestid') ?? header(response, 'x-request-id');
  const details = [
    `POST ${base}/responses -> HTTP ${response.status} in ${response.latencyMs} ms`,
    ...(requestId ? [`request id: ${requestId}`] : []),
    ...(response.proxy ? [`through proxy ${displayProxy(response.proxy)}`] : []),
    ...(skew !== null ? [`clock skew vs server Date header: ${Math.round(skew / 1000)} s`] : []),
  ];
  const facts = { httpStatus: response.status, latencyMs: response.latencyMs, requestId, clockSkewSeconds: skew === null ? null : Math.round(skew / 1000) };
  const fail = (code: string, summary: string, remediation: string): CheckOutcome => ({ status: 'fail', code: `bedrock.${code}`, summary, details, remediation, docs: DOCS, facts });

  if (response.status >= 200 && response.status < 300) {
    const body = parseJson(response.body) as { id?: unknown; model?: unknown; object?: unknown } | undefined;
    if (!body || typeof body !== 'object' || (typeof body.id !== 'string' && typeof body.object !== 'string')) {
      return fail(
        'not-responses-api',
        `The endpoint answered HTTP ${response.status} but not with a Responses API document (${response.body.trim() === '' ? 'empty body' : 'unexpected content'}): something between you and Mantle (a proxy or captive portal, or a wrong base_url) answered instead`,
        'Check base_url and HTTPS_PROXY/NO_PROXY; the endpoint must be https://bedrock-mantle.REGION.api.aws/openai/v1.',
      );
    }
    const echoed = typeof body.model === 'string' ? body.model : model;
    const summary = `Mantle accepted a Responses call for ${echoed} in ${region} (${response.latencyMs} ms${requestId ? `, request ${requestId}` : ''})`;
    if (skewed) {
      return { status: 'warn', code: 'bedrock.clock-skew', summary: `${summary}, but ${describeSkew(skew!)}`, details, remediation: 'Sync the clock (e.g. timedatectl set-ntp true): SigV4 and Bedrock keys are rejected beyond 5 minutes of skew.', docs: DOCS, facts: { ...facts, model: echoed } };
    }
    return { status: 'pass', code: 'bedrock.ok', summary, details, facts: { ...facts, model: echoed } };
  }

  const error = mantleError(response.body);
  details.push(`Mantle said: ${error.message}${error.code ? ` (code ${error.code})` : ''}`);
  const skewNote = skewed ? `; ${describeSkew(skew!)}, the likely cause` : '';
  if (response.status === 401 || response.status === 403) {
    if (/signature expired|request has expired|expired/i.test(error.message)) {
      return fail(
        'expired',
        `Mantle rejected the request as expired (HTTP ${response.status})${skewNote || ': the credentials are stale or the clock is off'}`,
        skewed ? 'Sync this machine’s clock (e.g. timedatectl set-ntp true).' : 'Refresh the credentials (a new Bedrock API key, aws sso login, or fresh temporary keys) and check the clock.',
      );
    }
    if (/not authorized|access ?denied|permission|forbidden|explicit deny/i.test(error.message) || error.type === 'permission_denied_error') {
      return fail(
        'access-denied',
        `Access denied (HTTP ${response.status}): the identity may not call ${model} on Mantle in ${region}`,
        `Grant ${iamAction(setup)}, and make sure model access for ${model} is enabled in ${region}.`,
      );
    }
    if (/signature|credential should be scoped|does not match/i.test(error.message)) {
      return fail(
        'signature-mismatch',
        `Mantle rejected the SigV4 signature (HTTP ${response.status})${skewNote}`,
        skewed ? 'Sync this machine’s clock.' : 'Check that the secret access key belongs to the access key id, and that nothing rewrites the request (a proxy) on the way.',
      );
    }
    return fail(
      'credential-rejected',
      `Mantle rejected the credential (HTTP ${response.status}): ${setup.auth.mode === 'bearer' ? 'the Bedrock API key is invalid, revoked, expired or from another region' : 'the IAM credentials were not accepted'}${skewNote}`,
      setup.auth.mode === 'bearer' ? `Create a new Bedrock API key for ${region} and set it in AWS_BEARER_TOKEN_BEDROCK.` : 'Check the credentials (auth.token, auth.identity) and that they belong to the account with Bedrock access.',
    );
  }
  if (response.status === 404) {
    details.push(retryNote(setup, 'a 404', setup.codex.rules.behaviour.retries404));
    const offered = await modelsOffered(context, base, auth);
    if (offered?.includes(model)) {
      return fail(
        'model-access',
        `Model ${model} is listed at ${base} but the Responses call got HTTP 404: ${error.message}`,
        `Check that model access for ${model} is enabled for this account in ${region}.`,
      );
    }
    if (offered && offered.length > 0) {
      const ranked = bySimilarity(model, offered);
      return fail(
        'model-not-offered',
        `Model ${model} is not offered at ${base} (HTTP 404). Models it offers, closest first: ${ranked.slice(0, 8).join(', ')}`,
        `Set model = "${ranked[0]}" in config.toml (or pick another offered id), or use a region where ${model} is available.`,
      );
    }
    return fail(
      'not-found',
      `HTTP 404 from ${base}/responses: ${/model/i.test(error.message) ? `model ${model} does not exist in ${region}` : 'the endpoint path was not found'}`,
      /model/i.test(error.message) ? `Use a model offered in ${region} (Codex ${setup.codex.rules.release} knows: ${setup.codex.rules.behaviour.catalogue.slice(0, 4).join(', ')}), or another region.` : 'Check base_url: it must end in /openai/v1.',
    );
  }
  if (response.status === 400 && /isn't supported on this route|not supported on this route/i.test(error.message)) {
    return fail(
      'wrong-route',
      `Model ${model} exists but is not served on the Responses route Codex uses (HTTP 400: ${error.message})`,
      `Pick a model that supports the Responses API, e.g. ${setup.codex.rules.behaviour.catalogue.slice(0, 3).join(', ')}.`,
    );
  }
  if (response.status === 429) {
    details.push(retryNote(setup, 'a 429', setup.codex.rules.behaviour.retries429));
    return {
      status: 'warn',
      code: 'bedrock.throttled',
      summary: `Mantle answered 429 (rate limit or quota): the setup is right, but requests are being throttled now`,
      details,
      remediation: 'Wait and retry; for lasting throttling, ask for a quota increase in Service Quotas (Amazon Bedrock) for this model and region.',
      docs: DOCS,
      facts,
    };
  }
  if (response.status >= 500) {
    return fail('server-error', `Mantle had a server error (HTTP ${response.status}): ${error.message}`, 'This is on the AWS side: retry in a few minutes and check the AWS Health Dashboard for Amazon Bedrock in this region.');
  }
  return fail('http-error', `Mantle refused the request (HTTP ${response.status}): ${error.message}`, 'Read the message above; if it names a parameter, check model and base_url in config.toml.');
}

type NetworkFailureResult = Extract<MantleResult, { ok: false }>;

/** Regions whose Mantle host is known to exist: a DNS failure there means DNS or the network, not the region. */
const hasKnownEndpoint = (region: string) => (CODEX_MANTLE_REGIONS as readonly string[]).includes(region);

/**
 * The proxy itself failed: the connection to it was refused, or its host name does not resolve (through a
 * proxy, the doctor never resolves Mantle's host itself, so both can only be about the proxy).
 */
function proxyFailed(response: NetworkFailureResult): response is NetworkFailureResult & { proxy: string; failure: { kind: 'refused' | 'dns' } } {
  return response.proxy !== null && (response.failure.kind === 'refused' || response.failure.kind === 'dns');
}

/** The one-line summary names what failed: a refusing proxy, a region with no endpoint, or the network. */
function networkFailureSummary(response: NetworkFailureResult, explained: string, region: string, overridden: boolean): string {
  if (proxyFailed(response)) {
    const what = response.failure.kind === 'refused' ? 'refused the connection' : 'does not resolve';
    return `The proxy ${displayProxy(response.proxy)} ${what} (${response.failure.code}); the request to Mantle never left this machine`;
  }
  if (response.failure.kind !== 'dns' || overridden) return explained;
  return hasKnownEndpoint(region)
    ? `${explained}: Mantle does have an endpoint in ${region}, so this machine cannot resolve public host names (no network, or a DNS or VPN problem)`
    : `${explained}: there is no Mantle endpoint in ${region}, or this machine has no network`;
}

function networkFailureFix(response: NetworkFailureResult, explained: string, host: string, region: string, overridden: boolean, caBundle: boolean): string {
  if (response.failure.kind === 'tls' && caBundle) {
    // The AWS CLI reads AWS_CA_BUNDLE; Codex's AWS SDK for Rust does not (awslabs/aws-sdk-rust#1362), nor does
    // Node, so a CA named only there is trusted by neither Codex nor this doctor.
    return `${explained} AWS_CA_BUNDLE is set, but Codex ignores it (only the AWS CLI reads it): give Codex the CA through SSL_CERT_FILE or CODEX_CA_CERTIFICATE, and this doctor through NODE_EXTRA_CA_CERTS.`;
  }
  if (proxyFailed(response)) {
    return `Fix or remove the proxy setting (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY: Codex reads the same ones and would fail the same way), or add ${host.replace(/:\d+$/, '')} to NO_PROXY if it must be reached directly.`;
  }
  if (response.failure.kind !== 'dns' || overridden || hasKnownEndpoint(region)) return explained;
  const others = CODEX_MANTLE_REGIONS.filter((candidate) => candidate !== region).slice(0, 3);
  return `Use a region with a Mantle endpoint (e.g. ${others.join(', ')}), or check DNS/network. ${explained}`;
}

/** What the user will see from Codex itself: a retried error looks like a hang ("Reconnecting... n/5"). */
function retryNote(setup: EffectiveSetup, what: string, retried: boolean): string {
  const release = setup.codex.rules.release;
  return retried ? `Codex ${release} retries ${what} five times ("Reconnecting... n/5") before it reports it` : `Codex ${release} reports ${what} at once, without retrying`;
}

export const bedrockResponses: Check = {
  id: 'bedrock.responses',
  title: 'Live Responses call to Bedrock Mantle',
  requires: ['region.set', 'region.not-govcloud', 'auth.token', 'auth.identity', 'model.id'],
  network: true,
  async run(context): Promise<CheckOutcome> {
    const { setup } = context;
    if (setup.auth.mode === 'command') {
      const reason = 'Codex takes its credential from the configured auth command, which the doctor does not run';
      return { status: 'skip', code: 'bedrock.auth-command', summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const base = setup.endpoint?.value;
    const region = typeof setup.region.effective?.value === 'string' ? setup.region.effective.value : null;
    if (!base || !region) {
      const reason = 'no endpoint: needs a region or a base_url';
      return { status: 'skip', code: 'bedrock.no-endpoint', summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const badUrl = unusableUrl(base);
    if (badUrl) {
      return {
        status: 'fail',
        code: 'bedrock.bad-base-url',
        summary: `base_url ${JSON.stringify(base)} (${describeOrigin(setup.endpoint!.origin)}) cannot be used: ${badUrl}; Codex cannot reach Bedrock through it`,
        remediation: 'Set base_url to https://bedrock-mantle.REGION.api.aws/openai/v1, or remove it to let Codex derive it from the region.',
        docs: DOCS,
      };
    }
    const auth = await authFor(context, region);
    if ('skip' in auth) return { status: 'skip', code: 'bedrock.no-credentials', summary: `Skipped: ${auth.skip}`, skipReason: auth.skip };
    const response = await context.services.mantle({
      url: `${base}/responses`,
      method: 'POST',
      body: responsesProbeBody(setup.model.value),
      auth,
      timeoutMs: context.options.timeoutMs,
      env: setup.env,
    });
    if (!response.ok) {
      const host = new URL(base).host;
      const explained = explainNetworkFailure(response.failure, 'Bedrock Mantle', host, Math.round(context.options.timeoutMs / 1000));
      return {
        status: 'fail',
        code: proxyFailed(response) ? 'bedrock.proxy-failed' : `bedrock.network-${response.failure.kind}`,
        summary: networkFailureSummary(response, explained.summary, region, setup.baseUrl !== null),
        details: [`POST ${base}/responses`, ...(response.proxy ? [`through proxy ${displayProxy(response.proxy)}`] : [])],
        remediation: networkFailureFix(response, explained.fix, host, region, setup.baseUrl !== null, setup.env.nonEmpty('AWS_CA_BUNDLE') !== undefined),
        docs: DOCS,
        facts: { networkError: response.failure.kind, latencyMs: response.latencyMs },
      };
    }
    return diagnose(context, response, base, auth, region);
  },
};
