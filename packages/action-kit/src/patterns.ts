import { RE2JS } from 're2js';

/**
 * A regular expression from a user's file or input. JavaScript's engine backtracks, so `^(a+)+$` against a
 * hostile body can run for minutes; RE2 matches in time linear in the text, whatever the pattern. It accepts the
 * usual syntax except backreferences and lookaround.
 */
export interface UserPattern {
  readonly source: string;
  test(text: string): boolean;
}

/** Longest pattern accepted: a check's pattern is a line, not a program. */
export const MAX_PATTERN_LENGTH = 1000;

/** Compiles a user's pattern with RE2; an unsupported or broken one throws an Error whose message says why. */
export function compileUserPattern(pattern: string): UserPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new Error(`the pattern is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`);
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message} (patterns use RE2 syntax: no backreferences or lookaround)`, { cause: error });
  }
  return { source: pattern, test: (text) => compiled.matcher(text).find() };
}
