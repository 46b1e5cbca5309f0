import { afterAll, expect, it, jest } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ENVIRONMENTS } from '@ecs-actions/loopback-aws';
import { repositoryRoot, startRehearsal, type Rehearsal } from '@ecs-actions/rehearsal';

/*
 * The rehearsal runs the workflow files, it does not mirror them: in a copy of the workflows whose smoke test is
 * switched off by its `if:`, the scenario in which the smoke test fails (and the deploy is rolled back) succeeds.
 */

const started: Rehearsal[] = [];
const copies: string[] = [];
afterAll(async () => {
  await Promise.all(started.map((rehearsal) => rehearsal.stop()));
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

jest.setTimeout(240_000);

it('follows an edit of deploy-environment.yml: an if: that skips the smoke test skips it in every environment', async () => {
  const root = mkdtempSync(join(tmpdir(), 'workflow-edit-'));
  copies.push(root);
  cpSync(join(repositoryRoot, '.github/workflows'), join(root, '.github/workflows'), { recursive: true });
  const file = join(root, '.github/workflows/deploy-environment.yml');
  const original = readFileSync(file, 'utf8');
  const condition = "        if: steps.verify.outcome == 'success'\n";
  expect(original.split(condition)).toHaveLength(2);
  writeFileSync(file, original.replace(condition, '        if: false\n'));

  const lines: string[] = [];
  const rehearsal = await startRehearsal({
    // The running service reports another version: the unedited workflow's smoke test fails and rolls back.
    scenario: 'smoke-fails',
    stepMs: 40,
    version: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    log: (line) => lines.push(line),
    verifyTimeoutSeconds: 6,
    smokeTimeoutSeconds: 5,
    workflowRoot: root,
  });
  started.push(rehearsal);
  const results = await rehearsal.runPipeline();

  expect(results.map((result) => [result.environment, result.status])).toEqual(
    DEMO_ENVIRONMENTS.map((environment) => [environment, 'succeeded']),
  );
  for (const result of results) {
    expect(result.steps.find((step) => step.name === 'Smoke test')?.outcome).toBe('skipped');
  }
  expect(lines).toContain('   ○ Smoke test: skipped (if: success() && (false))');
  expect(lines.join('\n')).not.toContain('· Smoke test (smoke-test)');
});
