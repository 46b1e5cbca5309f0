import { DeadlineError, errorMessage, isDeadline, type Clock } from '@ecs-actions/action-kit';
import { isAwsError } from './error-code.js';
import { isTransientAwsError } from './errors.js';

/** AWS refused the request for the account's rate: nothing was changed, so it is always safe to send again. */
const THROTTLED = ['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded'];

export function isThrottled(error: unknown): boolean {
  return (
    isAwsError(error, ...THROTTLED) ||
    (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === 429
  );
}

export interface BackoffOptions {
  clock: Clock;
  /** The run's cancel and deadline: a throttled call is sent again until it aborts, never past it. */
  signal?: AbortSignal;
  /** Told once, at the first throttle or server error, so the log says why the call takes longer. */
  warn?: (message: string) => void;
  /** The first back-off is up to this (ms); it doubles each attempt. 2 s: UpdateService refills at 5/s. */
  baseMs?: number;
  /** The longest back-off (ms). */
  capMs?: number;
  /** 5xx and network faults are sent again this many times (the request may have been applied). */
  serverErrorRetries?: number;
  /** [0, 1), for the jitter; tests pin it. */
  random?: () => number;
}

export const BACKOFF_DEFAULTS = { baseMs: 2000, capMs: 30_000, serverErrorRetries: 2 };

/**
 * Sends a mutating call (UpdateService, RegisterTaskDefinition) on a one-attempt client with a back-off of its own:
 * throttling is waited out with exponential back-off and jitter for as long as the signal allows, 5xx and network
 * faults a bounded number of times. The SDK's quick retries would resend a throttled call within a second, and 100
 * parallel deploys doing so spend the account's bucket on refusals instead of waiting for it to refill.
 */
export async function sendWithBackoff<T>(what: string, send: () => Promise<T>, options: BackoffOptions): Promise<T> {
  const { baseMs, capMs, serverErrorRetries } = { ...BACKOFF_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  let serverErrors = 0;
  for (let attempt = 1; ; attempt++) {
    let error: unknown;
    try {
      return await send();
    } catch (caught) {
      error = caught;
    }
    const throttled = isThrottled(error);
    if (!throttled && (!isTransientAwsError(error) || ++serverErrors > serverErrorRetries)) throw error;
    if (attempt === 1)
      options.warn?.(
        `${what} ${throttled ? 'was throttled' : 'failed'} (${errorMessage(error)}); sending it again with back-off`,
      );
    // Equal jitter: at least half the step, so that deploys throttled together do not come back together.
    const step = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 16));
    const waitMs = Math.round(step / 2 + random() * (step / 2));
    try {
      await options.clock.sleep(waitMs, options.signal);
    } catch (aborted) {
      // A cancel stays a cancel; a deadline says which call it cut short and what AWS answered last.
      if (!isDeadline(aborted)) throw aborted;
      const attempts = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
      throw new DeadlineError(
        `${what} was still ${throttled ? 'throttled' : 'failing'} after ${attempts} when the deadline passed ` +
          `(${aborted.what}): ${errorMessage(error)}`,
        aborted.what,
        { cause: error },
      );
    }
  }
}
