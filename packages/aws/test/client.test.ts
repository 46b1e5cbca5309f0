import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isUserError } from '@ecs-actions/action-kit';
import { createAwsClient, isAwsAuthError, isAwsError, isTransientAwsError, resolveRegion } from '../src/index.js';

const saved = { ...process.env };
beforeEach(() => {
  for (const key of [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_ECS',
    'GITHUB_ACTION_REF',
  ]) {
    delete process.env[key];
  }
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
});
afterEach(() => {
  process.env = { ...saved };
  expect(nock.pendingMocks()).toEqual([]);
});

describe('resolveRegion', () => {
  it('prefers the input over AWS_REGION and AWS_DEFAULT_REGION', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('eu-west-1');
  });
  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-east-1');
    expect(resolveRegion('', { AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
  });
  it('fails clearly when no region is set', () => {
    expect(() => resolveRegion(undefined, {})).toThrow(
      /No AWS region: set the input 'region', or AWS_REGION \/ AWS_DEFAULT_REGION/,
    );
  });
  it('rejects a malformed region naming its source', () => {
    expect(() => resolveRegion('Ireland', {})).toThrow(
      `Input 'region': "Ireland" is not an AWS region; expected a region code such as eu-west-1`,
    );
    expect(() => resolveRegion(undefined, { AWS_REGION: 'eu west 1' })).toThrow(
      /Environment variable AWS_REGION: "eu west 1"/,
    );
  });
});

function ecsReply(status: number, body: object) {
  return nock('https://ecs.eu-west-1.amazonaws.com')
    .post('/')
    .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.DescribeServices')
    .reply(status, body, { 'content-type': 'application/x-amz-json-1.1' });
}

describe('createAwsClient', () => {
  it('sends the ecs-actions user agent to the region from the input', async () => {
    process.env.GITHUB_ACTION_REF = 'v1';
    nock('https://ecs.eu-west-1.amazonaws.com')
      .post('/', { cluster: 'prod', services: ['web'] })
      .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.DescribeServices')
      .matchHeader('user-agent', /ecs-actions\/deploy-ecs\/v1/)
      .reply(200, { services: [], failures: [] });
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));
  });

  it('leaves AWS_ENDPOINT_URL_ECS working', async () => {
    process.env.AWS_ENDPOINT_URL_ECS = 'http://127.0.0.1:4599';
    nock('http://127.0.0.1:4599').post('/').reply(200, { services: [], failures: [] });
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    await expect(ecs.send(new DescribeServicesCommand({ services: ['web'] }))).resolves.toMatchObject({ services: [] });
  });

  it('leaves AWS_ENDPOINT_URL working for every service', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4598';
    nock('http://127.0.0.1:4598')
      .post('/', /Action=GetCallerIdentity/)
      .reply(
        200,
        '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>',
        { 'content-type': 'text/xml' },
      );
    const sts = createAwsClient(STSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: '123456789012' });
  });

  it('retries throttling with back-off and then succeeds', async () => {
    ecsReply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    ecsReply(200, { services: [], failures: [] });
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    await expect(ecs.send(new DescribeServicesCommand({ services: ['web'] }))).resolves.toMatchObject({ services: [] });
  });

  it('limits its send rate after a throttle (adaptive retries) unless retryMode is standard', async () => {
    const adaptive = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    const standard = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs', retryMode: 'standard' });
    expect(await adaptive.config.retryStrategy()).toMatchObject({ mode: 'adaptive', rateLimiter: expect.anything() });
    expect(await standard.config.retryStrategy()).toMatchObject({ mode: 'standard' });
    expect(await standard.config.retryStrategy()).not.toHaveProperty('rateLimiter');
  });

  it('has no client-side rate limiter with one attempt per call, whose caller backs off itself', async () => {
    // As deploy-ecs makes its pollEcs: the limiter would sleep on the real clock, outside its deadline and back-off.
    const oneAttempt = createAwsClient(ECSClient, {
      region: 'eu-west-1',
      action: 'deploy-ecs',
      signal: () => undefined,
      timeouts: {},
      maxAttempts: 1,
    });
    const strategy = await oneAttempt.config.retryStrategy();
    expect(strategy).toMatchObject({ mode: 'standard' });
    expect(strategy).not.toHaveProperty('rateLimiter');
  });

  it('gives up after the bounded number of attempts with a transient error', async () => {
    for (let i = 0; i < 2; i++) ecsReply(503, { __type: 'ServerException', message: 'try later' });
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs', maxAttempts: 2 });
    const error = await ecs.send(new DescribeServicesCommand({ services: ['web'] })).catch((e: unknown) => e);
    expect(isTransientAwsError(error)).toBe(true);
    expect(isUserError(error)).toBe(false);
  });
});

