import { RunContext, type Clock, type Deadline } from '@ecs-actions/action-kit';

/** Where a deploy is, for the deadline that bounds it and for what a cancel says and does. */
export type Phase = 'pre-flight' | 'register' | 'update' | 'wait' | 'diagnosis' | 'rollback' | 'final';

/** The diagnosis of stopped tasks must never hold the rollback up for long. */
export const DIAGNOSIS_MS = 30_000;

/**
 * After its budget, a wait's last DescribeServices gets this much longer (a tenth of the budget, at most 10 s) before
 * the deadline cuts it: the wait then ends as a timeout of its own, not as a call cut short.
 */
export function deadlineMargin(timeoutMs: number): number {
  return Math.min(10_000, Math.ceil(timeoutMs / 10));
}

/**
 * The deadlines of one deploy, all tied to the run's cancel signal: the rollout (pre-flight to the end of the wait)
 * has timeout-minutes; the diagnosis has at most DIAGNOSIS_MS; a rollback gets timeout-minutes again; after a
 * cancel, the final phase has what is left of the runner's grace period. The ECS client reads `signal` at each
 * call, so every call is bounded by the phase it is made in.
 */
export class DeployPhases {
  phase: Phase = 'pre-flight';
  private deadline: Deadline;
  private readonly startedAt: number;

  constructor(
    readonly context: RunContext,
    private readonly clock: Clock,
    public timeoutMs: number,
    /** `timeout-minutes (30 minutes)` */
    private budget: string,
  ) {
    this.startedAt = clock.now();
    this.deadline = context.withDeadline(timeoutMs + deadlineMargin(timeoutMs), `the rollout's ${budget}`);
  }

  /** What is left of the rollout's budget on the action's clock: the wait's own timeout. */
  rolloutRemaining(): number {
    return Math.max(0, this.timeoutMs - (this.clock.now() - this.startedAt));
  }

  get signal(): AbortSignal {
    return this.deadline.signal;
  }

  /** Milliseconds left in the current phase. */
  remaining(): number {
    return this.deadline.remaining();
  }

  /**
   * A blue/green, linear or canary strategy adds its bake and step time to the default budget (known after
   * pre-flight): the rollout's deadline moves out by as much.
   */
  extend(extraMs: number, budget: string): void {
    if (extraMs <= 0) return;
    this.timeoutMs += extraMs;
    this.budget = budget;
    const left = this.timeoutMs - (this.clock.now() - this.startedAt);
    this.deadline = this.context.withDeadline(left + deadlineMargin(this.timeoutMs), `the rollout's ${budget}`);
  }

  /** Pre-flight, register, update and wait share the rollout's deadline. */
  enter(phase: 'register' | 'update' | 'wait'): void {
    this.phase = phase;
  }

  startDiagnosis(): void {
    this.phase = 'diagnosis';
    this.deadline = this.context.withDeadline(Math.min(DIAGNOSIS_MS, this.timeoutMs), 'the diagnosis of stopped tasks');
  }

  startRollback(): void {
    this.phase = 'rollback';
    const ms = this.timeoutMs + deadlineMargin(this.timeoutMs);
    this.deadline = this.context.withDeadline(ms, `the rollback's ${this.budget}`);
  }

  /** After a cancel: calls are bounded by the final phase (context.finalSignal), not the aborted cancel signal. */
  startFinal(): Phase {
    const cancelledIn = this.phase;
    const { context } = this;
    this.deadline = {
      signal: context.finalSignal,
      at: Date.now() + context.finalPhaseRemaining(),
      what: 'the final phase after the cancel',
      remaining: () => context.finalPhaseRemaining(),
    };
    this.phase = 'final';
    return cancelledIn;
  }
}
