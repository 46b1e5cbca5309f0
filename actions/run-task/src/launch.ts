import {
  DescribeServicesCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type ECSClient,
  type NetworkConfiguration,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { UserError, foreignLine, inputError } from '@ecs-actions/action-kit';
import { isAwsError } from '@ecs-actions/aws';
import type { CapacityProvider, Inputs, LaunchType } from './inputs.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

/** Where and how the task runs: what RunTask needs besides the revision and the overrides. */
export interface Placement {
  networkConfiguration?: NetworkConfiguration;
  launchType?: LaunchType | string;
  capacityProviderStrategy?: CapacityProvider[];
  platformVersion?: string;
  /** The ARN of the service the placement was copied from: its account is where the task runs. */
  serviceArn?: string;
  /** Each setting and where it came from (`input`, `service web`), for the log and the summary. */
  sources: Array<[setting: string, value: string, source: string]>;
}

/**
 * The placement: each setting from its input when given, else copied from the named service (the migration then runs
 * in the same subnets, behind the same security groups, as the service it prepares the database for).
 */
export async function resolvePlacement(
  ecs: ECSClient,
  inputs: Pick<
    Inputs,
    | 'cluster'
    | 'service'
    | 'subnets'
    | 'security-groups'
    | 'assign-public-ip'
    | 'launch-type'
    | 'capacity-provider-strategy'
    | 'platform-version'
  >,
  region: string,
  signal?: AbortSignal,
): Promise<Placement> {
  const service = inputs.service === undefined ? undefined : await describeService(ecs, inputs, region, signal);
  const from = `service ${inputs.service ?? ''}`;
  const sources: Placement['sources'] = [];
  const pick = <T>(setting: string, given: T | undefined, copied: T | undefined, show: (value: T) => string) => {
    const value = given ?? copied;
    if (value !== undefined) sources.push([setting, show(value), given !== undefined ? 'input' : from]);
    return value;
  };

  const awsvpc = service?.networkConfiguration?.awsvpcConfiguration;
  const subnets = pick('subnets', nonEmpty(inputs.subnets), nonEmpty(awsvpc?.subnets), (list) => list.join(', '));
  const securityGroups = pick(
    'security groups',
    nonEmpty(inputs['security-groups']),
    nonEmpty(awsvpc?.securityGroups),
    (list) => list.join(', '),
  );
  const assignPublicIp = pick('public IP', inputs['assign-public-ip'], awsvpc?.assignPublicIp, String);

  // A launch type given as input replaces the service's capacity providers, and the other way round.
  const givenLaunch = inputs['launch-type'] !== undefined || inputs['capacity-provider-strategy'].length > 0;
  const launchType = pick('launch type', inputs['launch-type'], givenLaunch ? undefined : service?.launchType, String);
  const capacityProviderStrategy = pick(
    'capacity providers',
    nonEmpty(inputs['capacity-provider-strategy']),
    givenLaunch
      ? undefined
      : nonEmpty(
          (service?.capacityProviderStrategy ?? []).map((entry) => ({
            capacityProvider: entry.capacityProvider ?? '',
            weight: entry.weight ?? 0,
            ...(entry.base === undefined ? {} : { base: entry.base }),
          })),
        ),
    (list) => list.map((entry) => `${entry.capacityProvider}=${entry.weight}:${entry.base ?? 0}`).join(', '),
  );
  const platformVersion = pick('platform version', inputs['platform-version'], service?.platformVersion, String);

  return {
    ...(subnets === undefined
      ? {}
      : {
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets,
              ...(securityGroups === undefined ? {} : { securityGroups }),
              assignPublicIp: assignPublicIp ?? 'DISABLED',
            },
          },
        }),
    ...(launchType === undefined ? {} : { launchType }),
    ...(capacityProviderStrategy === undefined ? {} : { capacityProviderStrategy }),
    ...(platformVersion === undefined ? {} : { platformVersion }),
    ...(service?.serviceArn === undefined ? {} : { serviceArn: service.serviceArn }),
    sources,
  };
}

