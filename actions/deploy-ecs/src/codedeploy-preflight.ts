import {
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  type CodeDeployClient,
  type DeploymentGroupInfo,
} from '@aws-sdk/client-codedeploy';
import type { Service } from '@aws-sdk/client-ecs';
import { UserError, inputError } from '@ecs-actions/action-kit';
import { isAwsError } from '@ecs-actions/aws';
import { appSpecHooks, appSpecTarget, checkAppSpecTarget, generatedAppSpec, type AppSpec } from './appspec.js';
import type { DeploymentPlan } from './plan.js';
import type { Logger } from './service.js';

/** Where and how deploy-ecs deploys a CODE_DEPLOY service, known after pre-flight. */
export interface CodeDeployTarget {
  application: string;
  deploymentGroup: string;
  /** The AppSpec without its TaskDefinition, which is set to each revision deployed. */
  appSpec: AppSpec;
  /** Where it came from, for the log and errors: the file, or the service's load balancer. */
  appSpecSource: string;
  deploymentConfigName: string;
  /** The deployment group rolls a failed deployment back by itself. */
  rollsBackOnFailure: boolean;
}

export interface CodeDeployInputs {
  /** Names given by the user; the console's AppECS-<cluster>-<service> and DgpECS-<cluster>-<service> unless set. */
  application?: string;
  deploymentGroup?: string;
  /** A checked AppSpec file, or none to generate one from the service's load balancer. */
  appSpecFile?: { path: string; spec: AppSpec };
}

const ECS_STAGES = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
];

/** `arn:aws:ecs:…:cluster/prod` -> `prod` */
function clusterName(cluster: string): string {
  return cluster.split('/').pop() ?? cluster;
}

/**
 * Checks, before any change, that the service's CodeDeploy application and deployment group exist and deploy this
 * service, reads the deployment configuration's traffic shifting, and settles the AppSpec (the file, or one made
 * from the service's load balancer container and port). Prints the plan.
 */
