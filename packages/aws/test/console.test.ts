import { describe, expect, it } from '@jest/globals';
import { ecsServiceConsoleUrl, ecsTaskDefinitionConsoleUrl, shortName } from '../src/index.js';

describe('ECS console links', () => {
  it('point at a service tab in the region, also when cluster and service are ARNs', () => {
    expect(
      ecsServiceConsoleUrl(
        'eu-west-1',
        'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
        'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
        'deployments',
      ),
    ).toBe('https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments?region=eu-west-1');
  });

  it('use the console host of GovCloud and China', () => {
    expect(ecsServiceConsoleUrl('us-gov-west-1', 'prod', 'web', 'health')).toBe(
      'https://us-gov-west-1.console.amazonaws-us-gov.com/ecs/v2/clusters/prod/services/web/health?region=us-gov-west-1',
    );
    expect(ecsTaskDefinitionConsoleUrl('cn-north-1', 'web', 42)).toBe(
      'https://cn-north-1.console.amazonaws.cn/ecs/v2/task-definitions/web/42?region=cn-north-1',
    );
  });

  it('point at a task definition revision', () => {
    expect(ecsTaskDefinitionConsoleUrl('eu-west-1', 'web', 42)).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/task-definitions/web/42?region=eu-west-1',
    );
  });
});

describe('shortName', () => {
  it('takes the last part of an ARN and keeps a plain name', () => {
    expect(shortName('arn:aws:ecs:eu-west-1:123456789012:service/prod/web')).toBe('web');
    expect(shortName('web')).toBe('web');
  });
});
