import * as core from '@actions/core';
import { RunContext } from './cancel.js';
import { errorMessage, isUserError } from './errors.js';

/** What every action's `run` receives from runAction; tests pass their own. */
export interface RunDependencies {
  context: RunContext;
}

export interface RunActionOptions {
  /** Where SIGINT and SIGTERM come from; the process on a runner. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  finalPhaseMs?: number;
  /** Ends the process when the action does not stop by itself; `process.exit` on a runner. */
  exit?: (code: number) => void;
}

/** After the final phase, this long for the action to return before the process is ended. */
const HARD_STOP_MARGIN_MS = 1000;

/**
 * Runs an action's main function. A UserError becomes one `::error::` line and exit code 1;
 * any other error is a bug, so its stack is printed too.
 *
 * The first SIGINT or SIGTERM aborts `context.signal`: the action stops waiting, writes its outputs and summary
 * within `context.finalPhaseMs` and ends with one line saying where things stand. A second signal, or a final
 * phase that overruns, ends the process at once with the last line the action gave `context.standing`.
 */
export async function runAction(
  main: (dependencies: RunDependencies) => Promise<void>,
  options: RunActionOptions = {},
): Promise<void> {
  const context = new RunContext({ finalPhaseMs: options.finalPhaseMs });
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let hardStop: NodeJS.Timeout | undefined;
  const stopNow = (why: string) => {
    const standing = context.lastStanding ?? 'nothing had been changed yet';
    core.setFailed(`Cancelled (${context.cancelledBy}); ${why}. Where things stand: ${standing}`);
    exit(1);
  };
  const onSignal = (name: NodeJS.Signals) => {
    if (context.cancelledBy === undefined) {
      core.warning(
        `Received ${name}: cancelling; outputs and job summary follow within ${context.finalPhaseMs / 1000} s`,
      );
      context.cancel(name);
      hardStop = setTimeout(
        () => stopNow(`the final phase did not end within ${context.finalPhaseMs / 1000} s`),
        context.finalPhaseMs + HARD_STOP_MARGIN_MS,
      );
      hardStop.unref();
      return;
    }
    context.cancel(name);
    stopNow(`stopped at once by a second signal (${name})`);
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    await main({ context });
  } catch (error) {
    if (isUserError(error)) {
      core.setFailed(error.message);
      return;
    }
    const stack = error instanceof Error && error.stack ? error.stack : String(error);
    process.stderr.write(`${stack}\n`);
    core.setFailed(
      `Unexpected error, this is a bug in ecs-actions (please report it with the log above): ${errorMessage(error)}`,
    );
  } finally {
    clearTimeout(hardStop);
    context.dispose();
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
}
