import { describe, expect, it } from '@jest/globals';
import { FakeClock, poll } from '../src/index.js';

describe('poll', () => {
  it('returns the first value and how long it took', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const result = await poll({
      clock,
      interval: 1000,
      timeoutMs: 60_000,
      attempt: async () => (++calls === 3 ? 'done' : undefined),
    });
    expect(result).toEqual({ done: true, value: 'done', elapsedMs: 2000 });
    expect(clock.sleeps).toEqual([1000, 1000]);
  });
  it('stops at the timeout without sleeping past it', async () => {
    const clock = new FakeClock();
    const result = await poll({ clock, interval: 4000, timeoutMs: 10_000, attempt: async () => undefined });
    expect(result).toEqual({ done: false, elapsedMs: 10_000 });
    expect(clock.sleeps).toEqual([4000, 4000, 2000]);
  });
  it('lets the interval grow with elapsed time', async () => {
    const clock = new FakeClock();
    await poll({
      clock,
      interval: (elapsed) => (elapsed < 2000 ? 1000 : 5000),
      timeoutMs: 12_000,
      attempt: async () => undefined,
    });
    expect(clock.sleeps).toEqual([1000, 1000, 5000, 5000]);
  });
  it('ends the poll when an attempt throws', async () => {
    const clock = new FakeClock();
    await expect(
      poll({ clock, interval: 10, timeoutMs: 100, attempt: async () => Promise.reject(new Error('boom')) }),
    ).rejects.toThrow('boom');
  });
});
