import { abortReason } from './cancel.js';

/** Time, injected so that waiting logic runs in milliseconds under test. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason (CancelledError, DeadlineError) as soon as it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const abort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', abort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', abort, { once: true });
    }),
};

/**
 * A clock for tests: `sleep` advances virtual time at once and yields to the event loop,
 * so a 30-minute wait runs in milliseconds. An aborted signal rejects the sleep, as on the system clock.
 */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  readonly sleeps: number[] = [];
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.sleeps.push(ms);
    this.current += ms;
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw abortReason(signal);
  }
}

export interface PollOptions<T> {
  clock: Clock;
  /** Milliseconds between attempts; may depend on how long the poll has run. */
  interval: number | ((elapsedMs: number) => number);
  timeoutMs: number;
  /** Returns a value to stop polling, or undefined to poll again. */
  attempt: () => Promise<T | undefined>;
  /**
   * Cancel or deadline (see withDeadline): checked before each attempt and during each sleep; the poll then
   * rejects with the signal's reason (a CancelledError or DeadlineError).
   */
  signal?: AbortSignal;
}

export type PollResult<T> = { done: true; value: T; elapsedMs: number } | { done: false; elapsedMs: number };

/** Calls `attempt` until it returns a value or the timeout passes. Errors from `attempt` end the poll. */
export async function poll<T>(options: PollOptions<T>): Promise<PollResult<T>> {
  const { clock, timeoutMs, attempt, signal } = options;
  const started = clock.now();
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    const value = await attempt();
    const elapsedMs = clock.now() - started;
    if (value !== undefined) return { done: true, value, elapsedMs };
    if (elapsedMs >= timeoutMs) return { done: false, elapsedMs };
    const interval = typeof options.interval === 'function' ? options.interval(elapsedMs) : options.interval;
    await clock.sleep(Math.max(0, Math.min(interval, timeoutMs - elapsedMs)), signal);
  }
}
