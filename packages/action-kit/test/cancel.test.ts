import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { isUserError } from '../src/errors.js';
import {
  CancelledError,
  DeadlineError,
  FINAL_PHASE_MS,
  FakeClock,
  RunContext,
  abortReason,
  abortable,
  isCancelled,
  isDeadline,
  poll,
  runAction,
  systemClock,
  withDeadline,
} from '../src/index.js';

let stdout: string;
beforeEach(() => {
  stdout = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  process.exitCode = undefined;
});
afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
});

describe('poll with a signal', () => {
  it('stops during a sleep on the system clock as soon as the run is cancelled, not at the next attempt', async () => {
    const context = new RunContext();
    let attempts = 0;
    setTimeout(() => context.cancel('SIGINT'), 50);
    const started = Date.now();
    const polling = poll({
      clock: systemClock,
      interval: 60_000,
      timeoutMs: 600_000,
      signal: context.signal,
      attempt: async () => (attempts++, undefined),
    });
    await expect(polling).rejects.toThrow('The run was cancelled (SIGINT)');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(attempts).toBe(1);
  });

  it('rejects with a DeadlineError when the deadline passes during a sleep', async () => {
    const deadline = withDeadline(new AbortController().signal, 50, 'timeout-minutes (1 minute)');
    const error = await poll({
      clock: systemClock,
      interval: 60_000,
      timeoutMs: 600_000,
      signal: deadline.signal,
      attempt: async () => undefined,
    }).catch((caught: unknown) => caught);
    expect(isDeadline(error)).toBe(true);
    expect((error as Error).message).toBe('The deadline passed: timeout-minutes (1 minute)');
    expect(deadline.remaining()).toBe(0);
  });

  it('makes no attempt once the signal has aborted, on a fake clock too', async () => {
    const context = new RunContext();
    const clock = new FakeClock();
    let attempts = 0;
    const polling = poll({
      clock,
      interval: 1000,
      timeoutMs: 60_000,
      signal: context.signal,
      attempt: async () => {
        if (++attempts === 3) context.cancel('SIGTERM');
        return undefined;
      },
    });
    expect(isCancelled(await polling.catch((error: unknown) => error))).toBe(true);
    expect(attempts).toBe(3);
  });
});

