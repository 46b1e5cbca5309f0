import { AwsError } from './errors.js';
import { advance } from './rollout.js';
import { serviceDeploymentOf } from './service-deployments.js';
import type { ServiceRecord, TargetGroupRecord, TargetState, World } from './world.js';
import { queryStringList, queryStructList, type QueryParams, type XmlValue } from './xml.js';

/** Elastic Load Balancing v2 (query protocol, Version 2015-12-01, XML answers). */

export const ELB_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

const HEALTH: Record<TargetState, { Reason?: string; Description?: string }> = {
  initial: { Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' },
  healthy: {},
  unhealthy: { Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [502]' },
  draining: { Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' },
};

function targetGroupsNotFound(arns: string[]): AwsError {
  return new AwsError('TargetGroupNotFound', `Target groups '${arns.join("', '")}' not found`);
}

/**
 * The tasks of a native blue/green (linear, canary) deployment in flight, which ECS registers in the alternate
 * target group, the one the test listener sends to. (The loopback keeps them in the primary target group as well.)
 */
function greenTaskIds(service: ServiceRecord): Set<string> {
  const green = service.deployments[0];
  const record = serviceDeploymentOf(service, green);
  if (!green || !record || record.settings.strategy === 'ROLLING' || !IN_FLIGHT.has(record.status)) return new Set();
  return new Set(service.tasks.filter((task) => task.deploymentId === green.id).map((task) => task.id));
}

const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS']);

/** The targets the services behind this target group have registered, from their tasks. */
function registeredTargets(world: World, group: TargetGroupRecord) {
  const targets = [];
  for (const service of world.services.values()) {
    const alternate = service.loadBalancers.filter(
      (entry) => entry.advancedConfiguration?.alternateTargetGroupArn === group.arn,
    );
    const green = alternate.length > 0 ? greenTaskIds(service) : new Set<string>();
    const bindings = [
      ...service.loadBalancers
        .filter((entry) => entry.targetGroupArn === group.arn)
        .map((binding) => ({ binding, holds: () => true })),
      ...alternate.map((binding) => ({ binding, holds: (task: { id: string }) => green.has(task.id) })),
    ];
    for (const { binding, holds } of bindings) {
      for (const task of service.tasks) {
        if (task.targetState === undefined || !holds(task)) continue;
        targets.push({
          Target: { Id: task.ip, Port: binding.containerPort, AvailabilityZone: task.availabilityZone },
          HealthCheckPort: String(binding.containerPort),
          TargetHealth: { State: task.targetState, ...HEALTH[task.targetState] },
        });
      }
    }
  }
  return targets;
}

function DescribeTargetHealth(world: World, params: QueryParams): XmlValue {
  const arn = params.TargetGroupArn;
  if (!arn)
    throw new AwsError(
      'ValidationError',
      "1 validation error detected: Value null at 'targetGroupArn' failed to satisfy constraint: Member must not be null",
    );
  const group = world.targetGroups.get(arn);
  if (!group) throw targetGroupsNotFound([arn]);
  advance(world);
  const registered = registeredTargets(world, group);
  const requested = queryStructList(params, 'Targets');
  if (requested.length === 0) return { TargetHealthDescriptions: registered };
  return {
    TargetHealthDescriptions: requested.map((target) => {
      const port = Number(target.Port ?? group.port);
      return (
        registered.find((entry) => entry.Target.Id === target.Id && entry.Target.Port === port) ?? {
          Target: { Id: target.Id, Port: port },
          HealthCheckPort: String(port),
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        }
      );
    }),
  };
}

function DescribeTargetGroups(world: World, params: QueryParams): XmlValue {
  const arns = queryStringList(params, 'TargetGroupArns');
  const names = queryStringList(params, 'Names');
  const loadBalancerArn = params.LoadBalancerArn;
  const all = [...world.targetGroups.values()];
  let groups = all;
  if (arns.length > 0) {
    const missing = arns.filter((arn) => !world.targetGroups.has(arn));
    if (missing.length > 0) throw targetGroupsNotFound(missing);
    groups = arns.map((arn) => world.targetGroups.get(arn)!);
  } else if (names.length > 0) {
    const missing = names.filter((name) => !all.some((group) => group.name === name));
    if (missing.length > 0) throw new AwsError('TargetGroupNotFound', `One or more target groups not found`);
    groups = all.filter((group) => names.includes(group.name));
  } else if (loadBalancerArn) {
    groups = all.filter((group) => group.loadBalancerArns.includes(loadBalancerArn));
  }
  return {
    TargetGroups: groups.map((group) => ({
      TargetGroupArn: group.arn,
      TargetGroupName: group.name,
      Protocol: group.protocol,
      Port: group.port,
      VpcId: group.vpcId,
      HealthCheckProtocol: group.protocol,
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      HealthCheckPath: group.healthCheckPath,
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: group.loadBalancerArns,
      TargetType: 'ip',
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
    })),
  };
}

const OPERATIONS: Record<string, (world: World, params: QueryParams) => XmlValue> = {
  DescribeTargetHealth,
  DescribeTargetGroups,
};

export function elbOperation(operation: string): ((world: World, params: QueryParams) => XmlValue) | undefined {
  return Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
}
