import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import {
  CancelledError,
  FakeClock,
  RunContext,
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
