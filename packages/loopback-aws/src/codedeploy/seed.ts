import { randomUUID } from 'node:crypto';
import { seedTargetGroup } from '../seed.js';
import { sha256, type ServiceRecord, type World } from '../world.js';
import type { DeploymentGroupRecord } from './records.js';

/** How a CODE_DEPLOY service's deployment group deploys; the console's defaults unless set. */
export interface CodeDeploySeed {
  /** `CodeDeployDefault.ECSAllAtOnce` unless set. */
  deploymentConfigName?: string;
  /** 0 unless set (the original task set stops as soon as traffic moved). */
  terminationWaitMinutes?: number;
  /** CloudWatch alarms that stop the deployment when in ALARM; none unless set. */
  alarms?: string[];
  /** Automatic rollback on failure, alarm and stop request: true unless set. */
  autoRollback?: boolean;
}

/**
 * Makes a service CODE_DEPLOY-controlled, as the ECS console does when it creates one: a second target group for
 * the replacement task set, application `AppECS-<cluster>-<service>` and deployment group
 * `DgpECS-<cluster>-<service>` with a production and a test listener. Its current deployment becomes its PRIMARY
 * task set. Settings apply again to an existing group.
 */
export function seedCodeDeployService(
  world: World,
  service: ServiceRecord,
  seed: CodeDeploySeed = {},
): DeploymentGroupRecord {
  service.deploymentController = 'CODE_DEPLOY';
  service.deployments = service.deployments.filter((entry) => entry.status === 'PRIMARY');
  const application = `AppECS-${service.clusterName}-${service.name}`;
  const name = `DgpECS-${service.clusterName}-${service.name}`;
  if (!world.codeDeploy.applications.has(application))
    world.codeDeploy.applications.set(application, {
      name: application,
      id: randomUUID(),
      createdAt: service.createdAt,
    });
  const key = `${application}/${name}`;
  const binding = service.loadBalancers[0];
  const blue = binding && world.targetGroups.get(binding.targetGroupArn);
  const blueName = blue?.name ?? `${service.name}-1`;
  const green = seedTargetGroup(world, {
    name: `${blueName}-2`.slice(0, 32),
    port: blue?.port ?? binding?.containerPort,
    healthCheckPath: blue?.healthCheckPath,
    loadBalancerName: blue?.loadBalancerArns[0]?.split('/')[2],
  });
  const loadBalancerArn = blue?.loadBalancerArns[0] ?? green.loadBalancerArns[0];
  const listener = (port: number) =>
    `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${sha256(`${blueName} ${port}`).slice(0, 16)}`;
  const group: DeploymentGroupRecord = {
    application,
    name,
    id: world.codeDeploy.deploymentGroups.get(key)?.id ?? randomUUID(),
    serviceRoleArn: `arn:aws:iam::${world.accountId}:role/ecsCodeDeployRole`,
    deploymentConfigName: seed.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce',
    clusterName: service.clusterName,
    serviceName: service.name,
    targetGroupNames: [blueName, green.name],
    productionListenerArn: listener(443),
    testListenerArn: listener(8443),
    terminationWaitMinutes: seed.terminationWaitMinutes ?? 0,
    autoRollback: {
      enabled: seed.autoRollback ?? true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'],
    },
    alarms: { enabled: (seed.alarms ?? []).length > 0, names: seed.alarms ?? [] },
  };
  world.codeDeploy.deploymentGroups.set(key, group);
  return group;
}
