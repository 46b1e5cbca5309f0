import { afterEach, describe, expect, it } from '@jest/globals';
import { DescribeServiceRevisionsCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { sampleImageUri, SAMPLE_IMAGE_DIGEST, startLoopbackAws, type LoopbackAws } from '../src/index.js';
import { clientsFor, deployNewRevision, describeService, settled, waitForService } from './clients.js';

const CLUSTER = 'demo-dev';

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

describe('DescribeServiceRevisions', () => {
  it("describes each service deployment's target revision: task definition and resolved image digests", async () => {
    aws = await startLoopbackAws({ stepMs: 10, throttle: false });
    const { ecs } = clientsFor(aws);
    const seeded = (await describeService(ecs, CLUSTER)).taskDefinition;
    const deployed = await deployNewRevision(aws, ecs);
    await waitForService(ecs, CLUSTER, (service) => settled(service) && service.taskDefinition === deployed);

    const { serviceDeployments } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'sample-service' }),
    );
    const arns = serviceDeployments!.map((entry) => entry.targetServiceRevisionArn!);
    const { serviceRevisions, failures } = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns }),
    );

    expect(failures).toEqual([]);
    expect(serviceRevisions!.map((revision) => revision.taskDefinition)).toEqual([deployed, seeded]);
    const [live] = serviceRevisions!;
    expect(live).toMatchObject({
      serviceRevisionArn: arns[0],
      serviceArn: `arn:aws:ecs:${aws.region}:${aws.accountId}:service/${CLUSTER}/sample-service`,
      clusterArn: `arn:aws:ecs:${aws.region}:${aws.accountId}:cluster/${CLUSTER}`,
      launchType: 'FARGATE',
      containerImages: [
        { containerName: 'web', image: sampleImageUri(aws.accountId, aws.region), imageDigest: SAMPLE_IMAGE_DIGEST },
      ],
    });
    expect(arns[0]).toMatch(/:service-revision\/demo-dev\/sample-service\/\d{19}$/);
    expect(live!.createdAt).toBeInstanceOf(Date);
  });

  it('reports an unknown ARN as a failure and refuses more than 20', async () => {
    aws = await startLoopbackAws({ stepMs: 10, throttle: false });
    const { ecs } = clientsFor(aws);
    const unknown = `arn:aws:ecs:${aws.region}:${aws.accountId}:service-revision/${CLUSTER}/sample-service/1`;

    await expect(
      ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [unknown] })),
    ).resolves.toMatchObject({ serviceRevisions: [], failures: [{ arn: unknown, reason: 'MISSING' }] });
    await expect(
      ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: Array(21).fill(unknown) })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [] }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});
