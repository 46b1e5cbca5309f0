import type { DescribeServiceRevisionsRequest } from '@aws-sdk/client-ecs';
import { AwsError } from './errors.js';
import type { ServiceRecord, TaskDefinitionRecord, World } from './world.js';

/**
 * Service revisions (DescribeServiceRevisions): what a service deployment put live, fixed when it started. ECS
 * resolves each container's image to a digest at that point, so a revision says what ran even after the tag moved.
 */
export interface ServiceRevisionRecord {
  arn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerImages: Array<{ containerName: string; image: string; imageDigest: string }>;
  createdAt: number;
  service: ServiceRecord;
}

/** Keeps the revision a deployment runs; a deployment that reuses a revision (a rollback) changes nothing. */
export function recordServiceRevision(
  world: World,
  service: ServiceRecord,
  arn: string,
  taskDefinition: TaskDefinitionRecord,
  at: number,
): ServiceRevisionRecord {
  const known = world.serviceRevisions.get(arn);
  if (known) return known;
  const containers = taskDefinition.definition.containerDefinitions as Array<{ name: string; image: string }>;
  const record: ServiceRevisionRecord = {
    arn,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    taskDefinitionArn: taskDefinition.arn,
    containerImages: containers.map((container) => ({
      containerName: container.name,
      image: container.image,
      imageDigest: world.digestOf(container.image),
    })),
    createdAt: at,
    service,
  };
  world.serviceRevisions.set(arn, record);
  return record;
}

const seconds = (ms: number): number => ms / 1000;

function serviceRevisionShape(record: ServiceRevisionRecord) {
  const { service } = record;
  return {
    serviceRevisionArn: record.arn,
    serviceArn: record.serviceArn,
    clusterArn: record.clusterArn,
    taskDefinition: record.taskDefinitionArn,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    loadBalancers: service.loadBalancers.map(({ targetGroupArn, containerName, containerPort }) => ({
      targetGroupArn,
      containerName,
      containerPort,
    })),
    serviceRegistries: [],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: service.subnets,
        securityGroups: service.securityGroups,
        assignPublicIp: 'DISABLED',
      },
    },
    containerImages: record.containerImages,
    guardDutyEnabled: false,
    createdAt: seconds(record.createdAt),
  };
}

function DescribeServiceRevisions(world: World, input: DescribeServiceRevisionsRequest) {
  const arns = input.serviceRevisionArns ?? [];
  if (arns.length === 0 || arns.length > 20) {
    throw new AwsError('InvalidParameterException', 'serviceRevisionArns must contain between 1 and 20 ARNs.');
  }
  const found = arns.map((arn) => [arn, world.serviceRevisions.get(arn)] as const);
  return {
    serviceRevisions: found.flatMap(([, record]) => (record ? [serviceRevisionShape(record)] : [])),
    failures: found.filter(([, record]) => !record).map(([arn]) => ({ arn, reason: 'MISSING' })),
  };
}

export const SERVICE_REVISION_OPERATIONS = { DescribeServiceRevisions };
