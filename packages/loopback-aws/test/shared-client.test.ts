import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { createAwsClient, isAwsAuthError, isTransientAwsError } from '@ecs-actions/aws';
import { startLoopbackAws, type LoopbackAws } from '../src/index.js';

/** The actions build their clients with createAwsClient and find the loopback AWS through AWS_ENDPOINT_URL. */

let aws: LoopbackAws;
const saved = { ...process.env };
beforeEach(async () => {
  aws = await startLoopbackAws({ stepMs: 20 });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
});
afterEach(async () => {
  process.env = { ...saved };
  await aws.close();
});

const describeDev = (ecs: ECSClient) =>
  ecs.send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] }));

describe('the shared AWS client against the loopback AWS', () => {
  it('turns an injected ExpiredTokenException into the translated credentials error', async () => {
    aws.failNext('DescribeServices', { code: 'ExpiredTokenException', message: 'The security token is expired' });
    const ecs = createAwsClient(ECSClient, { action: 'deploy-ecs' });
    const error = await describeDev(ecs).catch((caught: unknown) => caught);
    expect(isAwsAuthError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^AWS credentials expired while calling ECS DescribeServices/);
  });

  it('reports a 503 that outlasts the retries as transient', async () => {
    aws.failNext('DescribeServices', { code: 'ServiceUnavailableException', status: 503, times: 2 });
    const ecs = createAwsClient(ECSClient, { action: 'deploy-ecs', maxAttempts: 2 });
    const error = await describeDev(ecs).catch((caught: unknown) => caught);
    expect(isTransientAwsError(error)).toBe(true);
  });
});
