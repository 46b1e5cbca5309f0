// deploy-ecs on a CODE_DEPLOY service against the loopback AWS through the real SDK (@aws-sdk/client-codedeploy):
// CodeDeploy's success, its own rollback, deploy-ecs's rollback and cancel with StopDeployment, and bad inputs.
import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, RunContext, runAction, systemClock, type Clock } from '@ecs-actions/action-kit';
import {
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type ScenarioName,
} from '@ecs-actions/loopback-aws';
import { run } from '../src/main.js';

const saved = { ...process.env };
let aws: LoopbackAws | undefined;
let dir: string;
let stdout: string;
let summaryFile: string;
let awsLog: string[];
/** The deploy's clock, which the loopback's rollouts follow too: CodeDeploy's minutes of traffic steps pass at once. */
let clock: Clock;

beforeAll(() => {
  summaryFile = join(mkdtempSync(join(tmpdir(), 'deploy-ecs-codedeploy-')), 'summary.md');
});

beforeEach(() => {
  for (const key of Object.keys(process.env))
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_') || key.startsWith('AWS_')) delete process.env[key];
  dir = mkdtempSync(join(tmpdir(), 'deploy-ecs-'));
  writeFileSync(join(dir, 'output'), '');
  writeFileSync(summaryFile, '');
  process.env.GITHUB_OUTPUT = join(dir, 'output');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  stdout = '';
  awsLog = [];
  clock = new FakeClock();
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  process.exitCode = undefined;
});

afterEach(async () => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  process.env = { ...saved };
  await aws?.close();
  aws = undefined;
});

const CLUSTER = 'demo-dev';
const SERVICE = 'sample-service';

