/**
 * A loopback Amazon Bedrock "Mantle" endpoint (OpenAI-compatible Responses API) that really
 * authenticates: `Authorization: Bearer <key>` with a short-term key (presigned URL re-verified
 * with the known secret), a long-term `ABSK…` key (set membership), or SigV4 for service
 * `bedrock-mantle` (re-signed and compared).
 *
 * Routes: `POST /openai/v1/responses`, `GET /openai/v1/models`. Errors use the OpenAI shape
 * `{"error":{"message","type","param","code"}}`. Shapes seen from the real service (public bug
 * reports): 401 `invalid_api_key` "Invalid bearer token"; 403 `permission_denied_error` /
 * `access_denied` "User: … is not authorized to perform: bedrock-mantle:CreateInference …";
 * 404 `not_found_error` "The model 'X' does not exist"; 400 `validation_error`
 * "model `X` isn't supported on this route"; 401 "Credential should be scoped to correct service:
 * 'bedrock-mantle'." for a wrong SigV4 scope. Other codes/types here are plausible guesses.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  recordRequest,
  resetSocket,
  sleep,
  startLoopback,
  verifyPresignedBearerKey,
  verifySigV4,
  type RecordedRequest,
  type SecretMap,
  type VerifyFailure,
} from './sigv4Verify.js';

export type { RecordedRequest, SecretMap, SecretEntry } from './sigv4Verify.js';

export type MantleBehaviour =
  | 'ok'
  | 'slow'
  | 'reset'
  | '5xx'
  | '429'
  | 'malformed-json'
  | 'skewed-date'
  | 'forbidden'
  | 'route-400';

export interface MantleBehaviourExtra {
  /** 'slow': wait before answering normally. Default 5000 ms. */
  slowMs?: number;
  /** 'skewed-date': Date header offset from the server clock, in seconds (may be negative). Default 600. */
  skewSeconds?: number;
  /** '5xx': which status. Default 500 (503 also meaningful). */
  status?: number;
}

export interface MantleServerOptions {
  /** IAM keys accepted for SigV4 (service `bedrock-mantle`) and for minting short-term keys. */
  secrets: SecretMap;
  /** Long-term `ABSK…` keys that are accepted. */
  longTermKeys?: Set<string>;
  modelsByRegion: Record<string, string[]>;
  /** The region this endpoint plays: expected SigV4 scope region and short-term key region. */
  region: string;
  /** The server's clock (signature window, key expiry, Date header). Default: real time. */
  now?: () => Date;
  /** Signing services accepted in the SigV4 scope. Default ['bedrock-mantle']. */
  sigv4Services?: string[];
  /** Caller ARN shown in 'forbidden' messages. Default arn:aws:iam::123456789012:user/test-user. */
  callerArn?: string;
  behaviour?: MantleBehaviour;
  behaviourExtra?: MantleBehaviourExtra;
}

export interface MantleServer {
  url: string;
  /** `url + '/openai/v1'`, the value a `base_url` override would hold. */
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  setBehaviour(b: MantleBehaviour, extra?: MantleBehaviourExtra): void;
  close(): Promise<void>;
}

interface ApiError {
  status: number;
  type: string;
  code: string | null;
  message: string;
  param?: string | null;
}

const BASE = '/openai/v1';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function sigv4FailureToError(v: VerifyFailure): ApiError {
  const auth = (code: string, message: string): ApiError => ({ status: 401, type: 'authentication_error', code, message });
  switch (v.code) {
    case 'MissingAuth':
      return auth('missing_authentication_token', 'Missing Authentication Token');
    case 'Malformed':
      return auth('incomplete_signature', v.message);
    case 'UnknownKey':
    case 'BadToken':
      return auth('invalid_client_token_id', 'The security token included in the request is invalid.');
    case 'ExpiredToken':
      return auth('expired_token', 'The security token included in the request is expired');
    case 'SignatureExpired':
      return auth('signature_expired', v.message);
    case 'WrongService':
    case 'WrongRegion':
      return auth('invalid_credential_scope', v.message);
    case 'SignatureDoesNotMatch':
      return auth('signature_does_not_match', v.message.startsWith('The request signature') ? SIGNATURE_MISMATCH : v.message);
  }
}

