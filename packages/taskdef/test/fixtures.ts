import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;
export const WEB_IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@${DIGEST}`;
export const WORKER_IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker@${OTHER_DIGEST}`;

export function container(overrides: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: 'web',
    image: WEB_IMAGE,
    essential: true,
    portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
    ...overrides,
  };
}

/** A valid Fargate task definition: each test changes one thing. */
export function fargateTask(
  overrides: Partial<RegisterTaskDefinitionCommandInput> = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family: 'web',
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [container()],
    ...overrides,
  };
}
