import { describe, expect, it } from '@jest/globals';
import { renderTaskDefinition, type Overrides } from '../src/render.js';
import { WEB_IMAGE, WORKER_IMAGE, container, fargateTask } from './fixtures.js';

const NEW_WEB = WEB_IMAGE.replace(/a{64}/, 'c'.repeat(64));
const base = (overrides: Partial<Overrides> = {}): Overrides => ({
  images: new Map([['web', NEW_WEB]]),
  environmentMode: 'merge',
  ...overrides,
});
const map = (entries: Record<string, string>) => new Map(Object.entries(entries));
const twoContainers = () =>
  fargateTask({
    containerDefinitions: [
      container({ name: 'envoy', essential: false, image: WORKER_IMAGE, portMappings: [] }),
      container(),
      container({ name: 'worker', image: WORKER_IMAGE, portMappings: [] }),
    ],
  });

describe('images', () => {
  it('sets the image of the named container and reports every container image', () => {
    const rendered = renderTaskDefinition(twoContainers(), base());
    expect(rendered.images).toEqual({ envoy: WORKER_IMAGE, web: NEW_WEB, worker: WORKER_IMAGE });
  });

  it('does not change the task definition it was given', () => {
    const task = fargateTask();
    renderTaskDefinition(task, base({ environment: map({ A: '1' }) }));
    expect(task).toEqual(fargateTask());
  });

  it('rejects a container that is not in the task definition, listing the ones that are', () => {
    expect(() => renderTaskDefinition(fargateTask(), base({ images: map({ api: NEW_WEB }) }))).toThrow(
      `Input 'images': container "api" is not in the task definition; its containers are web`,
    );
  });

  it('warns about a template image that is not pinned and not replaced', () => {
    const task = fargateTask({
      containerDefinitions: [
        container(),
        container({ name: 'otel', image: 'otel/collector:latest', portMappings: [] }),
      ],
    });
    expect(renderTaskDefinition(task, base()).warnings).toEqual([
      `containerDefinitions[1].image "otel/collector:latest" (container otel) is not pinned by digest and not set by the input 'images'; the tag can point to another image on the next task start`,
    ]);
  });
});

describe('the container settings apply to', () => {
  it('the only container, without a notice', () => {
    const rendered = renderTaskDefinition(fargateTask(), base({ environment: map({ A: '1' }) }));
    expect(rendered.target).toBe('web');
    expect(rendered.notices).toEqual([]);
  });

  it('the first essential container when there are several, and says so', () => {
    const rendered = renderTaskDefinition(twoContainers(), base({ environment: map({ A: '1' }) }));
    expect(rendered.target).toBe('web');
    expect(rendered.notices).toEqual([
      `The task definition has 3 containers (envoy, web, worker); environment, secrets, command, docker-labels and log-options apply to "web", the first essential one. Set the input 'container' to choose another.`,
    ]);
    expect(rendered.taskDefinition.containerDefinitions![0]!.environment).toBeUndefined();
  });

  it('the container named by the input container', () => {
    const rendered = renderTaskDefinition(
      twoContainers(),
      base({ container: 'worker', command: ['node', 'worker.js'] }),
    );
    expect(rendered.taskDefinition.containerDefinitions![2]!.command).toEqual(['node', 'worker.js']);
    expect(rendered.taskDefinition.containerDefinitions![1]!.command).toBeUndefined();
    expect(rendered.notices).toEqual([]);
  });

  it('nothing when no container setting is given', () => {
    expect(renderTaskDefinition(twoContainers(), base()).target).toBeUndefined();
  });

  it('is an error when the input container names a container that is not there', () => {
    expect(() => renderTaskDefinition(twoContainers(), base({ container: 'api' }))).toThrow(
      `Input 'container': "api" is not in the task definition; its containers are envoy, web, worker`,
    );
  });
});

