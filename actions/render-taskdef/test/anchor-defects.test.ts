/*
 * Regression tests for the defects of aws-actions/amazon-ecs-render-task-definition that issue 4 names:
 * each runs the whole action on a template, as a workflow would.
 */
import { afterEach, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { ActionRun, restoreEnvironment } from './harness.js';
import { WEB_IMAGE, WORKER_IMAGE } from './fixtures.js';

interface Container {
  name: string;
  image: string;
  command?: string[];
  environment?: Array<{ name: string; value: string }>;
  dockerLabels?: Record<string, string>;
  logConfiguration?: { options: Record<string, string> };
}

const TEMPLATE = {
  family: 'web',
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'web',
      image: 'placeholder',
      essential: true,
      environment: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'LEGACY_FLAG', value: 'on' },
      ],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
    },
    { name: 'worker', image: 'placeholder', essential: false },
  ],
};

afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  restoreEnvironment();
  expect(nock.pendingMocks()).toEqual([]);
});

async function render(inputs: Record<string, string>, template: object | string = TEMPLATE): Promise<ActionRun> {
  const action = new ActionRun();
  action.inputs({ template: action.file('taskdef.template', template), images: `web=${WEB_IMAGE}`, ...inputs });
  return action.run();
}

function containers(action: ActionRun): Container[] {
  expect(action.commands('error')).toEqual([]);
  return action.rendered().containerDefinitions as Container[];
}

it('command is split with quotes respected, not on every space (sh -c "echo hi")', async () => {
  const action = await render({ container: 'web', command: 'sh -c "echo hi && node dist/main.js"' });
  expect(containers(action)[0]!.command).toEqual(['sh', '-c', 'echo hi && node dist/main.js']);
  expect(action.stdout).toContain('web: applied command');
});

it('values containing = in log options and docker labels are kept whole', async () => {
  const action = await render({
    'log-options': 'awslogs-multiline-pattern=^level=(INFO|WARN)\nmode=non-blocking',
    'docker-labels': 'com.example.query=a=1&b=2',
  });
  const [web] = containers(action);
  expect(web!.logConfiguration!.options).toEqual({
    'awslogs-group': '/ecs/web',
    'awslogs-multiline-pattern': '^level=(INFO|WARN)',
    mode: 'non-blocking',
  });
  expect(web!.dockerLabels).toEqual({ 'com.example.query': 'a=1&b=2' });
});

it('several containers named in images each get their own image', async () => {
  const action = await render({ images: `web=${WEB_IMAGE}\nworker=${WORKER_IMAGE}` });
  expect(containers(action).map(({ name, image }) => [name, image])).toEqual([
    ['web', WEB_IMAGE],
    ['worker', WORKER_IMAGE],
  ]);
  expect(JSON.parse(action.outputs().images!)).toEqual({ web: WEB_IMAGE, worker: WORKER_IMAGE });
});

it('environment variables removed from the input are removed from the container (environment-mode: replace)', async () => {
  const action = await render({ environment: 'NODE_ENV=production\nLOG_LEVEL=info', 'environment-mode': 'replace' });
  expect(containers(action)[0]!.environment).toEqual([
    { name: 'NODE_ENV', value: 'production' },
    { name: 'LOG_LEVEL', value: 'info' },
  ]);
});

it('YAML templates are accepted, not only JSON', async () => {
  const yaml = [
    'family: web',
    'requiresCompatibilities: [FARGATE]',
    'networkMode: awsvpc',
    'cpu: 256 # a number in YAML; ECS takes a string',
    'memory: 512',
    'containerDefinitions:',
    '  - name: web',
    '    image: placeholder',
    '    portMappings:',
    '      - containerPort: 3000',
    '',
  ].join('\n');
  const action = await render({}, yaml);
  expect(action.rendered()).toEqual({
    family: 'web',
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'web', image: WEB_IMAGE, portMappings: [{ containerPort: 3000 }] }],
  });
});

it('an image that is not pinned by digest is rejected', async () => {
  const action = await render({ images: 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:latest' });
  expect(action.commands('error')).toEqual([
    `Input 'images': line 1 "web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:latest" is not pinned by digest; ` +
      'expected <repository>@sha256:<64 hex> (set allow-mutable-tags: true to allow tags)',
  ]);
  expect(action.outputs()).toEqual({});
});
