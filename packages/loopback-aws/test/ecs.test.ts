import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  SAMPLE_CONTAINER,
  SAMPLE_IMAGE_DIGEST,
  sampleImageUri,
  startLoopbackAws,
  type LoopbackAws,
} from '../src/index.js';
import { clientsFor } from './clients.js';

let aws: LoopbackAws;
let ecs: ReturnType<typeof clientsFor>['ecs'];
beforeAll(async () => {
  aws = await startLoopbackAws({ stepMs: 20 });
  ecs = clientsFor(aws).ecs;
});
afterAll(() => aws.close());

const minimal = (family: string) => ({
  family,
  networkMode: 'awsvpc' as const,
  requiresCompatibilities: ['FARGATE' as const],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: sampleImageUri(), portMappings: [{ containerPort: 8080 }] }],
});

describe('task definitions', () => {
  it('registers revisions per family with ARN, status, registeredAt and ECS defaults', async () => {
    const first = await ecs.send(new RegisterTaskDefinitionCommand(minimal('api-test')));
    const second = await ecs.send(
      new RegisterTaskDefinitionCommand({ ...minimal('api-test'), tags: [{ key: 'team', value: 'payments' }] }),
    );
    expect(first.taskDefinition!.taskDefinitionArn).toBe(
      'arn:aws:ecs:eu-west-1:123456789012:task-definition/api-test:1',
    );
    expect(second.taskDefinition).toMatchObject({
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api-test:2',
      family: 'api-test',
      revision: 2,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      registeredBy: 'arn:aws:sts::123456789012:assumed-role/ecs-actions-deploy/GitHubActions',
    });
    expect(second.taskDefinition!.registeredAt).toBeInstanceOf(Date);
    expect(second.taskDefinition!.containerDefinitions![0]).toMatchObject({
      essential: true,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
    });
    expect(second.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  it('describes by family (latest), family:revision or ARN, with tags only when asked', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({ ...minimal('describe-test'), tags: [{ key: 'a', value: '1' }] }),
    );
    await ecs.send(new RegisterTaskDefinitionCommand(minimal('describe-test')));
    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'describe-test' }));
    expect(latest.taskDefinition!.revision).toBe(2);
    expect(latest.tags).toBeUndefined();
    const first = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'describe-test:1', include: ['TAGS'] }),
    );
    expect(first.tags).toEqual([{ key: 'a', value: '1' }]);
    const byArn = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: first.taskDefinition!.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition!.revision).toBe(1);
  });

  it('keeps every field of the registered input, so that a described definition can be registered again', async () => {
    const { taskDefinition, tags } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'sample-service-staging', include: ['TAGS'] }),
    );
    expect(taskDefinition).toMatchObject({
      executionRoleArn: 'arn:aws:iam::123456789012:role/sample-service-execution',
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
    });
    expect(taskDefinition!.containerDefinitions![0].logConfiguration!.options).toMatchObject({
      'awslogs-group': '/ecs/sample-service-staging',
    });
    expect(tags).toEqual([
      { key: 'service', value: 'sample-service' },
      { key: 'environment', value: 'staging' },
    ]);
  });

  it('answers ClientException for a task definition that does not exist', async () => {
    await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:7' }))).rejects.toMatchObject({
      name: 'ClientException',
      message: 'Unable to describe task definition.',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('lists a family newest first with DESC and pages with nextToken', async () => {
    for (let i = 0; i < 3; i++) await ecs.send(new RegisterTaskDefinitionCommand(minimal('list-test')));
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'list-test', sort: 'DESC' }));
    expect(desc.taskDefinitionArns!.map((arn) => arn.split('/')[1])).toEqual([
      'list-test:3',
      'list-test:2',
      'list-test:1',
    ]);
    const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'list-test', maxResults: 2 }));
    expect(page.taskDefinitionArns!.map((arn) => arn.split('/')[1])).toEqual(['list-test:1', 'list-test:2']);
    const rest = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'list-test', maxResults: 2, nextToken: page.nextToken }),
    );
    expect(rest.taskDefinitionArns!.map((arn) => arn.split('/')[1])).toEqual(['list-test:3']);
    expect(rest.nextToken).toBeUndefined();
  });

  it.each([
    [{ ...minimal('bad'), networkMode: 'bridge' as const }, "Fargate only supports network mode 'awsvpc'."],
    [{ ...minimal('bad'), cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
    [{ ...minimal('bad'), memory: '4096' }, 'No Fargate configuration exists for given values: 256 CPU, 4096 memory.'],
    [
      { ...minimal('bad'), containerDefinitions: [{ name: 'web', image: '' }] },
      'Container.image should not be null or empty.',
    ],
    [{ ...minimal('bad'), containerDefinitions: [] }, 'Container list cannot be empty.'],
  ])('rejects an invalid definition with ClientException: %#', async (input, message) => {
    await expect(ecs.send(new RegisterTaskDefinitionCommand(input))).rejects.toMatchObject({
      name: 'ClientException',
      message,
    });
  });
});