async function describeService(
  ecs: ECSClient,
  inputs: { cluster: string; service?: string },
  region: string,
  signal?: AbortSignal,
) {
  let response;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster: inputs.cluster, services: [inputs.service!] }), {
      abortSignal: signal,
    });
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFoundException')) {
      throw new UserError(
        `Cluster '${inputs.cluster}' was not found in ${region}; check the cluster input and the region.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  const service = response.services?.[0];
  if (!service || service.status === 'INACTIVE') {
    throw inputError(
      'service',
      `service '${inputs.service}' was not found in cluster '${inputs.cluster}' (${region}): ` +
        `${service ? 'INACTIVE' : (response.failures?.[0]?.reason ?? 'MISSING')}; name the service whose network ` +
        'configuration the task should use, or leave service out and set subnets and security-groups',
    );
  }
  return service;
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/** Checks what RunTask would refuse, before it is called: a bad override or placement starts nothing. */
export function checkRunnable(
  containers: ContainerDefinition[],
  networkMode: string | undefined,
  overrides: Map<string, string[]>,
  placement: Placement,
): void {
  const names = containers.map((container) => container.name ?? '');
  for (const container of overrides.keys()) {
    if (!names.includes(container)) {
      throw inputError(
        'command-overrides',
        `the task definition has no container ${container}; its containers are ${names.join(', ')}`,
      );
    }
  }
  if (networkMode === 'awsvpc' && placement.networkConfiguration === undefined) {
    throw inputError(
      'subnets',
      'the task definition uses networkMode awsvpc (as Fargate requires), so the task needs subnets: set service ' +
        'to copy them from a service, or set subnets and security-groups',
    );
  }
}

export interface StartRequest {
  cluster: string;
  taskDefinitionArn: string;
  overrides: Map<string, string[]>;
  placement: Placement;
  startedBy: string;
}

export function runTaskInput(request: StartRequest): RunTaskCommandInput {
  const { placement } = request;
  return {
    cluster: request.cluster,
    taskDefinition: request.taskDefinitionArn,
    count: 1,
    startedBy: request.startedBy,
    ...(placement.networkConfiguration ? { networkConfiguration: placement.networkConfiguration } : {}),
    ...(placement.launchType ? { launchType: placement.launchType as RunTaskCommandInput['launchType'] } : {}),
    ...(placement.capacityProviderStrategy ? { capacityProviderStrategy: placement.capacityProviderStrategy } : {}),
    ...(placement.platformVersion ? { platformVersion: placement.platformVersion } : {}),
    ...(request.overrides.size > 0
      ? {
          overrides: {
            containerOverrides: [...request.overrides].map(([name, command]) => ({ name, command })),
          },
        }
      : {}),
  };
}

/** Calls RunTask once; a placement failure (no capacity, bad subnet) is a user error naming ECS's reason. */
export async function startTask(ecs: ECSClient, request: StartRequest, signal?: AbortSignal): Promise<Task> {
  let response;
  try {
    response = await ecs.send(new RunTaskCommand(runTaskInput(request)), { abortSignal: signal });
  } catch (error) {
    if (isAwsError(error, 'InvalidParameterException') || isAwsError(error, 'ClientException')) {
      throw new UserError(
        `ECS refused to run ${request.taskDefinitionArn}: ${foreignLine((error as Error).message)}; nothing was started`,
        { cause: error },
      );
    }
    throw error;
  }
  const task = response.tasks?.[0];
  if (!task?.taskArn) {
    const failure = response.failures?.[0];
    const reason = failure
      ? `${failure.reason ?? 'unknown'}${failure.detail ? ` (${failure.detail})` : ''}`
      : 'no task';
    throw new UserError(`ECS could not start the task: ${foreignLine(reason)}; nothing was started`);
  }
  return task;
}
