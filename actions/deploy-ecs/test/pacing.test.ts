import { describe, expect, it } from '@jest/globals';
import {
  APPROACHING_INTERVAL_MS,
  FAR_INTERVAL_MS,
  MAX_BACKOFF_MS,
  NEAR_INTERVAL_MS,
  budgetInterval,
} from '../src/pacing.js';

const at = (value: number) => () => value;

describe('the follower pacing', () => {
  it('polls fast only when the end is near, every 3 s while old tasks drain, and every 6 s otherwise', () => {
    const calm = { throttled: 0, random: at(0.5) };
    expect(budgetInterval(0, { ...calm, near: true })).toBe(NEAR_INTERVAL_MS);
    expect(budgetInterval(0, { ...calm, near: false, approaching: true })).toBe(APPROACHING_INTERVAL_MS);
    expect(budgetInterval(0, { ...calm, near: false })).toBe(FAR_INTERVAL_MS);
  });

  it('adds ±20% jitter so that deploys started together do not poll in step', () => {
    expect(budgetInterval(0, { near: true, throttled: 0, random: at(0) })).toBe(1200);
    expect(budgetInterval(0, { near: true, throttled: 0, random: at(0.999) })).toBe(1799);
  });

  it('doubles the delay per congestion level, with ±50% jitter, up to the cap', () => {
    const near = { near: true, random: at(0.5) };
    expect(budgetInterval(0, { ...near, throttled: 1 })).toBe(2 * NEAR_INTERVAL_MS);
    expect(budgetInterval(0, { ...near, throttled: 2 })).toBe(4 * NEAR_INTERVAL_MS);
    expect(budgetInterval(0, { ...near, throttled: 4 })).toBe(MAX_BACKOFF_MS);
    expect(budgetInterval(0, { near: false, throttled: 4, random: at(0) })).toBe(MAX_BACKOFF_MS / 2);
  });
});
