import { describe, expect, it } from '@jest/globals';
import type { DeploymentRecord, RecordedRequest } from '@ecs-actions/loopback-aws';
import {
  describeServicesRate,
  formatValue,
  measureTable,
  percentile,
  renderTable,
  rolloutFinished,
  stepMsForRun,
  summarize,
} from '../src/bench.js';

const request = (operation: string, time: number): RecordedRequest => ({
  service: 'ecs',
  operation,
  time,
  status: 200,
});

function deployment(overrides: Partial<DeploymentRecord>): DeploymentRecord {
  return {
    id: 'ecs-svc/1111111111111111111',
    status: 'PRIMARY',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-dev:2',
    desiredCount: 2,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'ECS deployment ecs-svc/1111111111111111111 completed.',
    createdAt: 1_000,
    updatedAt: 2_500,
    fate: 'healthy',
    serviceRevisionArn:
      'arn:aws:ecs:eu-west-1:123456789012:service-revision/demo-dev/sample-service/4444444444444444444',
    ...overrides,
  };
}

describe('percentile', () => {
  it('interpolates between the two closest ranks', () => {
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(percentile([10, 20, 30, 40, 50], 0.1)).toBe(14);
  });

  it('returns the only sample for every fraction', () => {
    expect(percentile([7], 0.9)).toBe(7);
  });

  it('refuses an empty list of samples', () => {
    expect(() => percentile([], 0.5)).toThrow('percentile of no samples');
  });
});

describe('summarize', () => {
  it('gives median, min, max, p10 and p90 of unsorted samples without reordering them', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(summarize(samples)).toEqual({ n: 5, median: 3, min: 1, max: 5, p10: 1.4, p90: 4.6 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });
});

describe('describeServicesRate', () => {
  it('counts the DescribeServices calls after the UpdateService over the time to the last one', () => {
    const requests = [
      request('GetCallerIdentity', 0),
      request('DescribeServices', 100),
      request('UpdateService', 1_000),
      request('DescribeServices', 1_010),
      request('ListTasks', 1_020),
      request('DescribeServices', 2_010),
      request('DescribeServices', 3_000),
      request('DescribeServices', 4_000),
    ];
    expect(describeServicesRate(requests)).toEqual({ calls: 4, windowMs: 3_000, perSecond: 4 / 3, medianGapMs: 1_000 });
  });

  it('has nothing to say when no UpdateService was made', () => {
    expect(describeServicesRate([request('DescribeServices', 0), request('DescribeServices', 1_000)])).toBeUndefined();
  });
});

describe('rolloutFinished', () => {
  it('is when the only deployment left reached COMPLETED', () => {
    expect(rolloutFinished({ deployments: [deployment({})] })).toEqual({
      at: 2_500,
      deploymentId: 'ecs-svc/1111111111111111111',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-dev:2',
    });
  });

  it('is not yet while an older deployment still drains', () => {
    const draining = deployment({ id: 'ecs-svc/2222222222222222222', status: 'ACTIVE' });
    expect(rolloutFinished({ deployments: [deployment({}), draining] })).toBeUndefined();
  });

  it('is not yet while the rollout is in progress', () => {
    expect(rolloutFinished({ deployments: [deployment({ rolloutState: 'IN_PROGRESS' })] })).toBeUndefined();
  });
});

describe('tables', () => {
  it('aligns the columns of a Markdown table', () => {
    expect(
      renderTable(
        ['Bundle', 'KiB'],
        [
          ['deploy-ecs', '2602.4'],
          ['smoke-test', '1394.0'],
        ],
      ),
    ).toBe(
      ['| Bundle     | KiB    |', '|------------|--------|', '| deploy-ecs | 2602.4 |', '| smoke-test | 1394.0 |'].join(
        '\n',
      ),
    );
  });

  it('prints seconds and rates with two decimals and milliseconds and counts whole', () => {
    expect(formatValue(0.456, 's')).toBe('0.46');
    expect(formatValue(1.333, 'calls/s')).toBe('1.33');
    expect(formatValue(412.6, 'ms')).toBe('413');
    expect(formatValue(4, 'calls')).toBe('4');
  });

  it('shows a measure as median, min–max, p10–p90 and its samples in run order', () => {
    const table = measureTable([{ label: 'completes', unit: 's', samples: [0.5, 0.1, 0.3] }]);
    expect(table.split('\n')[2]).toBe('| completes, s | 0.30   | 0.10–0.50 | 0.14–0.46 | 0.50 0.10 0.30      |');
  });
});

describe('stepMsForRun', () => {
  it('spreads the measured runs evenly between 1.1 and 1.9 times the base step', () => {
    expect([1, 2, 3, 4, 5].map((run) => stepMsForRun(100, run, 5))).toEqual([110, 130, 150, 170, 190]);
  });
});