describe('requests AWS refuses', () => {
  it.each(['ClientException', 'InvalidParameterException'])(
    'turns %s into a user error quoting AWS, still recognisable by its code',
    async (code) => {
      ecsReply(400, { __type: code, message: 'Invalid setting for container.\n::add-mask::x' });
      const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
      const error = await ecs.send(new DescribeServicesCommand({ services: ['web'] })).catch((e: unknown) => e);
      expect(isUserError(error)).toBe(true);
      expect(isAwsError(error, code)).toBe(true);
      expect((error as Error).message).toBe(
        `ECS DescribeServices refused the request (${code}): AWS said: Invalid setting for container.\\n::add-mask::x`,
      );
    },
  );
});

describe('credential and permission errors', () => {
  it.each([
    [
      'ExpiredTokenException',
      /AWS credentials expired while calling ECS DescribeServices \(ExpiredTokenException\).*role-duration-seconds/,
    ],
    [
      'UnrecognizedClientException',
      /AWS rejected the credentials used for ECS DescribeServices \(UnrecognizedClientException\)/,
    ],
    ['InvalidSignatureException', /AWS rejected the credentials used for ECS DescribeServices/],
    [
      'AccessDeniedException',
      /Access denied calling ECS DescribeServices \(AccessDeniedException\): the role needs IAM permission ecs:DescribeServices/,
    ],
  ])('translates %s from a JSON API into one user error, without retrying', async (code, expected) => {
    ecsReply(400, {
      __type: code,
      message: 'User: arn:aws:sts::1:assumed-role/deploy/AKIAIOSFODNN7EXAMPLE is not authorized',
    });
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    const error = await ecs.send(new DescribeServicesCommand({ services: ['web'] })).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect(isAwsAuthError(error)).toBe(true);
    expect(isTransientAwsError(error)).toBe(false);
    expect((error as Error).message).toMatch(expected);
    expect((error as Error).message).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it.each([
    ['ExpiredToken', /AWS credentials expired while calling STS GetCallerIdentity/],
    ['InvalidClientTokenId', /AWS rejected the credentials used for STS GetCallerIdentity \(InvalidClientTokenId\)/],
    [
      'AccessDenied',
      /Access denied calling STS GetCallerIdentity \(AccessDenied\): the role needs IAM permission sts:GetCallerIdentity/,
    ],
  ])('translates %s from a query API', async (code, expected) => {
    nock('https://sts.eu-west-1.amazonaws.com')
      .post('/')
      .reply(
        403,
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>no</Message></Error></ErrorResponse>`,
        {
          'content-type': 'text/xml',
        },
      );
    const sts = createAwsClient(STSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    const error = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect(isAwsAuthError(error)).toBe(true);
    expect((error as Error).message).toMatch(expected);
  });

  it('names the elasticloadbalancing IAM action for ELBv2 calls', async () => {
    nock('https://elasticloadbalancing.eu-west-1.amazonaws.com')
      .post('/')
      .reply(
        403,
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>',
        {
          'content-type': 'text/xml',
        },
      );
    const elb = createAwsClient(ElasticLoadBalancingV2Client, { region: 'eu-west-1', action: 'verify-targets' });
    const error = await elb
      .send(new DescribeTargetHealthCommand({ TargetGroupArn: 'arn:tg' }))
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/IAM permission elasticloadbalancing:DescribeTargetHealth/);
  });

  it('explains missing credentials', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const ecs = createAwsClient(ECSClient, { region: 'eu-west-1', action: 'deploy-ecs' });
    const error = await ecs.send(new DescribeServicesCommand({ services: ['web'] })).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/No AWS credentials were found for ECS DescribeServices/);
  });
});
