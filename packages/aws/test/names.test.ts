import { describe, expect, it } from '@jest/globals';
import { checkEcsNameOrArn } from '../src/index.js';

describe('checkEcsNameOrArn', () => {
  it.each([
    ['cluster', 'prod_eu-1'],
    ['cluster', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod'],
    ['service', 'web'],
    ['service', 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web'],
    ['service', 'arn:aws:ecs:eu-west-1:123456789012:service/web'],
    ['service', 'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:service/prod/web'],
  ] as const)('accepts the %s %s', (kind, value) => {
    expect(checkEcsNameOrArn(kind, value, kind)).toBe(value);
  });

  it('rejects a name with a space, naming the input and both forms', () => {
    expect(() => checkEcsNameOrArn('cluster', 'prod cluster', 'cluster')).toThrow(
      `Input 'cluster': "prod cluster" is not a cluster name or ARN; expected up to 255 letters, digits, hyphens ` +
        'and underscores, or arn:aws:ecs:<region>:<account>:cluster/<name>',
    );
  });

  it('rejects a cluster ARN given as the service', () => {
    expect(() => checkEcsNameOrArn('service', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod', 'service')).toThrow(
      `Input 'service': "arn:aws:ecs:eu-west-1:123456789012:cluster/prod" is not a service name or ARN; expected ` +
        'up to 255 letters, digits, hyphens and underscores, or arn:aws:ecs:<region>:<account>:service/<cluster>/<name>',
    );
  });

  it('rejects a name longer than 255 characters', () => {
    expect(() => checkEcsNameOrArn('service', 'w'.repeat(256), 'service')).toThrow('is not a service name or ARN');
  });
});
