import { describe, expect, it } from '@jest/globals';
import { compileUserPattern, mapWithConcurrency } from '../src/index.js';

describe('compileUserPattern', () => {
  it('matches as a JavaScript RegExp would for ordinary patterns', () => {
    const pattern = compileUserPattern('^application/json');
    expect(pattern.source).toBe('^application/json');
    expect(pattern.test('application/json; charset=utf-8')).toBe(true);
    expect(pattern.test('text/html')).toBe(false);
  });

  it('runs a catastrophic-backtracking pattern against a hostile text in linear time', () => {
    // JavaScript's RegExp takes longer than the age of the universe on this; RE2 takes milliseconds.
    const started = performance.now();
    expect(compileUserPattern('^(a+)+$').test(`${'a'.repeat(100_000)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it.each([
    ['(a)\\1', /no backreferences or lookaround/],
    ['(?<=x)a', /no backreferences or lookaround/],
    ['x'.repeat(1001), /the pattern is 1001 characters long; the limit is 1000/],
  ])('refuses %j, saying why', (source, message) => {
    expect(() => compileUserPattern(source)).toThrow(message);
  });
});

describe('mapWithConcurrency', () => {
  it('keeps at most the limit in flight and returns results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapWithConcurrency(
      Array.from({ length: 50 }, (_, index) => index),
      4,
      async (item) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return item * 2;
      },
    );
    expect(most).toBe(4);
    expect(results).toEqual(Array.from({ length: 50 }, (_, index) => index * 2));
  });
});
