import { describe, expect, it } from '@jest/globals';
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { environmentStack, onlyResource } from './fixture.js';

/**
 * Ownership: the stack owns everything around the task definition, the pipeline owns its revisions. CloudFormation
 * sends every property of the service on each update of it (TaskDefinition included), so the stack must never name
 * a revision: it names the family, which ECS reads as the latest ACTIVE revision, the one the pipeline registered.
 * That holds only while no stack update registers a revision itself, so the bootstrap revision may not change.
 */
const bootstrapped = environmentStack().template;
// A later infrastructure update that changes every property an adopter tunes after the first deploy.
const updated = environmentStack({
  desiredCount: 4,
  minTasks: 2,
  maxTasks: 20,
  cpuTargetPercent: 50,
  memoryTargetPercent: 60,
  healthCheckGracePeriod: Duration.seconds(120),
  target5xxPerMinute: 20,
  logRetention: RetentionDays.ONE_YEAR,
  natGateways: 2,
  certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/99999999-2222-4333-8444-555555555555',
  domainName: 'orders.example.com',
  slackChannel: 'C0123456789',
  deletionProtection: false,
  secrets: {},
}).template;

describe('ownership of the running task definition', () => {
  it('names the family in the service, never a revision, so no update of the service can pin an older one', () => {
    const service = onlyResource(bootstrapped, 'AWS::ECS::Service').properties;
    expect(service.TaskDefinition).toBe('orders-dev');
    expect(onlyResource(updated, 'AWS::ECS::Service').properties.TaskDefinition).toBe('orders-dev');
  });

  it('registers its one bootstrap revision in that family, before it creates the service', () => {
    const bootstrap = onlyResource(bootstrapped, 'AWS::ECS::TaskDefinition');
    expect(bootstrap.properties.Family).toBe('orders-dev');
    const services = bootstrapped.findResources('AWS::ECS::Service') as Record<string, { DependsOn?: string[] }>;
    expect(Object.values(services)[0].DependsOn).toContain(bootstrap.logicalId);
  });

  it('leaves the bootstrap revision byte for byte as it was after a later infrastructure update', () => {
    const before = onlyResource(bootstrapped, 'AWS::ECS::TaskDefinition');
    const after = onlyResource(updated, 'AWS::ECS::TaskDefinition');
    // Same logical id and same properties: CloudFormation registers no new revision, so the latest ACTIVE
    // revision of the family stays the pipeline's.
    expect(after.logicalId).toBe(before.logicalId);
    expect(after.properties).toEqual(before.properties);
  });

  it('did change the service in that update, which is when CloudFormation sends its TaskDefinition again', () => {
    const before = onlyResource(bootstrapped, 'AWS::ECS::Service').properties;
    const after = onlyResource(updated, 'AWS::ECS::Service').properties;
    expect(after).not.toEqual(before);
    expect(after.DesiredCount).toBe(4);
  });

  it('runs the bootstrap image with a command that answers the health path, not the service image', () => {
    const [container] = onlyResource(bootstrapped, 'AWS::ECS::TaskDefinition').properties.ContainerDefinitions as Array<
      Record<string, unknown>
    >;
    expect(container).toMatchObject({
      Name: 'web',
      Image: 'public.ecr.aws/docker/library/node:24-alpine',
      Essential: true,
      PortMappings: [expect.objectContaining({ ContainerPort: 3000 })],
    });
    expect((container.Command as string[]).slice(0, 2)).toEqual(['node', '-e']);
    expect((container.Command as string[])[2]).toContain('"/health"');
    expect(container).not.toHaveProperty('Secrets');
    expect(container).not.toHaveProperty('Environment');
  });
});
