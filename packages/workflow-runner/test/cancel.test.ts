import { afterAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { runWorkflow } from '../src/index.js';
import { cleanUp, repository, step } from './support.js';

afterAll(cleanUp);

/** Runs the workflow and aborts it once a step prints `ready`, as Ctrl-C would. */
async function cancelWhenReady(root: string, grace = { sigint: 200, sigterm: 200 }) {
  const controller = new AbortController();
  const log: string[] = [];
  const result = await runWorkflow({
    workflow: join(root, '.github/workflows/w.yml'),
    signal: controller.signal,
    grace,
    observer: {
      line: (job, line) => {
        log.push(`${job.path}: ${line}`);
        if (line === 'ready') controller.abort();
      },
    },
  });
  return { ...result, log };
}

describe('cancellation', () => {
  it('sends SIGINT to the running step, then runs only the if: always() and cancelled() steps', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: long
        run: |
          trap 'echo "got SIGINT"; exit 130' INT
          echo ready
          while true; do sleep 0.1; done
      - id: next
        run: echo next
      - id: summary
        if: always()
        run: echo "summary, job.status \${{ job.status }}, long \${{ steps.long.outcome }}"
      - id: on-cancel
        if: cancelled()
        run: echo on-cancel
  later:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: echo later
`,
    });
    const result = await cancelWhenReady(root);
    expect(step(result, 'deploy', 'long')).toMatchObject({ outcome: 'cancelled' });
    expect(step(result, 'deploy', 'long').signals.map((sent) => sent.signal)).toEqual(['SIGINT']);
    expect(result.log).toContain('deploy: got SIGINT');
    expect(result.jobs[0]!.steps.map((record) => [record.id, record.outcome])).toEqual([
      ['long', 'cancelled'],
      ['next', 'skipped'],
      ['summary', 'success'],
      ['on-cancel', 'success'],
    ]);
    expect(result.log).toContain('deploy: summary, job.status cancelled, long cancelled');
    expect(result.jobs.map((job) => [job.path, job.result])).toEqual([
      ['deploy', 'cancelled'],
      ['later', 'cancelled'],
    ]);
    expect(result.result).toBe('cancelled');
  });

  it('follows SIGINT with SIGTERM and then SIGKILL when the step ignores them, after the runner grace periods', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: stubborn
        run: |
          trap '' INT TERM
          echo ready
          while true; do sleep 0.1; done
`,
    });
    const result = await cancelWhenReady(root, { sigint: 300, sigterm: 300 });
    const signals = step(result, 'deploy', 'stubborn').signals;
    expect(signals.map((sent) => sent.signal)).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    expect(signals[1]!.atMs - signals[0]!.atMs).toBeGreaterThanOrEqual(290);
    expect(signals[2]!.atMs - signals[1]!.atMs).toBeGreaterThanOrEqual(290);
  });

  it('cancels a job at its timeout-minutes: it fails, and its if: always() steps run', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    timeout-minutes: 0.01
    steps:
      - run: sleep 60
      - id: after
        if: always()
        run: echo "after, job.status \${{ job.status }}"
`,
    });
    const log: string[] = [];
    const result = await runWorkflow({
      workflow: join(root, '.github/workflows/w.yml'),
      grace: { sigint: 100, sigterm: 100 },
      observer: { line: (job, line) => log.push(line) },
    });
    expect(log).toContain('::error::The job exceeded its timeout-minutes (0.01) and was cancelled');
    expect(log).toContain('after, job.status cancelled');
    expect(result.jobs[0]!.result).toBe('failure');
  });
});
