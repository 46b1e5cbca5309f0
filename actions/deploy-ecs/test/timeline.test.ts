import { describe, expect, it } from '@jest/globals';
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { Timeline, mermaidGantt } from '../src/timeline.js';

const NEW = 'ecs-svc/2222222222222222222';
const OLD = 'ecs-svc/1111111111111111111';

function service(newer: Partial<Deployment>, older?: Partial<Deployment>): Service {
  const deployments: Deployment[] = [
    { id: NEW, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', desiredCount: 2, createdAt: new Date(1000), ...newer },
  ];
  if (older) deployments.push({ id: OLD, status: 'ACTIVE', rolloutState: 'COMPLETED', ...older });
  return { serviceName: 'web', status: 'ACTIVE', deployments };
}

describe('the timeline of a rolling deployment followed through DescribeServices', () => {
  it('has one bar per phase: update, new tasks starting, targets healthy, old tasks draining, completed', () => {
    const timeline = new Timeline();
    const seen: Array<[number, Service]> = [
      [2000, service({ runningCount: 0, pendingCount: 0 }, { runningCount: 2, desiredCount: 2 })],
      [3000, service({ runningCount: 0, pendingCount: 2 }, { runningCount: 2, desiredCount: 2 })],
      [4000, service({ runningCount: 1, pendingCount: 1 }, { runningCount: 2, desiredCount: 2 })],
      [5000, service({ runningCount: 2, pendingCount: 0 }, { runningCount: 2, desiredCount: 2 })],
      [6000, service({ runningCount: 2, pendingCount: 0 }, { runningCount: 2, desiredCount: 1 })],
      [7000, service({ runningCount: 2, pendingCount: 0 }, { runningCount: 1, desiredCount: 0 })],
      [8000, service({ runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' })],
    ];
    for (const [now, described] of seen) timeline.observeService(described, NEW, now);
    timeline.end(9000);
    expect(timeline.segments).toEqual([
      { label: 'Update', start: 1000, end: 3000, critical: false },
      { label: 'New tasks starting', start: 3000, end: 5000, critical: false },
      { label: 'Targets healthy', start: 5000, end: 6000, critical: false },
      { label: 'Old tasks draining', start: 6000, end: 8000, critical: false },
      { label: 'Completed', start: 8000, end: 9000, critical: false },
    ]);
  });

  it('marks a FAILED rollout as critical in the gantt', () => {
    const timeline = new Timeline();
    timeline.observeService(
      service({ runningCount: 0, pendingCount: 2 }, { runningCount: 2, desiredCount: 2 }),
      NEW,
      2000,
    );
    timeline.observeService(
      service({ runningCount: 0, pendingCount: 0, rolloutState: 'FAILED' }, { runningCount: 2, desiredCount: 2 }),
      NEW,
      5000,
    );
    timeline.end(6000);
    expect(mermaidGantt('Deployment x', timeline.segments).split('\n').slice(-2)).toEqual([
      '  New tasks starting :s0, 1000, 5000',
      '  Rollout FAILED :crit, s1, 5000, 6000',
    ]);
  });

  it('draws nothing for a service that does not list the followed deployment', () => {
    const timeline = new Timeline();
    timeline.observeService({ serviceName: 'web', deployments: [{ id: OLD, status: 'PRIMARY' }] }, NEW, 2000);
    expect(timeline.segments).toEqual([]);
  });
});