describe('RunContext', () => {
  it('a deadline aborts with the cancel too, with the cancel as reason', () => {
    const context = new RunContext();
    const deadline = context.withDeadline(60_000, 'the rollout');
    context.cancel('SIGINT');
    expect(deadline.signal.aborted).toBe(true);
    expect(isCancelled(deadline.signal.reason)).toBe(true);
  });

  it('ends the final phase after finalPhaseMs, or at once on a second signal', async () => {
    const timed = new RunContext({ finalPhaseMs: 30 });
    timed.cancel('SIGINT');
    expect(timed.finalSignal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(timed.finalSignal.aborted).toBe(true);

    const twice = new RunContext({ finalPhaseMs: 60_000 });
    twice.cancel('SIGINT');
    twice.cancel('SIGTERM');
    expect(twice.finalSignal.aborted).toBe(true);
    twice.dispose();
  });
});

describe('abortable', () => {
  it('rejects with the reason as soon as the signal aborts, and passes a result through otherwise', async () => {
    const controller = new AbortController();
    const never = new Promise<string>(() => undefined);
    const pending = abortable(never, controller.signal, (reason) => new Error(`wrapped: ${reason.message}`));
    controller.abort(new CancelledError('stop', 'SIGINT'));
    await expect(pending).rejects.toThrow('wrapped: stop');
    await expect(abortable(Promise.resolve('ok'), new AbortController().signal)).resolves.toBe('ok');
  });
});

describe('runAction and signals', () => {
  function fakeProcess() {
    const emitter = new EventEmitter();
    return { signals: emitter as unknown as Pick<NodeJS.Process, 'on' | 'off'>, emitter };
  }

  it('turns SIGINT into the cancel signal; the action ends with its own line', async () => {
    const { signals, emitter } = fakeProcess();
    await runAction(
      async ({ context }) => {
        setTimeout(() => emitter.emit('SIGINT', 'SIGINT'), 10);
        await poll({
          clock: systemClock,
          interval: 60_000,
          timeoutMs: 600_000,
          signal: context.signal,
          attempt: async () => undefined,
        }).catch((error: unknown) => {
          throw new CancelledError(`Cancelled (${context.cancelledBy}) while waiting: nothing was changed`, 'SIGINT', {
            cause: error,
          });
        });
      },
      { signals },
    );
    expect(process.exitCode).toBe(1);
    expect(stdout).toContain('::warning::Received SIGINT: cancelling; outputs and job summary follow within 5 s');
    expect(stdout).toContain('::error::Cancelled (SIGINT) while waiting: nothing was changed');
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });

  it('ends at once on a second signal, printing where things stand', async () => {
    const { signals, emitter } = fakeProcess();
    const exits: number[] = [];
    let release!: () => void;
    const running = runAction(
      async ({ context }) => {
        context.standing('deployment ecs-svc/2 of web:42 started; rollback to web:41 started');
        await new Promise<void>((resolve) => (release = resolve));
      },
      { signals, exit: (code) => exits.push(code) },
    );
    emitter.emit('SIGINT', 'SIGINT');
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([1]);
    expect(stdout).toContain(
      '::error::Cancelled (SIGINT); stopped at once by a second signal (SIGTERM). Where things stand: deployment ecs-svc/2 of web:42 started; rollback to web:41 started',
    );
    release();
    await running;
  });

  it('ends the process when the final phase overruns', async () => {
    const { signals, emitter } = fakeProcess();
    let release!: () => void;
    const exited = new Promise<number>((resolve) => {
      void runAction(() => new Promise<void>((done) => (release = done)), {
        signals,
        finalPhaseMs: 20,
        exit: resolve,
      });
    });
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    expect(stdout).toContain(
      '::error::Cancelled (SIGTERM); the final phase did not end within 0.02 s. Where things stand: nothing had been changed yet',
    );
    release();
  });
});

describe('CancelledError and DeadlineError', () => {
  it('are user errors that keep what caused them, recognised across module copies', () => {
    const cause = new Error('socket hang up');
    const cancelled = new CancelledError('The run was cancelled (SIGTERM)', 'SIGTERM', { cause });
    expect(cancelled).toMatchObject({ name: 'CancelledError', by: 'SIGTERM', cause });
    expect(isUserError(cancelled)).toBe(true);
    expect([isCancelled(cancelled), isDeadline(cancelled)]).toEqual([true, false]);

    const passed = new DeadlineError('The deadline passed: the rollout', 'the rollout', { cause });
    expect(passed).toMatchObject({ name: 'DeadlineError', what: 'the rollout', cause });
    expect(isUserError(passed)).toBe(true);
    expect([isCancelled(passed), isDeadline(passed)]).toEqual([false, true]);

    // A bundle or a second jest registry has its own class: the global symbols still recognise its errors.
    expect(isCancelled({ [Symbol.for('ecs-actions.cancelled')]: true })).toBe(true);
    expect(isDeadline({ [Symbol.for('ecs-actions.deadline')]: true })).toBe(true);
  });

  it.each([null, undefined, 'cancelled', 42, new Error('cancelled'), { cancelled: true }])(
    'are not recognised in %p',
    (value) => {
      expect(isCancelled(value)).toBe(false);
      expect(isDeadline(value)).toBe(false);
    },
  );

  it('are not recognised from a symbol set to anything but true', () => {
    expect(isCancelled({ [Symbol.for('ecs-actions.cancelled')]: 'yes' })).toBe(false);
    expect(isDeadline({ [Symbol.for('ecs-actions.deadline')]: 1 })).toBe(false);
  });
});

describe('withDeadline', () => {
  it('says when it passes and how long is left, never less than nothing', async () => {
    const before = Date.now();
    const deadline = withDeadline(new AbortController().signal, 40, 'the rollout');
    expect(deadline.what).toBe('the rollout');
    expect(deadline.at).toBeGreaterThanOrEqual(before + 40);
    expect(deadline.at).toBeLessThanOrEqual(Date.now() + 40);
    expect(deadline.remaining()).toBeGreaterThan(0);
    expect(deadline.remaining()).toBeLessThanOrEqual(40);
    expect(deadline.signal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(deadline.remaining()).toBe(0);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineError);
    expect((deadline.signal.reason as DeadlineError).what).toBe('the rollout');
  });

  it('keeps the parent reason when the parent aborts first, and its timer then stays quiet', async () => {
    const parent = new AbortController();
    const deadline = withDeadline(parent.signal, 30, 'the rollout');
    const reason = new CancelledError('The run was cancelled (SIGINT)', 'SIGINT');
    parent.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(deadline.signal.reason).toBe(reason);
  });

  it('does not keep the process alive while it waits', () => {
    const timers: NodeJS.Timeout[] = [];
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    withDeadline(new AbortController().signal, 600_000, 'the rollout');
    timers.push(...setTimeoutSpy.mock.results.map((result) => result.value as NodeJS.Timeout));
    setTimeoutSpy.mockRestore();
    expect(timers).toHaveLength(1);
    expect(timers[0].hasRef()).toBe(false);
    clearTimeout(timers[0]);
  });
});

describe('RunContext before and after a cancel', () => {
  it('has a whole final phase of FINAL_PHASE_MS until the first signal', () => {
    const context = new RunContext();
    expect(context.finalPhaseMs).toBe(FINAL_PHASE_MS);
    expect(FINAL_PHASE_MS).toBe(5000);
    expect(context.finalPhaseRemaining()).toBe(5000);
    expect([context.signal.aborted, context.finalSignal.aborted]).toEqual([false, false]);
    expect([context.cancelledBy, context.cancelledAt, context.lastStanding]).toEqual([undefined, undefined, undefined]);
    context.standing('deployment ecs-svc/2 of web:42 started; not yet steady');
    expect(context.lastStanding).toBe('deployment ecs-svc/2 of web:42 started; not yet steady');
  });

  it('records the first signal only, and counts the final phase down from it', async () => {
    const context = new RunContext({ finalPhaseMs: 60 });
    const before = Date.now();
    context.cancel('SIGINT');
    const at = context.cancelledAt!;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(context.signal.reason).toBeInstanceOf(CancelledError);
    expect(context.signal.reason).toMatchObject({ message: 'The run was cancelled (SIGINT)', by: 'SIGINT' });
    expect(context.finalPhaseRemaining()).toBeLessThanOrEqual(60);
    expect(context.finalPhaseRemaining()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(context.finalPhaseRemaining()).toBe(0);
    expect(context.finalSignal.reason).toMatchObject({
      message: 'The run was cancelled (SIGINT); final phase ended: time is up',
      by: 'SIGINT',
    });
    context.cancel('SIGTERM');
    expect([context.cancelledBy, context.cancelledAt]).toEqual(['SIGINT', at]);
    // The final phase had ended already: its reason stays the first one.
    expect((context.finalSignal.reason as Error).message).toBe(
      'The run was cancelled (SIGINT); final phase ended: time is up',
    );
  });

  it('ends the final phase with the second signal as reason, and its timer then stays quiet', async () => {
    const context = new RunContext({ finalPhaseMs: 30 });
    context.cancel('SIGINT');
    context.cancel('SIGTERM');
    expect(context.finalSignal.reason).toMatchObject({
      message: 'The run was cancelled (SIGTERM); final phase ended: second signal',
      by: 'SIGTERM',
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((context.finalSignal.reason as Error).message).toMatch(/second signal$/);
  });

  it('stops the final-phase timer on dispose, and never holds the process open', async () => {
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    const context = new RunContext({ finalPhaseMs: 30 });
    context.cancel('SIGINT');
    const timer = setTimeoutSpy.mock.results.at(-1)!.value as NodeJS.Timeout;
    setTimeoutSpy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    context.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(context.finalSignal.aborted).toBe(false);
  });
});

describe('abortReason', () => {
  it('passes an Error reason through and wraps anything else as a cancel', () => {
    const error = new Error('boom');
    expect(abortReason(AbortSignal.abort(error))).toBe(error);
    const wrapped = abortReason(AbortSignal.abort('shutdown'));
    expect(wrapped).toBeInstanceOf(CancelledError);
    expect(wrapped).toMatchObject({ message: 'The run was cancelled (shutdown)', by: 'abort' });
  });
});

describe('abortable, every way it settles', () => {
  it('returns the promise itself when there is no signal', () => {
    const promise = Promise.resolve(1);
    expect(abortable(promise, undefined)).toBe(promise);
  });

  it('rejects at once with the mapped reason when the signal had aborted, and swallows the late rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    const reason = new CancelledError('stop', 'SIGINT');
    const late = new Promise<never>((_, reject) => setImmediate(() => reject(new Error('late'))));
    await expect(abortable(late, AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(
      abortable(Promise.resolve(1), AbortSignal.abort(reason), (why) => new Error(`mapped: ${why.message}`)),
    ).rejects.toThrow('mapped: stop');
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });

  it('swallows the rejection of work it stopped waiting for', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    const controller = new AbortController();
    let fail!: (error: Error) => void;
    const work = new Promise<never>((_, reject) => (fail = reject));
    const waiting = abortable(work, controller.signal);
    controller.abort(new CancelledError('stop', 'SIGINT'));
    await expect(waiting).rejects.toThrow('stop');
    fail(new Error('late'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });

  it("passes the work's own error through while the signal has not aborted", async () => {
    const error = new Error('AccessDenied');
    await expect(abortable(Promise.reject(error), new AbortController().signal)).rejects.toBe(error);
  });

  it("turns an AbortError the signal caused into the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new CancelledError('stop', 'SIGINT');
    const work = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(new Error('AbortError: the operation was aborted'))),
    );
    // The work's own listener runs first and rejects before abortable's: the reason still wins.
    const waiting = abortable(work, controller.signal, (why) => new Error(`mapped: ${why.message}`));
    controller.abort(reason);
    await expect(waiting).rejects.toThrow('mapped: stop');
  });

  it('stops listening once the work settles', async () => {
    const controller = new AbortController();
    const removed = jest.spyOn(controller.signal, 'removeEventListener');
    await abortable(Promise.resolve('ok'), controller.signal);
    await abortable(Promise.reject(new Error('no')), controller.signal).catch(() => undefined);
    expect(removed).toHaveBeenCalledTimes(2);
    expect(removed.mock.calls.every(([type]) => type === 'abort')).toBe(true);
  });
});
