/**
 * Network failures, classified once for every caller (STS, Mantle, the model list) so each says the same
 * plain sentence with the same fix.
 */
export type NetworkFailureKind = 'dns' | 'refused' | 'tls' | 'tls-hostname' | 'not-tls' | 'timeout' | 'slow-body' | 'too-large' | 'proxy-auth' | 'bad-setting' | 'reset' | 'other';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  code: string | null;
  /** Who gave the answer that failed, when it is known: the proxy on the way, or the server itself. */
  answeredBy?: 'proxy' | 'server';
  /** For 'bad-setting': which setting holds an unusable URL, and why, in words. */
  detail?: string;
}

/** Why a URL cannot be used for an HTTP request, or null when it can. */
export function unusableUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'it is not a valid URL';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : `its scheme is ${url.protocol.slice(0, -1)}, not http or https`;
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)/;

function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  // Under some runtimes the AWS SDK re-wraps socket errors and only the message keeps the code.
  const message = error instanceof Error ? error.message : String(error);
  return /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID)\b/.exec(message)?.[1] ?? null;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function classifyNetworkError(error: unknown): NetworkFailure {
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ABORT_ERR') return { kind: 'timeout', code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', code };
  if (code === 'ECONNREFUSED') return { kind: 'refused', code };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return { kind: 'reset', code };
  // An https:// URL on a port that speaks plain HTTP: the first bytes back are not a TLS record.
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number|packet length too long/i.test(message(error)))) return { kind: 'not-tls', code };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return { kind: 'tls-hostname', code };
  if (code && TLS_CODES.test(code)) return { kind: 'tls', code };
  return { kind: 'other', code };
}

/** One sentence and a fix for a network failure while talking to `what` at `host`. */
export function explainNetworkFailure(failure: NetworkFailure, what: string, host: string, timeoutSeconds: number): { summary: string; fix: string } {
  switch (failure.kind) {
    case 'timeout':
      if (failure.answeredBy === 'proxy') {
        return {
          summary: `The proxy did not answer the CONNECT request for ${host} within ${timeoutSeconds} s (${what} was never reached)`,
          fix: `Check HTTPS_PROXY (is the proxy up, and does it allow CONNECT to ${host}?) and NO_PROXY.`,
        };
      }
      return {
        summary: `${what} did not answer within ${timeoutSeconds} s (${host})`,
        fix: `Check the network path to ${host} (VPN, firewall, proxy: HTTPS_PROXY/NO_PROXY), or raise --timeout if the link is slow.`,
      };
    case 'dns':
      return {
        summary: `The host name ${host} does not resolve (${failure.code})`,
        fix: `Check DNS and network access; if you are offline, run with --offline.`,
      };
    case 'refused':
      return {
        summary: `The connection to ${host} was refused (${failure.code})`,
        fix: `Nothing is listening there: check the endpoint (an overridden base_url or AWS_ENDPOINT_URL*) and any proxy settings.`,
      };
    case 'tls':
      return {
        summary: `TLS failed talking to ${host} (${failure.code}): the certificate chain is not trusted`,
        fix: `A corporate proxy or TLS inspection is likely: export NODE_EXTRA_CA_CERTS=/path/to/corporate-ca.pem for this tool (Codex needs the same CA in the system trust store or SSL_CERT_FILE).`,
      };
    case 'tls-hostname':
      return {
        summary: `TLS failed talking to ${host} (${failure.code}): the certificate presented is not for that host name`,
        fix: `Check the host in base_url / AWS_ENDPOINT_URL*; a TLS-intercepting proxy that signs for the wrong name needs fixing on the proxy side.`,
      };
    case 'not-tls':
      return {
        summary: `${host} does not speak TLS (${failure.code}): the URL says https:// but the port answers plain HTTP`,
        fix: `Use http:// for that port, or the port where ${host} serves HTTPS (check base_url / AWS_ENDPOINT_URL*).`,
      };
    case 'slow-body':
      return {
        summary: `${what} (${host}) started answering but the answer did not finish within ${timeoutSeconds} s`,
        fix: `Something on the path is stalling the response (a proxy or TLS inspection); check HTTPS_PROXY/NO_PROXY, or raise --timeout if the link is slow.`,
      };
    case 'too-large':
      return {
        summary: `${host} answered (${failure.code}) with a body larger than any ${what} answer (the doctor stopped reading it)`,
        fix: `Something other than ${what} answered: check the endpoint (base_url / AWS_ENDPOINT_URL*) and any proxy on the way.`,
      };
    case 'proxy-auth':
      return {
        summary: `The proxy refused the request for ${host} (HTTP 407 Proxy Authentication Required): ${what} was never reached`,
        fix: `Put the proxy's user name and password in the proxy URL (HTTPS_PROXY=http://USER:PASSWORD@proxy:port), or ask for this host to be allowed without authentication.`,
      };
    case 'bad-setting':
      return {
        summary: `${failure.detail ?? 'a URL setting is unusable'}: ${what} cannot be reached through it`,
        fix: 'Fix that setting to a full http:// or https:// URL (or remove it).',
      };
    case 'reset':
      return {
        summary: `The connection to ${host} was reset (${failure.code})`,
        fix: `A proxy or firewall may be cutting the connection; check HTTPS_PROXY/NO_PROXY and try again.`,
      };
    default:
      return { summary: `The request to ${host} failed${failure.code ? ` (${failure.code})` : ''}`, fix: 'Check network access and try again.' };
  }
}
