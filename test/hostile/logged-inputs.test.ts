import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { injectionText } from '@ecs-actions/action-kit/testing';
import { runBundle } from '@ecs-actions/rehearsal';
import { installFakeDocker, type FakeDocker } from '../../actions/build-push-digest/test/fake-docker.js';
import { IMAGE, json, taskDefinition, useLoopback } from './fixtures.js';
import { awsEnvironment, unmeantCommands, type ActionName } from './harness.js';

/*
 * Issue 18, item 2: arbitrary strings, and strings with a workflow command spliced in, through the inputs each
 * action logs (and the files it prints from), run through the real entry points: no output line may be a command
 * the action did not mean, and no run may end as a bug.
 */

interface LoggedInput {
  action: ActionName;
  /** The inputs the string goes through. */
  through: string;
  inputs: (text: string) => Record<string, string>;
  files?: (text: string) => Record<string, string>;
  /** Secrets the action masks itself. */
  masks?: string[];
}

const loopback = useLoopback();
let service: Server;
let serviceUrl: string;
let docker: FakeDocker;
const dockerEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH };

beforeAll(async () => {
  // A service that answers every smoke check, echoing the path it was asked for (foreign text in the log).
  service = createServer((request, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url })),
  );
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  docker = installFakeDocker(dockerEnv);
});
afterAll(async () => {
  docker.remove();
  await new Promise((resolve) => service.close(resolve));
});

const DEPLOY = { cluster: 'demo-dev', service: 'sample-service', wait: 'false' };

const LOGGED: LoggedInput[] = [
  {
    action: 'deploy-ecs',
    through: 'cluster',
    inputs: (text) => ({ ...DEPLOY, cluster: text, 'task-definition': 'sample-service-dev:1' }),
  },
  {
    action: 'deploy-ecs',
    through: "the task-definition file's family, container name and image",
    inputs: () => ({ ...DEPLOY, 'task-definition': 'taskdef.json' }),
    files: (text) => ({
      'taskdef.json': json(
        taskDefinition({ family: text.slice(0, 8) || 'f' }, { name: text || 'web', image: `${IMAGE}${text}` }),
      ),
    }),
  },
  {
    action: 'render-taskdef',
    through: 'images and a template variable',
    inputs: (text) => ({
      template: 'taskdef.json',
      images: `web=${text}`,
      'allow-mutable-tags': 'true',
      vars: `LEVEL=${text.replace(/[\r\n\u2028\u2029]/g, '')}`,
      cluster: 'demo-dev',
      service: 'sample-service',
    }),
    files: () => ({
      'taskdef.json': json(taskDefinition({}, { environment: [{ name: 'LEVEL', value: '${LEVEL}' }] })),
    }),
  },
  {
    action: 'verify-targets',
    through: 'service and expected-digests',
    inputs: (text) => ({ cluster: 'demo-dev', service: text, 'expected-digests': text, 'timeout-seconds': '1' }),
  },
  {
    action: 'run-task',
    through: 'started-by and command-overrides',
    inputs: (text) => ({
      cluster: 'demo-dev',
      service: 'sample-service',
      'task-definition': 'sample-service-dev:1',
      'started-by': text,
      'command-overrides': `web=${JSON.stringify([text])}`,
      'log-lines': '0',
    }),
  },
  {
    action: 'smoke-test',
    through: "a check's name and path, and expected-version",
    inputs: (text) => ({
      'base-url': serviceUrl,
      'builtin-checks': 'version, health',
      'expected-version': text,
      checks: 'checks.yml',
      'timeout-seconds': '0',
      'checks-timeout-seconds': '10',
    }),
    files: (text) => ({
      'checks.yml': `checks:\n  - name: ${JSON.stringify(text)}\n    path: ${JSON.stringify(`/${text}`)}\n    expect: { body: { contains: ${JSON.stringify(text)} } }\n`,
    }),
  },
  {
    action: 'notify-slack',
    through: 'failure-reason, changes, service and image',
    inputs: (text) => ({ status: 'failure', 'failure-reason': text, changes: text, service: text, image: text }),
  },
  {
    action: 'changelog',
    through: 'environment and repository',
    inputs: (text) => ({ environment: text, repository: text, token: 'ghs_hostile', 'run-number': '7' }),
    masks: ['ghs_hostile'],
  },
  {
    action: 'rollback-plan',
    through: 'environment and container',
    inputs: (text) => ({
      environment: text,
      cluster: 'demo-dev',
      service: 'sample-service',
      container: text,
      token: 'ghs_hostile',
    }),
    masks: ['ghs_hostile'],
  },
  {
    action: 'build-push-digest',
    through: 'tags, build-args and labels',
    inputs: (text) => ({
      repository: 'web',
      push: 'false',
      tags: text,
      'build-args': `A=${text}`,
      labels: `a=${text}`,
    }),
  },
];

jest.setTimeout(600_000);

describe('arbitrary text through the inputs an action logs', () => {
  it.each(LOGGED.map((logged) => [`${logged.action}: ${logged.through}`, logged] as const))(
    '%s never issues a command the action did not mean',
    async (_, logged) => {
      await fc.assert(
        fc.asyncProperty(injectionText, async (text) => {
          const workspace = mkdtempSync(join(tmpdir(), `hostile-property-${logged.action}-`));
          try {
            for (const [path, content] of Object.entries(logged.files?.(text) ?? {})) {
              mkdirSync(dirname(join(workspace, path)), { recursive: true });
              writeFileSync(join(workspace, path), content);
            }
            writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
            const run = await runBundle(logged.action, {
              fromSource: true,
              cwd: workspace,
              inputs: logged.inputs(text),
              env: {
                ...awsEnvironment(loopback.aws),
                PATH: dockerEnv.PATH,
                FAKE_DOCKER_LOG: dockerEnv.FAKE_DOCKER_LOG,
                FAKE_DOCKER_DIGEST: `sha256:${'b'.repeat(64)}`,
              },
              timeoutMs: 60_000,
            });
            expect(unmeantCommands(run, logged.masks)).toEqual([]);
            expect(run.lines.filter((line) => line.includes('this is a bug'))).toEqual([]);
          } finally {
            rmSync(workspace, { recursive: true, force: true });
          }
        }),
        { numRuns: 6 },
      );
    },
  );
});
