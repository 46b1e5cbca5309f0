import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  getBoolean,
  getByteSize,
  getChoice,
  getDuration,
  getInteger,
  getKeyValues,
  getLines,
  getList,
  getMultiline,
  getOptional,
  getRequired,
  getText,
  isUserError,
  MAX_INPUT_LENGTH,
  MAX_MULTILINE_INPUT_LENGTH,
  parseByteSize,
  parseDuration,
  parseInteger,
  parseKeyValues,
} from '../src/index.js';

const saved = { ...process.env };
function setInput(name: string, value: string): void {
  process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
}
function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected a user error');
}

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});
afterEach(() => {
  process.env = { ...saved };
});

describe('getRequired', () => {
  it('returns the trimmed value', () => {
    setInput('cluster', '  prod  ');
    expect(getRequired('cluster')).toBe('prod');
  });
  it('names the missing input', () => {
    expect(failure(() => getRequired('cluster')).message).toBe("Input 'cluster': is required but was not set");
  });
});

describe('getOptional', () => {
  it('returns undefined for an empty input', () => {
    setInput('region', '');
    expect(getOptional('region')).toBeUndefined();
  });
  it('returns the value when set', () => {
    setInput('region', 'eu-west-1');
    expect(getOptional('region')).toBe('eu-west-1');
  });
});

describe('getBoolean', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['yes', true],
    ['false', false],
    ['FALSE', false],
    ['0', false],
  ])('reads %s as %s', (value, expected) => {
    setInput('wait', value);
    expect(getBoolean('wait', !expected)).toBe(expected);
  });
  it('uses the default when empty', () => {
    expect(getBoolean('wait', true)).toBe(true);
  });
  it('rejects a non-boolean with the expected form', () => {
    setInput('wait', 'maybe');
    expect(failure(() => getBoolean('wait', true)).message).toBe(
      `Input 'wait': "maybe" is not a boolean; expected true or false`,
    );
  });
});

describe('getInteger', () => {
  it('reads a whole number within range', () => {
    setInput('timeout-minutes', '45');
    expect(getInteger('timeout-minutes', { min: 1, max: 360, default: 30 })).toBe(45);
  });
  it('uses the default when empty', () => {
    expect(getInteger('timeout-minutes', { min: 1, default: 30 })).toBe(30);
  });
  it('rejects a fraction', () => {
    setInput('timeout-minutes', '1.5');
    expect(failure(() => getInteger('timeout-minutes', { min: 1, max: 360 })).message).toBe(
      `Input 'timeout-minutes': "1.5" is not a whole number; expected a whole number from 1 to 360`,
    );
  });
  it('rejects a value out of range', () => {
    setInput('timeout-minutes', '0');
    expect(failure(() => getInteger('timeout-minutes', { min: 1, max: 360 })).message).toBe(
      `Input 'timeout-minutes': 0 is out of range; expected a whole number from 1 to 360`,
    );
  });
  it('rejects a value below a lower bound only', () => {
    setInput('keep-images', '-3');
    expect(failure(() => getInteger('keep-images', { min: 1 })).message).toMatch(
      /expected a whole number of at least 1/,
    );
  });
});

describe('getDuration', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
  ])('reads %s as %d ms', (value, ms) => {
    setInput('interval', value);
    expect(getDuration('interval')).toBe(ms);
  });
  it('reads a bare number in the given unit', () => {
    setInput('timeout', '2');
    expect(getDuration('timeout', { defaultUnit: 'm' })).toBe(120_000);
  });
  it('uses the default when empty', () => {
    expect(getDuration('timeout', { default: 5000 })).toBe(5000);
  });
  it('rejects an unknown unit', () => {
    setInput('timeout', '5 days');
    expect(failure(() => getDuration('timeout')).message).toBe(
      `Input 'timeout': "5 days" is not a duration; expected a duration such as 90s, 5m, 1h30m or a number of seconds`,
    );
  });
  it('rejects a duration out of range', () => {
    setInput('timeout', '2h');
    expect(failure(() => getDuration('timeout', { minMs: 1000, maxMs: 3_600_000 })).message).toBe(
      `Input 'timeout': 2h is out of range; expected from 1s to 3600s`,
    );
  });
});

