import { afterAll, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  demoCluster,
  sampleImageUri,
  SAMPLE_REPOSITORY,
  SAMPLE_SERVICE,
  startLoopbackAws,
  type LoopbackAws,
} from '@ecs-actions/loopback-aws';
import { repositoryRoot } from '@ecs-actions/rehearsal';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startSampleService, type SampleService } from '../../sample-service/test/support/start-service.js';

/*
 * `npx ecs-actions deploy --environment dev --dry-run` against the loopback AWS: deploy-environment.yml runs through
 * the local executor with the credentials of the environment, up to the first change; nothing changes.
 */

let aws: LoopbackAws | undefined;
let rollbackAws: LoopbackAws | undefined;
let service: SampleService | undefined;
let github: Server | undefined;
const temps: string[] = [];
afterAll(async () => {
  await aws?.close();
  await rollbackAws?.close();
  await service?.stop();
  github?.close();
  for (const temp of temps) rmSync(temp, { recursive: true, force: true });
});

jest.setTimeout(120_000);

function run(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'ecs-actions', ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** What a deploy would change: every service's deployments and every registered revision. */
function state(loopback: LoopbackAws): string {
  loopback.advance();
  return JSON.stringify({
    services: [...loopback.state.services.entries()].map(([name, service]) => [
      name,
      service.deployments.map((deployment) => deployment.taskDefinitionArn),
    ]),
    revisions: [...loopback.state.taskDefinitions.entries()].map(([family, revisions]) => [family, revisions.length]),
  });
}

/** The GitHub variables the workflows read, for the loopback's dev environment; and a temporary folder. */
function variablesFile(loopback: LoopbackAws, baseUrl: string): { temp: string; variables: string } {
  const temp = mkdtempSync(join(tmpdir(), 'ecs-actions-cli-'));
  temps.push(temp);
  const variables = join(temp, 'variables.yml');
  writeFileSync(
    variables,
    `vars:
  AWS_REGION: ${loopback.region}
  AWS_ACCOUNT_ID: "${loopback.accountId}"
  AWS_DEPLOY_ROLE_ARN: arn:aws:iam::${loopback.accountId}:role/deploy
  ECS_SERVICE: ${SAMPLE_SERVICE}
  VERIFY_TIMEOUT_SECONDS: "20"
environments:
  dev:
    vars:
      ECS_CLUSTER: ${demoCluster('dev')}
      BASE_URL: ${baseUrl}
`,
  );
  return { temp, variables };
}

/** The user's credential chain: here, the loopback's endpoint and keys in the environment. */
function credentials(loopback: LoopbackAws): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: loopback.url,
    AWS_ACCESS_KEY_ID: 'AKIDCLI',
    AWS_SECRET_ACCESS_KEY: 'cli-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

it('npx ecs-actions deploy --dry-run prints the rendered diff and the pre-flight, and changes nothing', async () => {
  aws = await startLoopbackAws({ stepMs: 40 });
  const { temp, variables } = variablesFile(aws, 'http://127.0.0.1:9');
  const before = state(aws);
  const { code, output } = await run(
    [
      'deploy',
      '--environment',
      'dev',
      '--image',
      sampleImageUri(aws.accountId, aws.region),
      '--variables',
      variables,
      '--repository',
      'acme/shop',
      '--dry-run',
      '--reports',
      join(temp, 'reports'),
    ],
    credentials(aws),
  );
  expect({ code, tail: output.split('\n').slice(-40).join('\n') }).toMatchObject({ code: 0 });
  expect(output).toContain('deploy-environment.yml for dev through the local workflow executor');
  expect(output).toContain('as the GitHub repository acme/shop');
  expect(output).toContain('── Render the task definition');
  expect(output).toContain('+++ rendered sample-service-dev');
  expect(output).toContain('○ Notify Slack (started): skipped');
  expect(output).toContain(
    '■ dry run: "Deploy to ECS" would be the first change: the run stops before "Deploy to ECS"',
  );
  expect(output).toContain('── Pre-flight (deploy-ecs, read only)');
  expect(output).toMatch(/Service sample-service: 2\/2 tasks running/);
  expect(output).toContain('| Status | dry-run |');
  const report = /^Report: (.+\.md)$/m.exec(output)?.[1];
  expect(readFileSync(report!, 'utf8')).toContain('# Deployment report: dev');

  expect(state(aws)).toBe(before);
  const changing = aws.requests.filter((request) =>
    /^(Register|Update|Create|Delete|Run|Start|Stop|Put|Deregister)/.test(request.operation),
  );
  expect(changing.map((request) => request.operation)).toEqual([]);
});

it('refuses a deploy with both an image and a task definition, naming the flags', async () => {
  const { code, output } = await run(
    ['deploy', '--environment', 'dev', '--image', 'x@sha256:1', '--task-definition', 'web:1'],
    {},
  );
  expect(code).toBe(2);
  expect(output).toContain(
    'ecs-actions: deploy needs exactly one of --image <repository>@sha256:<digest> and --task-definition',
  );
});

/** GitHub's API as far as rollback-plan reads it: acme/shop has no deployed/<env>/* tags yet. */
async function startGithubWithoutTags(): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  github = createServer((request, response) => {
    const path = decodeURIComponent(request.url ?? '');
    paths.push(path);
    const tags = path.startsWith('/repos/acme/shop/git/matching-refs/tags/deployed/');
    response.writeHead(tags ? 200 : 404, { 'content-type': 'application/json' });
    response.end(tags ? '[]' : '{"message":"Not Found"}');
  });
  await new Promise<void>((resolve) => github!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(github.address() as AddressInfo).port}`, paths };
}

it('npx ecs-actions rollback with no revision plans from the service-deployment history, and deploys it with --yes', async () => {
  rollbackAws = await startLoopbackAws({ stepMs: 40 });
  service = await startSampleService({ env: { GIT_SHA: 'a'.repeat(40), BUILD_TIME: new Date().toISOString() } });
  const { temp, variables } = variablesFile(rollbackAws, service.url);
  // build-push-digest tags each image with its commit's short SHA: the running one was built from 1a2b3c4.
  rollbackAws.seedImage({ repository: SAMPLE_REPOSITORY, tags: ['1a2b3c4'], label: 'sample-service 1.0.0' });
  const api = await startGithubWithoutTags();
  const env = { ...credentials(rollbackAws), GITHUB_TOKEN: 'local-token', GITHUB_API_URL: api.url };
  // --repository: the service's repository, whose deploy tags the plan reads (not ecs-actions' own).
  const reports = ['--repository', 'acme/shop', '--variables', variables, '--reports', join(temp, 'reports')];

  // A deploy of a second revision of the same containers, through the CLI.
  const ecs = new ECSClient({
    endpoint: rollbackAws.url,
    region: rollbackAws.region,
    credentials: { accessKeyId: 'AKIDCLI', secretAccessKey: 'cli-secret' },
  });
  const family = `${SAMPLE_SERVICE}-dev`;
  const { taskDefinition: first } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
  const { taskDefinition: second } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: first!.containerDefinitions,
      cpu: first!.cpu,
      memory: first!.memory,
      networkMode: first!.networkMode,
      requiresCompatibilities: first!.requiresCompatibilities,
      executionRoleArn: first!.executionRoleArn,
      taskRoleArn: first!.taskRoleArn,
    }),
  );
  const deployed = await run(
    ['deploy', '--environment', 'dev', '--task-definition', second!.taskDefinitionArn!, '--yes', ...reports],
    env,
  );
  expect({ code: deployed.code, tail: deployed.output.split('\n').slice(-40).join('\n') }).toMatchObject({ code: 0 });
  const live = () => {
    rollbackAws!.advance();
    return rollbackAws!.state.services
      .get(`${demoCluster('dev')}/${SAMPLE_SERVICE}`)
      ?.deployments.map((deployment) => deployment.taskDefinitionArn);
  };
  expect(live()).toEqual([second!.taskDefinitionArn]);

  const before = state(rollbackAws);
  const requestsBefore = rollbackAws.requests.length;
  const dryRun = await run(['rollback', '--environment', 'dev', '--dry-run', ...reports], env);
  expect({ code: dryRun.code, tail: dryRun.output.split('\n').slice(-40).join('\n') }).toMatchObject({ code: 0 });
  expect(dryRun.output).toContain('rollback.yml for dev through the local workflow executor');
  expect(dryRun.output).toMatch(
    new RegExp(
      `Rollback plan for dev: would go to ${family}:${first!.revision} \\(sha256:[0-9a-f]{64}, commit 1a2b3c4\\)`,
    ),
  );
  expect(dryRun.output).toContain('| Status | dry-run |');
  expect(api.paths.some((path) => path.startsWith('/repos/acme/shop/git/matching-refs/tags/deployed/dev/'))).toBe(true);
  expect(state(rollbackAws)).toBe(before);
  const changing = rollbackAws.requests
    .slice(requestsBefore)
    .filter((request) => /^(Register|Update|Create|Delete|Run|Start|Stop|Put|Deregister)/.test(request.operation));
  expect(changing.map((request) => request.operation)).toEqual([]);

  const rolledBack = await run(['rollback', '--environment', 'dev', '--yes', ...reports], env);
  expect({ code: rolledBack.code, tail: rolledBack.output.split('\n').slice(-40).join('\n') }).toMatchObject({
    code: 0,
  });
  expect(rolledBack.output).toContain(`Rollback plan for dev: would go to ${family}:${first!.revision}`);
  expect(rolledBack.output).toContain('| Status | succeeded |');
  expect(live()).toEqual([first!.taskDefinitionArn]);
  // Three CLI runs of whole workflows on a loaded machine.
}, 360_000);

it('refuses a rollback to the previous deploy with a vars file, since rollback.yml renders with its own', async () => {
  const { code, output } = await run(['rollback', '--environment', 'dev', '--vars-file', 'x.env'], {});
  expect(code).toBe(2);
  expect(output).toContain('ecs-actions: --vars-file needs --task-definition or --image');
});