/** A loopback AWS whose services are CODE_DEPLOY-controlled; returns a new revision of sample-service-dev. */
async function start(scenario: ScenarioName): Promise<{ revision: string; previous: string }> {
  aws = await startLoopbackAws({
    scenario,
    stepMs: 20,
    minuteMs: 300,
    now: () => clock.now(),
    log: (line) => awsLog.push(line),
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  const previous = primaryTaskSet().taskDefinitionArn;
  const input = sampleTaskDefinition(aws.state, 'dev', sampleImageUri(aws.accountId, aws.region));
  return { revision: aws.seedTaskDefinition({ ...input, cpu: '512', memory: '1024' }).arn, previous };
}

function primaryTaskSet() {
  const service = aws!.state.services.get(`${CLUSTER}/${SERVICE}`)!;
  return service.deployments.find((entry) => entry.status === 'PRIMARY')!;
}

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

async function deploy(inputs: Record<string, string>, context?: RunContext): Promise<void> {
  setInputs({ cluster: CLUSTER, service: SERVICE, ...inputs });
  await runAction(() => run({ clock, interval: () => 30, ...(context ? { context } : {}) }));
}

function outputs(): Record<string, string> {
  const text = readFileSync(join(dir, 'output'), 'utf8');
  const result: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) result[match[1]!] = match[3]!;
  return result;
}

const errorLines = () => stdout.split('\n').filter((line) => line.startsWith('::error::'));
const calls = (operation: string) => aws!.requests.filter((request) => request.operation === operation);

describe('deploy-ecs on a CODE_DEPLOY service', () => {
  it('creates a CodeDeploy deployment with an AppSpec from the load balancer, follows its events and traffic to success', async () => {
    const { revision, previous } = await start('codedeploy');
    await deploy({ 'task-definition': revision });
    expect(errorLines()).toEqual([]);
    expect(outputs()).toMatchObject({
      status: 'succeeded',
      'followed-with': 'CodeDeploy',
      'task-definition-arn': revision,
      'previous-task-definition-arn': previous,
      'rollback-method': '',
    });
    expect(outputs()['deployment-id']).toMatch(/^d-[A-Z0-9]{9}$/);
    const created = aws!.state.codeDeploy.deployments.find((entry) => entry.id === outputs()['deployment-id'])!;
    expect(JSON.parse(created.appSpec.content)).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: { TaskDefinition: revision, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 3000 } },
          },
        },
      ],
    });
    expect(created).toMatchObject({
      application: 'AppECS-demo-dev-sample-service',
      deploymentGroup: 'DgpECS-demo-dev-sample-service',
    });
    expect(stdout).toContain(
      'CodeDeploy blue/green (CodeDeployDefault.ECSCanary10Percent5Minutes): production traffic 10% → 100%',
    );
    expect(stdout).toContain('Install Succeeded');
    expect(stdout).toContain('AllowTraffic Succeeded');
    expect(stdout).toMatch(/production traffic: Blue ecs-svc\/\d+ 90% .*, Green ecs-svc\/\d+ 10%/);
    expect(primaryTaskSet().taskDefinitionArn).toBe(revision);
    expect(calls('UpdateService')).toEqual([]);
  });

  it('deploys with a YAML AppSpec file and its hook, TaskDefinition set to the revision', async () => {
    const { revision } = await start('codedeploy');
    const appspec = join(dir, 'appspec.yaml');
    writeFileSync(
      appspec,
      [
        'version: 0.0',
        'Resources:',
        '  - TargetService:',
        '      Type: AWS::ECS::Service',
        '      Properties:',
        '        TaskDefinition: <TASK_DEFINITION>',
        '        LoadBalancerInfo:',
        '          ContainerName: web',
        '          ContainerPort: 3000',
        'Hooks:',
        '  - AfterAllowTestTraffic: arn:aws:lambda:eu-west-1:123456789012:function:test-green',
      ].join('\n'),
    );
    await deploy({ 'task-definition': revision, 'codedeploy-appspec': appspec });
    expect(outputs().status).toBe('succeeded');
    expect(stdout).toContain(
      'lifecycle hook: AfterAllowTestTraffic: arn:aws:lambda:eu-west-1:123456789012:function:test-green',
    );
    expect(stdout).toContain('AfterAllowTestTraffic Succeeded');
    const created = aws!.state.codeDeploy.deployments.at(-1)!;
    expect(created.taskDefinitionArn).toBe(revision);
  });

  it("reports rolled-back when CodeDeploy's alarm fails the deployment and its rollback puts blue back", async () => {
    const { revision, previous } = await start('codedeploy-rollback');
    await deploy({ 'task-definition': revision });
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'rollback-method': 'CodeDeploy' });
    expect(errorLines()[0]).toMatch(
      /CodeDeploy rolled the deployment back: CodeDeploy deployment d-\w+ Failed \(ALARM_ACTIVE\)/,
    );
    expect(errorLines()[0]).toContain('sample-service-5xx');
    expect(errorLines()[0]).toMatch(/Rolled back: CodeDeploy's rollback deployment d-\w+ succeeded/);
    expect(stdout).toMatch(/CodeDeploy rolls d-\w+ back in deployment d-\w+/);
    expect(primaryTaskSet().taskDefinitionArn).toBe(previous);
  });

  it('rolls back in flight with StopDeployment autoRollbackEnabled when the green tasks keep stopping', async () => {
    const { revision, previous } = await start('codedeploy-tasks-keep-stopping');
    await deploy({ 'task-definition': revision, 'max-failed-tasks': '2' });
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'rollback-method': 'StopDeployment' });
    expect(awsLog.some((line) => /StopDeployment d-\w+ \(autoRollbackEnabled true\)/.test(line))).toBe(true);
    expect(errorLines()[0]).toMatch(/\d+ tasks of the green task set ecs-svc\/\d+ stopped \(max-failed-tasks is 2\)/);
    expect(errorLines()[0]).toContain('Essential container in task exited');
    expect(primaryTaskSet().taskDefinitionArn).toBe(previous);
  });

  it('stops the deployment with CodeDeploy rollback when the run is cancelled', async () => {
    // The cancel comes on the real clock, when the loopback shows 10% green: the deploy runs on it too.
    clock = systemClock;
    const { revision } = await start('codedeploy');
    const context = new RunContext();
    // The watch ends with the deploy: one that fails before 10% green fails this test instead of leaving a timer that
    // outlives it.
    let cancelledAtTenPercent = false;
    const timer = setInterval(() => {
      if (aws?.state.codeDeploy.deployments.at(-1)?.greenWeight === 10) {
        clearInterval(timer);
        cancelledAtTenPercent = true;
        context.cancel('SIGINT');
      }
    }, 10);
    try {
      await deploy({ 'task-definition': revision }, context);
    } finally {
      clearInterval(timer);
      context.dispose();
    }
    expect(cancelledAtTenPercent).toBe(true);
    expect(outputs().status).toBe('cancelled');
    expect(awsLog.some((line) => /StopDeployment d-\w+ \(autoRollbackEnabled true\)/.test(line))).toBe(true);
    expect(errorLines()[0]).toMatch(
      /Cancelled \(SIGINT\) while waiting for the deployment: CodeDeploy deployment d-\w+ of sample-service-dev:2 was InProgress; stopped with CodeDeploy's rollback/,
    );
  });

  it.each([
    [
      'DeploymentLimitExceededException',
      'another deployment is in progress',
      'CodeDeploy refused a new deployment: another deployment is in progress. Wait for it to end (or stop it) and run again.',
    ],
    [
      'InvalidRevisionException',
      'the AppSpec has no TaskDefinition',
      "Input 'codedeploy-appspec': CodeDeploy refused the AppSpec from the service's load balancer: the AppSpec has no TaskDefinition",
    ],
  ])(
    'says what to do when CreateDeployment fails with %s, and the service keeps its revision',
    async (code, awsMessage, message) => {
      const { revision, previous } = await start('codedeploy');
      aws!.failNext('CreateDeployment', { code, message: awsMessage });
      await deploy({ 'task-definition': revision });
      expect(errorLines()[0]).toContain(message);
      expect(process.exitCode).toBe(1);
      expect(primaryTaskSet().taskDefinitionArn).toBe(previous);
      expect(aws!.state.codeDeploy.deployments).toHaveLength(0);
    },
  );

  describe('bad inputs change nothing', () => {
    it('refuses a deployment group that does not exist, naming the input, before registering anything', async () => {
      const { previous } = await start('codedeploy');
      const file = join(dir, 'taskdef.json');
      writeFileSync(
        file,
        JSON.stringify(sampleTaskDefinition(aws!.state, 'dev', sampleImageUri(aws!.accountId, aws!.region))),
      );
      await deploy({ 'task-definition': file, 'codedeploy-deployment-group': 'DgpECS-nope' });
      expect(errorLines()[0]).toContain(
        "Input 'codedeploy-deployment-group': deployment group DgpECS-nope does not exist",
      );
      expect(calls('RegisterTaskDefinition')).toEqual([]);
      expect(calls('CreateDeployment')).toEqual([]);
      expect(primaryTaskSet().taskDefinitionArn).toBe(previous);
    });

    it.each([
      ['deploys another service', { serviceName: 'billing' }, 'deploys demo-dev/billing, not demo-dev/sample-service'],
      ['is not for ECS', { computePlatform: 'Server' }, 'is for the Server compute platform, not ECS'],
    ])(
      'refuses a deployment group that %s, naming the input, before registering anything',
      async (_what, change, message) => {
        const { previous } = await start('codedeploy');
        const group = [...aws!.state.codeDeploy.deploymentGroups.values()][0]!;
        Object.assign(group, change);
        const file = join(dir, 'taskdef.json');
        writeFileSync(
          file,
          JSON.stringify(sampleTaskDefinition(aws!.state, 'dev', sampleImageUri(aws!.accountId, aws!.region))),
        );
        await deploy({ 'task-definition': file });
        expect(errorLines()[0]).toContain(`Input 'codedeploy-deployment-group': deployment group ${group.name}`);
        expect(errorLines()[0]).toContain(`${message}; nothing was changed`);
        expect(calls('RegisterTaskDefinition')).toEqual([]);
        expect(calls('CreateDeployment')).toEqual([]);
        expect(primaryTaskSet().taskDefinitionArn).toBe(previous);
      },
    );

    it('refuses an AppSpec whose container the revision lacks, before registering it', async () => {
      await start('codedeploy');
      const appspec = join(dir, 'appspec.json');
      writeFileSync(
        appspec,
        JSON.stringify({
          version: 0.0,
          Resources: [
            {
              TargetService: {
                Type: 'AWS::ECS::Service',
                Properties: { LoadBalancerInfo: { ContainerName: 'api', ContainerPort: 8080 } },
              },
            },
          ],
        }),
      );
      const file = join(dir, 'taskdef.json');
      writeFileSync(
        file,
        JSON.stringify(sampleTaskDefinition(aws!.state, 'dev', sampleImageUri(aws!.accountId, aws!.region))),
      );
      await deploy({ 'task-definition': file, 'codedeploy-appspec': appspec });
      expect(errorLines()[0]).toContain('has no container api with port 8080');
      expect(calls('RegisterTaskDefinition')).toEqual([]);
      expect(calls('CreateDeployment')).toEqual([]);
    });

    it('refuses an AppSpec file that is not an ECS AppSpec before any AWS call', async () => {
      await start('codedeploy');
      const appspec = join(dir, 'appspec.yaml');
      writeFileSync(appspec, 'Resources:\n  - TargetService:\n      Type: AWS::Lambda::Function\n');
      await deploy({ 'task-definition': 'sample-service-dev:1', 'codedeploy-appspec': appspec });
      expect(errorLines()[0]).toContain("Input 'codedeploy-appspec':");
      expect(errorLines()[0]).toContain('must be a TargetService of Type AWS::ECS::Service');
      expect(aws!.requests).toEqual([]);
    });

    it('refuses codedeploy inputs on a service with the ECS controller', async () => {
      await start('completes');
      await deploy({
        'task-definition': 'sample-service-dev:1',
        'codedeploy-application': 'AppECS-demo-dev-sample-service',
      });
      expect(errorLines()[0]).toContain(
        "Input 'codedeploy-application': service 'sample-service' uses the ECS deployment controller",
      );
      expect(calls('UpdateService')).toEqual([]);
    });
  });
});
