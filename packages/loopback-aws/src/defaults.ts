import type { CircuitBreaker } from './scenarios.js';
import { seedImage, seedRepository, seedService, seedTargetGroup, seedTaskDefinition } from './seed.js';
import { OTHER_IMAGE, SAMPLE_IMAGE, type World } from './world.js';

/** The world the demo starts from: sample-service running in three environments, its image already in ECR. */

export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_REGION = 'eu-west-1';
export const DEMO_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type DemoEnvironment = (typeof DEMO_ENVIRONMENTS)[number];

export const SAMPLE_SERVICE = 'sample-service';
export const SAMPLE_REPOSITORY = 'sample-service';
// The container name in sample-service/deploy/taskdef.template.json: the load balancer points at it.
export const SAMPLE_CONTAINER = 'web';
export const SAMPLE_CONTAINER_PORT = 3000;
export const SAMPLE_IMAGE_TAG = '1.0.0';
/** The digest ECR holds for sample-service:1.0.0; the seeded services run it. */
export const SAMPLE_IMAGE_DIGEST = SAMPLE_IMAGE.digest;
/** sample-service:0.9.0: what the tasks report in the `wrong-digest` scenario. */
export const OTHER_IMAGE_TAG = '0.9.0';
export const OTHER_IMAGE_DIGEST = OTHER_IMAGE.digest;

export const demoCluster = (environment: DemoEnvironment): string => `demo-${environment}`;
export const demoFamily = (environment: DemoEnvironment): string => `${SAMPLE_SERVICE}-${environment}`;
export const demoTargetGroup = (environment: DemoEnvironment): string => `${SAMPLE_SERVICE}-${environment}`;

/** `<account>.dkr.ecr.<region>.amazonaws.com/sample-service@sha256:...` */
export function sampleImageUri(
  accountId = DEFAULT_ACCOUNT_ID,
  region = DEFAULT_REGION,
  digest = SAMPLE_IMAGE_DIGEST,
): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com/${SAMPLE_REPOSITORY}@${digest}`;
}

/** The task definition sample-service runs with in one environment (Fargate, awsvpc, port 3000). */
export function sampleTaskDefinition(world: World, environment: string, image: string): Record<string, unknown> {
  return {
    family: `${SAMPLE_SERVICE}-${environment}`,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${world.accountId}:role/${SAMPLE_SERVICE}-execution`,
    taskRoleArn: `arn:aws:iam::${world.accountId}:role/${SAMPLE_SERVICE}-${environment}`,
    runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
    containerDefinitions: [
      {
        name: SAMPLE_CONTAINER,
        image,
        essential: true,
        portMappings: [{ containerPort: SAMPLE_CONTAINER_PORT, protocol: 'tcp' }],
        environment: [
          { name: 'NODE_ENV', value: 'production' },
          { name: 'APP_ENV', value: environment },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `/ecs/${SAMPLE_SERVICE}-${environment}`,
            'awslogs-region': world.region,
            'awslogs-stream-prefix': SAMPLE_SERVICE,
          },
        },
      },
    ],
    tags: [
      { key: 'service', value: SAMPLE_SERVICE },
      { key: 'environment', value: environment },
    ],
  };
}

export function seedDefaultWorld(
  world: World,
  circuitBreaker: CircuitBreaker,
  taskDefinitionFor?: (environment: string) => Record<string, unknown>,
): void {
  if (world.images.kind === 'memory') {
    seedImage(world, { repository: SAMPLE_REPOSITORY, tags: [SAMPLE_IMAGE_TAG], label: 'sample-service 1.0.0' });
    seedImage(world, { repository: SAMPLE_REPOSITORY, tags: [OTHER_IMAGE_TAG], label: 'sample-service 0.9.0' });
  } else {
    // A registry holds only real images: the repository exists, and what is in it is what was pushed.
    seedRepository(world, SAMPLE_REPOSITORY);
  }
  const image = sampleImageUri(world.accountId, world.region);
  for (const environment of DEMO_ENVIRONMENTS) {
    const taskDefinition = seedTaskDefinition(
      world,
      taskDefinitionFor?.(environment) ?? sampleTaskDefinition(world, environment, image),
    );
    const targetGroup = seedTargetGroup(world, {
      name: demoTargetGroup(environment),
      port: SAMPLE_CONTAINER_PORT,
      loadBalancerName: `demo-${environment}`,
    });
    seedService(world, {
      cluster: demoCluster(environment),
      name: SAMPLE_SERVICE,
      taskDefinition: taskDefinition.arn,
      desiredCount: 2,
      circuitBreaker,
      targetGroup: targetGroup.arn,
    });
  }
}
