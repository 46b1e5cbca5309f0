/** Time, injected so that waiting logic runs in milliseconds under test. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A clock for tests: `sleep` advances virtual time at once and yields to the event loop,
 * so a 30-minute wait runs in milliseconds.
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
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface PollOptions<T> {
  clock: Clock;
  /** Milliseconds between attempts; may depend on how long the poll has run. */
  interval: number | ((elapsedMs: number) => number);
  timeoutMs: number;
  /** Returns a value to stop polling, or undefined to poll again. */
  attempt: () => Promise<T | undefined>;
}

export type PollResult<T> = { done: true; value: T; elapsedMs: number } | { done: false; elapsedMs: number };

/** Calls `attempt` until it returns a value or the timeout passes. Errors from `attempt` end the poll. */
export async function poll<T>(options: PollOptions<T>): Promise<PollResult<T>> {
  const { clock, timeoutMs, attempt } = options;
  const started = clock.now();
  for (;;) {
    const value = await attempt();
    const elapsedMs = clock.now() - started;
    if (value !== undefined) return { done: true, value, elapsedMs };
    if (elapsedMs >= timeoutMs) return { done: false, elapsedMs };
    const interval = typeof options.interval === 'function' ? options.interval(elapsedMs) : options.interval;
    await clock.sleep(Math.max(0, Math.min(interval, timeoutMs - elapsedMs)));
  }
}
