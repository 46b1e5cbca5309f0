import { afterAll, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  demoCluster,
  sampleImageUri,
  SAMPLE_SERVICE,
  startLoopbackAws,
  type LoopbackAws,
} from '@ecs-actions/loopback-aws';
import { repositoryRoot } from '@ecs-actions/rehearsal';

/*
 * `npx ecs-actions deploy --environment dev --dry-run` against the loopback AWS: deploy-environment.yml runs through
 * the local executor with the credentials of the environment, up to the first change; nothing changes.
 */

let aws: LoopbackAws | undefined;
const temps: string[] = [];
afterAll(async () => {
  await aws?.close();
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

it('npx ecs-actions deploy --dry-run prints the rendered diff and the pre-flight, and changes nothing', async () => {
  aws = await startLoopbackAws({ stepMs: 40 });
  const temp = mkdtempSync(join(tmpdir(), 'ecs-actions-cli-'));
  temps.push(temp);
  const variables = join(temp, 'variables.yml');
  writeFileSync(
    variables,
    `vars:
  AWS_REGION: ${aws.region}
  AWS_ACCOUNT_ID: "${aws.accountId}"
  AWS_DEPLOY_ROLE_ARN: arn:aws:iam::${aws.accountId}:role/deploy
  ECS_SERVICE: ${SAMPLE_SERVICE}
environments:
  dev:
    vars:
      ECS_CLUSTER: ${demoCluster('dev')}
      BASE_URL: http://127.0.0.1:9
`,
  );
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
      '--dry-run',
      '--reports',
      join(temp, 'reports'),
    ],
    {
      // The user's credential chain: here, the loopback's endpoint and keys in the environment.
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: 'AKIDCLI',
      AWS_SECRET_ACCESS_KEY: 'cli-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  );
  expect({ code, tail: output.split('\n').slice(-40).join('\n') }).toMatchObject({ code: 0 });
  expect(output).toContain('deploy-environment.yml for dev through the local workflow executor');
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
