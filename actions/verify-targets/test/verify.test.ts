import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FakeClock, isUserError } from '@ecs-actions/action-kit';
import { createAwsClient, isAwsAuthError } from '@ecs-actions/aws';
import { verifyTargets, type VerifyTargetsOptions } from '../src/verify.js';
import {
  CURRENT,
  ELB_ENDPOINT,
  LOG_ROUTER_DIGEST,
  LOG_ROUTER_IMAGE,
  NEW_DIGEST,
  OLD_DIGEST,
  PREVIOUS,
  WEB_TG,
  describeServices,
  describeServicesError,
  describeTargetHealth,
  describeTargetHealthError,
  pollAnswers,
  runningTasks,
  targetGroupArn,
  targetHealthXml,
  taskDefinitionArn,
  taskArn,
  useTestAwsEnvironment,
  webContainer,
} from './fixtures.js';

const TASK_A = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const TASK_B = '1b2c3d4e5f60718293a4b5c6d7e8f90a';
const OLD_TASK = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

let restoreEnvironment: () => void;
let clock: FakeClock;
let lines: string[];

beforeEach(() => {
  restoreEnvironment = useTestAwsEnvironment();
  clock = new FakeClock();
  lines = [];
});
afterEach(() => {
  restoreEnvironment();
  expect(nock.pendingMocks()).toEqual([]);
});

function options(overrides: Partial<VerifyTargetsOptions> = {}): VerifyTargetsOptions {
  // One attempt per call: the SDK's own retries would sleep in real time; the poll loop is what is tested.
  return {
    ecs: createAwsClient(ECSClient, { action: 'verify-targets', maxAttempts: 1 }),
    elbv2: createAwsClient(ElasticLoadBalancingV2Client, { action: 'verify-targets', maxAttempts: 1 }),
    cluster: 'prod',
    service: 'web',
    expectedDigests: { kind: 'single', digest: NEW_DIGEST },
    timeoutMs: 10_000,
    clock,
    log: (line) => lines.push(line),
    ...overrides,
  };
}

const twoNewTasks = [
  { id: TASK_A, ip: '10.0.1.5' },
  { id: TASK_B, ip: '10.0.2.7' },
];

/** Both new tasks running and healthy behind the web target group. */
const bothHealthy = {
  tasks: twoNewTasks,
  targets: {
    [WEB_TG]: [
      { id: '10.0.1.5', state: 'healthy' as const },
      { id: '10.0.2.7', state: 'healthy' as const },
    ],
  },
};

