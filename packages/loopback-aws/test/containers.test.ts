/**
 * ECS tasks as real containers on the local Docker engine (`source scripts/ci-docker.sh`), through the real SDK.
 * In CI (CI=true) a missing engine fails; elsewhere the suite skips with one line (describeWithDocker).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithDocker } from '@ecs-actions/docker-test';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import nock from 'nock';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { containerTasks, CONTAINER_LABEL, startLoopbackAws, type LoopbackAws } from '../src/index.js';
import { clientsFor, describeService } from './clients.js';
import type { ECSClient, Service } from '@aws-sdk/client-ecs';

async function waitForApp(ecs: ECSClient, cluster: string, done: (service: Service) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const service = await describeService(ecs, cluster, 'app');
    if (done(service) || Date.now() > deadline) return service;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A small server on the stand-in Node image: /health, /env and /whoami; CRASH=<code> exits at start. */
const SERVER = `
if (process.env.CRASH) { console.error('refusing to start: CRASH=' + process.env.CRASH); process.exit(Number(process.env.CRASH)); }
const http = require('node:http');
const server = http.createServer((req, res) => {
  const body = req.url === '/env'
    ? { DATABASE_URL: process.env.DATABASE_URL, API_TOKEN: process.env.API_TOKEN, APP_ENV: process.env.APP_ENV }
    : { host: process.env.HOST, revision: process.env.REVISION };
  res.writeHead(req.url === '/health' && process.env.SICK ? 503 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening on ' + process.env.HOST));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

let image = '';

function taskDefinition(family: string, environment: Record<string, string>, secrets: Record<string, string> = {}) {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'web',
        image,
        essential: true,
        command: ['node', '-e', SERVER],
        portMappings: [{ containerPort: 3000 }],
        environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        secrets: Object.entries(secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
        healthCheck: {
          command: [
            'CMD',
            'node',
            '-e',
            "fetch('http://'+process.env.HOST+':3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
          ],
          interval: 5,
          timeout: 5,
          retries: 2,
          startPeriod: 0,
        },
        stopTimeout: 5,
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'web' },
        },
      },
    ],
  };
}

/** The messages of a task's web container stream, through the real CloudWatch Logs client. */
async function streamMessages(aws: LoopbackAws, family: string, taskId: string): Promise<string[]> {
  const logs = new CloudWatchLogsClient({
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
  const { events } = await logs.send(
    new GetLogEventsCommand({
      logGroupName: `/ecs/${family}`,
      logStreamName: `web/web/${taskId}`,
      startFromHead: true,
    }),
  );
  return (events ?? []).map((event) => event.message ?? '');
}

function get(url: string): Promise<{ status: number; body: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : {} }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describeWithDocker('loopback AWS with container tasks', () => {
  let aws: LoopbackAws;
  const label = `test-${process.pid}`;

  beforeAll(async () => {
    // The tasks' addresses are on 127.42.0.0/16: loopback too.
    nock.enableNetConnect(/^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/);
    const registry = process.env.ECS_ACTIONS_REGISTRY ?? '127.0.0.1:5000';
    const base = process.env.ECS_ACTIONS_NODE_IMAGE ?? 'ecs-actions/node:24-bookworm-slim';
    const tag = `${registry}/ecs-actions-test/node:24`;
    execFileSync('docker', ['tag', base, tag]);
    execFileSync('docker', ['push', '--quiet', tag], { stdio: 'ignore' });
    image = execFileSync('docker', ['inspect', '--format', '{{index .RepoDigests 0}}', tag], {
      encoding: 'utf8',
    }).trim();
    aws = await startLoopbackAws({
      seed: false,
      stepMs: 50,
      tasks: containerTasks({ label, deregistrationDelayMs: 800, healthCheck: { intervalMs: 200, graceMs: 3_000 } }),
      secrets: [
        {
          name: 'app/dev/database-url',
          value: 'postgres://dev@127.0.0.1/dev',
          arn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/dev/database-url-Ab12Cd',
        },
        { name: 'app/prod/database-url', value: 'postgres://prod@127.0.0.1/prod' },
      ],
      parameters: [
        { name: '/app/dev/api-token', value: 'dev-token-0123456789' },
        { name: '/app/prod/api-token', value: 'prod-token-0123456789' },
      ],
    });
    const prodSecret = [...aws.state.secrets.values()].find((secret) => secret.name === 'app/prod/database-url')!;
    for (const environment of ['dev', 'prod'] as const) {
      const definition = aws.seedTaskDefinition(
        taskDefinition(
          `app-${environment}`,
          { APP_ENV: environment, REVISION: '1' },
          {
            DATABASE_URL:
              environment === 'dev'
                ? 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/dev/database-url-Ab12Cd'
                : prodSecret.arn,
            API_TOKEN: `arn:aws:ssm:eu-west-1:${aws.accountId}:parameter/app/${environment}/api-token`,
          },
        ),
      );
      aws.seedService({ cluster: `c-${environment}`, name: 'app', taskDefinition: definition.arn, desiredCount: 2 });
    }
    await aws.tasksSettled(60_000);
  }, 180_000);

  afterAll(async () => {
    await aws?.close();
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=${CONTAINER_LABEL}=${label}`], {
      encoding: 'utf8',
    });
    expect(left.trim()).toBe('');
  }, 150_000);

  it('runs each task as a container on an address of its own, with the environment and secrets of its environment', async () => {
    const dev = await aws.listenerUrl('c-dev-app');
    const prod = await aws.listenerUrl('c-prod-app');
    expect((await get(`${dev}/env`)).body).toEqual({
      DATABASE_URL: 'postgres://dev@127.0.0.1/dev',
      API_TOKEN: 'dev-token-0123456789',
      APP_ENV: 'dev',
    });
    expect((await get(`${prod}/env`)).body).toEqual({
      DATABASE_URL: 'postgres://prod@127.0.0.1/prod',
      API_TOKEN: 'prod-token-0123456789',
      APP_ENV: 'prod',
    });
    const ips = [...aws.state.services.values()].flatMap((service) => service.tasks.map((task) => task.ip));
    expect(new Set(ips).size).toBe(4);
    const served = new Set([(await get(`${dev}/whoami`)).body.host, (await get(`${dev}/whoami`)).body.host]);
    expect(served).toEqual(new Set(aws.state.services.get('c-dev/app')!.tasks.map((task) => task.ip)));
  });

  it("reports the container healthCheck as the task's healthStatus", async () => {
    const { ecs } = clientsFor(aws);
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'c-dev', serviceName: 'app' }));
    const deadline = Date.now() + 20_000;
    let statuses: Array<string | undefined> = [];
    while (Date.now() < deadline) {
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'c-dev', tasks: taskArns }));
      statuses = tasks!.map((task) => task.healthStatus);
      if (statuses.every((status) => status === 'HEALTHY')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(statuses).toEqual(['HEALTHY', 'HEALTHY']);
  }, 30_000);

  it('forwards only to healthy targets that are not draining, and fails open to the registered ones when none is healthy', async () => {
    const url = await aws.listenerUrl('c-dev-app');
    const [first, second] = aws.state.services.get('c-dev/app')!.tasks;
    first!.targetState = 'draining';
    try {
      const hosts = new Set<string>();
      for (let i = 0; i < 6; i++) hosts.add((await get(`${url}/whoami`)).body.host!);
      expect(hosts).toEqual(new Set([second!.ip]));
      second!.targetState = 'unhealthy';
      expect((await get(`${url}/whoami`)).body.host).toBe(second!.ip);
      second!.targetState = 'draining';
      expect((await get(`${url}/whoami`)).status).toBe(503);
    } finally {
      first!.targetState = 'healthy';
      second!.targetState = 'healthy';
    }
  });

  it('rolls out a new revision: new targets healthy, then the old ones drain for the deregistration delay, then the old tasks stop with exit code 0', async () => {
    const { ecs } = clientsFor(aws);
    const service = aws.state.services.get('c-prod/app')!;
    const old = service.tasks.filter((task) => task.lastStatus === 'RUNNING');
    const prodSecret = [...aws.state.secrets.values()].find((secret) => secret.name === 'app/prod/database-url')!;
    const { taskDefinition: next } = await ecs.send(
      new RegisterTaskDefinitionCommand(
        taskDefinition(
          'app-prod',
          { APP_ENV: 'prod', REVISION: '2' },
          {
            DATABASE_URL: prodSecret.arn,
            API_TOKEN: '/app/prod/api-token',
          },
        ) as never,
      ),
    );
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'c-prod', service: 'app', taskDefinition: next!.taskDefinitionArn }),
    );
    await waitForApp(
      ecs,
      'c-prod',
      (described) => described.deployments?.length === 1 && described.deployments[0]!.rolloutState === 'COMPLETED',
      60_000,
    );
    const url = await aws.listenerUrl('c-prod-app');
    expect((await get(`${url}/whoami`)).body.revision).toBe('2');
    for (const task of old) {
      expect(task).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0, stopCode: 'ServiceSchedulerInitiated' });
      expect(task.stopRequestedAt! - task.stoppingAt!).toBeGreaterThanOrEqual(800);
    }
    const fresh = service.tasks.filter((task) => task.lastStatus === 'RUNNING');
    expect(fresh).toHaveLength(2);
    expect(Math.max(...fresh.map((task) => task.startedAt!))).toBeLessThan(
      Math.min(...old.map((task) => task.stoppingAt!)),
    );
  }, 90_000);

  it('stops a task whose container exits with its real exit code, and the circuit breaker rolls back', async () => {
    const { ecs } = clientsFor(aws);
    const { taskDefinition: crashing } = await ecs.send(
      new RegisterTaskDefinitionCommand(taskDefinition('app-dev', { APP_ENV: 'dev', CRASH: '3' }) as never),
    );
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'c-dev', service: 'app', taskDefinition: crashing!.taskDefinitionArn }),
    );
    const described = await waitForApp(
      ecs,
      'c-dev',
      (service) =>
        service.deployments?.length === 1 &&
        service.deployments[0]!.rolloutState === 'COMPLETED' &&
        service.taskDefinition !== crashing!.taskDefinitionArn,
      90_000,
    );
    expect(described.events!.map((event) => event.message)).toContainEqual(
      expect.stringContaining('deployment failed: tasks failed to start'),
    );
    const failed = aws.state.services
      .get('c-dev/app')!
      .tasks.filter((task) => task.taskDefinitionArn === crashing!.taskDefinitionArn);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'c-dev', tasks: [failed[0]!.arn] }));
    expect(tasks![0]).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect(tasks![0]!.containers![0]!.exitCode).toBe(3);
    // The container's own stderr line is in its awslogs stream once the task is STOPPED.
    expect(await streamMessages(aws, 'app-dev', failed[0]!.id)).toEqual(['refusing to start: CRASH=3']);
  }, 120_000);

  it("ships a running container's stdout to its awslogs stream, with the engine's timestamps", async () => {
    const running = aws.state.services.get('c-prod/app')!.tasks.find((task) => task.lastStatus === 'RUNNING')!;
    expect(await streamMessages(aws, 'app-prod', running.id)).toEqual([`listening on ${running.ip}`]);
    const [event] = aws.state.logGroups.get('/ecs/app-prod')!.get(`web/web/${running.id}`)!;
    expect(Math.abs(event!.timestamp - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('keeps the old tasks serving while the new targets fail their health checks (minimum healthy 100%)', async () => {
    const { ecs } = clientsFor(aws);
    const service = aws.state.services.get('c-dev/app')!;
    const serving = service.tasks.filter((task) => task.lastStatus === 'RUNNING');
    const { taskDefinition: sick } = await ecs.send(
      new RegisterTaskDefinitionCommand(
        taskDefinition('app-dev', { APP_ENV: 'dev', REVISION: 'sick', SICK: '1' }) as never,
      ),
    );
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'c-dev', service: 'app', taskDefinition: sick!.taskDefinitionArn }),
    );
    const deadline = Date.now() + 30_000;
    const isSick = (task: (typeof service.tasks)[number]) => task.taskDefinitionArn === sick!.taskDefinitionArn;
    while (Date.now() < deadline && !service.tasks.some((task) => isSick(task) && task.targetState === 'unhealthy')) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(service.tasks.filter((task) => isSick(task) && task.targetState === 'unhealthy')).not.toHaveLength(0);
    expect(serving.map((task) => [task.lastStatus, task.targetState])).toEqual([
      ['RUNNING', 'healthy'],
      ['RUNNING', 'healthy'],
    ]);
    const url = await aws.listenerUrl('c-dev-app');
    for (let i = 0; i < 4; i++) expect((await get(`${url}/whoami`)).body.revision).toBe('1');
  }, 45_000);

  it('fails to start a task whose secret does not exist, as ECS does', async () => {
    const { ecs } = clientsFor(aws);
    const { taskDefinition: broken } = await ecs.send(
      new RegisterTaskDefinitionCommand(
        taskDefinition(
          'app-prod',
          { APP_ENV: 'prod' },
          { DATABASE_URL: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:missing-Zz9Yy8' },
        ) as never,
      ),
    );
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'c-prod', service: 'app', taskDefinition: broken!.taskDefinitionArn }),
    );
    const service = aws.state.services.get('c-prod/app')!;
    const deadline = Date.now() + 20_000;
    while (
      Date.now() < deadline &&
      !service.tasks.some(
        (task) => task.taskDefinitionArn === broken!.taskDefinitionArn && task.lastStatus === 'STOPPED',
      )
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stopped = service.tasks.find(
      (task) => task.taskDefinitionArn === broken!.taskDefinitionArn && task.lastStatus === 'STOPPED',
    );
    expect(stopped).toMatchObject({ stopCode: 'TaskFailedToStart', exitCode: undefined });
    expect(stopped!.stoppedReason).toMatch(
      /^ResourceInitializationError: .*missing-Zz9Yy8.*can't find the specified secret/,
    );
  }, 30_000);
});
