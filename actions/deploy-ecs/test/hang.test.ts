import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunContext, runAction } from '@ecs-actions/action-kit';
import { stepHarness } from '@ecs-actions/action-kit/testing';
import {
  OTHER_IMAGE_DIGEST,
  sampleImageUri,
  sampleTaskDefinition,
  startLoopbackAws,
  startSilentServer,
  type LoopbackAws,
  type SilentServer,
} from '@ecs-actions/loopback-aws';
import { describeServicesFollower } from '../src/follower.js';
import { run } from '../src/main.js';

/*
 * Endpoints that accept connections and never answer, over real sockets, with short deadlines and AWS timeouts
 * injected through the action's dependencies (timeout-minutes cannot go below one minute).
 */

const step = stepHarness('deploy-ecs-hang');
const { outputs, errorLines } = step;
let aws: LoopbackAws | undefined;
let silent: SilentServer | undefined;
let context: RunContext;
let onTeardown: (() => void) | undefined;

beforeEach(() => {
  process.env.INPUT_CLUSTER = 'demo-dev';
  process.env.INPUT_SERVICE = 'sample-service';
  context = new RunContext();
});
afterEach(async () => {
  await aws?.close();
  await silent?.close();
  aws = silent = undefined;
  onTeardown?.();
  onTeardown = undefined;
});

async function deploy(timeoutMs: number, responseMs: number): Promise<number> {
  const started = Date.now();
  await runAction(() =>
    run({ context, timeoutMs, awsTimeouts: { responseMs, connectionMs: 500 }, follower: describeServicesFollower }),
  );
  return Date.now() - started;
}

/** The loopback AWS, which the action's clients are pointed at. */
async function startPointedLoopback(): Promise<LoopbackAws> {
  const started = await startLoopbackAws({ stepMs: 20 });
  process.env.AWS_ENDPOINT_URL = started.url;
  return started;
}

/** The sample service's next revision, with another image digest than the one it runs. */
function nextTaskDefinition(loopback: LoopbackAws): Record<string, unknown> {
  return sampleTaskDefinition(
    loopback.state,
    'dev',
    sampleImageUri(loopback.accountId, loopback.region, OTHER_IMAGE_DIGEST),
  );
}

/** That revision, registered. */
function nextRevision(loopback: LoopbackAws): { arn: string } {
  return loopback.seedTaskDefinition(nextTaskDefinition(loopback));
}

describe('deploy-ecs against endpoints that stop answering', () => {
  it('ends in pre-flight at the deadline, naming the call, the endpoint and that nothing changed', async () => {
    silent = await startSilentServer();
    process.env.AWS_ENDPOINT_URL = silent.url;
    process.env['INPUT_TASK-DEFINITION'] = 'sample-service-dev:2';

    const elapsedMs = await deploy(1000, 60_000);

    expect(elapsedMs).toBeLessThan(3000);
    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      `::error::ECS DescribeServices (${silent.url}) did not answer before the deadline passed: the rollout's 1000 ms. ` +
        'Nothing was changed.',
    ]);
    expect(outputs()).toMatchObject({ status: 'failed', 'deployment-id': '' });
  });

  it('names the call and endpoint when every attempt times out before the deadline', async () => {
    silent = await startSilentServer();
    process.env.AWS_ENDPOINT_URL = silent.url;
    process.env['INPUT_TASK-DEFINITION'] = 'sample-service-dev:2';

    await deploy(60_000, 100);

    expect(errorLines()[0]).toMatch(
      new RegExp(`^::error::ECS DescribeServices \\(${silent.url}\\) did not answer: no answer within 100 ms`),
    );
  });

  it('ends at the deadline when RegisterTaskDefinition does not answer, saying that the service was not changed', async () => {
    aws = await startPointedLoopback();
    const dir = mkdtempSync(join(tmpdir(), 'deploy-ecs-hang-'));
    onTeardown = () => rmSync(dir, { recursive: true, force: true });
    const file = join(dir, 'taskdef.json');
    writeFileSync(file, JSON.stringify(nextTaskDefinition(aws)));
    process.env['INPUT_TASK-DEFINITION'] = file;
    aws.stopAnswering({ operations: ['RegisterTaskDefinition'] });

    const elapsedMs = await deploy(1000, 60_000);

    expect(elapsedMs).toBeLessThan(3000);
    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      `::error::ECS RegisterTaskDefinition (${aws.url}) did not answer before the deadline passed: the rollout's 1000 ms. ` +
        'Nothing was changed: the service still runs sample-service-dev:1.',
    ]);
    expect(aws.requests.filter((request) => request.operation === 'UpdateService')).toEqual([]);
  });

  it('ends at the deadline when UpdateService does not answer, saying the deployment may have started', async () => {
    aws = await startPointedLoopback();
    process.env['INPUT_TASK-DEFINITION'] = nextRevision(aws).arn;
    aws.stopAnswering({ operations: ['UpdateService'] });

    const elapsedMs = await deploy(1000, 60_000);

    expect(elapsedMs).toBeLessThan(3000);
    expect(process.exitCode).toBe(1);
    expect(errorLines()).toEqual([
      `::error::ECS UpdateService (${aws.url}) did not answer before the deadline passed: the rollout's 1000 ms. ` +
        'The deployment of sample-service-dev:2 was requested but not confirmed: it may or may not have started; ' +
        'the service ran sample-service-dev:1 before, and nothing was rolled back. ' +
        "Check the service's deployments before deploying again. " +
        `See https://${aws.region}.console.aws.amazon.com/ecs/v2/clusters/demo-dev/services/sample-service/deployments?region=${aws.region}`,
    ]);
    expect(outputs()).toMatchObject({ status: 'failed', 'deployment-id': '' });
  });

  it('ends within its deadlines when reads stop answering after UpdateService, saying what state it is in', async () => {
    aws = await startPointedLoopback();
    process.env['INPUT_TASK-DEFINITION'] = nextRevision(aws).arn;
    // A half-open connection: from UpdateService on, nothing answers (the rollback's UpdateService neither).
    aws.stopAnswering({ after: 'UpdateService' });

    // Rollout 1 s (+0.1 s margin), diagnosis at most 1 s, rollback 1 s (+0.1 s).
    const elapsedMs = await deploy(1000, 250);

    expect(elapsedMs).toBeLessThan(6000);
    expect(process.exitCode).toBe(1);
    const [line] = errorLines();
    // The rollback's UpdateService backs off after its attempt timed out; the rollback's deadline passes meanwhile.
    expect(line).toContain(
      `UpdateService for the rollback was still failing after 1 attempt when the deadline passed (the rollback's ` +
        `1000 ms): ECS UpdateService (${aws.url}) did not answer: no answer within 250 ms`,
    );
    expect(line).toContain(
      `Deployment ${outputs()['deployment-id']} of sample-service-dev:2 had started and failed (the deployment did not complete within 1 s (ECS DescribeServices (${aws.url}) did not answer before the deadline passed: the rollout's 1000 ms))`,
    );
    expect(line).toContain(
      'the service may still be on it: the rollback to sample-service-dev:1 was not started or not confirmed',
    );
    expect(outputs()).toMatchObject({
      status: 'failed',
      'previous-task-definition-arn': expect.stringContaining('sample-service-dev:1'),
    });
  });
});
