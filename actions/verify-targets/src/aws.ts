import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isIP } from 'node:net';
import { UserError } from '@ecs-actions/action-kit';
import { isAwsError } from '@ecs-actions/aws';
import type { TaskContainer } from './digests.js';

/*
 * The AWS reads of one poll, each turned into the few facts the verification needs.
 * "Not found" answers become user errors here; throttling and network faults are left to the poll loop.
 */

export interface ServiceFacts {
  name: string;
  desiredCount: number;
  taskDefinitionArn: string;
  loadBalancers: Array<{
    targetGroupArn: string;
    containerName?: string;
    containerPort?: number;
    /** Native blue/green (advancedConfiguration): where ECS registers the green tasks while the test listener tests them. */
    alternateTargetGroupArn?: string;
    testListenerRule?: string;
  }>;
}

export interface TaskFacts {
  arn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  /** Private IPv4 and IPv6 addresses of the task's network interface: the Id of an `ip` target. */
  addresses: string[];
  containers: TaskContainer[];
  /** When ECS created the task (epoch ms): its containers' log lines are all at or after it. */
  createdAt?: number;
}

export interface TargetFacts {
  id: string;
  port?: number;
  state: string;
  reason?: string;
  description?: string;
}

export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<ServiceFacts> {
  let answer;
  try {
    answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFoundException')) {
      throw new UserError(
        `Cluster '${cluster}' was not found in ${await ecs.config.region()}; check the cluster and region inputs`,
        { cause: error },
      );
    }
    throw error;
  }
  const found = answer.services?.[0];
  if (found === undefined || found.status === 'INACTIVE') {
    const reason = answer.failures?.[0]?.reason ?? found?.status ?? 'MISSING';
    throw new UserError(
      `Service '${service}' was not found in cluster '${cluster}' in ${await ecs.config.region()} (${reason}); ` +
        `check the service, cluster and region inputs`,
    );
  }
  if (found.taskDefinition === undefined)
    throw new Error(`DescribeServices returned service ${service} without a task definition`);
  return {
    name: found.serviceName ?? service,
    desiredCount: found.desiredCount ?? 0,
    taskDefinitionArn: found.taskDefinition,
    loadBalancers: (found.loadBalancers ?? [])
      .filter((balancer) => balancer.targetGroupArn !== undefined)
      .map((balancer) => ({
        targetGroupArn: balancer.targetGroupArn!,
        containerName: balancer.containerName,
        containerPort: balancer.containerPort,
        alternateTargetGroupArn: balancer.advancedConfiguration?.alternateTargetGroupArn,
        testListenerRule: balancer.advancedConfiguration?.testListenerRule,
      })),
  };
}

/** The tasks ECS wants running: those of the service, or of a task definition family when there is no service. */
export async function listRunningTasks(
  ecs: ECSClient,
  cluster: string,
  owner: { serviceName: string } | { family: string },
): Promise<TaskFacts[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, ...owner, desiredStatus: 'RUNNING', nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const tasks: TaskFacts[] = [];
  // DescribeTasks takes at most 100 tasks per call.
  for (let start = 0; start < arns.length; start += 100) {
    const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(start, start + 100) }));
    tasks.push(...(answer.tasks ?? []).map(taskFacts));
  }
  return tasks;
}

function taskFacts(task: Task): TaskFacts {
  const addresses = new Set<string>();
  for (const attachment of task.attachments ?? []) {
    if (attachment.type !== 'ElasticNetworkInterface') continue;
    for (const detail of attachment.details ?? []) {
      if ((detail.name === 'privateIPv4Address' || detail.name === 'ipv6Address') && detail.value)
        addresses.add(detail.value);
    }
  }
  for (const container of task.containers ?? []) {
    for (const networkInterface of container.networkInterfaces ?? []) {
      if (networkInterface.privateIpv4Address) addresses.add(networkInterface.privateIpv4Address);
      if (networkInterface.ipv6Address) addresses.add(networkInterface.ipv6Address);
    }
  }
  return {
    arn: task.taskArn ?? '',
    taskDefinitionArn: task.taskDefinitionArn ?? '',
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    addresses: [...addresses],
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? '',
      image: container.image,
      imageDigest: container.imageDigest,
    })),
    createdAt: (task.createdAt ?? task.startedAt)?.getTime(),
  };
}

export async function describeTargetHealth(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
): Promise<TargetFacts[]> {
  let answer;
  try {
    answer = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  } catch (error) {
    if (isAwsError(error, 'TargetGroupNotFoundException', 'TargetGroupNotFound')) {
      throw new UserError(
        `Target group ${targetGroupArn} was not found in ${await elbv2.config.region()}; check target-group-arns, ` +
          `the service's load balancers and the region`,
        { cause: error },
      );
    }
    throw error;
  }
  const descriptions = answer.TargetHealthDescriptions ?? [];
  const notAnAddress = descriptions.find((description) => isIP(description.Target?.Id ?? '') === 0);
  if (notAnAddress !== undefined) {
    // Instance and Lambda targets cannot be matched to tasks: only an awsvpc task's IP identifies it.
    throw new UserError(
      `Target group ${targetGroupArn} has target ${notAnAddress.Target?.Id}, not an IP address: verify-targets matches ` +
        `targets to tasks by IP, so it needs target groups of target type ip (awsvpc network mode, as on Fargate)`,
    );
  }
  return descriptions.map((description) => ({
    id: description.Target?.Id ?? '',
    port: description.Target?.Port,
    state: description.TargetHealth?.State ?? 'unknown',
    reason: description.TargetHealth?.Reason,
    description: description.TargetHealth?.Description,
  }));
}