describe('getByteSize', () => {
  it.each([
    ['2048', 2048],
    ['100B', 100],
    ['512KiB', 512 * 1024],
    ['1MiB', 1024 * 1024],
    ['1 MiB', 1024 * 1024],
    ['1.5mib', 1.5 * 1024 * 1024],
    ['2GiB', 2 * 1024 ** 3],
  ])('reads %s as %d bytes', (value, bytes) => {
    setInput('max-body-size', value);
    expect(getByteSize('max-body-size')).toBe(bytes);
  });
  it('uses the default when empty', () => {
    expect(getByteSize('max-body-size', { default: 1024 * 1024 })).toBe(1024 * 1024);
  });
  it.each(['1MB', '1 megabyte', 'MiB', '-1KiB', '1e6', '1,5MiB'])('rejects %s, naming the form it expects', (value) => {
    setInput('max-body-size', value);
    expect(failure(() => getByteSize('max-body-size')).message).toBe(
      `Input 'max-body-size': "${value}" is not a size; ` +
        'expected a size such as 512KiB or 1MiB (units B, KiB, MiB, GiB) or a number of bytes',
    );
  });
  it.each(['1023', '64.5MiB'])('rejects %s out of range, naming the bounds', (value) => {
    setInput('max-body-size', value);
    expect(failure(() => getByteSize('max-body-size', { minBytes: 1024, maxBytes: 64 * 1024 * 1024 })).message).toBe(
      `Input 'max-body-size': ${value} is out of range; expected from 1 KiB to 64 MiB`,
    );
  });
  it('accepts the bounds themselves', () => {
    const bounds = { minBytes: 1024, maxBytes: 64 * 1024 * 1024 };
    setInput('max-body-size', '1KiB');
    expect(getByteSize('max-body-size', bounds)).toBe(1024);
    setInput('max-body-size', '64MiB');
    expect(getByteSize('max-body-size', bounds)).toBe(64 * 1024 * 1024);
  });
});

describe('getList and getLines', () => {
  it('splits on commas and newlines and drops blanks', () => {
    setInput('tags', 'a, b\n\nc,');
    expect(getList('tags')).toEqual(['a', 'b', 'c']);
  });
  it('keeps commas inside lines and skips comments', () => {
    setInput('target-group-arns', '# first\narn:a,b\n\n  arn:c  ');
    expect(getLines('target-group-arns')).toEqual(['arn:a,b', 'arn:c']);
  });
});

describe('getKeyValues', () => {
  it('keeps every "=" after the first in the value', () => {
    setInput('log-options', 'awslogs-group=/ecs/app\nmode=non-blocking\nlabels=a=b,c=d\n');
    expect([...getKeyValues('log-options')]).toEqual([
      ['awslogs-group', '/ecs/app'],
      ['mode', 'non-blocking'],
      ['labels', 'a=b,c=d'],
    ]);
  });
  it('allows an empty value and skips blank and comment lines', () => {
    setInput('environment', '# comment\n\nEMPTY=\nA=1');
    expect(Object.fromEntries(getKeyValues('environment'))).toEqual({ EMPTY: '', A: '1' });
  });
  it('rejects a line without "=" naming the line', () => {
    setInput('environment', 'A=1\nBROKEN');
    expect(failure(() => getKeyValues('environment')).message).toBe(
      `Input 'environment': line 2 "BROKEN" has no "="; expected KEY=VALUE`,
    );
  });
  it('rejects an empty key', () => {
    setInput('environment', '=value');
    expect(failure(() => getKeyValues('environment')).message).toMatch(/line 1 "=value" has an empty KEY/);
  });
  it('rejects a key that breaks the pattern', () => {
    setInput('environment', 'MY VAR=1');
    expect(
      failure(() =>
        getKeyValues('environment', {
          keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
          keyPatternDescription: 'is not a valid variable name',
        }),
      ).message,
    ).toBe(`Input 'environment': line 1: KEY "MY VAR" is not a valid variable name; expected KEY=VALUE`);
  });
  it('rejects a duplicate key', () => {
    setInput('images', 'web=a@sha256:1\nweb=b');
    expect(failure(() => getKeyValues('images', { keyName: 'container', valueName: 'image' })).message).toBe(
      `Input 'images': line 2: container "web" is given twice`,
    );
  });
  it('rejects an empty value when values are required', () => {
    setInput('images', 'web=');
    expect(
      failure(() => getKeyValues('images', { keyName: 'container', valueName: 'image', allowEmptyValue: false }))
        .message,
    ).toBe(`Input 'images': line 1 "web=" has an empty image; expected container=image`);
  });
});

