import { foreignLine } from '@ecs-actions/action-kit';

/** Longest line printed; the rest is cut, saying how much. */
export const MAX_LINE_LENGTH = 500;

// CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences, as pino-pretty, npm and shells emit them.
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u009b[0-?]*[ -/]*[@-~]/g;

/**
 * One container log line made printable: ANSI sequences removed, trailing line breaks dropped, cut to
 * `maxLength`, then escaped by action-kit's foreignLine (control characters visible, no workflow command).
 */
export function printableLogLine(message: string, maxLength = MAX_LINE_LENGTH): string {
  const plain = message.replace(ANSI, '').replace(/[\r\n]+$/, '');
  const cut =
    plain.length > maxLength ? `${plain.slice(0, maxLength)}… (${plain.length - maxLength} more characters)` : plain;
  return foreignLine(cut);
}

const ERROR_LABELS = new Set(['error', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'panic']);

/**
 * True for an error-level line: a JSON line whose `level` is a number >= 50 (pino's error and fatal) or an
 * error label (`"level":"error"`, as pino prints with a label formatter), or a line the user's pattern matches.
 */
export function isErrorLine(message: string, pattern?: { test(text: string): boolean }): boolean {
  if (pattern?.test(message)) return true;
  const text = message.trim();
  if (!text.startsWith('{')) return false;
  let level: unknown;
  try {
    level = (JSON.parse(text) as { level?: unknown }).level;
  } catch {
    return false;
  }
  if (typeof level === 'number') return level >= 50;
  return typeof level === 'string' && ERROR_LABELS.has(level.toLowerCase());
}
