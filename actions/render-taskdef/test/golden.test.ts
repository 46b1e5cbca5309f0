/*
 * Renders sample-service's task-definition template for each environment and compares the result with the
 * reviewed file under test/golden/. After an intended change, review the new files written by
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest actions/render-taskdef/test/golden
 * and format them with prettier.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { ActionRun, restoreEnvironment } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const deploy = join(here, '..', '..', '..', 'sample-service', 'deploy');
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/sample-service:1.0.0@sha256:${'0123456789abcdef'.repeat(4)}`;

afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  restoreEnvironment();
  expect(nock.pendingMocks()).toEqual([]);
});

describe.each([
  ['dev', '256', '512'],
  ['staging', '512', '1024'],
  ['prod', '1024', '2048'],
])('sample-service in %s', (environment, cpu, memory) => {
  it('renders the reviewed golden file', async () => {
    const action = await new ActionRun()
      .inputs({
        template: join(deploy, 'taskdef.template.json'),
        'vars-file': join(deploy, `${environment}.env`),
        vars: `IMAGE=${IMAGE}`,
        images: `web=${IMAGE}`,
      })
      .run();
    expect(action.commands('error')).toEqual([]);
    expect(action.commands('warning')).toEqual([]);
    const rendered = readFileSync(action.outputs()['task-definition']!, 'utf8');
    const golden = join(here, 'golden', `${environment}.json`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, rendered);
    // Key order matters, whitespace does not: prettier formats the golden files.
    expect(JSON.stringify(JSON.parse(rendered), null, 2)).toBe(
      JSON.stringify(JSON.parse(readFileSync(golden, 'utf8')), null, 2),
    );
    expect(JSON.parse(rendered)).toMatchObject({ family: `sample-service-${environment}`, cpu, memory });
  });
});
