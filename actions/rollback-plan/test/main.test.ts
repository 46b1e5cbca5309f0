import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { runAction } from '@ecs-actions/action-kit';
import {
  sampleImageUri,
  SAMPLE_IMAGE_DIGEST,
  SAMPLE_REPOSITORY,
  sampleTaskDefinition,
  startLoopbackAws,
  type LoopbackAws,
} from '@ecs-actions/loopback-aws';
import { run } from '../src/main.js';

const PREVIOUS = '1a2b3c4d'.repeat(5);
const CURRENT = '9f8e7d6c'.repeat(5);
const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
const saved = { ...process.env };
let aws: LoopbackAws;
let dir: string;
let stdout: string;
// @actions/core remembers the first GITHUB_STEP_SUMMARY it sees: one file for the suite, emptied before each test.
let summaryFile: string;
beforeAll(() => {
  summaryFile = join(mkdtempSync(join(tmpdir(), 'rollback-plan-summary-')), 'summary.md');
});

beforeEach(async () => {
  for (const key of Object.keys(process.env)) if (/^(INPUT_|GITHUB_|AWS_)/.test(key)) delete process.env[key];
  aws = await startLoopbackAws({ stepMs: 10, throttle: false });
  dir = mkdtempSync(join(tmpdir(), 'rollback-plan-'));
  writeFileSync(join(dir, 'output'), '');
  writeFileSync(summaryFile, '');
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'acme/web',
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    INPUT_ENVIRONMENT: 'prod',
    INPUT_CLUSTER: 'demo-prod',
    INPUT_SERVICE: 'sample-service',
    INPUT_TOKEN: TOKEN,
  });
  stdout = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  process.exitCode = undefined;
});
afterEach(async () => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  process.env = { ...saved };
  await aws.close();
});

function outputs(): Record<string, string> {
  const text = readFileSync(join(dir, 'output'), 'utf8');
  const result: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) result[match[1]!] = match[3]!;
  return result;
}

function deployTags(refs: Array<[number, string]>): void {
  nock('https://api.github.com')
    .matchHeader('authorization', `token ${TOKEN}`)
    .get('/repos/acme/web/git/matching-refs/tags%2Fdeployed%2Fprod%2F')
    .query({ per_page: '100' })
    .reply(
      200,
      refs.map(([run, sha]) => ({ ref: `refs/tags/deployed/prod/${run}`, object: { sha, type: 'commit' } })),
    );
}

/** A second revision of prod, rolled out to completion, as the pipeline's last deploy. */
async function deployNewRevision(): Promise<void> {
  const world = aws.state;
  const service = world.services.get('demo-prod/sample-service')!;
  aws.seedImage({ repository: SAMPLE_REPOSITORY, tags: [PREVIOUS.slice(0, 7)], label: 'sample-service 1.0.0' });
  const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, maxAttempts: 1 });
  const input = sampleTaskDefinition(world, 'prod', sampleImageUri(aws.accountId, aws.region));
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(input as never));
  await ecs.send(
    new UpdateServiceCommand({
      cluster: 'demo-prod',
      service: 'sample-service',
      taskDefinition: taskDefinition!.taskDefinitionArn,
    }),
  );
  ecs.destroy();
  const deadline = Date.now() + 20_000;
  while (service.serviceDeployments[0]!.status !== 'SUCCESSFUL') {
    if (Date.now() > deadline) throw new Error(`rollout never completed: ${service.serviceDeployments[0]!.status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    aws.advance();
  }
}

describe('rollback-plan', () => {
  it('prints the revision, digest and commit of the previous successful deploy and sets them as outputs', async () => {
    await deployNewRevision();
    const deployRequests = aws.requests.length;
    deployTags([
      [1, PREVIOUS],
      [2, CURRENT],
    ]);

    await runAction(run);

    expect(process.exitCode).toBeUndefined();
    const seeded = `arn:aws:ecs:${aws.region}:${aws.accountId}:task-definition/sample-service-prod:1`;
    expect(outputs()).toEqual({
      found: 'true',
      source: 'service-deployments',
      'task-definition': seeded,
      image: '',
      digest: SAMPLE_IMAGE_DIGEST,
      commit: PREVIOUS,
      version: PREVIOUS,
      plan: expect.stringMatching(/^Rollback plan for prod: would go to sample-service-prod:1 \(sha256:/),
    });
    expect(stdout).toContain(
      `Rollback plan for prod: would go to sample-service-prod:1 (${SAMPLE_IMAGE_DIGEST}, commit 1a2b3c4)`,
    );
    expect(readFileSync(summaryFile, 'utf8')).toContain(`<tr><th>Goes to</th><td><code>${seeded}</code></td></tr>`);
    // Read only: nothing registered, nothing updated.
    const planned = aws.requests.slice(deployRequests).map((request) => request.operation);
    expect(planned.filter((operation) => !/^(List|Describe)/.test(operation))).toEqual([]);
  });

  it('fails with what to give instead when there is nothing to go back to', async () => {
    deployTags([[2, CURRENT]]);

    await runAction(run);

    expect(process.exitCode).toBe(1);
    expect(stdout).toContain(
      '::error::Rollback plan for prod: nothing to go back to; no earlier successful deploy of prod found',
    );
    expect(outputs()).toMatchObject({ found: 'false', 'task-definition': '', image: '' });
  });

  it('refuses a service name that is not one before any AWS call', async () => {
    process.env.INPUT_SERVICE = 'web service';

    await runAction(run);

    expect(process.exitCode).toBe(1);
    expect(stdout).toContain(`::error::Input 'service': "web service" is not a service name or ARN`);
    expect(aws.requests).toEqual([]);
  });
});