export async function codeDeployPreflight(
  codedeploy: CodeDeployClient,
  service: Service,
  cluster: string,
  inputs: CodeDeployInputs,
  log: Logger,
): Promise<{ target: CodeDeployTarget; plan: DeploymentPlan }> {
  const serviceName = service.serviceName ?? '';
  const application = inputs.application ?? `AppECS-${clusterName(cluster)}-${serviceName}`;
  const deploymentGroup = inputs.deploymentGroup ?? `DgpECS-${clusterName(cluster)}-${serviceName}`;
  const group = await readDeploymentGroup(codedeploy, application, deploymentGroup, inputs);
  const deploys = (group.ecsServices ?? []).some(
    (entry) => entry.serviceName === serviceName && entry.clusterName === clusterName(cluster),
  );
  if (group.computePlatform !== 'ECS' || !deploys) {
    const what =
      group.computePlatform !== 'ECS'
        ? `is for the ${group.computePlatform ?? 'unknown'} compute platform, not ECS`
        : `deploys ${(group.ecsServices ?? []).map((entry) => `${entry.clusterName}/${entry.serviceName}`).join(', ') || 'no ECS service'}, ` +
          `not ${clusterName(cluster)}/${serviceName}`;
    throw inputError(
      'codedeploy-deployment-group',
      `deployment group ${deploymentGroup} of ${application} ${what}; nothing was changed`,
    );
  }

  let appSpec: AppSpec;
  let appSpecSource: string;
  if (inputs.appSpecFile) {
    appSpec = inputs.appSpecFile.spec;
    appSpecSource = inputs.appSpecFile.path;
  } else {
    const balancer = (service.loadBalancers ?? []).find((entry) => entry.containerName && entry.containerPort);
    if (!balancer) {
      throw new UserError(
        `Service '${serviceName}' has no load balancer with a container name and port to generate the AppSpec ` +
          "from; give one with the input 'codedeploy-appspec'. Nothing was changed.",
      );
    }
    appSpec = generatedAppSpec({ containerName: balancer.containerName!, containerPort: balancer.containerPort! });
    appSpecSource = "the service's load balancer";
  }

  const deploymentConfigName = group.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce';
  const { deploymentConfigInfo } = await codedeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName }));
  const routing = deploymentConfigInfo?.trafficRoutingConfig;
  const canary = routing?.timeBasedCanary;
  const linear = routing?.timeBasedLinear;
  const trafficSteps =
    routing?.type === 'TimeBasedCanary'
      ? [canary?.canaryPercentage ?? 10, 100]
      : routing?.type === 'TimeBasedLinear'
        ? linearSteps(linear?.linearPercentage ?? 10)
        : [100];
  const stepMinutes = canary?.canaryInterval ?? linear?.linearInterval ?? 0;
  const blueGreen = group.blueGreenDeploymentConfiguration;
  const terminationWait = blueGreen?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ?? 0;
  // STOP_DEPLOYMENT: the deployment waits (Ready) up to this long for someone to reroute the traffic.
  const ready = blueGreen?.deploymentReadyOption;
  const readyWait = ready?.actionOnTimeout === 'STOP_DEPLOYMENT' ? (ready.waitTimeInMinutes ?? 0) : 0;
  const rollback = group.autoRollbackConfiguration;
  const rollbackEvents = rollback?.enabled ? (rollback.events ?? []) : [];
  const alarms = group.alarmConfiguration?.enabled ? (group.alarmConfiguration.alarms ?? []) : [];
  const plan: DeploymentPlan = {
    strategy: 'BLUE_GREEN',
    controller: 'CODE_DEPLOY',
    deploymentConfigName,
    stages: ECS_STAGES,
    bakeTimeMinutes: terminationWait,
    trafficSteps,
    stepBakeMinutes: stepMinutes,
    hooks: appSpecHooks(appSpec),
    pauseStages: [],
    alarms: alarms.flatMap((alarm) => (alarm.name ? [alarm.name] : [])),
    alternateTargetGroupArns: [],
    testListenerRules: [],
    addedMinutes: stepMinutes * (trafficSteps.length - 1) + terminationWait + readyWait,
  };
  const { containerName, containerPort } = appSpecTarget(appSpec);
  log.info(`CodeDeploy application ${application}, deployment group ${deploymentGroup} (${deploymentConfigName})`);
  log.info(`  AppSpec from ${appSpecSource}: container ${containerName}, port ${containerPort}`);
  const pairs = group.loadBalancerInfo?.targetGroupPairInfoList ?? [];
  for (const pair of pairs)
    log.info(`  target groups ${(pair.targetGroups ?? []).map((entry) => entry.name).join(' / ')}`);
  log.info(
    `  automatic rollback: ${rollbackEvents.length ? rollbackEvents.join(', ') : 'off'}; original task set kept ` +
      `${terminationWait} min after the traffic moved` +
      (readyWait ? `; waits up to ${readyWait} min for the traffic to be rerouted` : ''),
  );
  return {
    target: {
      application,
      deploymentGroup,
      appSpec,
      appSpecSource,
      deploymentConfigName,
      rollsBackOnFailure: rollbackEvents.includes('DEPLOYMENT_FAILURE'),
    },
    plan,
  };
}

function linearSteps(step: number): number[] {
  const steps: number[] = [];
  for (let weight = step; weight < 100 && step > 0; weight += step) steps.push(weight);
  return [...steps, 100];
}

async function readDeploymentGroup(
  codedeploy: CodeDeployClient,
  application: string,
  deploymentGroup: string,
  inputs: CodeDeployInputs,
): Promise<DeploymentGroupInfo> {
  const defaulted = (input: string, given: string | undefined) =>
    given === undefined ? ` (the default; set the input '${input}' if yours is named otherwise)` : '';
  try {
    const { deploymentGroupInfo } = await codedeploy.send(
      new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: deploymentGroup }),
    );
    if (!deploymentGroupInfo) throw new Error('GetDeploymentGroup returned no deployment group');
    return deploymentGroupInfo;
  } catch (error) {
    if (isAwsError(error, 'ApplicationDoesNotExistException')) {
      throw inputError(
        'codedeploy-application',
        `CodeDeploy application ${application} does not exist${defaulted('codedeploy-application', inputs.application)}; nothing was changed`,
      );
    }
    if (isAwsError(error, 'DeploymentGroupDoesNotExistException')) {
      throw inputError(
        'codedeploy-deployment-group',
        `deployment group ${deploymentGroup} does not exist in CodeDeploy application ${application}` +
          `${defaulted('codedeploy-deployment-group', inputs.deploymentGroup)}; nothing was changed`,
      );
    }
    throw error;
  }
}

/** The revision must have the AppSpec's container and port: CodeDeploy would fail the deployment minutes later. */
export function checkRevisionForAppSpec(
  target: CodeDeployTarget,
  containers: Parameters<typeof checkAppSpecTarget>[1],
  where: string,
): void {
  checkAppSpecTarget(appSpecTarget(target.appSpec), containers, where, `the AppSpec (from ${target.appSpecSource})`);
}
