import { describe, expect, it } from '@jest/globals';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { isSameTaskDefinition } from '../src/index.js';

const file: RegisterTaskDefinitionCommandInput = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'web',
      image: 'web@sha256:' + 'a'.repeat(64),
      portMappings: [{ containerPort: 3000 }],
      environment: [
        { name: 'B', value: '2' },
        { name: 'A', value: '1' },
      ],
      healthCheck: { command: ['CMD', 'true'] },
    },
  ],
};

// What DescribeTaskDefinition returns for that file: defaults filled in, other order, empty lists.
const registered = {
  containerDefinitions: [
    {
      environment: [
        { value: '1', name: 'A' },
        { value: '2', name: 'B' },
      ],
      essential: true,
      cpu: 0,
      healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 },
      image: 'web@sha256:' + 'a'.repeat(64),
      mountPoints: [],
      name: 'web',
      portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }],
      volumesFrom: [],
      systemControls: [],
    },
  ],
  cpu: '256',
  family: 'web',
  memory: '512',
  networkMode: 'awsvpc',
  placementConstraints: [],
  requiresCompatibilities: ['FARGATE'],
  volumes: [],
} as RegisterTaskDefinitionCommandInput;

describe('isSameTaskDefinition', () => {
  it('treats a registered revision with ECS defaults filled in as the same as its file', () => {
    expect(isSameTaskDefinition(file, registered)).toBe(true);
  });
  it('sees a changed image', () => {
    const changed = structuredClone(file);
    changed.containerDefinitions![0]!.image = 'web@sha256:' + 'b'.repeat(64);
    expect(isSameTaskDefinition(changed, registered)).toBe(false);
  });
  it('sees a removed environment variable', () => {
    const changed = structuredClone(file);
    changed.containerDefinitions![0]!.environment = [{ name: 'A', value: '1' }];
    expect(isSameTaskDefinition(changed, registered)).toBe(false);
  });
  it('sees a different memory size', () => {
    expect(isSameTaskDefinition({ ...file, memory: '1024' }, registered)).toBe(false);
  });
  it('sees a non-default health check interval', () => {
    const changed = structuredClone(file);
    changed.containerDefinitions![0]!.healthCheck!.interval = 10;
    expect(isSameTaskDefinition(changed, registered)).toBe(false);
  });
});