describe('environment', () => {
  const withEnvironment = () =>
    fargateTask({
      containerDefinitions: [
        container({
          environment: [
            { name: 'NODE_ENV', value: 'production' },
            { name: 'OLD', value: 'x' },
          ],
        }),
      ],
    });

  it('merges by default: replaces variables with the same name in place and appends new ones', () => {
    const rendered = renderTaskDefinition(withEnvironment(), base({ environment: map({ OLD: 'y', NEW: 'z' }) }));
    expect(rendered.taskDefinition.containerDefinitions![0]!.environment).toEqual([
      { name: 'NODE_ENV', value: 'production' },
      { name: 'OLD', value: 'y' },
      { name: 'NEW', value: 'z' },
    ]);
  });

  it('in replace mode leaves exactly the given variables', () => {
    const rendered = renderTaskDefinition(
      withEnvironment(),
      base({ environment: map({ NODE_ENV: 'production' }), environmentMode: 'replace' }),
    );
    expect(rendered.taskDefinition.containerDefinitions![0]!.environment).toEqual([
      { name: 'NODE_ENV', value: 'production' },
    ]);
  });

  it('keeps the first of duplicated template variables when merging', () => {
    const task = fargateTask({
      containerDefinitions: [
        container({
          environment: [
            { name: 'A', value: '1' },
            { name: 'A', value: '2' },
          ],
        }),
      ],
    });
    const rendered = renderTaskDefinition(task, base({ environment: map({ A: '3' }) }));
    expect(rendered.taskDefinition.containerDefinitions![0]!.environment).toEqual([{ name: 'A', value: '3' }]);
  });
});

describe('secrets, command, docker labels and log options', () => {
  it('merges secrets by name', () => {
    const task = fargateTask({
      containerDefinitions: [container({ secrets: [{ name: 'DB', valueFrom: '/old/db' }] })],
    });
    const rendered = renderTaskDefinition(task, base({ secrets: map({ DB: '/new/db', TOKEN: '/new/token' }) }));
    expect(rendered.taskDefinition.containerDefinitions![0]!.secrets).toEqual([
      { name: 'DB', valueFrom: '/new/db' },
      { name: 'TOKEN', valueFrom: '/new/token' },
    ]);
  });

  it('replaces the command', () => {
    const task = fargateTask({ containerDefinitions: [container({ command: ['npm', 'start'] })] });
    const rendered = renderTaskDefinition(task, base({ command: ['sh', '-c', 'echo hi'] }));
    expect(rendered.taskDefinition.containerDefinitions![0]!.command).toEqual(['sh', '-c', 'echo hi']);
  });

  it('merges docker labels into the template labels', () => {
    const task = fargateTask({ containerDefinitions: [container({ dockerLabels: { team: 'web', tier: 'front' } })] });
    const rendered = renderTaskDefinition(task, base({ dockerLabels: map({ tier: 'edge', 'git.sha': 'abc' }) }));
    expect(rendered.taskDefinition.containerDefinitions![0]!.dockerLabels).toEqual({
      team: 'web',
      tier: 'edge',
      'git.sha': 'abc',
    });
  });

  it('merges log options into the template logConfiguration', () => {
    const task = fargateTask({
      containerDefinitions: [
        container({ logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } } }),
      ],
    });
    const rendered = renderTaskDefinition(task, base({ logOptions: map({ mode: 'non-blocking' }) }));
    expect(rendered.taskDefinition.containerDefinitions![0]!.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/web', mode: 'non-blocking' },
    });
  });

  it('rejects log options for a container without a log driver', () => {
    expect(() => renderTaskDefinition(fargateTask(), base({ logOptions: map({ mode: 'non-blocking' }) }))).toThrow(
      `Input 'log-options': container "web" has no logConfiguration.logDriver in the task definition; add a logConfiguration (e.g. "logDriver": "awslogs") for the options to belong to`,
    );
  });
});

describe('task-level overrides', () => {
  it('sets cpu, memory and both roles', () => {
    const rendered = renderTaskDefinition(
      fargateTask(),
      base({
        cpu: '1024',
        memory: '4096',
        taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
        executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
      }),
    );
    expect(rendered.taskDefinition).toMatchObject({
      cpu: '1024',
      memory: '4096',
      taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
      executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
    });
  });

  it('writes the vCPU and GB forms of the template as the numbers ECS stores', () => {
    const rendered = renderTaskDefinition(fargateTask({ cpu: '0.5 vCPU', memory: '1 GB' }), base());
    expect(rendered.taskDefinition).toMatchObject({ cpu: '512', memory: '1024' });
  });

  it('leaves an unreadable cpu as it is for the validation to report', () => {
    expect(renderTaskDefinition(fargateTask({ cpu: 'lots' }), base()).taskDefinition.cpu).toBe('lots');
  });
});
