import * as core from '@actions/core';
import { UserError } from './errors.js';
import { formatBytes } from './log.js';

/*
 * Typed readers over `core.getInput`. Each rejects a bad value with a message that names the input
 * and the form it expects, so an action fails before it calls AWS.
 */

/** Longest single-line input: names, ARNs, URLs and image references are far shorter. */
export const MAX_INPUT_LENGTH = 2048;
/** Longest multi-line input (lists, KEY=VALUE lines, free text), and longest line in one. */
export const MAX_MULTILINE_INPUT_LENGTH = 64 * 1024;

export function inputError(name: string, problem: string): UserError {
  return new UserError(`Input '${name}': ${problem}`);
}

/**
 * A single-line input, trimmed. A line break is refused: a value the action logs could otherwise start a
 * workflow command of its own (`::add-mask::`, `::stop-commands::`). The value is not quoted in these errors,
 * as it is too long or not one line.
 */
function raw(name: string): string {
  const value = core.getInput(name, { trimWhitespace: true });
  if (/[\r\n\u2028\u2029]/.test(value)) {
    throw inputError(name, 'holds a line break; expected a single line');
  }
  if (value.length > MAX_INPUT_LENGTH) {
    throw inputError(name, `is ${value.length} characters long; expected at most ${MAX_INPUT_LENGTH} on a single line`);
  }
  return value;
}

/** A multi-line input as written (untrimmed), within MAX_MULTILINE_INPUT_LENGTH and MAX_INPUT_LENGTH per line. */
export function getMultiline(name: string): string {
  const value = core.getInput(name, { trimWhitespace: false });
  if (value.length > MAX_MULTILINE_INPUT_LENGTH) {
    throw inputError(name, `is ${value.length} characters long; expected at most ${MAX_MULTILINE_INPUT_LENGTH}`);
  }
  const lines = value.split(/\r\n|\r|\n/);
  const long = lines.findIndex((line) => line.length > MAX_INPUT_LENGTH);
  if (long !== -1) {
    throw inputError(
      name,
      `line ${long + 1} is ${lines[long]!.length} characters long; expected at most ${MAX_INPUT_LENGTH} per line`,
    );
  }
  return value;
}

/** Free text that may span lines (a failure reason, a command), trimmed; undefined when empty. */
export function getText(name: string): string | undefined {
  const value = getMultiline(name).trim();
  return value === '' ? undefined : value;
}

export function getRequired(name: string): string {
  const value = raw(name);
  if (value === '') throw inputError(name, 'is required but was not set');
  return value;
}

export function getOptional(name: string): string | undefined {
  const value = raw(name);
  return value === '' ? undefined : value;
}

const TRUE_VALUES = new Set(['true', 'yes', 'on', '1']);
const FALSE_VALUES = new Set(['false', 'no', 'off', '0']);

export function getBoolean(name: string, defaultValue: boolean): boolean {
  const value = raw(name).toLowerCase();
  if (value === '') return defaultValue;
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  throw inputError(name, `"${raw(name)}" is not a boolean; expected true or false`);
}

export interface IntegerOptions {
  min?: number;
  max?: number;
}

export function parseInteger(name: string, value: string, options: IntegerOptions = {}): number {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const range =
    options.min !== undefined && options.max !== undefined
      ? ` from ${min} to ${max}`
      : options.min !== undefined
        ? ` of at least ${min}`
        : options.max !== undefined
          ? ` of at most ${max}`
          : '';
  if (!/^[-+]?\d+$/.test(value))
    throw inputError(name, `"${value}" is not a whole number; expected a whole number${range}`);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw inputError(name, `${value} is out of range; expected a whole number${range}`);
  }
  return parsed;
}

export function getInteger(name: string, options: IntegerOptions & { default: number }): number;
export function getInteger(name: string, options?: IntegerOptions): number | undefined;
export function getInteger(name: string, options: IntegerOptions & { default?: number } = {}): number | undefined {
  const value = raw(name);
  if (value === '') return options.default;
  return parseInteger(name, value, options);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export interface DurationOptions {
  /** Unit of a bare number such as `90`. */
  defaultUnit?: 'ms' | 's' | 'm' | 'h';
  minMs?: number;
  maxMs?: number;
}

/** Parses `90`, `90s`, `5m`, `1h30m` or `250ms` into milliseconds. */
export function parseDuration(name: string, value: string, options: DurationOptions = {}): number {
  const { defaultUnit = 's', minMs = 0, maxMs = Number.MAX_SAFE_INTEGER } = options;
  const expected = `expected a duration such as 90s, 5m, 1h30m or a number of ${unitName(defaultUnit)}`;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * DURATION_UNITS[defaultUnit]!;
  } else if (/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(value)) {
    ms = 0;
    for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
      ms += Number(match[1]) * DURATION_UNITS[match[2]!]!;
    }
  } else {
    throw inputError(name, `"${value}" is not a duration; ${expected}`);
  }
  ms = Math.round(ms);
  if (ms < minMs || ms > maxMs) {
    throw inputError(name, `${value} is out of range; expected from ${formatMs(minMs)} to ${formatMs(maxMs)}`);
  }
  return ms;
}

