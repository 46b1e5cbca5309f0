import {
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import { sampleImageUri, sampleTaskDefinition, type LoopbackAws } from '../src/index.js';

/** The real SDK clients, pointed at the loopback AWS as AWS_ENDPOINT_URL would point them. */
export function clientsFor(aws: LoopbackAws) {
  const config = {
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 2,
  };
  return {
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    sts: new STSClient(config),
  };
}

export async function describeService(ecs: ECSClient, cluster: string, service = 'sample-service'): Promise<Service> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return services![0];
}

/** Polls DescribeServices every 10 ms until `done` holds, for at most `timeoutMs`. */
export async function waitForService(
  ecs: ECSClient,
  cluster: string,
  done: (service: Service) => boolean,
  timeoutMs = 5_000,
): Promise<Service> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const service = await describeService(ecs, cluster);
    if (done(service)) return service;
    if (Date.now() > deadline) {
      throw new Error(`Service never reached the expected state: ${JSON.stringify(service.deployments, null, 1)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const settled = (service: Service): boolean =>
  service.deployments?.length === 1 && service.deployments[0].rolloutState === 'COMPLETED';

export const primaryOf = (service: Service): Deployment => service.deployments!.find((d) => d.status === 'PRIMARY')!;

/** Registers a new revision of sample-service-<environment> and deploys it; returns its ARN. */
export async function deployNewRevision(aws: LoopbackAws, ecs: ECSClient, environment = 'dev'): Promise<string> {
  const input = sampleTaskDefinition(aws.state, environment, sampleImageUri(aws.accountId, aws.region));
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(input as never));
  await ecs.send(
    new UpdateServiceCommand({
      cluster: `demo-${environment}`,
      service: 'sample-service',
      taskDefinition: taskDefinition!.taskDefinitionArn,
    }),
  );
  return taskDefinition!.taskDefinitionArn!;
}
