import { describe, expect, it } from '@jest/globals';
import { parseTimestamped } from '../src/containers/docker-tasks.js';

describe('parseTimestamped', () => {
  it("takes the engine's timestamp of a `docker logs --timestamps` line as the event time, to the millisecond", () => {
    expect(parseTimestamped('2026-12-01T22:35:22.123456789Z {"level":"fatal","msg":"boom"}')).toEqual({
      timestamp: Date.UTC(2026, 11, 1, 22, 35, 22, 123),
      message: '{"level":"fatal","msg":"boom"}',
    });
  });

  it('keeps the rest of the line as it is, spaces and a colon-colon command included', () => {
    expect(parseTimestamped('2026-12-01T22:35:22Z   ::add-mask::x\r')).toEqual({
      timestamp: Date.UTC(2026, 11, 1, 22, 35, 22),
      message: '  ::add-mask::x',
    });
  });

  it('keeps a line without a timestamp whole, to be stamped when it arrives', () => {
    expect(parseTimestamped('no time here')).toEqual({ message: 'no time here' });
  });
});
