import { UserError } from './errors.js';

/**
 * Cancellation and deadlines, one mechanism for every action (issue 17, issue 24).
 *
 * - `RunContext.signal` aborts at the first SIGINT or SIGTERM (the runner's cancel), with a CancelledError.
 * - `withDeadline(signal, ms, what)` adds a time limit: its signal aborts on cancel or when `ms` pass, with a
 *   DeadlineError. Every wait, poll and request takes such a signal.
 * - `RunContext.finalSignal` bounds the final phase after a cancel (outputs, summary, a rollback UpdateService):
 *   it aborts `finalPhaseMs` after the first signal, or at once on a second one.
 *
 * GitHub's runner sends SIGINT, waits 7.5 s, sends SIGTERM, waits 2.5 s, then kills the step
 * (actions/runner ProcessInvoker.cs): the final phase is sized to end well within the first 7.5 s.
 */

const CANCELLED = Symbol.for('ecs-actions.cancelled');
const DEADLINE = Symbol.for('ecs-actions.deadline');

/** The run was cancelled (SIGINT/SIGTERM): reported as one line, the action's outputs and summary still written. */
export class CancelledError extends UserError {
  readonly [CANCELLED] = true;
  constructor(
    message: string,
    /** The signal that cancelled the run, e.g. `SIGINT`. */
    readonly by: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CancelledError';
  }
}

/** A deadline passed while something was still waiting: a user error naming what did not answer in time. */
export class DeadlineError extends UserError {
  readonly [DEADLINE] = true;
  constructor(
    message: string,
    /** What the deadline bounds, e.g. `timeout-minutes (1 minute)`. */
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeadlineError';
  }
}

/** True for a CancelledError, also from another copy of this module (jest registries, bundles). */
export function isCancelled(error: unknown): error is CancelledError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[CANCELLED] === true;
}

export function isDeadline(error: unknown): error is DeadlineError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[DEADLINE] === true;
}

/** A time limit tied to a cancel signal. */
export interface Deadline {
  /** Aborts on cancel (reason: CancelledError) or when the time is up (reason: DeadlineError). */
  readonly signal: AbortSignal;
  /** Epoch milliseconds (wall clock) at which the deadline passes. */
  readonly at: number;
  /** What the deadline bounds, for messages: `timeout-minutes (30 minutes)`. */
  readonly what: string;
  /** Milliseconds left, never negative. */
  remaining(): number;
}

/**
 * A deadline `ms` from now that also aborts with `parent`. The timer runs on the wall clock (a FakeClock does not
 * move it) and does not keep the process alive.
 */
export function withDeadline(parent: AbortSignal, ms: number, what: string): Deadline {
  const at = Date.now() + ms;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError(`The deadline passed: ${what}`, what)), ms);
  timer.unref();
  const signal = AbortSignal.any([parent, controller.signal]);
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return { signal, at, what, remaining: () => Math.max(0, at - Date.now()) };
}

/** How long the final phase after a cancel may take: well within the runner's 7.5 s between SIGINT and SIGTERM. */
export const FINAL_PHASE_MS = 5000;

/**
 * What `runAction` hands an action's `run`: the cancel signal and the bounded final phase. Tests create one and
 * call `cancel('SIGINT')` where the runner would send the signal.
 */
export class RunContext {
  private readonly cancelController = new AbortController();
  private readonly finalController = new AbortController();
  private finalTimer: NodeJS.Timeout | undefined;
  /** The signal that cancelled the run, once one did. */
  cancelledBy: string | undefined;
  /** Wall-clock time of the first signal. */
  cancelledAt: number | undefined;
  /** Where things stand, in one sentence, kept current by the action (see `standing`). */
  private standingLine: string | undefined;
  readonly finalPhaseMs: number;

  constructor(options: { finalPhaseMs?: number } = {}) {
    this.finalPhaseMs = options.finalPhaseMs ?? FINAL_PHASE_MS;
  }

  /** Aborts at the first SIGINT or SIGTERM, with a CancelledError as reason. */
  get signal(): AbortSignal {
    return this.cancelController.signal;
  }

  /** For the work of the final phase: aborts `finalPhaseMs` after the first signal, or at once at a second. */
  get finalSignal(): AbortSignal {
    return this.finalController.signal;
  }

  /**
   * Records where things stand, e.g. `deployment ecs-svc/2 of web:42 started; not yet steady`. If the action is
   * stopped before its final phase ends (a second signal, or the phase overruns), runAction prints this line.
   */
  standing(line: string): void {
    this.standingLine = line;
  }

  get lastStanding(): string | undefined {
    return this.standingLine;
  }

  /** Milliseconds left of the final phase (all of it before any cancel). */
  finalPhaseRemaining(): number {
    if (this.cancelledAt === undefined) return this.finalPhaseMs;
    return Math.max(0, this.cancelledAt + this.finalPhaseMs - Date.now());
  }

  /** A deadline `ms` from now tied to this run's cancel signal. */
  withDeadline(ms: number, what: string): Deadline {
    return withDeadline(this.signal, ms, what);
  }

  /** The first call cancels the run and starts the final phase; a second one ends the final phase at once. */
  cancel(by: string): void {
    if (this.cancelledBy === undefined) {
      this.cancelledBy = by;
      this.cancelledAt = Date.now();
      this.cancelController.abort(new CancelledError(`The run was cancelled (${by})`, by));
      this.finalTimer = setTimeout(() => this.endFinalPhase(by, 'time is up'), this.finalPhaseMs);
      this.finalTimer.unref();
      return;
    }
    this.endFinalPhase(by, 'second signal');
  }

  private endFinalPhase(by: string, why: string): void {
    clearTimeout(this.finalTimer);
    if (!this.finalController.signal.aborted) {
      this.finalController.abort(new CancelledError(`The run was cancelled (${by}); final phase ended: ${why}`, by));
    }
  }

  /** Stops the final-phase timer once the action has ended. */
  dispose(): void {
    clearTimeout(this.finalTimer);
  }
}

/** The reason of an aborted signal as an Error (a CancelledError or DeadlineError from this module, usually). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError(`The run was cancelled (${String(reason)})`, 'abort');
}

/**
 * Settles with `promise`, or rejects with `onAbort(reason)` as soon as `signal` aborts, whichever comes first.
 * For work that cannot take a signal itself (the SDK's retry back-off, a child process's exit).
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: (reason: Error) => Error = (reason) => reason,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(onAbort(abortReason(signal)));
  }
  // The rejection handler below is always attached, so work that fails after the abort is never unhandled; and an
  // SDK or fetch AbortError this signal caused arrives after `abort` has already rejected with the signal's reason.
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort(abortReason(signal)));
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
