import { abortReason, CancelledError, isCancelled, type Clock } from '@ecs-actions/action-kit';
import type { Secrets } from './secrets.js';

/** How hard to try before a Slack problem becomes a warning: a notification must never hold a deploy for long. */
export interface RetryPolicy {
  /** Requests in all, the first included. */
  maxAttempts: number;
  /** Each request is aborted after this long. */
  requestTimeoutMs: number;
  /** Wait before the second attempt after a 5xx or network error; doubled for each further attempt. */
  backoffMs: number;
  /** A 429 asking for a longer wait than this ends the attempts (Slack's Retry-After is in seconds). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  requestTimeoutMs: 10_000,
  backoffMs: 1_000,
  maxRetryAfterMs: 30_000,
};

export interface Delivery {
  clock: Clock;
  secrets: Secrets;
  policy: RetryPolicy;
  /** One log line per retry. */
  log: (line: string) => void;
  /** The run's cancel signal: it ends the request in flight and the wait before a retry. */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  body: string;
  attempts: number;
}

/** Slack could not be reached or kept failing; `message` is already free of secrets. */
export class SlackDeliveryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'SlackDeliveryError';
  }
}

type Outcome =
  { kind: 'answer'; status: number; body: string; retryAfterMs?: number } | { kind: 'error'; text: string };

/**
 * POSTs a JSON body and returns the first answer that is not worth retrying (any 2xx–4xx but 429).
 * 429 waits for Retry-After; 5xx, timeouts and network errors back off exponentially. Every wait goes
 * through the injected clock.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  what: string,
  delivery: Delivery,
): Promise<HttpAnswer> {
  const { clock, policy, secrets, log, signal } = delivery;
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(url, headers, payload, policy.requestTimeoutMs, signal).catch(
      (error: unknown) => {
        throw cancelledDuring(error, `${what} (attempt ${attempt} of ${policy.maxAttempts})`);
      },
    );
    if (outcome.kind === 'answer' && outcome.status !== 429 && outcome.status < 500) {
      return { status: outcome.status, body: outcome.body, attempts: attempt };
    }
    const problem = secrets.redact(describe(outcome));
    if (attempt >= policy.maxAttempts) {
      throw new SlackDeliveryError(`${what} failed after ${attempt} attempts: ${problem}`, attempt);
    }
    const waitMs =
      outcome.kind === 'answer' && outcome.status === 429
        ? (outcome.retryAfterMs ?? policy.backoffMs)
        : policy.backoffMs * 2 ** (attempt - 1);
    if (waitMs > policy.maxRetryAfterMs) {
      throw new SlackDeliveryError(
        `${what} failed: ${problem}; Slack asked to wait ${seconds(waitMs)}, longer than the ${seconds(policy.maxRetryAfterMs)} this action waits`,
        attempt,
      );
    }
    log(`${what}: attempt ${attempt} of ${policy.maxAttempts} failed (${problem}); retrying in ${seconds(waitMs)}`);
    await clock.sleep(waitMs, signal).catch((error: unknown) => {
      throw cancelledDuring(error, `the wait before retrying ${what} (after ${attempt} failed attempts: ${problem})`);
    });
  }
}

/** A cancel, named after what it stopped; any other error as it is. */
function cancelledDuring(error: unknown, what: string): unknown {
  return isCancelled(error)
    ? new CancelledError(`Cancelled (${error.by}) during ${what}`, error.by, { cause: error })
    : error;
}

async function attemptOnce(
  url: string,
  headers: Record<string, string>,
  payload: string,
  timeoutMs: number,
  cancel: AbortSignal | undefined,
): Promise<Outcome> {
  if (cancel?.aborted) throw abortReason(cancel);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: payload,
      // A redirect would carry the token or webhook path to another host.
      redirect: 'error',
      signal: cancel ? AbortSignal.any([cancel, timeout]) : timeout,
    });
    const body = await response.text();
    return { kind: 'answer', status: response.status, body, retryAfterMs: retryAfter(response.headers) };
  } catch (error) {
    // A cancel is not a network error to retry.
    if (cancel?.aborted) throw abortReason(cancel);
    return { kind: 'error', text: networkErrorText(error, timeoutMs) };
  }
}

/** Slack sends Retry-After as whole seconds. */
function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

function describe(outcome: Outcome): string {
  if (outcome.kind === 'error') return outcome.text;
  if (outcome.status === 429) return 'HTTP 429 rate limited';
  // A 5xx body can be a whole HTML page: keep the start, on one line.
  const body = outcome.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `HTTP ${outcome.status}${body ? ` ${body}` : ''}`;
}

function networkErrorText(error: unknown, timeoutMs: number): string {
  const name = errorField(error, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${seconds(timeoutMs)}`;
  const parts: string[] = [];
  let current: unknown = error;
  // fetch reports "fetch failed" and hides the reason (DNS, refused, reset) in the cause chain.
  // Duck-typed: fetch's errors come from Node's own realm, where `instanceof Error` can be false.
  for (let depth = 0; current !== undefined && current !== null && depth < 3; depth++) {
    const message = errorField(current, 'message') ?? String(current);
    const code = errorField(current, 'code');
    parts.push(code && !message.includes(code) ? `${message} (${code})` : message);
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return `network error: ${parts.join(': ')}`;
}

function errorField(error: unknown, field: 'name' | 'message' | 'code'): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
