import * as core from '@actions/core';
import { errorMessage, isUserError } from './errors.js';

/**
 * Runs an action's main function. A UserError becomes one `::error::` line and exit code 1;
 * any other error is a bug, so its stack is printed too.
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
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
  }
}
