import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createAwsClient } from '@ecs-actions/aws';
import { listRunningTasks } from '../src/aws.js';
import { ecs, numberedTaskId, taskArn, taskJson, useTestAwsEnvironment } from './fixtures.js';

let restoreEnvironment: () => void;

beforeEach(() => {
  restoreEnvironment = useTestAwsEnvironment();
});
afterEach(() => {
  restoreEnvironment();
  expect(nock.pendingMocks()).toEqual([]);
});

/** A task id of 32 hex digits and an address, both from its number. */
function task(n: number): { id: string; ip: string } {
  return { id: numberedTaskId(n), ip: `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}` };
}

describe('listRunningTasks', () => {
  it('reads every page of ListTasks and describes the tasks 100 at a time', async () => {
    const tasks = Array.from({ length: 205 }, (_, n) => task(n + 1));
    const arns = tasks.map((each) => taskArn(each.id));
    const list = { cluster: 'prod', serviceName: 'web', desiredStatus: 'RUNNING' };
    ecs('ListTasks', list, { taskArns: arns.slice(0, 100), nextToken: 'page-2' });
    ecs('ListTasks', { ...list, nextToken: 'page-2' }, { taskArns: arns.slice(100) });
    for (const start of [0, 100, 200]) {
      const chunk = tasks.slice(start, start + 100);
      ecs(
        'DescribeTasks',
        { cluster: 'prod', tasks: chunk.map((each) => taskArn(each.id)) },
        { tasks: chunk.map(taskJson), failures: [] },
      );
    }

    const found = await listRunningTasks(createAwsClient(ECSClient, { action: 'verify-targets' }), 'prod', {
      serviceName: 'web',
    });

    expect(found.map((each) => each.arn)).toEqual(arns);
    expect(found.at(-1)).toMatchObject({ lastStatus: 'RUNNING', addresses: [tasks.at(-1)!.ip] });
  });
});