describe('services', () => {
  it('describes the seeded service as real ECS shapes it', async () => {
    const { services, failures } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'demo-prod', services: ['sample-service'] }),
    );
    expect(failures).toEqual([]);
    const [service] = services!;
    expect(service).toMatchObject({
      serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/demo-prod/sample-service',
      clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/demo-prod',
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-prod:1',
      deploymentController: { type: 'ECS' },
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      loadBalancers: [
        {
          targetGroupArn: expect.stringMatching(
            /^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/sample-service-prod\/[0-9a-f]{16}$/,
          ),
          containerName: 'web',
          containerPort: 3000,
        },
      ],
    });
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments![0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 });
    expect(service.deployments![0].createdAt).toBeInstanceOf(Date);
    expect(service.events![0]).toMatchObject({ message: '(service sample-service) has reached a steady state.' });
    expect(service.events![0].id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists a missing service under failures, as ECS does', async () => {
    const { services, failures } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'demo-prod', services: ['ghost'] }),
    );
    expect(services).toEqual([]);
    expect(failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:123456789012:service/demo-prod/ghost', reason: 'MISSING' },
    ]);
  });

  it('answers ClusterNotFoundException for an unknown cluster', async () => {
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'nowhere', services: ['sample-service'] })),
    ).rejects.toMatchObject({ name: 'ClusterNotFoundException', message: 'Cluster not found.' });
  });

  it('answers ServiceNotFoundException when updating an unknown service', async () => {
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'demo-prod', service: 'ghost', forceNewDeployment: true })),
    ).rejects.toMatchObject({ name: 'ServiceNotFoundException', message: 'Service not found.' });
  });

  it('answers ClientException when updating to a task definition that does not exist', async () => {
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'demo-prod', service: 'sample-service', taskDefinition: 'x:9' })),
    ).rejects.toMatchObject({ name: 'ClientException', message: 'TaskDefinition not found.' });
  });

  it('answers InvalidParameterException for a negative desired count', async () => {
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'demo-prod', service: 'sample-service', desiredCount: -1 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('starts a new deployment on the same task definition with forceNewDeployment', async () => {
    const { service } = await ecs.send(
      new UpdateServiceCommand({ cluster: 'demo-staging', service: 'sample-service', forceNewDeployment: true }),
    );
    expect(service!.deployments!.map((d) => [d.status, d.taskDefinition!.split('/')[1]])).toEqual([
      ['PRIMARY', 'sample-service-staging:1'],
      ['ACTIVE', 'sample-service-staging:1'],
    ]);
  });
});

describe('tasks', () => {
  it('lists the running tasks of a service and describes them with ENI address and digest', async () => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'demo-prod', serviceName: 'sample-service' }));
    expect(taskArns).toHaveLength(2);
    expect(taskArns![0]).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task\/demo-prod\/[0-9a-f]{32}$/);
    const { tasks, failures } = await ecs.send(new DescribeTasksCommand({ cluster: 'demo-prod', tasks: taskArns }));
    expect(failures).toEqual([]);
    const [task] = tasks!;
    expect(task).toMatchObject({
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      group: 'service:sample-service',
      startedBy: expect.stringMatching(/^ecs-svc\/\d{19}$/),
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/sample-service-prod:1',
    });
    expect(task.containers![0]).toMatchObject({
      name: SAMPLE_CONTAINER,
      image: sampleImageUri(),
      imageDigest: SAMPLE_IMAGE_DIGEST,
      lastStatus: 'RUNNING',
    });
    const eni = task.attachments![0];
    expect(eni.type).toBe('ElasticNetworkInterface');
    expect(eni.details).toContainEqual({
      name: 'privateIPv4Address',
      value: expect.stringMatching(/^10\.0\.\d+\.\d+$/),
    });
    expect(task.startedAt).toBeInstanceOf(Date);
  });

  it('filters by startedBy and desiredStatus, and reports unknown tasks as MISSING', async () => {
    const { taskArns } = await ecs.send(
      new ListTasksCommand({ cluster: 'demo-prod', serviceName: 'sample-service', startedBy: 'ecs-svc/0' }),
    );
    expect(taskArns).toEqual([]);
    const stopped = await ecs.send(
      new ListTasksCommand({ cluster: 'demo-prod', serviceName: 'sample-service', desiredStatus: 'STOPPED' }),
    );
    expect(stopped.taskArns).toEqual([]);
    const { tasks, failures } = await ecs.send(
      new DescribeTasksCommand({ cluster: 'demo-prod', tasks: ['0123456789abcdef0123456789abcdef'] }),
    );
    expect(tasks).toEqual([]);
    expect(failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:123456789012:task/demo-prod/0123456789abcdef0123456789abcdef', reason: 'MISSING' },
    ]);
  });

  it('answers ServiceNotFoundException when listing the tasks of an unknown service', async () => {
    await expect(ecs.send(new ListTasksCommand({ cluster: 'demo-prod', serviceName: 'ghost' }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
    });
  });
});