describe('getChoice', () => {
  it('matches case-insensitively', () => {
    setInput('environment-mode', 'Replace');
    expect(getChoice('environment-mode', ['merge', 'replace'] as const, 'merge')).toBe('replace');
  });
  it('rejects a word outside the set', () => {
    setInput('environment-mode', 'append');
    expect(failure(() => getChoice('environment-mode', ['merge', 'replace'] as const, 'merge')).message).toBe(
      `Input 'environment-mode': "append" is not allowed; expected one of merge, replace`,
    );
  });
});

describe('single-line and length limits', () => {
  it.each(['web\n::add-mask::x', 'web\r::notice::x', 'web\u2028x'])(
    'refuses a line break in a single-line input (%j), naming the input',
    (value) => {
      setInput('service', value);
      expect(failure(() => getOptional('service')).message).toBe(
        "Input 'service': holds a line break; expected a single line",
      );
      expect(() => getRequired('service')).toThrow(/holds a line break/);
    },
  );

  it('refuses a 120 KB single-line input without quoting it', () => {
    setInput('image', `nginx:${'a'.repeat(120 * 1024)}`);
    expect(failure(() => getOptional('image')).message).toBe(
      `Input 'image': is ${120 * 1024 + 6} characters long; expected at most ${MAX_INPUT_LENGTH} on a single line`,
    );
  });

  it('refuses a line of a multi-line input over the line limit, and a multi-line input over its limit', () => {
    setInput('images', `web=nginx@sha256:${'a'.repeat(64)}\nsidecar=${'b'.repeat(3000)}`);
    expect(failure(() => getKeyValues('images')).message).toBe(
      `Input 'images': line 2 is 3008 characters long; expected at most ${MAX_INPUT_LENGTH} per line`,
    );
    setInput('tags', 'v1\n'.repeat(MAX_MULTILINE_INPUT_LENGTH));
    expect(() => getList('tags')).toThrow(/characters long; expected at most 65536$/);
  });

  it('keeps line breaks in free text', () => {
    setInput('failure-reason', '  rollout failed\ntask stopped  ');
    expect(getText('failure-reason')).toBe('rollout failed\ntask stopped');
  });
});

