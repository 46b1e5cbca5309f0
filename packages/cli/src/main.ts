import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseCli, USAGE, UsageError } from './args.js';
import { deploy } from './deploy.js';
import { deploymentReport, saveReport } from './report.js';

/** `npx ecs-actions <deploy|rollback> ...`; returns the exit code. */
export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  let options;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ecs-actions: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  // Ctrl-C cancels as the Cancel button does: the running step gets SIGINT, then the always() steps run.
  const cancel = new AbortController();
  const onInterrupt = () => {
    console.log(
      '\nCtrl-C: cancelling the deploy (the running step gets SIGINT; the outcome and Slack steps still run)',
    );
    cancel.abort();
  };
  process.once('SIGINT', onInterrupt);
  try {
    const outcome = await deploy(options, {
      cwd,
      log: (line) => console.log(line),
      signal: cancel.signal,
      confirm: process.stdin.isTTY
        ? async (question) => {
            const terminal = createInterface({ input: process.stdin, output: process.stdout });
            try {
              return /^y(es)?$/i.test((await terminal.question(question)).trim());
            } finally {
              terminal.close();
            }
          }
        : undefined,
    });
    const at = new Date();
    const report = deploymentReport(options, outcome, at);
    console.log(`\n${report}`);
    const path = saveReport(resolve(cwd, options.reports), options, report, at);
    console.log(`Report: ${path}`);
    return outcome.status === 'succeeded' || outcome.status === 'unchanged' || outcome.status === 'dry-run' ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`ecs-actions: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`ecs-actions: ${(error as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
