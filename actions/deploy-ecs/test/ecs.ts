// Typed fixtures for ECS and STS answered by nock through the real SDK clients.
import { ECSClient } from '@aws-sdk/client-ecs';
import { createAwsClient } from '@ecs-actions/aws';
import { afterEach, beforeEach, expect } from '@jest/globals';
import nock from 'nock';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const CLUSTER = 'prod';
export const SERVICE = 'web';
export const ECS_ENDPOINT = `https://ecs.${REGION}.amazonaws.com`;
const STS_ENDPOINT = `https://sts.${REGION}.amazonaws.com`;
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.1' };

export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web@sha256:${'a'.repeat(64)}`;

export function taskDefinitionArn(revision: number, family = 'web'): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
}

export function taskArn(id: string): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`;
}

/** Sets dummy credentials and the region, as a workflow's credentials step would. */
export function setAwsEnvironment(): void {
  for (const key of ['AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_ECS', 'AWS_PROFILE']) {
    delete process.env[key];
  }
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_REGION = REGION;
}

/**
 * Registers hooks in the calling test file: dummy credentials before each test; after it the environment is put
 * back and every expected AWS call must have been made.
 */
export function useAwsEnvironment(): void {
  const saved = { ...process.env };
  beforeEach(setAwsEnvironment);
  afterEach(() => {
    process.env = { ...saved };
    expect(nock.pendingMocks()).toEqual([]);
  });
}

/** The one-attempt client, as deploy-ecs's pollEcs: errors reach the caller on the first failure (standard retries). */
export function ecsClient(): ECSClient {
  return createAwsClient(ECSClient, { region: REGION, action: 'deploy-ecs', maxAttempts: 1 });
}

/** Expects one ECS call with exactly this JSON body and the operation's x-amz-target header. */
export function expectEcs(operation: string, body: object, reply: object, status = 200, times = 1): nock.Scope {
  return nock(ECS_ENDPOINT)
    .post('/', body as nock.RequestBodyMatcher)
    .matchHeader('x-amz-target', `AmazonEC2ContainerServiceV20141113.${operation}`)
    .times(times)
    .reply(status, reply, JSON_HEADERS);
}

/** Answers one ECS call only if it is made: a test registers the call a bug would make, and checks the outcome. */
export function allowEcs(operation: string, body: object, reply: object): nock.Scope {
  return nock(ECS_ENDPOINT)
    .post('/', body as nock.RequestBodyMatcher)
    .matchHeader('x-amz-target', `AmazonEC2ContainerServiceV20141113.${operation}`)
    .optionally()
    .reply(200, reply, JSON_HEADERS);
}

/** How many requests a scope has answered so far; `isDone()` cannot tell for an optional interceptor. */
export function requestCounter(scope: nock.Scope): () => number {
  let count = 0;
  scope.on('request', () => count++);
  return () => count;
}

export function awsError(type: string, message: string): object {
  return { __type: type, message };
}

export function expectCallerIdentity(account: string): nock.Scope {
  return nock(STS_ENDPOINT)
    .post('/', 'Action=GetCallerIdentity&Version=2011-06-15')
    .reply(
      200,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
        `<Account>${account}</Account><Arn>arn:aws:sts::${account}:assumed-role/deploy/gha</Arn>` +
        `<UserId>AROAEXAMPLE:gha</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>`,
      { 'content-type': 'text/xml' },
    );
}

export interface DeploymentFixture {
  id: string;
  revision: number;
  status?: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  desired?: number;
  running?: number;
  pending?: number;
  failedTasks?: number;
  rolloutState?: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED' | null;
  rolloutStateReason?: string;
  /** Seconds after 2026-01-01T00:00:00Z. */
  createdAt?: number;
}

export function deployment(fixture: DeploymentFixture): object {
  const desired = fixture.desired ?? 2;
  return {
    id: fixture.id,
    status: fixture.status ?? 'PRIMARY',
    taskDefinition: taskDefinitionArn(fixture.revision),
    desiredCount: desired,
    runningCount: fixture.running ?? desired,
    pendingCount: fixture.pending ?? 0,
    failedTasks: fixture.failedTasks ?? 0,
    ...(fixture.rolloutState === null ? {} : { rolloutState: fixture.rolloutState ?? 'COMPLETED' }),
    ...(fixture.rolloutStateReason ? { rolloutStateReason: fixture.rolloutStateReason } : {}),
    createdAt: 1767225600 + (fixture.createdAt ?? 0),
    updatedAt: 1767225600 + (fixture.createdAt ?? 0),
  };
}

export interface EventFixture {
  id: string;
  message: string;
  /** Seconds after 2026-01-01T00:00:00Z. */
  at?: number;
}

export interface ServiceFixture {
  deployments: DeploymentFixture[];
  /** Newest first, as ECS lists them. */
  events?: EventFixture[];
  desiredCount?: number;
  status?: string;
  controller?: string;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean };
}

export function service(fixture: ServiceFixture): object {
  const primary = fixture.deployments.find((candidate) => (candidate.status ?? 'PRIMARY') === 'PRIMARY');
  return {
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`,
    serviceName: SERVICE,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
    status: fixture.status ?? 'ACTIVE',
    desiredCount: fixture.desiredCount ?? 2,
    runningCount: fixture.desiredCount ?? 2,
    pendingCount: 0,
    taskDefinition: primary ? taskDefinitionArn(primary.revision) : undefined,
    deploymentController: { type: fixture.controller ?? 'ECS' },
    deploymentConfiguration: {
      deploymentCircuitBreaker: fixture.circuitBreaker ?? { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...(fixture.alarms ? { alarms: fixture.alarms } : {}),
    },
    deployments: fixture.deployments.map(deployment),
    events: (fixture.events ?? []).map((event) => ({
      id: event.id,
      message: event.message,
      createdAt: 1767225600 + (event.at ?? 0),
    })),
  };
}

/** Expects DescribeServices `times` times in a row, answered with the same description. */
export function expectDescribeServices(fixture: ServiceFixture, times = 1): nock.Scope {
  return expectEcs(
    'DescribeServices',
    { cluster: CLUSTER, services: [SERVICE] },
    { services: [service(fixture)], failures: [] },
    200,
    times,
  );
}

export function expectListStoppedTasks(deploymentId: string, taskIds: string[], times = 1): nock.Scope {
  return expectEcs(
    'ListTasks',
    { cluster: CLUSTER, startedBy: deploymentId, desiredStatus: 'STOPPED' },
    { taskArns: taskIds.map(taskArn) },
    200,
    times,
  );
}

export function stoppedTask(id: string, at: number, exitCode = 1, reason?: string): object {
  return {
    taskArn: taskArn(id),
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: 1767225600 + at,
    containers: [{ name: 'web', exitCode, ...(reason ? { reason } : {}), lastStatus: 'STOPPED' }],
  };
}

export function expectDescribeTasks(taskIds: string[], tasks: object[]): nock.Scope {
  return expectEcs('DescribeTasks', { cluster: CLUSTER, tasks: taskIds.map(taskArn) }, { tasks, failures: [] });
}
