import { formatBytes, mapWithConcurrency, isCancelled, isDeadline } from '@ecs-actions/action-kit';
import { BodyTooLargeError, NoAnswerError } from './http.js';

export type Outcome = 'pass' | 'fail' | 'skip';

/** What one check concluded; a failure always says what was expected and what the service did instead. */
export type Verdict =
  { outcome: 'pass' | 'skip'; detail: string } | { outcome: 'fail'; detail: string; expected: string; actual: string };

export interface Check {
  name: string;
  run(): Promise<Verdict>;
}

export type CheckResult = Verdict & { name: string; durationMs: number };

/** The detail of every check when the service never answered, so none of them could run. */
export const NOT_RUN = 'not run';

export function pass(detail: string): Verdict {
  return { outcome: 'pass', detail };
}

export function skip(detail: string): Verdict {
  return { outcome: 'skip', detail };
}

export function fail(detail: string, expected: string, actual: string): Verdict {
  return { outcome: 'fail', detail, expected, actual };
}

/** Checks in flight at once: enough for a dozen checks to overlap, few enough for any runner's sockets. */
export const CHECK_CONCURRENCY = 8;

/**
 * Runs the checks, up to CHECK_CONCURRENCY at a time, and returns the results in the order of `checks`.
 * `onResult` sees each result as soon as it is known, so the log shows the quick checks while the latency check
 * is still sampling.
 */
export async function runChecks(
  checks: Check[],
  onResult: (result: CheckResult) => void,
  concurrency = CHECK_CONCURRENCY,
): Promise<CheckResult[]> {
  return mapWithConcurrency(checks, concurrency, async (check) => {
    const started = performance.now();
    let verdict: Verdict;
    try {
      verdict = await check.run();
    } catch (error) {
      // A request without a usable answer fails its check; anything else is a bug and surfaces with its stack.
      if (isCancelled(error) || isDeadline(error)) verdict = fail(NOT_RUN, 'the check to run', error.message);
      else if (error instanceof BodyTooLargeError) verdict = bodyTooLarge(error);
      else if (!(error instanceof NoAnswerError)) throw error;
      else verdict = fail(`${error.url} did not answer`, 'an HTTP answer', error.reason);
    }
    const result: CheckResult = { name: check.name, ...verdict, durationMs: Math.round(performance.now() - started) };
    onResult(result);
    return result;
  });
}

function bodyTooLarge(error: BodyTooLargeError): Verdict {
  const limit = formatBytes(error.limitBytes);
  return fail(
    `${error.url} answered a body over the ${limit} limit`,
    `a body of at most ${limit}`,
    `more than ${limit}; reading stopped there`,
  );
}

const MARKS: Record<Outcome, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/** The one log line of a result: `FAIL version: GET /version reports another build: expected …, got …`. */
export function formatResult(result: CheckResult): string {
  const line = `${MARKS[result.outcome]} ${result.name}: ${result.detail}`;
  return result.outcome === 'fail' ? `${line}: expected ${result.expected}, got ${result.actual}` : line;
}
