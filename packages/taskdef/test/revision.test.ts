import { describe, expect, it } from '@jest/globals';
import { familyOf, isTaskDefinitionArn, parseRevisionReference, revisionLabel } from '../src/index.js';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web-api_v2:42';

describe('parseRevisionReference', () => {
  it('reads the family, revision, partition, region and account of a task definition ARN', () => {
    expect(parseRevisionReference(ARN)).toEqual({
      family: 'web-api_v2',
      revision: 42,
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
    });
  });

  it('reads the partition of a GovCloud or China ARN', () => {
    expect(parseRevisionReference('arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/web:1')).toMatchObject(
      { partition: 'aws-us-gov', region: 'us-gov-west-1' },
    );
    expect(parseRevisionReference('arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:1')?.partition).toBe(
      'aws-cn',
    );
  });

  it('reads family:revision without partition, region or account', () => {
    expect(parseRevisionReference('web:7')).toEqual({
      family: 'web',
      revision: 7,
      partition: undefined,
      region: undefined,
      account: undefined,
    });
  });

  it.each([
    ['a bare family', 'web'],
    ['revision 0', 'web:0'],
    ['a leading zero', 'web:07'],
    ['a family with a dot', 'web.api:3'],
    ['a family longer than 255 characters', `${'a'.repeat(256)}:1`],
    ['an ARN without a revision', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web'],
    ['an ARN with a short account id', 'arn:aws:ecs:eu-west-1:1234:task-definition/web:1'],
    ['a service ARN', 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web'],
    ['a file path', './task-definition.json'],
  ])('rejects %s', (_, value) => {
    expect(parseRevisionReference(value)).toBeUndefined();
  });
});

describe('isTaskDefinitionArn', () => {
  it('is true for an ARN with a revision and false for family:revision', () => {
    expect(isTaskDefinitionArn(ARN)).toBe(true);
    expect(isTaskDefinitionArn('web:42')).toBe(false);
    expect(isTaskDefinitionArn('arn:aws:ecs:eu-west-1:123456789012:task-definition/web')).toBe(false);
  });
});

describe('revisionLabel', () => {
  it('shortens an ARN to family:revision', () => {
    expect(revisionLabel(ARN)).toBe('web-api_v2:42');
  });

  it('keeps a family:revision as it is', () => {
    expect(revisionLabel('web:42')).toBe('web:42');
  });

  it('says none when there is no task definition', () => {
    expect(revisionLabel(undefined)).toBe('none');
    expect(revisionLabel('')).toBe('none');
  });
});

describe('familyOf', () => {
  it('takes the family from an ARN or a family:revision', () => {
    expect(familyOf(ARN)).toBe('web-api_v2');
    expect(familyOf('web:42')).toBe('web');
  });
});
