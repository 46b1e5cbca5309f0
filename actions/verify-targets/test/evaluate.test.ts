// One poll's decision, on plain answers: what makes a target group, and the whole verification, pass or fail.
import { describe, expect, it } from '@jest/globals';
import type { TargetFacts } from '../src/aws.js';
import { evaluate, healthText, type Expectation } from '../src/evaluate.js';
import {
  CURRENT,
  LOG_ROUTER_DIGEST,
  NEW_DIGEST,
  OLD_DIGEST,
  PREVIOUS,
  WEB_TG,
  targetGroupArn,
  taskFacts,
} from './fixtures.js';

const ADMIN_TG = targetGroupArn('admin-tg');

function expectation(overrides: Partial<Expectation> = {}): Expectation {
  return {
    taskDefinitionArn: CURRENT,
    expectedDigests: { kind: 'single', digest: NEW_DIGEST },
    required: 2,
    containerByTargetGroup: new Map([
      [WEB_TG, 'web'],
      [ADMIN_TG, 'web'],
    ]),
    owner: 'service web',
    ...overrides,
  };
}

const healthy = (n: number): TargetFacts => ({ id: `10.0.1.${n}`, port: 8080, state: 'healthy' });

describe('evaluate', () => {
  it('verifies only when every target group passes: one healthy group of two is not enough', () => {
    const tasks = [taskFacts(1), taskFacts(2)];
    const result = evaluate(
      expectation(),
      [
        { arn: WEB_TG, targets: [healthy(1), healthy(2)] },
        { arn: ADMIN_TG, targets: [healthy(1)] },
      ],
      tasks,
    );

    expect(result.verified).toBe(false);
    expect(result.targetGroups.map((group) => [group.name, group.ok, group.problem])).toEqual([
      ['web-tg', true, null],
      ['admin-tg', false, '1 of 2 required tasks healthy and verified'],
    ]);
  });

  it("reports the digest of the target group's own container, not a sidecar's", () => {
    const containers = [
      { name: 'log_router', image: 'fluent-bit', imageDigest: LOG_ROUTER_DIGEST },
      { name: 'web', image: 'web', imageDigest: NEW_DIGEST },
    ];
    const result = evaluate(
      expectation({ required: 1 }),
      [{ arn: WEB_TG, targets: [healthy(1)] }],
      [taskFacts(1, { containers })],
    );

    expect(result.targets[0]).toMatchObject({ digest: NEW_DIGEST, problem: null });
  });

  it('reports the only container when the target group names none, and no digest when it cannot tell which', () => {
    const noContainer = expectation({ required: 1, containerByTargetGroup: new Map(), expectedDigests: undefined });
    const one = evaluate(noContainer, [{ arn: WEB_TG, targets: [healthy(1)] }], [taskFacts(1)]);
    const two = evaluate(
      noContainer,
      [{ arn: WEB_TG, targets: [healthy(2)] }],
      [
        taskFacts(2, {
          containers: [
            { name: 'web', image: 'web', imageDigest: NEW_DIGEST },
            { name: 'worker', image: 'web', imageDigest: OLD_DIGEST },
          ],
        }),
      ],
    );

    expect(one.targets[0]!.digest).toBe(NEW_DIGEST);
    expect(two.targets[0]!.digest).toBeNull();
  });

  it("describes an unhealthy target of another revision with its health and its task's problem", () => {
    const result = evaluate(
      expectation({ required: 1 }),
      [
        {
          arn: WEB_TG,
          targets: [{ ...healthy(1), state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' }],
        },
      ],
      [taskFacts(1, { taskDefinitionArn: PREVIOUS })],
    );

    expect(result.targets[0]!.problem).toBe(
      'unhealthy (Target.Timeout: Request timed out); runs web:41, expected web:42',
    );
  });

  it('names how many unverified targets still receive traffic, one and more', () => {
    const old = (n: number) => taskFacts(n, { taskDefinitionArn: PREVIOUS });
    const groups = (count: number) => [
      { arn: WEB_TG, targets: [healthy(1), healthy(2), ...[3, 4].slice(0, count).map(healthy)] },
    ];
    const tasks = [taskFacts(1), taskFacts(2), old(3), old(4)];

    expect(evaluate(expectation(), groups(1), tasks).targetGroups[0]!.problem).toBe(
      '2 of 2 required tasks healthy and verified; 1 unverified target still receives traffic',
    );
    expect(evaluate(expectation(), groups(2), tasks).targetGroups[0]!.problem).toBe(
      '2 of 2 required tasks healthy and verified; 2 unverified targets still receive traffic',
    );
  });
});

describe('healthText', () => {
  it('gives the state alone, with its reason, and with its reason and description', () => {
    expect(healthText({ state: 'healthy', reason: null, description: null })).toBe('healthy');
    expect(healthText({ state: 'initial', reason: 'Elb.RegistrationInProgress', description: null })).toBe(
      'initial (Elb.RegistrationInProgress)',
    );
    expect(healthText({ state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'codes: [503]' })).toBe(
      'unhealthy (Target.ResponseCodeMismatch: codes: [503])',
    );
  });
});
