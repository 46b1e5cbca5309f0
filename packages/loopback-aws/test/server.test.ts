import { afterEach, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startLoopbackAws, type LoopbackAws } from '../src/index.js';
import { clientsFor } from './clients.js';

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

async function start(now?: () => number) {
  aws = await startLoopbackAws({ stepMs: 20, now });
  return { aws, ...clientsFor(aws) };
}

const DEV_TARGET_GROUP = (aws: LoopbackAws) =>
  [...aws.state.targetGroups.values()].find((group) => group.name === 'sample-service-dev')!.arn;

describe('STS', () => {
  it('answers GetCallerIdentity in XML with the deploy role', async () => {
    const { sts } = await start();
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:sts::123456789012:assumed-role/ecs-actions-deploy/GitHubActions',
      UserId: expect.stringMatching(/:GitHubActions$/),
    });
  });
});

describe('ELBv2', () => {
  it('describes the target health of a service target group', async () => {
    const { aws, elb } = await start();
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: DEV_TARGET_GROUP(aws) }),
    );
    expect(TargetHealthDescriptions).toHaveLength(2);
    expect(TargetHealthDescriptions![0]).toEqual({
      Target: {
        Id: expect.stringMatching(/^10\.0\./),
        Port: 3000,
        AvailabilityZone: expect.stringMatching(/^eu-west-1[abc]$/),
      },
      HealthCheckPort: '3000',
      TargetHealth: { State: 'healthy' },
    });
  });

  it('reports a target that is not registered as unused', async () => {
    const { aws, elb } = await start();
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: DEV_TARGET_GROUP(aws),
        Targets: [{ Id: '10.9.9.9', Port: 3000 }],
      }),
    );
    expect(TargetHealthDescriptions).toEqual([
      {
        Target: { Id: '10.9.9.9', Port: 3000 },
        HealthCheckPort: '3000',
        TargetHealth: {
          State: 'unused',
          Reason: 'Target.NotRegistered',
          Description: 'Target is not registered to the target group',
        },
      },
    ]);
  });

  it('answers TargetGroupNotFound in an XML error', async () => {
    const { elb } = await start();
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ghost/0123456789abcdef';
    await expect(elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
      message: `Target groups '${arn}' not found`,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('describes target groups by ARN and by name', async () => {
    const { aws, elb } = await start();
    const { TargetGroups } = await elb.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [DEV_TARGET_GROUP(aws)] }),
    );
    expect(TargetGroups).toEqual([
      expect.objectContaining({
        TargetGroupName: 'sample-service-dev',
        Port: 3000,
        Protocol: 'HTTP',
        TargetType: 'ip',
        HealthCheckPath: '/health',
        LoadBalancerArns: [expect.stringMatching(/:loadbalancer\/app\/demo-dev\//)],
      }),
    ]);
    const byName = await elb.send(new DescribeTargetGroupsCommand({ Names: ['sample-service-prod'] }));
    expect(byName.TargetGroups!.map((group) => group.TargetGroupName)).toEqual(['sample-service-prod']);
  });
});

describe('the endpoint', () => {
  it('serves every service through AWS_ENDPOINT_URL, as the bundled actions reach it', async () => {
    const { aws } = await start();
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    try {
      await new STSClient({}).send(new GetCallerIdentityCommand({}));
      await new ECSClient({}).send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] }));
      await new ECRClient({}).send(new DescribeImagesCommand({ repositoryName: 'sample-service' }));
      await new ElasticLoadBalancingV2Client({}).send(
        new DescribeTargetHealthCommand({ TargetGroupArn: DEV_TARGET_GROUP(aws) }),
      );
    } finally {
      process.env = saved;
    }
    expect(aws.requests.map(({ service, operation, status }) => `${service} ${operation} ${status}`)).toEqual([
      'sts GetCallerIdentity 200',
      'ecs DescribeServices 200',
      'ecr DescribeImages 200',
      'elasticloadbalancing DescribeTargetHealth 200',
    ]);
  });

  it('answers an operation it does not simulate with a 400 UnknownOperationException, never a hang', async () => {
    const { aws } = await start();
    const response = await fetch(aws.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'The loopback AWS does not simulate AmazonEC2ContainerServiceV20141113.CreateCluster.',
    });
  });

  it('answers a query action it does not simulate with an XML InvalidAction error', async () => {
    const { elb } = await start();
    await expect(elb.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: 'InvalidAction',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('records every request with its service, operation and time', async () => {
    const { aws, ecs, sts, elb } = await start();
    const before = Date.now();
    await sts.send(new GetCallerIdentityCommand({}));
    await ecs.send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] }));
    await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: DEV_TARGET_GROUP(aws) }));
    expect(aws.requests.map(({ service, operation, status }) => [service, operation, status])).toEqual([
      ['sts', 'GetCallerIdentity', 200],
      ['ecs', 'DescribeServices', 200],
      ['elasticloadbalancing', 'DescribeTargetHealth', 200],
    ]);
    expect(aws.requests[0].time).toBeGreaterThanOrEqual(before);
  });

  it("records the time on the loopback's clock when one is given, as the rollouts follow it", async () => {
    let now = Date.UTC(2026, 0, 1);
    const { aws, ecs } = await start(() => now);
    await ecs.send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] }));
    now += 1500;
    await ecs.send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] }));
    expect(aws.requests.map((request) => request.time)).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1500]);
  });
});

describe('failNext', () => {
  it('throttles one request, which the SDK retries', async () => {
    const { aws, ecs } = await start();
    aws.failNext('DescribeServices', { code: 'ThrottlingException', message: 'Rate exceeded' });
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] })),
    ).resolves.toMatchObject({ services: [expect.objectContaining({ serviceName: 'sample-service' })] });
    expect(aws.requests.map((request) => request.status)).toEqual([400, 200]);
  });

  it('answers ExpiredTokenException in the protocol of the service', async () => {
    const { aws, sts, ecs } = await start();
    aws.failNext('GetCallerIdentity', {
      code: 'ExpiredToken',
      status: 403,
      message: 'The security token included in the request is expired',
    });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken',
      $metadata: { httpStatusCode: 403 },
    });
    aws.failNext('DescribeServices', { code: 'ExpiredTokenException', status: 400, service: 'ecs' });
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] })),
    ).rejects.toMatchObject({ name: 'ExpiredTokenException' });
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: '123456789012' });
  });
});
