import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { INJECTED, hostileText, injectionText, runnerCommands } from '@ecs-actions/action-kit/testing';

const envSafeText = hostileText.map((text) => text.replaceAll('\0', ''));
const DIGEST = `sha256:${'c'.repeat(64)}`;
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/sample-service@${DIGEST}`;

/** Runs a workflow script as the runner does, with only the env given, and returns what it printed and wrote. */
function runScript(script: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-script-'));
  const output = join(dir, 'output');
  writeFileSync(output, '');
  const result = spawnSync(process.execPath, [join('.github/scripts', script)], {
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: readFileSync(output, 'utf8') };
}

describe('plan-deploy.mjs refuses hostile input', () => {
  it.each([
    [
      'a multi-line image that smuggles template variables',
      { IMAGE: `${IMAGE}\nFAMILY=../../escape` },
      "input 'image': holds a line break; expected a single line",
    ],
    [
      'an image with a command after a line break',
      { IMAGE: `nginx:latest\n::add-mask::x` },
      "input 'image': holds a line break; expected a single line",
    ],
    [
      'a 120 KB image',
      { IMAGE: `${'a'.repeat(120 * 1024)}@${DIGEST}` },
      `input 'image': is ${120 * 1024 + 72} characters long; expected at most 512`,
    ],
    [
      'a tagged image',
      { IMAGE: 'nginx:latest' },
      `input 'image': "nginx:latest" is not pinned by digest; expected <registry>/<repository>@sha256:<64 hex>`,
    ],
    [
      'an environment that would add a variable',
      { IMAGE, ENVIRONMENT: 'dev\nIMAGE=evil' },
      'input \'environment\': "dev\\nIMAGE=evil" is not an environment name; expected letters, digits, - and _',
    ],
  ])('%s: exit 1, one ::error:: naming the input, nothing written', (_, env, message) => {
    const run = runScript('plan-deploy.mjs', { TEMPLATE: 'taskdef.json', ...env });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    expect(runnerCommands(run.stdout)).toEqual([{ name: 'error', data: message, line: `::error::${message}` }]);
    expect(run.output).toBe('');
  });

  it('never issues a command other than its one ::error::, whatever the image', () => {
    fc.assert(
      // An environment variable cannot hold a NUL byte (the runner cannot pass one either), so none is generated here.
      fc.property(envSafeText, (image) => {
        const run = runScript('plan-deploy.mjs', { TEMPLATE: 'taskdef.json', IMAGE: image });
        const names = runnerCommands(run.stdout).map((command) => command.name);
        expect(names.length === 0 || (names.length === 1 && names[0] === 'error')).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});

describe('plan-deploy.mjs, whatever its other inputs hold', () => {
  it('never issues a command other than its one ::error::, nor one carrying injected text', () => {
    fc.assert(
      fc.property(injectionText, fc.constantFrom('ENVIRONMENT', 'TASK_DEFINITION', 'TEMPLATE'), (text, name) => {
        const env: Record<string, string> =
          name === 'TASK_DEFINITION' ? { TASK_DEFINITION: text } : { IMAGE, [name]: text };
        const run = runScript('plan-deploy.mjs', { TEMPLATE: 'taskdef.json', ...env });
        const commands = runnerCommands(run.stdout);
        expect(commands.filter((command) => command.name !== 'error' || command.data.startsWith(INJECTED))).toEqual([]);
        expect(commands.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 25 },
    );
  });
});

describe('deploy-outcome.mjs', () => {
  it('never issues a command, whatever the step outputs it quotes hold', () => {
    fc.assert(
      fc.property(injectionText, (text) => {
        for (const env of <Record<string, string>[]>[
          { MIGRATE_OUTCOME: 'failure', MIGRATE_STATUS: text, MIGRATE_EXIT_CODES: text },
          { DEPLOY_OUTCOME: 'cancelled', DEPLOYMENT_ID: 'ecs-svc/1', DEPLOYED: text, PREVIOUS: text },
          { DEPLOY_OUTCOME: 'success', VERIFY_OUTCOME: 'failure', DEPLOY_STATUS: text, DEPLOYED: text },
        ]) {
          expect(runnerCommands(runScript('deploy-outcome.mjs', env).stdout)).toEqual([]);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('keeps a hostile status on one line', () => {
    const run = runScript('deploy-outcome.mjs', {
      DEPLOY_OUTCOME: 'success',
      VERIFY_OUTCOME: 'failure',
      DEPLOY_STATUS: 'unchanged\n::add-mask::x',
      DEPLOYED: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8',
    });
    expect(run.status).toBe(0);
    expect(runnerCommands(run.stdout)).toEqual([]);
  });
});
