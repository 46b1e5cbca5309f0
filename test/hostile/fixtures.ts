import { startLoopbackAws, type LoopbackAws } from '@ecs-actions/loopback-aws';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expectRefused, type HostileCase } from './harness.js';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '999999999999';
export const REGION = 'eu-west-1';
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/sample-service@${DIGEST}`;

/** A Fargate task definition ECS accepts, to be spoiled one field at a time. */
export function taskDefinition(overrides: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return {
    family: 'sample-service-dev',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/sample-service-execution`,
    containerDefinitions: [
      { name: 'web', image: IMAGE, essential: true, portMappings: [{ containerPort: 3000 }], ...container },
    ],
    ...overrides,
  };
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** JSON nested `depth` lists deep inside a task definition's container. */
export function deepJson(depth: number): string {
  return json(taskDefinition()).replace('"essential": true', `"essential": ${'['.repeat(depth)}${']'.repeat(depth)}`);
}

/** A YAML "billion laughs": nine levels of nine aliases each. */
export function aliasBomb(top: string): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level <= 9; level++) {
    const previous = `*a${level - 1}`;
    lines.push(`a${level}: &a${level} [${Array(9).fill(previous).join(', ')}]`);
  }
  lines.push(`${top}: *a9`);
  return `${lines.join('\n')}\n`;
}

/** One loopback AWS for the file's cases, seeded with the demo world (demo-dev/sample-service). */
export function useLoopback(): { readonly aws: LoopbackAws } {
  const holder: { aws?: LoopbackAws } = {};
  beforeAll(async () => {
    holder.aws = await startLoopbackAws({ stepMs: 100 });
  });
  afterAll(() => holder.aws?.close());
  return {
    get aws() {
      return holder.aws!;
    },
  };
}

/** One table of a class: each case runs through its action's entry point and must be refused cleanly. */
export function describeRefusals(title: string, cases: HostileCase[]): void {
  describe(title, () => {
    const loopback = useLoopback();
    it.each(cases.map((hostile) => [`${hostile.action}: ${hostile.name}`, hostile] as const))(
      '%s',
      async (_, hostile) => {
        await expectRefused(loopback.aws, hostile);
      },
    );
  });
}
