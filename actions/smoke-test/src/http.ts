import { abortReason, formatBytes } from '@ecs-actions/action-kit';
/** One HTTP exchange with the service under test, over Node's global fetch (undici). */

/**
 * The most of one response body that is read unless the input max-body-size says otherwise, counted after
 * decompression: a broken or hostile service that streams without end (or a gzip bomb) fails its check instead of
 * filling the runner's memory. No health, version or API answer a smoke test reads comes near it.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, body included, is aborted after this many milliseconds. */
  timeoutMs: number;
  /** Cancel or deadline: the request ends at once with the signal's reason (not a NoAnswerError). */
  signal?: AbortSignal;
  /** A longer body fails with BodyTooLargeError; DEFAULT_MAX_BODY_BYTES unless set. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  /** From sending the request to the last byte of the body. */
  durationMs: number;
}

/** A request that got no HTTP answer: refused, reset, timed out, or a TLS failure. */
export class NoAnswerError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url} did not answer: ${reason}`);
    this.name = 'NoAnswerError';
  }
}

/** An answer whose body was longer than maxBodyBytes; reading stopped there and the connection was dropped. */
export class BodyTooLargeError extends Error {
  constructor(
    readonly url: string,
    readonly limitBytes: number,
  ) {
    super(`${url} answered a body of more than ${formatBytes(limitBytes)}; reading stopped there`);
    this.name = 'BodyTooLargeError';
  }
}

export type Send = (url: URL, request: HttpRequest) => Promise<HttpResponse>;

/** Sends one request; redirects are never followed, so a check sees exactly what the service answered. */
export const send: Send = async (url, request) => {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: request.signal
        ? AbortSignal.any([AbortSignal.timeout(request.timeoutMs), request.signal])
        : AbortSignal.timeout(request.timeoutMs),
    });
    const body = await readBody(url, response, request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    return { status: response.status, headers: response.headers, body, durationMs: performance.now() - started };
  } catch (error) {
    if (request.signal?.aborted) throw abortReason(request.signal);
    if (error instanceof BodyTooLargeError) throw error;
    throw new NoAnswerError(url.href, describeNetworkError(error, request.timeoutMs));
  }
};

/** The body as text, read chunk by chunk so that reading stops, and the stream is cancelled, past `limitBytes`. */
async function readBody(url: URL, response: Response, limitBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limitBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(url.href, limitBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host name not found in DNS',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the server closed the connection',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain ends in a self-signed certificate',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not cover this host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified (incomplete chain)',
};

function describeNetworkError(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm (jest's vm contexts), where instanceof fails.
  const { name, message, cause } = (error ?? {}) as { name?: string; message?: string; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const { code, message: causeMessage } = (cause ?? {}) as { code?: string; message?: string };
  if (code && NETWORK_CODES[code]) return `${NETWORK_CODES[code]} (${code})`;
  if (code) return `${causeMessage || 'network error'} (${code})`;
  return causeMessage || message || String(error);
}

/**
 * The URL of `path` under the base URL, keeping the base URL's own path as a prefix:
 * `https://example.com/orders` + `/health` is `https://example.com/orders/health`.
 */
export function endpoint(baseUrl: URL, path: string): URL {
  const url = new URL(baseUrl.href);
  const prefix = url.pathname.replace(/\/+$/, '');
  const [pathname, query] = splitQuery(path.startsWith('/') ? path : `/${path}`);
  url.pathname = `${prefix}${pathname}`;
  url.search = query;
  url.hash = '';
  return url;
}

function splitQuery(path: string): [string, string] {
  const index = path.indexOf('?');
  return index === -1 ? [path, ''] : [path.slice(0, index), path.slice(index)];
}

/** The request path as it appears in log lines: `GET /health`. */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${url.pathname}${url.search}`;
}

/** A body excerpt for messages: one line, at most `max` characters. */
export function excerpt(body: string, max = 160): string {
  const line = body.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isJsonContentType(headers: Headers): boolean {
  const type = headers.get('content-type') ?? '';
  return /^application\/([\w.-]+\+)?json\b/i.test(type);
}