describe('verifyTargets', () => {
  it('passes at once when every target is healthy and runs the expected revision and digest', async () => {
    pollAnswers(bothHealthy);

    const result = await verifyTargets(options());

    expect(result).toMatchObject({
      verified: true,
      failure: null,
      elapsedMs: 0,
      taskDefinitionArn: CURRENT,
      healthyCount: 2,
      digestVerified: true,
    });
    expect(result.targets[0]).toEqual({
      targetGroup: WEB_TG,
      id: '10.0.1.5',
      port: 8080,
      state: 'healthy',
      reason: null,
      description: null,
      task: taskArn(TASK_A),
      taskDefinition: CURRENT,
      digest: NEW_DIGEST,
      taskProblem: null,
      problem: null,
    });
    expect(clock.sleeps).toEqual([]);
    expect(lines).toEqual([
      'Verifying web-tg: traffic only to tasks of web:42, at least 2 healthy in each (desired count of service web)',
      `web-tg 10.0.1.5:8080 healthy, task ${TASK_A} (web:42)`,
      `web-tg 10.0.2.7:8080 healthy, task ${TASK_B} (web:42)`,
      'web-tg: 2 of 2 healthy and verified',
      'Verified in 0s: every target group sends traffic only to web:42 with the expected digests',
    ]);
  });

  it('asks ELBv2 for target health with the exact query-protocol form body', async () => {
    describeServices({ desiredCount: 1 });
    runningTasks([twoNewTasks[0]!]);
    nock(ELB_ENDPOINT)
      .post(
        '/',
        'Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=' +
          'arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A123456789012%3Atargetgroup%2Fweb-tg%2F6d0ecf831eec9f09',
      )
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, targetHealthXml([{ id: '10.0.1.5', state: 'healthy' }]), { 'content-type': 'text/xml' });

    await expect(verifyTargets(options())).resolves.toMatchObject({ verified: true });
  });

  it('waits while targets are still registering, then passes when they turn healthy', async () => {
    pollAnswers({
      tasks: twoNewTasks,
      targets: {
        [WEB_TG]: [
          {
            id: '10.0.1.5',
            state: 'initial',
            reason: 'Elb.RegistrationInProgress',
            description: 'Target registration is in progress',
          },
          {
            id: '10.0.2.7',
            state: 'initial',
            reason: 'Elb.RegistrationInProgress',
            description: 'Target registration is in progress',
          },
        ],
      },
    });
    pollAnswers({
      tasks: twoNewTasks,
      targets: {
        [WEB_TG]: [
          { id: '10.0.1.5', state: 'healthy' },
          {
            id: '10.0.2.7',
            state: 'initial',
            reason: 'Elb.InitialHealthChecking',
            description: 'Initial health checks in progress',
          },
        ],
      },
    });
    pollAnswers(bothHealthy);

    const result = await verifyTargets(options());

    expect(result).toMatchObject({ verified: true, elapsedMs: 4000, healthyCount: 2 });
    expect(clock.sleeps).toEqual([2000, 2000]);
    expect(lines.slice(1, -1)).toEqual([
      `web-tg 10.0.1.5:8080 initial (Elb.RegistrationInProgress: Target registration is in progress), task ${TASK_A} (web:42)`,
      `web-tg 10.0.2.7:8080 initial (Elb.RegistrationInProgress: Target registration is in progress), task ${TASK_B} (web:42)`,
      'web-tg: 0 of 2 healthy and verified',
      `web-tg 10.0.1.5:8080 healthy, task ${TASK_A} (web:42)`,
      `web-tg 10.0.2.7:8080 initial (Elb.InitialHealthChecking: Initial health checks in progress), task ${TASK_B} (web:42)`,
      'web-tg: 1 of 2 healthy and verified',
      `web-tg 10.0.2.7:8080 healthy, task ${TASK_B} (web:42)`,
      'web-tg: 2 of 2 healthy and verified',
    ]);
  });

  it('logs nothing new while no target changes', async () => {
    for (let poll = 0; poll < 3; poll++) {
      pollAnswers({
        service: { desiredCount: 1 },
        tasks: [twoNewTasks[0]!],
        targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'initial', reason: 'Elb.InitialHealthChecking' }] },
      });
    }
    pollAnswers({
      service: { desiredCount: 1 },
      tasks: [twoNewTasks[0]!],
      targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }] },
    });

    await verifyTargets(options());

    expect(lines).toHaveLength(6);
    expect(lines.filter((line) => line.includes('initial'))).toHaveLength(1);
  });

  it('fails at the timeout with the reason code and description of an unhealthy target', async () => {
    for (let poll = 0; poll < 3; poll++) {
      pollAnswers({
        tasks: twoNewTasks,
        targets: {
          [WEB_TG]: [
            { id: '10.0.1.5', state: 'healthy' },
            {
              id: '10.0.2.7',
              state: 'unhealthy',
              reason: 'Target.ResponseCodeMismatch',
              description: 'Health checks failed with these codes: [502]',
            },
          ],
        },
      });
    }

    const result = await verifyTargets(options({ timeoutMs: 4000 }));

    expect(result.verified).toBe(false);
    expect(result.digestVerified).toBe(false);
    expect(result.healthyCount).toBe(1);
    expect(result.failure).toBe(
      'Targets not verified after 4s. web-tg: 1 of 2 required tasks healthy and verified; ' +
        `10.0.2.7:8080 unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [502]), task ${TASK_B} (web:42)`,
    );
    expect(result.targets[1]).toMatchObject({
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [502]',
    });
  });

  it('keeps waiting while a healthy target belongs to the old revision, and passes once it drains', async () => {
    const withOldTask = [
      ...twoNewTasks,
      { id: OLD_TASK, ip: '10.0.3.9', revision: 41, containers: [webContainer(OLD_DIGEST)] },
    ];
    pollAnswers({
      tasks: withOldTask,
      targets: {
        [WEB_TG]: [
          { id: '10.0.1.5', state: 'healthy' },
          { id: '10.0.2.7', state: 'healthy' },
          { id: '10.0.3.9', state: 'healthy' },
        ],
      },
    });
    pollAnswers({
      tasks: withOldTask,
      targets: {
        [WEB_TG]: [
          { id: '10.0.1.5', state: 'healthy' },
          { id: '10.0.2.7', state: 'healthy' },
          {
            id: '10.0.3.9',
            state: 'draining',
            reason: 'Target.DeregistrationInProgress',
            description: 'Target deregistration is in progress',
          },
        ],
      },
    });

    const result = await verifyTargets(options());

    expect(result).toMatchObject({ verified: true, healthyCount: 2, elapsedMs: 2000 });
    expect(result.targetGroups).toEqual([
      expect.objectContaining({ name: 'web-tg', healthy: 2, verified: 2, draining: 1, ok: true }),
    ]);
    expect(result.targets[2]).toMatchObject({
      state: 'draining',
      taskDefinition: PREVIOUS,
      digest: OLD_DIGEST,
      problem: null,
    });
    expect(lines).toContain(`web-tg 10.0.3.9:8080 healthy, task ${OLD_TASK} (web:41): runs web:41, expected web:42`);
    expect(lines).toContain('web-tg: 2 of 2 healthy and verified, 1 draining');
  });

  it('fails naming the old task when a target of the previous revision stays healthy', async () => {
    for (let poll = 0; poll < 2; poll++) {
      pollAnswers({
        service: { desiredCount: 1 },
        tasks: [
          twoNewTasks[0]!,
          { id: OLD_TASK, ip: '10.0.3.9', revision: 41, containers: [webContainer(OLD_DIGEST)] },
        ],
        targets: {
          [WEB_TG]: [
            { id: '10.0.1.5', state: 'healthy' },
            { id: '10.0.3.9', state: 'healthy' },
          ],
        },
      });
    }

    const result = await verifyTargets(options({ timeoutMs: 2000 }));

    expect(result.failure).toBe(
      'Targets not verified after 2s. web-tg: 1 of 1 required tasks healthy and verified; ' +
        '1 unverified target still receives traffic; ' +
        `10.0.3.9:8080 healthy, task ${OLD_TASK} (web:41): runs web:41, expected web:42`,
    );
  });

  it('fails naming the task, container, expected and actual digest when a task runs another image', async () => {
    for (let poll = 0; poll < 2; poll++) {
      pollAnswers({
        service: { desiredCount: 1 },
        tasks: [{ id: TASK_A, ip: '10.0.1.5', containers: [webContainer(OLD_DIGEST)] }],
        targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }] },
      });
    }

    const result = await verifyTargets(options({ timeoutMs: 2000 }));

    expect(result.verified).toBe(false);
    expect(result.failure).toBe(
      'Targets not verified after 2s. web-tg: 0 of 1 required tasks healthy and verified; ' +
        '1 unverified target still receives traffic; ' +
        `10.0.1.5:8080 healthy, task ${TASK_A} (web:42): container web runs ${OLD_DIGEST}, expected ${NEW_DIGEST}`,
    );
    expect(result.targets[0]).toMatchObject({
      digest: OLD_DIGEST,
      problem: `healthy but container web runs ${OLD_DIGEST}, expected ${NEW_DIGEST}`,
    });
  });

  it('checks the container behind the target group and ignores a log router sidecar from another repository', async () => {
    pollAnswers({
      service: { desiredCount: 1 },
      tasks: [
        {
          id: TASK_A,
          ip: '10.0.1.5',
          containers: [webContainer(), { name: 'log_router', image: LOG_ROUTER_IMAGE, imageDigest: LOG_ROUTER_DIGEST }],
        },
      ],
      targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }] },
    });

    await expect(verifyTargets(options())).resolves.toMatchObject({ verified: true, digestVerified: true });
  });

  it('checks each container named in per-container digests', async () => {
    for (let poll = 0; poll < 2; poll++) {
      pollAnswers({
        service: { desiredCount: 1 },
        tasks: [
          {
            id: TASK_A,
            ip: '10.0.1.5',
            containers: [
              webContainer(),
              { name: 'log_router', image: LOG_ROUTER_IMAGE, imageDigest: LOG_ROUTER_DIGEST },
            ],
          },
        ],
        targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }] },
      });
    }
    const expectedDigests = {
      kind: 'per-container' as const,
      digests: new Map([
        ['web', NEW_DIGEST],
        ['log_router', OLD_DIGEST],
      ]),
    };

    const result = await verifyTargets(options({ expectedDigests, timeoutMs: 2000 }));

    expect(result.failure).toContain(`container log_router runs ${LOG_ROUTER_DIGEST}, expected ${OLD_DIGEST}`);
  });

  it('fails when the target group stays empty', async () => {
    for (let poll = 0; poll < 2; poll++) pollAnswers({ tasks: twoNewTasks, targets: { [WEB_TG]: [] } });

    const result = await verifyTargets(options({ timeoutMs: 2000 }));

    expect(result).toMatchObject({ verified: false, healthyCount: 0, targets: [] });
    expect(result.failure).toBe('Targets not verified after 2s. web-tg: no targets registered; 2 healthy required');
  });

  it('fails when a healthy target is not the IP of any running task of the service', async () => {
    for (let poll = 0; poll < 2; poll++) {
      pollAnswers({
        service: { desiredCount: 1 },
        tasks: [twoNewTasks[0]!],
        targets: {
          [WEB_TG]: [
            { id: '10.0.1.5', state: 'healthy' },
            { id: '10.0.9.9', state: 'healthy' },
          ],
        },
      });
    }

    const result = await verifyTargets(options({ timeoutMs: 2000 }));

    expect(result.failure).toContain('10.0.9.9:8080 healthy: no RUNNING task of service web has IP 10.0.9.9');
  });

  it('does not count a healthy target whose task is no longer RUNNING', async () => {
    // ListTasks lists tasks ECS wants running; by DescribeTasks one of them may already be shutting down.
    const oneStopping = [twoNewTasks[0]!, { ...twoNewTasks[1]!, lastStatus: 'DEACTIVATING' }];
    for (let poll = 0; poll < 2; poll++) pollAnswers({ ...bothHealthy, tasks: oneStopping });

    const result = await verifyTargets(options({ timeoutMs: 2000 }));

    expect(result).toMatchObject({ verified: false, healthyCount: 2 });
    expect(result.targets[1]).toMatchObject({
      id: '10.0.2.7',
      taskProblem: 'is DEACTIVATING, not RUNNING',
      problem: 'healthy but is DEACTIVATING, not RUNNING',
    });
    expect(result.failure).toContain('web-tg: 1 of 2 required tasks healthy and verified; 1 unverified target still');
  });

  it('verifies every target group of the service, each against the desired count', async () => {
    const apiTg = targetGroupArn('api-tg');
    pollAnswers({
      service: {
        desiredCount: 1,
        loadBalancers: [
          { targetGroupArn: WEB_TG, containerName: 'web', containerPort: 8080 },
          { targetGroupArn: apiTg, containerName: 'web', containerPort: 9090 },
        ],
      },
      tasks: [twoNewTasks[0]!],
      targets: {
        [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }],
        [apiTg]: [{ id: '10.0.1.5', port: 9090, state: 'healthy' }],
      },
    });

    const result = await verifyTargets(options());

    expect(result).toMatchObject({ verified: true, healthyCount: 2 });
    expect(result.targets.map((target) => `${target.id}:${target.port}`)).toEqual(['10.0.1.5:8080', '10.0.1.5:9090']);
  });

  it('counts tasks, not targets: one task registered for two ports of the same target group is one of two', async () => {
    pollAnswers({
      service: {
        desiredCount: 2,
        loadBalancers: [
          { targetGroupArn: WEB_TG, containerName: 'web', containerPort: 8080 },
          { targetGroupArn: WEB_TG, containerName: 'web', containerPort: 9090 },
        ],
      },
      tasks: [twoNewTasks[0]!],
      targets: {
        [WEB_TG]: [
          { id: '10.0.1.5', port: 8080, state: 'healthy' },
          { id: '10.0.1.5', port: 9090, state: 'healthy' },
        ],
      },
    });

    const result = await verifyTargets(options({ timeoutMs: 0 }));

    expect(result.verified).toBe(false);
    expect(result.targetGroups[0]).toMatchObject({ healthy: 2, verified: 1, required: 2 });
    expect(result.failure).toContain('web-tg: 1 of 2 required tasks healthy and verified');
  });

  it('with target groups and no service, finds tasks by family and requires one healthy target per running task', async () => {
    runningTasks(twoNewTasks, { family: 'web' });
    describeTargetHealth(WEB_TG, [
      { id: '10.0.1.5', state: 'healthy' },
      { id: '10.0.2.7', state: 'healthy' },
    ]);

    const result = await verifyTargets(
      options({ service: undefined, targetGroupArns: [WEB_TG], taskDefinitionArn: CURRENT }),
    );

    expect(result).toMatchObject({ verified: true, healthyCount: 2 });
    expect(result.targetGroups[0]).toMatchObject({ required: 2 });
  });

  it('rides out an AWS server error and keeps polling', async () => {
    describeServicesError(500, 'ServerException', 'Service temporarily unavailable');
    pollAnswers({
      service: { desiredCount: 1 },
      tasks: [twoNewTasks[0]!],
      targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'healthy' }] },
    });

    const result = await verifyTargets(options());

    expect(result.verified).toBe(true);
    expect(lines[0]).toBe('AWS answered ServerException: Service temporarily unavailable; trying again in 2s');
  });

  it('fails with the last AWS error when no poll got an answer', async () => {
    describeServicesError(500, 'ServerException', 'Service temporarily unavailable');
    describeServicesError(500, 'ServerException', 'Service temporarily unavailable');

    const result = await verifyTargets(options({ timeoutMs: 2000 }));

    expect(result.failure).toBe(
      'Targets not verified after 2s: no AWS answer came back (last error ServerException: Service temporarily unavailable)',
    );
  });

  it('verifies without expected digests, and does not claim the digests were verified', async () => {
    pollAnswers(bothHealthy);

    const result = await verifyTargets(options({ expectedDigests: undefined }));

    expect(result).toMatchObject({ verified: true, digestVerified: false });
    expect(lines.at(-1)).toBe('Verified in 0s: every target group sends traffic only to web:42');
  });

  it('says when a target leaves the target group between polls', async () => {
    pollAnswers({
      ...bothHealthy,
      targets: {
        [WEB_TG]: [
          { id: '10.0.1.5', state: 'healthy' },
          { id: '10.0.2.7', state: 'healthy' },
          // An old task's target, still healthy: the first poll cannot pass.
          { id: '10.0.3.9', state: 'healthy' },
        ],
      },
    });
    pollAnswers(bothHealthy);

    const result = await verifyTargets(options({ timeoutMs: 4000 }));

    expect(result.verified).toBe(true);
    expect(lines.filter((line) => line.endsWith('deregistered'))).toEqual(['web-tg 10.0.3.9:8080 deregistered']);
  });

  it('says so once when the service moves to another revision while it verifies', async () => {
    pollAnswers({
      service: { desiredCount: 1 },
      tasks: [twoNewTasks[0]!],
      targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'initial', reason: 'Elb.InitialHealthChecking' }] },
    });
    for (let poll = 0; poll < 2; poll++) {
      pollAnswers({
        service: { desiredCount: 1, taskDefinition: taskDefinitionArn(43) },
        tasks: [twoNewTasks[0]!],
        targets: { [WEB_TG]: [{ id: '10.0.1.5', state: 'initial', reason: 'Elb.InitialHealthChecking' }] },
      });
    }

    const result = await verifyTargets(options({ timeoutMs: 4000 }));

    expect(result.taskDefinitionArn).toBe(CURRENT);
    expect(lines.filter((line) => line.startsWith('Service web now runs'))).toEqual([
      'Service web now runs web:43, not web:42',
    ]);
  });

  it('stops at once when the role may not describe target health', async () => {
    describeServices();
    runningTasks(twoNewTasks);
    describeTargetHealthError(
      WEB_TG,
      403,
      'AccessDenied',
      'User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth',
    );

    const error = await verifyTargets(options()).catch((caught: unknown) => caught);

    expect(isAwsAuthError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^Access denied calling Elastic Load Balancing DescribeTargetHealth/);
    expect(clock.sleeps).toEqual([]);
    // The task lookups run alongside DescribeTargetHealth: the denial may end the poll before they are sent.
    nock.cleanAll();
  });

  it('fails clearly when the target group does not exist', async () => {
    const missing = targetGroupArn('gone-tg');
    describeServices();
    runningTasks(twoNewTasks);
    describeTargetHealthError(missing, 400, 'TargetGroupNotFound', 'One or more target groups not found');

    const error = await verifyTargets(options({ targetGroupArns: [missing] })).catch((caught: unknown) => caught);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `Target group ${missing} was not found in eu-west-1; check target-group-arns, the service's load balancers and the region`,
    );
  });

  it('fails clearly when the target group holds instances rather than task IPs', async () => {
    describeServices();
    runningTasks(twoNewTasks);
    describeTargetHealth(WEB_TG, [{ id: 'i-0123456789abcdef0', port: 32768, state: 'healthy' }]);

    await expect(verifyTargets(options())).rejects.toThrow(
      `Target group ${WEB_TG} has target i-0123456789abcdef0, not an IP address: verify-targets matches targets to ` +
        'tasks by IP, so it needs target groups of target type ip (awsvpc network mode, as on Fargate)',
    );
  });

  it('fails clearly when the service does not exist', async () => {
    nock('https://ecs.eu-west-1.amazonaws.com')
      .post('/', { cluster: 'prod', services: ['web'] })
      .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.DescribeServices')
      .reply(200, {
        services: [],
        failures: [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web', reason: 'MISSING' }],
      });

    await expect(verifyTargets(options())).rejects.toThrow(
      "Service 'web' was not found in cluster 'prod' in eu-west-1 (MISSING); check the service, cluster and region inputs",
    );
  });

  it('fails clearly when the cluster does not exist', async () => {
    describeServicesError(400, 'ClusterNotFoundException', 'Cluster not found.');

    const error = await verifyTargets(options()).catch((caught: unknown) => caught);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(
      "Cluster 'prod' was not found in eu-west-1; check the cluster and region inputs",
    );
    expect((error as Error).cause).toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('names an inactive service as such', async () => {
    describeServices({ status: 'INACTIVE' });

    await expect(verifyTargets(options())).rejects.toThrow(
      "Service 'web' was not found in cluster 'prod' in eu-west-1 (INACTIVE); check the service, cluster and region inputs",
    );
  });

  it('fails at once when the service has no load balancer', async () => {
    describeServices({ loadBalancers: [] });

    await expect(verifyTargets(options())).rejects.toThrow(
      'Service web has no load balancer target groups, so there are no targets to verify; ' +
        'set target-group-arns, or leave this step out for services without a load balancer',
    );
  });

  it('fails at once when the service is scaled to zero', async () => {
    describeServices({ desiredCount: 0 });

    await expect(verifyTargets(options())).rejects.toThrow(
      'Service web has desiredCount 0, so no target can become healthy; scale it up before verifying targets',
    );
  });
  describe('listener: test (native blue/green, paused before production traffic)', () => {
    const greenTg = targetGroupArn('web-tg-green');
    const TEST_RULE =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
    const blueGreen = {
      loadBalancers: [
        {
          targetGroupArn: WEB_TG,
          containerName: 'web',
          containerPort: 8080,
          advancedConfiguration: { alternateTargetGroupArn: greenTg, testListenerRule: TEST_RULE },
        },
      ],
    };

    it('verifies the alternate target group behind the test listener, not the production one', async () => {
      // Production still sends to the old tasks: only the green target group is read.
      pollAnswers({
        service: blueGreen,
        tasks: [...twoNewTasks, { id: OLD_TASK, ip: '10.0.3.9', revision: 41 }],
        targets: {
          [greenTg]: [
            { id: '10.0.1.5', state: 'healthy' },
            { id: '10.0.2.7', state: 'healthy' },
          ],
        },
      });

      const result = await verifyTargets(options({ listener: 'test' }));

      expect(result).toMatchObject({ verified: true, healthyCount: 2, digestVerified: true });
      expect(result.targetGroups.map((group) => group.arn)).toEqual([greenTg]);
      expect(lines[0]).toBe(
        `Verifying web-tg-green behind the test listener (rule ${TEST_RULE}): traffic only to tasks of web:42, ` +
          'at least 2 healthy in each (desired count of service web)',
      );
    });

    it('fails naming the old task when the test listener still reaches the previous revision', async () => {
      const old = {
        tasks: [{ id: OLD_TASK, ip: '10.0.3.9', revision: 41 }],
        targets: { [greenTg]: [{ id: '10.0.3.9', state: 'healthy' }] },
      };
      pollAnswers({ service: blueGreen, ...old });
      pollAnswers({ service: blueGreen, ...old });

      const result = await verifyTargets(options({ listener: 'test', timeoutMs: 2000 }));

      expect(result.verified).toBe(false);
      expect(result.failure).toMatch(
        /web-tg-green: .*10\.0\.3\.9:8080 healthy, task 9f8e7d6c5b4a39281706f5e4d3c2b1a0 \(web:41\)/,
      );
    });

    it('fails at once when the service has no alternate target group (not native blue/green)', async () => {
      describeServices();

      await expect(verifyTargets(options({ listener: 'test' }))).rejects.toThrow(
        "Input 'listener': test needs a service with native blue/green load balancers, but service web has no " +
          'loadBalancers[].advancedConfiguration.alternateTargetGroupArn',
      );
    });
  });
});
