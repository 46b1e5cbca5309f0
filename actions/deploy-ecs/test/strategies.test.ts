// deploy-ecs against the loopback AWS through the real SDK: the service-deployments follower, ECS's own rollback,
// blue/green, canary and linear strategies, and the PAUSE hook with wait-until: paused and the continue mode.
import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock, runAction } from '@ecs-actions/action-kit';
import { stepHarness } from '@ecs-actions/action-kit/testing';
import {
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
  type ScenarioName,
} from '@ecs-actions/loopback-aws';
import { run } from '../src/main.js';

const step = stepHarness('deploy-ecs-strategies');
const { outputs, summary, errorLines, setInputs } = step;
let aws: LoopbackAws | undefined;
/** The deploy's clock, which the loopback's rollouts follow too: a minute of bake time passes in no time. */
let clock: FakeClock;

afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/** A loopback AWS whose next new revision of sample-service-dev rolls out as the scenario says. */
async function start(scenario: ScenarioName, stepMs = 20): Promise<string> {
  clock = new FakeClock();
  aws = await startLoopbackAws({ scenario, stepMs, minuteMs: 500, now: () => clock.now() });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  const input = sampleTaskDefinition(aws.state, 'dev', sampleImageUri(aws.accountId, aws.region));
  return aws.seedTaskDefinition({ ...input, cpu: '512', memory: '1024' }).arn;
}

/**
 * Polls every 50 ms of the fake clock: 2.5 steps of 20 ms, as a poll in step with the rollout would see the same
 * phase each time, and no faster than DescribeServiceDeployments' bucket refills (20/s).
 */
async function deploy(inputs: Record<string, string>): Promise<void> {
  setInputs({ cluster: 'demo-dev', service: 'sample-service', ...inputs });
  await runAction(() => run({ clock, interval: () => 50 }));
}

