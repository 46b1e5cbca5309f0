import { readFile } from 'node:fs/promises';
import { inputError } from '@ecs-actions/action-kit';
import { parse as parseYaml } from 'yaml';

/**
 * The AppSpec of a CodeDeploy ECS deployment: one AWS::ECS::Service target (TaskDefinition, LoadBalancerInfo's
 * ContainerName and ContainerPort, optional PlatformVersion, NetworkConfiguration, CapacityProviderStrategy) and the
 * Lambda hooks of its lifecycle events. deploy-ecs always sets TaskDefinition to the revision it deploys.
 */
export interface AppSpec {
  version: string | number;
  Resources: Array<{ TargetService: { Type: 'AWS::ECS::Service'; Properties: AppSpecProperties } }>;
  Hooks?: Array<Record<string, string>>;
}

interface AppSpecProperties {
  TaskDefinition: string;
  LoadBalancerInfo: { ContainerName: string; ContainerPort: number };
  [property: string]: unknown;
}

/** The lifecycle events of an ECS deployment an AppSpec may hook a Lambda function to. */
export const ECS_HOOKS = [
  'BeforeInstall',
  'AfterInstall',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic',
] as const;

/** What the AppSpec says where the load balancer sends traffic: checked against the revision before any change. */
export interface AppSpecTarget {
  containerName: string;
  containerPort: number;
}

const INPUT = 'codedeploy-appspec';

/** Reads and checks an AppSpec file (JSON or YAML) before any AWS call; a wrong file names the input and the key. */
export async function readAppSpecFile(path: string): Promise<AppSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw inputError(INPUT, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let spec: unknown;
  try {
    spec = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw inputError(INPUT, `${path} is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return checkAppSpec(spec, path);
}

function checkAppSpec(spec: unknown, path: string): AppSpec {
  const fail = (problem: string) =>
    inputError(
      INPUT,
      `${path}: ${problem}; expected an ECS AppSpec: Resources: [{TargetService: {Type: AWS::ECS::Service, ` +
        'Properties: {TaskDefinition, LoadBalancerInfo: {ContainerName, ContainerPort}}}}] and optional Hooks',
    );
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw fail('it is not a mapping');
  const { Resources: resources, Hooks: hooks } = spec as Record<string, unknown>;
  if (!Array.isArray(resources) || resources.length !== 1) throw fail('Resources must list exactly one resource');
  const target = (resources[0] as Record<string, unknown> | null)?.TargetService as
    { Type?: unknown; Properties?: Record<string, unknown> } | undefined;
  if (target?.Type !== 'AWS::ECS::Service')
    throw fail('Resources[0] must be a TargetService of Type AWS::ECS::Service');
  const balancer = target.Properties?.LoadBalancerInfo as Record<string, unknown> | undefined;
  if (typeof balancer?.ContainerName !== 'string' || balancer.ContainerName === '')
    throw fail('Properties.LoadBalancerInfo.ContainerName is missing');
  const port = balancer.ContainerPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw fail(`Properties.LoadBalancerInfo.ContainerPort ${JSON.stringify(port)} is not a port number (1 to 65535)`);
  if (hooks !== undefined) {
    if (!Array.isArray(hooks)) throw fail('Hooks must be a list');
    for (const entry of hooks as unknown[]) {
      for (const [event, lambda] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
        if (!(ECS_HOOKS as readonly string[]).includes(event))
          throw fail(`Hooks: ${event} is not a lifecycle event of an ECS deployment (${ECS_HOOKS.join(', ')})`);
        if (typeof lambda !== 'string' || lambda === '')
          throw fail(`Hooks: ${event} must name a Lambda function (name or ARN)`);
      }
    }
  }
  return spec as AppSpec;
}

/** The AppSpec the console would write for the service's load balancer container and port. */
export function generatedAppSpec(target: AppSpecTarget): AppSpec {
  return {
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: '',
            LoadBalancerInfo: { ContainerName: target.containerName, ContainerPort: target.containerPort },
          },
        },
      },
    ],
  };
}

/** The AppSpec for one revision: the same spec with TaskDefinition set to it. */
export function appSpecFor(spec: AppSpec, taskDefinitionArn: string): AppSpec {
  const [resource] = spec.Resources;
  const properties = { ...resource.TargetService.Properties, TaskDefinition: taskDefinitionArn };
  return { ...spec, Resources: [{ TargetService: { ...resource.TargetService, Properties: properties } }] };
}

export function appSpecTarget(spec: AppSpec): AppSpecTarget {
  const info = spec.Resources[0].TargetService.Properties.LoadBalancerInfo;
  return { containerName: info.ContainerName, containerPort: info.ContainerPort };
}

export function appSpecHooks(spec: AppSpec): string[] {
  return (spec.Hooks ?? []).flatMap((entry) => Object.entries(entry).map(([event, lambda]) => `${event}: ${lambda}`));
}

/**
 * Fails, before any change, when the revision has no container of that name with that port: CodeDeploy would
 * accept the deployment and fail it minutes later.
 */
export function checkAppSpecTarget(
  target: AppSpecTarget,
  containers: Array<{ name?: string; portMappings?: Array<{ containerPort?: number }> }>,
  where: string,
  from: string,
): void {
  const container = containers.find((entry) => entry.name === target.containerName);
  const ports = (container?.portMappings ?? []).map((mapping) => mapping.containerPort);
  if (container && ports.includes(target.containerPort)) return;
  const found = container
    ? `container ${target.containerName} maps ports ${ports.join(', ') || 'none'}`
    : `its containers are ${containers.map((entry) => entry.name).join(', ')}`;
  throw inputError(
    'task-definition',
    `${where} has no container ${target.containerName} with port ${target.containerPort}, which ${from} ` +
      `sends the load balancer's traffic to (${found}); nothing was changed`,
  );
}
