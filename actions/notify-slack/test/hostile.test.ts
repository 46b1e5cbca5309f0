import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hostileText, runnerCommands } from '@ecs-actions/action-kit/testing';
import { captureEachTest, runStep, setInputs } from './helpers.js';

const captured = captureEachTest();

/** The commands one run issues, by name, for inputs that are logged (no destination: nothing is sent). */
async function commandsFor(inputs: Record<string, string>): Promise<string[]> {
  captured.stdout = '';
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  process.exitCode = undefined;
  setInputs({ status: 'success', ...inputs });
  await runStep();
  return runnerCommands(captured.stdout).map((command) => command.name);
}

describe('notify-slack with hostile logged inputs', () => {
  it('issues only the commands it means, whatever environment, service and version hold', async () => {
    const meant = await commandsFor({ environment: 'prod', service: 'web', version: 'v1' });
    const refused = ['error'];
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, hostileText, async (environment, service, version) => {
        const names = await commandsFor({ environment, service, version });
        // Either the run went as with plain values, or a value was refused with one ::error:: line.
        expect([meant, refused]).toContainEqual(names);
      }),
      { numRuns: 60 },
    );
  });
});