export function getDuration(name: string, options: DurationOptions & { default: number }): number;
export function getDuration(name: string, options?: DurationOptions): number | undefined;
export function getDuration(name: string, options: DurationOptions & { default?: number } = {}): number | undefined {
  const value = raw(name);
  if (value === '') return options.default;
  return parseDuration(name, value, options);
}

function unitName(unit: string): string {
  return { ms: 'milliseconds', s: 'seconds', m: 'minutes', h: 'hours' }[unit] ?? unit;
}

function formatMs(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

// Binary units only: `MB` reads as 1000 or 1024 depending on who wrote it, so it is refused rather than guessed.
const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
const SIZE_FORM = 'expected a size such as 512KiB or 1MiB (units B, KiB, MiB, GiB) or a number of bytes';

export interface ByteSizeOptions {
  minBytes?: number;
  maxBytes?: number;
}

/** Parses `512KiB`, `1 MiB`, `1.5MiB` or a bare number of bytes into bytes; units are case-insensitive. */
export function parseByteSize(name: string, value: string, options: ByteSizeOptions = {}): number {
  const { minBytes = 0, maxBytes = Number.MAX_SAFE_INTEGER } = options;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(value);
  const unit = SIZE_UNITS[(match?.[2] ?? 'b').toLowerCase()];
  if (!match || unit === undefined) throw inputError(name, `"${value}" is not a size; ${SIZE_FORM}`);
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes < minBytes || bytes > maxBytes) {
    throw inputError(
      name,
      `${value} is out of range; expected from ${formatBytes(minBytes)} to ${formatBytes(maxBytes)}`,
    );
  }
  return bytes;
}

export function getByteSize(name: string, options: ByteSizeOptions & { default: number }): number;
export function getByteSize(name: string, options?: ByteSizeOptions): number | undefined;
export function getByteSize(name: string, options: ByteSizeOptions & { default?: number } = {}): number | undefined {
  const value = raw(name);
  if (value === '') return options.default;
  return parseByteSize(name, value, options);
}

/** One value per line or comma: `a, b` or a YAML block. Blank entries are dropped. */
export function getList(name: string): string[] {
  return getMultiline(name)
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Non-blank lines, trimmed; lines starting with `#` are comments. */
export function getLines(name: string): string[] {
  return getMultiline(name)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export interface KeyValueOptions {
  /** The word for the key in messages, e.g. `KEY` or `container`. */
  keyName?: string;
  /** The word for the value in messages, e.g. `VALUE` or `image`. */
  valueName?: string;
  /** Pattern a key must match; defaults to no whitespace. */
  keyPattern?: RegExp;
  keyPatternDescription?: string;
  allowEmptyValue?: boolean;
}

/**
 * Parses multiline `KEY=VALUE` text. Only the first `=` separates: the value keeps any further `=`
 * (log options and labels often contain them). Duplicate keys are an error.
 */
export function parseKeyValues(name: string, text: string, options: KeyValueOptions = {}): Map<string, string> {
  const { keyName = 'KEY', valueName = 'VALUE', allowEmptyValue = true } = options;
  const keyPattern = options.keyPattern ?? /^\S+$/;
  const form = `${keyName}=${valueName}`;
  const result = new Map<string, string>();
  const lines = text.split('\n');
  lines.forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `line ${index + 1}`;
    const separator = line.indexOf('=');
    if (separator === -1) throw inputError(name, `${where} "${line}" has no "="; expected ${form}`);
    const key = line.slice(0, separator).trim();
    const value = line.slice(separator + 1).trim();
    if (key === '') throw inputError(name, `${where} "${line}" has an empty ${keyName}; expected ${form}`);
    if (!keyPattern.test(key)) {
      const rule = options.keyPatternDescription ?? 'must not contain spaces';
      throw inputError(name, `${where}: ${keyName} "${key}" ${rule}; expected ${form}`);
    }
    if (!allowEmptyValue && value === '')
      throw inputError(name, `${where} "${line}" has an empty ${valueName}; expected ${form}`);
    if (result.has(key)) throw inputError(name, `${where}: ${keyName} "${key}" is given twice`);
    result.set(key, value);
  });
  return result;
}

export function getKeyValues(name: string, options: KeyValueOptions = {}): Map<string, string> {
  return parseKeyValues(name, getMultiline(name), options);
}

/** An input restricted to a fixed set of words, compared case-insensitively. */
export function getChoice<T extends string>(name: string, choices: readonly T[], defaultValue: T): T {
  const value = raw(name).toLowerCase();
  if (value === '') return defaultValue;
  const match = choices.find((choice) => choice.toLowerCase() === value);
  if (match === undefined)
    throw inputError(name, `"${raw(name)}" is not allowed; expected one of ${choices.join(', ')}`);
  return match;
}