describe('every form each reader accepts, and its bounds', () => {
  it.each(['true', 'yes', 'on', '1', 'ON'])('reads %s as true', (value) => {
    setInput('wait', value);
    expect(getBoolean('wait', false)).toBe(true);
  });
  it.each(['false', 'no', 'off', '0', 'No'])('reads %s as false', (value) => {
    setInput('wait', value);
    expect(getBoolean('wait', true)).toBe(false);
  });
  it('quotes a refused boolean as written, and uses a false default too', () => {
    setInput('wait', 'Maybe');
    expect(failure(() => getBoolean('wait', false)).message).toBe(
      `Input 'wait': "Maybe" is not a boolean; expected true or false`,
    );
    setInput('wait', '');
    expect(getBoolean('wait', false)).toBe(false);
  });

  it('phrases the range of a whole number by the bounds given', () => {
    expect(failure(() => parseInteger('n', 'x', { max: 9 })).message).toBe(
      `Input 'n': "x" is not a whole number; expected a whole number of at most 9`,
    );
    expect(failure(() => parseInteger('n', '10', { max: 9 })).message).toBe(
      `Input 'n': 10 is out of range; expected a whole number of at most 9`,
    );
    expect(failure(() => parseInteger('n', '0', { min: 1 })).message).toBe(
      `Input 'n': 0 is out of range; expected a whole number of at least 1`,
    );
    expect(failure(() => parseInteger('n', '1 2')).message).toBe(
      `Input 'n': "1 2" is not a whole number; expected a whole number`,
    );
    expect(failure(() => parseInteger('n', '99999999999999999999')).message).toBe(
      `Input 'n': 99999999999999999999 is out of range; expected a whole number`,
    );
  });
  it('accepts signed whole numbers and both bounds themselves', () => {
    expect(parseInteger('n', '+5')).toBe(5);
    expect(parseInteger('n', '-5')).toBe(-5);
    expect(parseInteger('n', '1', { min: 1, max: 3 })).toBe(1);
    expect(parseInteger('n', '3', { min: 1, max: 3 })).toBe(3);
    expect(() => parseInteger('n', '4', { min: 1, max: 3 })).toThrow(
      '4 is out of range; expected a whole number from 1 to 3',
    );
    expect(() => parseInteger('n', 'a5')).toThrow(/is not a whole number/);
    expect(() => parseInteger('n', '5a')).toThrow(/is not a whole number/);
  });
  it('returns undefined for an empty number, duration or size without a default', () => {
    expect(getInteger('keep')).toBeUndefined();
    expect(getDuration('interval')).toBeUndefined();
    expect(getByteSize('max-body-size')).toBeUndefined();
    expect(getOptional('region')).toBeUndefined();
  });

  it.each([
    ['5ms', 5],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1h30m15s250ms', 5_415_250],
    ['1.5m', 90_000],
    ['0', 0],
    ['1.0006s', 1001],
    ['0.0004s', 0],
  ])('reads the duration %s as %d ms', (value, ms) => {
    expect(parseDuration('interval', value)).toBe(ms);
  });
  it.each(['s5', '5s5', '5 s', '-5s', '1d', '.5s', '5.s', ''])('refuses the duration %j', (value) => {
    expect(() => parseDuration('interval', value)).toThrow(`Input 'interval': "${value}" is not a duration; expected`);
  });
  it.each([
    ['ms', 'milliseconds', 250, 250],
    ['s', 'seconds', 2, 2000],
    ['m', 'minutes', 2, 120_000],
    ['h', 'hours', 2, 7_200_000],
  ] as const)('reads a bare number in %s and names the unit %s', (unit, name, bare, ms) => {
    expect(parseDuration('interval', String(bare), { defaultUnit: unit })).toBe(ms);
    expect(failure(() => parseDuration('interval', 'soon', { defaultUnit: unit })).message).toBe(
      `Input 'interval': "soon" is not a duration; expected a duration such as 90s, 5m, 1h30m or a number of ${name}`,
    );
  });
  it('accepts both duration bounds and writes them in seconds or milliseconds', () => {
    const bounds = { minMs: 1500, maxMs: 4000 };
    expect(parseDuration('interval', '1500ms', bounds)).toBe(1500);
    expect(parseDuration('interval', '4s', bounds)).toBe(4000);
    expect(failure(() => parseDuration('interval', '1499ms', bounds)).message).toBe(
      `Input 'interval': 1499ms is out of range; expected from 1500ms to 4s`,
    );
    expect(failure(() => parseDuration('interval', '4001ms', bounds)).message).toBe(
      `Input 'interval': 4001ms is out of range; expected from 1500ms to 4s`,
    );
    expect(failure(() => parseDuration('interval', '1s', { maxMs: 999 })).message).toBe(
      `Input 'interval': 1s is out of range; expected from 0ms to 999ms`,
    );
  });

  it('reads sizes with any unit case and rounds to whole bytes', () => {
    expect(parseByteSize('max-body-size', '3b')).toBe(3);
    expect(parseByteSize('max-body-size', '2KIB')).toBe(2048);
    expect(parseByteSize('max-body-size', '1.0001KiB')).toBe(1024);
    expect(parseByteSize('max-body-size', '0')).toBe(0);
    expect(parseByteSize('max-body-size', '1  GiB')).toBe(1024 ** 3);
  });
  it.each(['1 KiB x', ' 1KiB', 'KiB1', '1KiB.'])('refuses the size %j', (value) => {
    expect(() => parseByteSize('max-body-size', value)).toThrow(`"${value}" is not a size`);
  });

  it('splits a list on commas and line breaks only, trimming each entry', () => {
    setInput('tags', ' a b ,c\r\n\td ');
    expect(getList('tags')).toEqual(['a b', 'c', 'd']);
  });
  it('skips indented comments but keeps a # inside a line', () => {
    setInput('arns', '  # comment\narn:a#b\n\t#tab comment\n');
    expect(getLines('arns')).toEqual(['arn:a#b']);
  });

  it('trims around the "=" and counts every line, blank ones included', () => {
    expect([...parseKeyValues('environment', 'A = 1\n\n  # note\nB=  two words  ')]).toEqual([
      ['A', '1'],
      ['B', 'two words'],
    ]);
    expect(failure(() => parseKeyValues('environment', 'A=1\n\n\n = x')).message).toBe(
      `Input 'environment': line 4 "= x" has an empty KEY; expected KEY=VALUE`,
    );
    expect(failure(() => parseKeyValues('environment', 'A\tB=1')).message).toBe(
      `Input 'environment': line 1: KEY "A\tB" must not contain spaces; expected KEY=VALUE`,
    );
    expect(failure(() => parseKeyValues('environment', 'A=1\nA=2')).message).toBe(
      `Input 'environment': line 2: KEY "A" is given twice`,
    );
    expect(failure(() => parseKeyValues('environment', 'A=', { allowEmptyValue: false })).message).toBe(
      `Input 'environment': line 1 "A=" has an empty VALUE; expected KEY=VALUE`,
    );
    expect(parseKeyValues('environment', 'A=', { allowEmptyValue: true }).get('A')).toBe('');
  });

  it('returns the choice as declared, the default when empty, and quotes a refused word as written', () => {
    const choices = ['Merge', 'replace'] as const;
    setInput('mode', 'MERGE');
    expect(getChoice('mode', choices, 'replace')).toBe('Merge');
    setInput('mode', '');
    expect(getChoice('mode', choices, 'replace')).toBe('replace');
    setInput('mode', 'Append');
    expect(failure(() => getChoice('mode', choices, 'replace')).message).toBe(
      `Input 'mode': "Append" is not allowed; expected one of Merge, replace`,
    );
  });

  it('accepts a single-line input of exactly the limit, and refuses a paragraph separator', () => {
    setInput('image', 'a'.repeat(MAX_INPUT_LENGTH));
    expect(getRequired('image')).toHaveLength(MAX_INPUT_LENGTH);
    setInput('image', 'a'.repeat(MAX_INPUT_LENGTH + 1));
    expect(failure(() => getRequired('image')).message).toBe(
      `Input 'image': is ${MAX_INPUT_LENGTH + 1} characters long; expected at most ${MAX_INPUT_LENGTH} on a single line`,
    );
    setInput('image', 'web\u2029x');
    expect(() => getRequired('image')).toThrow(/holds a line break/);
  });

  it('keeps a multi-line input as written up to its limits, counting lines across \\r\\n and \\r', () => {
    setInput('script', `  ${'a'.repeat(MAX_INPUT_LENGTH - 2)}\n`);
    expect(getMultiline('script')).toBe(`  ${'a'.repeat(MAX_INPUT_LENGTH - 2)}\n`);
    setInput('script', `a\r\nb\r${'c'.repeat(MAX_INPUT_LENGTH + 1)}`);
    expect(failure(() => getMultiline('script')).message).toBe(
      `Input 'script': line 3 is ${MAX_INPUT_LENGTH + 1} characters long; expected at most ${MAX_INPUT_LENGTH} per line`,
    );
    const full = `${'x'.repeat(MAX_INPUT_LENGTH)}\n`.repeat(MAX_MULTILINE_INPUT_LENGTH / (MAX_INPUT_LENGTH + 1));
    setInput('script', full.padEnd(MAX_MULTILINE_INPUT_LENGTH, 'y'));
    expect(getMultiline('script')).toHaveLength(MAX_MULTILINE_INPUT_LENGTH);
    setInput('script', full.padEnd(MAX_MULTILINE_INPUT_LENGTH + 1, 'y'));
    expect(failure(() => getMultiline('script')).message).toBe(
      `Input 'script': is ${MAX_MULTILINE_INPUT_LENGTH + 1} characters long; expected at most ${MAX_MULTILINE_INPUT_LENGTH}`,
    );
    setInput('failure-reason', ' \n\t ');
    expect(getText('failure-reason')).toBeUndefined();
  });
});
