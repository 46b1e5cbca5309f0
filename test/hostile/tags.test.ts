import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundle } from '@ecs-actions/rehearsal';
import { ACCOUNT, REGION, describeRefusals, json, taskDefinition, useLoopback } from './fixtures.js';
import { awsEnvironment, unmeantCommands } from './harness.js';

/*
 * Issue 18, mutable tags: render-taskdef refuses an image that is not pinned by digest unless allowed, and a tag
 * that still reaches deploy-ecs gets a ::warning:: annotation, not only a summary line.
 */

describeRefusals('an image not pinned by digest', [
  {
    name: 'a :latest image',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: 'web=nginx:latest' },
    files: { 'taskdef.json': json(taskDefinition()) },
    error:
      /^Input 'images': line 1 "web=nginx:latest" is not pinned by digest; expected <repository>@sha256:<64 hex> \(set allow-mutable-tags: true to allow tags\)$/,
  },
]);

describe('deploy-ecs given a tagged image', () => {
  const loopback = useLoopback();

  it('deploys it with a ::warning:: that names the container and the tag', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hostile-tags-'));
    try {
      const tagged = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/sample-service:1.0.0`;
      writeFileSync(join(workspace, 'taskdef.json'), json(taskDefinition({}, { image: tagged })));
      const run = await runBundle('deploy-ecs', {
        fromSource: true,
        cwd: workspace,
        inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' },
        env: awsEnvironment(loopback.aws),
        timeoutMs: 60_000,
      });
      expect(run.errors).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect(run.lines.filter((line) => line.startsWith('::warning::'))).toEqual([
        expect.stringContaining(`Container web runs ${tagged}, a mutable tag`),
      ]);
      expect(unmeantCommands(run)).toEqual([]);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