describe('deploy-ecs with the service-deployments API', () => {
  it('follows a blue/green deployment stage by stage to success and draws its timeline', async () => {
    const revision = await start('blue-green');
    await deploy({ 'task-definition': revision });
    expect(errorLines()).toEqual([]);
    expect(outputs()).toMatchObject({ status: 'succeeded', 'followed-with': 'service deployments' });
    expect(outputs()['service-deployment-arn']).toMatch(/:service-deployment\/demo-dev\/sample-service\//);
    expect(step.stdout).toContain('Strategy BLUE_GREEN: production traffic 100%, bake 1 min');
    expect(step.stdout).toContain('alternate (green) target group:');
    expect(step.stdout).toMatch(/IN_PROGRESS BAKE_TIME: new 2\/2 running.*production 100%, test 100%/);
    expect(summary()).toContain('```mermaid\ngantt');
    expect(summary()).toContain('BAKE_TIME :');
  });

  it('reports rolled-back, naming the alarm, when ECS rolls a blue/green deployment back during bake time', async () => {
    const revision = await start('blue-green-alarm-rollback');
    await deploy({ 'task-definition': revision });
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'rollback-method': 'ECS' });
    expect(step.stdout).toContain('alarms in ALARM: sample-service-5xx');
    expect(errorLines()[0]).toMatch(/ECS rolled the deployment back: CloudWatch alarm sample-service-5xx/);
    expect(summary()).toContain('ECS by itself (circuit breaker, alarm or lifecycle hook)');
  });

  it('prints each production traffic weight of a canary deployment: 10% then 100%', async () => {
    const revision = await start('canary');
    await deploy({ 'task-definition': revision });
    expect(outputs().status).toBe('succeeded');
    const weights = [...step.stdout.matchAll(/: new .*production (\d+)%/g)].map((match) => match[1]);
    expect([...new Set(weights)]).toEqual(['0', '10', '100']);
  });

  it('prints each step of a linear deployment', async () => {
    const revision = await start('linear');
    await deploy({ 'task-definition': revision });
    expect(outputs().status).toBe('succeeded');
    const weights = [...step.stdout.matchAll(/: new .*production (\d+)%/g)].map((match) => match[1]);
    expect([...new Set(weights)]).toEqual(['0', '25', '50', '75', '100']);
    expect(step.stdout).toContain('the strategy adds 4 min of bake and step time');
  });

  it('stops at the PAUSE hook with wait-until: paused, then the continue mode finishes the deployment', async () => {
    const revision = await start('pause-hook');
    await deploy({ 'task-definition': revision, 'wait-until': 'paused' });
    expect(errorLines()).toEqual([]);
    const paused = outputs();
    expect(paused).toMatchObject({ status: 'paused' });
    expect(paused['hook-id']).not.toBe('');
    expect(step.stdout).toContain('POST_TEST_TRAFFIC_SHIFT');

    writeFileSync(join(step.dir, 'output'), '');
    for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
    await deploy({
      continue: 'continue',
      'service-deployment-arn': paused['service-deployment-arn'],
      'hook-id': paused['hook-id'],
    });
    expect(errorLines()).toEqual([]);
    expect(outputs()).toMatchObject({ status: 'succeeded', 'task-definition-arn': revision });
  });

  it('rolls a paused deployment back with continue: rollback', async () => {
    const revision = await start('pause-hook');
    await deploy({ 'task-definition': revision, 'wait-until': 'paused' });
    const paused = outputs();
    writeFileSync(join(step.dir, 'output'), '');
    for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
    await deploy({
      continue: 'rollback',
      'service-deployment-arn': paused['service-deployment-arn'],
      'hook-id': paused['hook-id'],
    });
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'rollback-method': 'ECS' });
    expect(process.exitCode).toBe(1);
  });

  it('rolls a failing rolling deployment back in flight with StopServiceDeployment ROLLBACK', async () => {
    const revision = await start('stop-deployment-rollback');
    await deploy({ 'task-definition': revision });
    expect(outputs()).toMatchObject({ status: 'rolled-back', 'rollback-method': 'StopServiceDeployment' });
    expect(step.stdout).toContain('(StopServiceDeployment ROLLBACK)');
    expect(aws!.requests.filter((request) => request.operation === 'StopServiceDeployment')).toHaveLength(1);
    // Only the deploy's own UpdateService: the rollback was ECS's.
    expect(aws!.requests.filter((request) => request.operation === 'UpdateService')).toHaveLength(1);
    expect(summary()).toContain("ECS's rollback in flight (StopServiceDeployment ROLLBACK)");
  });

  it('refuses wait-until: paused before any change when the service has no PAUSE hook', async () => {
    const revision = await start('blue-green');
    await deploy({ 'task-definition': revision, 'wait-until': 'paused' });
    expect(errorLines()[0]).toMatch(/Input 'wait-until': paused needs a PAUSE lifecycle hook/);
    expect(aws!.requests.filter((request) => request.operation === 'UpdateService')).toHaveLength(0);
  });

  it('falls back to DescribeServices with one notice when the service-deployments API is denied', async () => {
    const revision = await start('completes');
    aws!.failNext('ListServiceDeployments', { code: 'AccessDeniedException', message: 'not authorized', times: 5 });
    await deploy({ 'task-definition': revision });
    expect(outputs()).toMatchObject({ status: 'succeeded', 'followed-with': 'DescribeServices' });
    expect(step.stdout.split('\n').filter((line) => line.startsWith('::notice::'))).toHaveLength(1);
  });

  it('rides out throttled polls (one attempt each) and still follows the service deployment to success', async () => {
    const revision = await start('completes');
    aws!.failNext('ListServiceDeployments', { code: 'ThrottlingException', message: 'Rate exceeded', times: 2 });
    aws!.failNext('DescribeServiceDeployments', { code: 'ThrottlingException', message: 'Rate exceeded', times: 2 });
    await deploy({ 'task-definition': revision });
    expect(outputs()).toMatchObject({ status: 'succeeded', 'followed-with': 'service deployments' });
    // Each throttled poll was sent once: the follower backs off, the SDK does not retry it at once.
    const throttled = aws!.requests.filter((request) => request.error === 'ThrottlingException');
    expect(throttled.map((request) => request.operation)).toEqual([
      'ListServiceDeployments',
      'ListServiceDeployments',
      'DescribeServiceDeployments',
      'DescribeServiceDeployments',
    ]);
    // The second list waited for the follower's next attempt (1 to 2 s on the clock the loopback shares), not for a
    // quick SDK retry.
    expect(throttled[1]!.time - throttled[0]!.time).toBeGreaterThanOrEqual(1000);
  });

  it('near the end of a rolling deployment polls DescribeServices, and the service deployment once the service shows the end', async () => {
    // Steps of 300 ms: the polls (every 50 ms) see the old tasks gone before the deployment ends.
    const revision = await start('completes', 300);
    await deploy({ 'task-definition': revision });
    expect(outputs()).toMatchObject({ status: 'succeeded', 'followed-with': 'service deployments' });
    const polls = aws!.requests
      .filter((request) => ['DescribeServices', 'DescribeServiceDeployments'].includes(request.operation))
      .map((request) => request.operation);
    const lastDeploymentPoll = polls.lastIndexOf('DescribeServiceDeployments');
    // The last read of the service deployment (SUCCESSFUL) came after a DescribeServices check that showed the end.
    expect(polls[lastDeploymentPoll - 1]).toBe('DescribeServices');
    expect(polls.filter((operation) => operation === 'DescribeServices').length).toBeGreaterThan(2);
  });

  it('draws the rolling timeline in the summary when following through DescribeServices', async () => {
    const revision = await start('completes');
    aws!.failNext('ListServiceDeployments', { code: 'AccessDeniedException', message: 'not authorized', times: 5 });
    await deploy({ 'task-definition': revision });
    expect(outputs()).toMatchObject({ status: 'succeeded', 'followed-with': 'DescribeServices' });
    const gantt = /```mermaid\n(gantt[\s\S]*?)```/.exec(summary())?.[1] ?? '';
    const bars = [...gantt.matchAll(/^ {2}([A-Za-z ]+) :/gm)].map((match) => match[1]);
    // Each poll sees one phase; a loaded machine may skip some, never reorder them.
    const order = ['Update', 'New tasks starting', 'Targets healthy', 'Old tasks draining', 'Completing', 'Completed'];
    expect(bars.at(-1)).toBe('Completed');
    expect(bars.map((bar) => order.indexOf(bar!))).toEqual([...bars.map((bar) => order.indexOf(bar!))].sort());
  });
});
