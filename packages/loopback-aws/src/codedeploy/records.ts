/** CodeDeploy's state for ECS blue/green (compute platform ECS): what its API answers from and its deployments move. */

export interface CodeDeployState {
  /** By application name. */
  applications: Map<string, ApplicationRecord>;
  /** Keyed by `<application>/<deployment group>`. */
  deploymentGroups: Map<string, DeploymentGroupRecord>;
  /** Every deployment, oldest first. */
  deployments: CodeDeployDeploymentRecord[];
}

export interface ApplicationRecord {
  name: string;
  id: string;
  createdAt: number;
}

export interface DeploymentGroupRecord {
  application: string;
  name: string;
  id: string;
  serviceRoleArn: string;
  deploymentConfigName: string;
  clusterName: string;
  serviceName: string;
  /** The two target groups CodeDeploy switches between: the one the service was created with first. */
  targetGroupNames: [string, string];
  productionListenerArn: string;
  testListenerArn?: string;
  /** Minutes the original (blue) task set keeps running after production traffic moved to green. */
  terminationWaitMinutes: number;
  autoRollback: { enabled: boolean; events: RollbackEvent[] };
  alarms: { enabled: boolean; names: string[] };
  /** ECS unless a test sets another; a Server or Lambda group lists no ECS service. */
  computePlatform?: 'ECS' | 'Server' | 'Lambda';
}

export type RollbackEvent = 'DEPLOYMENT_FAILURE' | 'DEPLOYMENT_STOP_ON_ALARM' | 'DEPLOYMENT_STOP_ON_REQUEST';

export type CodeDeployStatus =
  'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Ready' | 'Succeeded' | 'Failed' | 'Stopped';

export type LifecycleEventStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped';

/** The lifecycle events of an ECS blue/green deployment, in order; the hooks are the ones an AppSpec may name. */
export const ECS_LIFECYCLE_EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
] as const;
export type LifecycleEventName = (typeof ECS_LIFECYCLE_EVENTS)[number];
export const HOOK_EVENTS: LifecycleEventName[] = [
  'BeforeInstall',
  'AfterInstall',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic',
];

export interface LifecycleEventRecord {
  name: LifecycleEventName;
  status: LifecycleEventStatus;
  startedAt?: number;
  endedAt?: number;
  diagnostics?: { errorCode: string; scriptName: string; message: string; logTail: string };
}

export interface CodeDeployDeploymentRecord {
  /** `d-` and 9 characters. */
  id: string;
  application: string;
  deploymentGroup: string;
  deploymentConfigName: string;
  /** The AppSpec as given, and what was read from it. */
  appSpec: { content: string; sha256: string };
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  /** Lifecycle hook -> Lambda function the AppSpec names (the loopback runs no Lambda: a hook succeeds). */
  hooks: Partial<Record<LifecycleEventName, string>>;
  description?: string;
  creator: 'user' | 'autoRollback';
  status: CodeDeployStatus;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  errorInformation?: { code: string; message: string };
  rollbackInfo?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  events: LifecycleEventRecord[];
  /** `<cluster>/<service>` of the deployment group's service. */
  serviceKey: string;
  /** The task sets (ids of the service's deployments): the original (blue) and the replacement (green). */
  blueTaskSetId?: string;
  greenTaskSetId?: string;
  /** Production traffic on green, in percent. */
  greenWeight: number;
  /** Index into the traffic steps while AllowTraffic shifts; when the current step (or the termination wait) ends. */
  trafficStep: number;
  waitEndsAt?: number;
  /** StopDeployment asked for it, with or without CodeDeploy's rollback. */
  stopRequested?: { autoRollback: boolean };
}

/** The deployment configurations CodeDeploy predefines for ECS. */
export const ECS_DEPLOYMENT_CONFIGS: Record<
  string,
  { type: 'AllAtOnce' | 'TimeBasedCanary' | 'TimeBasedLinear'; percent?: number; intervalMinutes?: number }
> = {
  'CodeDeployDefault.ECSAllAtOnce': { type: 'AllAtOnce' },
  'CodeDeployDefault.ECSCanary10Percent5Minutes': { type: 'TimeBasedCanary', percent: 10, intervalMinutes: 5 },
  'CodeDeployDefault.ECSCanary10Percent15Minutes': { type: 'TimeBasedCanary', percent: 10, intervalMinutes: 15 },
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes': { type: 'TimeBasedLinear', percent: 10, intervalMinutes: 1 },
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes': { type: 'TimeBasedLinear', percent: 10, intervalMinutes: 3 },
};

/** Green's production weights in order: [100], [canary, 100] or [step, 2 step, …, 100]. */
export function trafficSteps(configName: string): number[] {
  const config = ECS_DEPLOYMENT_CONFIGS[configName] ?? { type: 'AllAtOnce' };
  if (config.type === 'TimeBasedCanary') return [config.percent ?? 10, 100];
  if (config.type === 'TimeBasedLinear') {
    const steps: number[] = [];
    for (let weight = config.percent ?? 10; weight < 100; weight += config.percent ?? 10) steps.push(weight);
    return [...steps, 100];
  }
  return [100];
}

export function isActive(deployment: CodeDeployDeploymentRecord): boolean {
  return ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'].includes(deployment.status);
}
