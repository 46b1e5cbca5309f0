import nock from 'nock';
import type { TaskFacts } from '../src/aws.js';

/*
 * AWS answers for verify-targets tests: ECS speaks JSON with an x-amz-target header, ELBv2 the query protocol
 * (a form-encoded POST answered in XML). Every helper asserts the exact request body.
 */

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const ECS_ENDPOINT = `https://ecs.${REGION}.amazonaws.com`;
export const ELB_ENDPOINT = `https://elasticloadbalancing.${REGION}.amazonaws.com`;

export const NEW_DIGEST = `sha256:${'a'.repeat(64)}`;
export const OLD_DIGEST = `sha256:${'b'.repeat(64)}`;
export const LOG_ROUTER_DIGEST = `sha256:${'c'.repeat(64)}`;

export const WEB_REPOSITORY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web`;
export const LOG_ROUTER_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable';

export function taskDefinitionArn(revision: number, family = 'web'): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
}
export function targetGroupArn(name: string): string {
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/6d0ecf831eec9f09`;
}
export function taskArn(id: string): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`;
}

/** The 32-hex-digit id of task number `n`. */
export function numberedTaskId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

/** Task number `n` as verify-targets reads it: RUNNING, web:42, IP 10.0.1.n, one `web` container on NEW_DIGEST. */
export function taskFacts(n: number, overrides: Partial<TaskFacts> = {}): TaskFacts {
  return {
    arn: taskArn(numberedTaskId(n)),
    taskDefinitionArn: CURRENT,
    lastStatus: 'RUNNING',
    addresses: [`10.0.1.${n}`],
    containers: [{ name: 'web', image: 'web', imageDigest: NEW_DIGEST }],
    ...overrides,
  };
}

export const WEB_TG = targetGroupArn('web-tg');
export const CURRENT = taskDefinitionArn(42);
export const PREVIOUS = taskDefinitionArn(41);

/** Sets dummy credentials and the region for the SDK; returns a function that restores the environment. */
export function useTestAwsEnvironment(): () => void {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('INPUT_') || key.startsWith('AWS_') || key.startsWith('GITHUB_')) delete process.env[key];
  }
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_REGION = REGION;
  return () => {
    process.env = saved;
  };
}

/** One ECS JSON call nock answers. */
export function ecs(operation: string, body: object, answer: object, status = 200): nock.Scope {
  return nock(ECS_ENDPOINT)
    .post('/', body as nock.RequestBodyMatcher)
    .matchHeader('x-amz-target', `AmazonEC2ContainerServiceV20141113.${operation}`)
    .reply(status, answer, { 'content-type': 'application/x-amz-json-1.1' });
}

export interface ServiceFixture {
  /** ACTIVE unless set. */
  status?: string;
  desiredCount?: number;
  taskDefinition?: string;
  loadBalancers?: Array<{
    targetGroupArn: string;
    containerName: string;
    containerPort: number;
    advancedConfiguration?: { alternateTargetGroupArn: string; testListenerRule?: string };
  }>;
}

export function describeServices(service: ServiceFixture = {}): nock.Scope {
  return ecs(
    'DescribeServices',
    { cluster: 'prod', services: ['web'] },
    {
      services: [
        {
          serviceName: 'web',
          status: service.status ?? 'ACTIVE',
          desiredCount: service.desiredCount ?? 2,
          runningCount: service.desiredCount ?? 2,
          taskDefinition: service.taskDefinition ?? CURRENT,
          loadBalancers: service.loadBalancers ?? [
            { targetGroupArn: WEB_TG, containerName: 'web', containerPort: 8080 },
          ],
        },
      ],
      failures: [],
    },
  );
}

export function describeServicesError(status: number, type: string, message: string): nock.Scope {
  return ecs('DescribeServices', { cluster: 'prod', services: ['web'] }, { __type: type, message }, status);
}

export interface ContainerFixture {
  name: string;
  image: string;
  imageDigest?: string;
}

export interface TaskFixture {
  id: string;
  ip: string;
  revision?: number;
  lastStatus?: string;
  /** Default: one container `web` running NEW_DIGEST. */
  containers?: ContainerFixture[];
}

export function webContainer(imageDigest: string | undefined = NEW_DIGEST): ContainerFixture {
  return { name: 'web', image: `${WEB_REPOSITORY}:main`, imageDigest };
}

export function taskJson(task: TaskFixture): object {
  return {
    taskArn: taskArn(task.id),
    taskDefinitionArn: taskDefinitionArn(task.revision ?? 42),
    lastStatus: task.lastStatus ?? 'RUNNING',
    desiredStatus: 'RUNNING',
    launchType: 'FARGATE',
    attachments: [
      {
        id: `eni-attachment-${task.id}`,
        type: 'ElasticNetworkInterface',
        status: 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-0123456789abcdef0' },
          { name: 'networkInterfaceId', value: `eni-${task.id.slice(0, 17)}` },
          { name: 'privateIPv4Address', value: task.ip },
        ],
      },
    ],
    containers: (task.containers ?? [webContainer()]).map((container) => ({
      name: container.name,
      image: container.image,
      ...(container.imageDigest === undefined ? {} : { imageDigest: container.imageDigest }),
      lastStatus: task.lastStatus ?? 'RUNNING',
    })),
  };
}

/** ListTasks for the service (or a family) and DescribeTasks for what it returns. */
export function runningTasks(tasks: TaskFixture[], owner: object = { serviceName: 'web' }): void {
  ecs(
    'ListTasks',
    { cluster: 'prod', ...owner, desiredStatus: 'RUNNING' },
    { taskArns: tasks.map((task) => taskArn(task.id)) },
  );
  if (tasks.length === 0) return;
  ecs(
    'DescribeTasks',
    { cluster: 'prod', tasks: tasks.map((task) => taskArn(task.id)) },
    { tasks: tasks.map(taskJson), failures: [] },
  );
}

export interface TargetFixture {
  id: string;
  port?: number;
  state: string;
  reason?: string;
  description?: string;
}

function xmlText(text: string): string {
  return text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char]!);
}

/** The XML body of a DescribeTargetHealth answer. */
export function targetHealthXml(targets: TargetFixture[]): string {
  const members = targets.map((target) => {
    const reason = target.reason === undefined ? '' : `<Reason>${xmlText(target.reason)}</Reason>`;
    const description =
      target.description === undefined ? '' : `<Description>${xmlText(target.description)}</Description>`;
    return (
      `<member><HealthCheckPort>${target.port ?? 8080}</HealthCheckPort>` +
      `<Target><Id>${xmlText(target.id)}</Id><Port>${target.port ?? 8080}</Port>` +
      `<AvailabilityZone>${REGION}a</AvailabilityZone></Target>` +
      `<TargetHealth><State>${xmlText(target.state)}</State>${reason}${description}</TargetHealth></member>`
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">' +
    '<DescribeTargetHealthResult>' +
    (members.length === 0
      ? '<TargetHealthDescriptions/>'
      : `<TargetHealthDescriptions>${members.join('')}</TargetHealthDescriptions>`) +
    '</DescribeTargetHealthResult>' +
    '<ResponseMetadata><RequestId>c2a1b1a4-0000-4000-8000-000000000000</RequestId></ResponseMetadata>' +
    '</DescribeTargetHealthResponse>'
  );
}

/** The exact form body the SDK posts for DescribeTargetHealth. */
export function describeTargetHealthBody(arn: string): string {
  return `Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=${encodeURIComponent(arn)}`;
}

export function describeTargetHealth(arn: string, targets: TargetFixture[]): nock.Scope {
  return nock(ELB_ENDPOINT)
    .post('/', describeTargetHealthBody(arn))
    .reply(200, targetHealthXml(targets), { 'content-type': 'text/xml' });
}

export function describeTargetHealthError(arn: string, status: number, code: string, message: string): nock.Scope {
  return nock(ELB_ENDPOINT)
    .post('/', describeTargetHealthBody(arn))
    .reply(
      status,
      '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">' +
        `<Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlText(message)}</Message></Error>` +
        '<RequestId>c2a1b1a4-0000-4000-8000-000000000001</RequestId></ErrorResponse>',
      { 'content-type': 'text/xml' },
    );
}

/** Every answer of one poll in service mode: the service, its tasks, and each target group's health. */
export function pollAnswers(answers: {
  service?: ServiceFixture;
  tasks: TaskFixture[];
  targets: Record<string, TargetFixture[]>;
}): void {
  describeServices(answers.service);
  runningTasks(answers.tasks);
  for (const [arn, targets] of Object.entries(answers.targets)) describeTargetHealth(arn, targets);
}