function bearerFailureToError(v: VerifyFailure): ApiError {
  if (v.code === 'SignatureExpired' || v.code === 'ExpiredToken') {
    return { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: `Invalid bearer token: ${v.message}` };
  }
  return { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid bearer token' };
}

/** Starts the Mantle server on 127.0.0.1 (port 0). */
export async function startMantleServer(opts: MantleServerOptions): Promise<MantleServer> {
  const now = opts.now ?? (() => new Date());
  const services = opts.sigv4Services ?? ['bedrock-mantle'];
  const requests: RecordedRequest[] = [];
  let behaviour: MantleBehaviour = opts.behaviour ?? 'ok';
  let extra: MantleBehaviourExtra = { ...(opts.behaviourExtra ?? {}) };

  const dateHeader = (): string => {
    const offset = behaviour === 'skewed-date' ? (extra.skewSeconds ?? 600) * 1000 : 0;
    return new Date(now().getTime() + offset).toUTCString();
  };
  const send = (res: ServerResponse, status: number, body: string, requestId: string, headers: Record<string, string> = {}): void => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-amzn-requestid', requestId);
    res.setHeader('date', dateHeader());
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(body);
  };
  const sendError = (res: ServerResponse, e: ApiError, requestId: string, headers: Record<string, string> = {}): void => {
    send(
      res,
      e.status,
      JSON.stringify({ error: { code: e.code, message: e.message, param: e.param ?? null, type: e.type } }),
      requestId,
      headers,
    );
  };

  /** Authenticates; returns undefined when accepted, else the error to send. */
  const authenticate = async (req: IncomingMessage, rec: RecordedRequest, body: Buffer): Promise<ApiError | undefined> => {
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    if (!authorization) {
      rec.auth = { kind: 'none', ok: false, code: 'MissingAuth' };
      return { status: 401, type: 'authentication_error', code: 'missing_authentication_token', message: 'Missing Authentication Token' };
    }
    const bearer = /^Bearer (.*)$/s.exec(authorization);
    if (bearer) {
      const key = bearer[1] ?? '';
      if (key.startsWith('bedrock-api-key-')) {
        const v = await verifyPresignedBearerKey(key, { secrets: opts.secrets, now: now(), expectedRegion: opts.region });
        rec.auth = v.ok
          ? { kind: 'bearer-short-term', ok: true, accessKeyId: v.accessKeyId, region: v.region }
          : {
              kind: 'bearer-short-term',
              ok: false,
              code: v.code,
              ...(v.accessKeyId !== undefined ? { accessKeyId: v.accessKeyId } : {}),
              ...(v.region !== undefined ? { region: v.region } : {}),
            };
        return v.ok ? undefined : bearerFailureToError(v);
      }
      if (key.startsWith('ABSK')) {
        const ok = opts.longTermKeys?.has(key) ?? false;
        rec.auth = ok ? { kind: 'bearer-long-term', ok } : { kind: 'bearer-long-term', ok, code: 'UnknownKey' };
        return ok ? undefined : { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid bearer token' };
      }
      rec.auth = { kind: 'bearer-unknown', ok: false, code: 'Malformed' };
      return { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid bearer token' };
    }
    const v = await verifySigV4(
      { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body },
      {
        service: services,
        secrets: opts.secrets,
        now: now(),
        expectedRegion: opts.region,
        // Mantle drops headers whose names contain '_' before verifying.
        dropHeader: (name) => name.includes('_'),
      },
    );
    rec.auth = v.ok
      ? { kind: 'sigv4', ok: true, accessKeyId: v.accessKeyId, region: v.region }
      : {
          kind: 'sigv4',
          ok: false,
          code: v.code,
          ...(v.accessKeyId !== undefined ? { accessKeyId: v.accessKeyId } : {}),
          ...(v.region !== undefined ? { region: v.region } : {}),
        };
    return v.ok ? undefined : sigv4FailureToError(v);
  };

  /** Behaviours that replace the answer once the caller is authenticated. */
  const forcedError = (model: string | undefined): { e: ApiError; headers?: Record<string, string> } | undefined => {
    switch (behaviour) {
      case 'forbidden': {
        const arn = opts.callerArn ?? 'arn:aws:iam::123456789012:user/test-user';
        const account = /:(\d{12}):/.exec(arn)?.[1] ?? '123456789012';
        return {
          e: {
            status: 403,
            type: 'permission_denied_error',
            code: 'access_denied',
            message: `User: ${arn} is not authorized to perform: bedrock-mantle:CreateInference on resource: arn:aws:bedrock-mantle:${opts.region}:${account}:project/default because no identity-based policy allows the bedrock-mantle:CreateInference action`,
          },
        };
      }
      case '429':
        return {
          e: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Too many requests, please wait before trying again.' },
          headers: { 'retry-after': '1' },
        };
      case '5xx': {
        const status = extra.status ?? 500;
        return status === 503
          ? { e: { status, type: 'service_unavailable_error', code: 'service_unavailable', message: 'Service is temporarily unavailable. Please try again later.' } }
          : { e: { status, type: 'api_error', code: 'internal_server_error', message: 'The server had an error while processing your request.' } };
      }
      case 'route-400':
        return model === undefined
          ? undefined
          : { e: { status: 400, type: 'invalid_request_error', code: 'validation_error', message: `model \`${model}\` isn't supported on this route` } };
      default:
        return undefined;
    }
  };

  const handler = async (req: IncomingMessage, res: ServerResponse, body: Buffer, signal: AbortSignal): Promise<void> => {
    const rec = recordRequest(req, body, now());
    requests.push(rec);
    const requestId = randomUUID();

    if (behaviour === 'reset') {
      resetSocket(req);
      return;
    }
    if (behaviour === 'slow') await sleep(extra.slowMs ?? 5000, signal);

    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const isResponses = path === `${BASE}/responses` || path === `${BASE}/responses/`;
    const isModels = path === `${BASE}/models` || path === `${BASE}/models/`;
    if (!isResponses && !isModels) {
      sendError(res, { status: 404, type: 'invalid_request_error', code: 'unknown_url', message: `Unknown request URL: ${method} ${path}.` }, requestId);
      return;
    }
    if ((isResponses && method !== 'POST') || (isModels && method !== 'GET')) {
      sendError(res, { status: 405, type: 'invalid_request_error', code: 'method_not_allowed', message: `Method ${method} not allowed on ${path}.` }, requestId);
      return;
    }

    const authError = await authenticate(req, rec, body);
    if (authError) {
      sendError(res, authError, requestId);
      return;
    }

    const models = opts.modelsByRegion[opts.region] ?? [];

    if (isModels) {
      const forced = forcedError(undefined);
      if (forced) {
        sendError(res, forced.e, requestId, forced.headers);
        return;
      }
      if (behaviour === 'malformed-json') {
        send(res, 200, '{"object":"list","data":[{"id":', requestId);
        return;
      }
      const created = Math.floor(now().getTime() / 1000);
      send(res, 200, JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'system' })) }), requestId);
      return;
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      sendError(
        res,
        { status: 400, type: 'invalid_request_error', code: 'invalid_json', message: 'We could not parse the JSON body of your request.' },
        requestId,
      );
      return;
    }
    const model = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['model'] : undefined;
    if (typeof model !== 'string' || model === '') {
      sendError(
        res,
        { status: 400, type: 'invalid_request_error', code: 'missing_required_parameter', message: "Missing required parameter: 'model'.", param: 'model' },
        requestId,
      );
      return;
    }

    const forced = forcedError(model);
    if (forced) {
      sendError(res, forced.e, requestId, forced.headers);
      return;
    }
    if (!models.includes(model)) {
      sendError(res, { status: 404, type: 'invalid_request_error', code: 'not_found_error', message: `The model '${model}' does not exist` }, requestId);
      return;
    }
    if (behaviour === 'malformed-json') {
      send(res, 200, '{"id":"resp_', requestId);
      return;
    }
    const p = parsed as Record<string, unknown>;
    const created = Math.floor(now().getTime() / 1000);
    send(
      res,
      200,
      JSON.stringify({
        id: `resp_${randomBytes(16).toString('hex')}`,
        object: 'response',
        created_at: created,
        status: 'completed',
        error: null,
        incomplete_details: null,
        model,
        output: [
          {
            id: `msg_${randomBytes(16).toString('hex')}`,
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: 'pong', annotations: [] }],
          },
        ],
        max_output_tokens: typeof p['max_output_tokens'] === 'number' ? p['max_output_tokens'] : null,
        store: typeof p['store'] === 'boolean' ? p['store'] : true,
        usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      }),
      requestId,
    );
  };

  const server = await startLoopback(handler);
  return {
    url: server.url,
    baseUrl: `${server.url}${BASE}`,
    port: server.port,
    requests,
    setBehaviour(b, e) {
      behaviour = b;
      extra = { ...extra, ...(e ?? {}) };
    },
    close: () => server.close(),
  };
}
