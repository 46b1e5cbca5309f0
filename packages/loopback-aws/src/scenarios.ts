import type { CodeDeploySeed } from './codedeploy/seed.js';
import type { OneOffFate } from './one-off.js';

/** How the next rollout of a new task definition goes. */
export type ScenarioName =
  | 'completes'
  | 'circuit-breaker-rollback'
  | 'tasks-keep-stopping'
  | 'targets-unhealthy'
  | 'wrong-digest'
  | 'blue-green'
  | 'blue-green-alarm-rollback'
  | 'canary'
  | 'linear'
  | 'pause-hook'
  | 'stop-deployment-rollback'
  | 'migration-fails'
  | 'codedeploy'
  | 'codedeploy-rollback'
  | 'codedeploy-tasks-keep-stopping';

/**
 * What the tasks of one task definition do, decided the first time it is deployed and kept after that, so that
 * deploying the same revision again fails the same way and a rollback to a revision that ran before completes.
 */
export type Fate = 'healthy' | 'crash' | 'unhealthy-targets' | 'other-digest' | 'alarm-in-bake';

/** How a service deploys (its DeploymentConfiguration beyond the circuit breaker), as ECS models it. */
export interface DeploymentSettings {
  strategy: 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  lifecycleHooks?: Array<{
    targetType: 'AWS_LAMBDA' | 'PAUSE';
    hookTargetArn?: string;
    roleArn?: string;
    lifecycleStages: string[];
    timeoutConfiguration?: { timeoutInMinutes: number; action: 'CONTINUE' | 'ROLLBACK' };
  }>;
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean };
}

export const ROLLING: DeploymentSettings = { strategy: 'ROLLING' };

export interface CircuitBreaker {
  enable: boolean;
  rollback: boolean;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  fate: Fate;
  /** Set on every service when the scenario is chosen: the scenario only makes sense with this setting. */
  circuitBreaker?: CircuitBreaker;
  /** Set on every service when the scenario is chosen; rolling with no alarms unless set. */
  settings?: DeploymentSettings;
  /** How one-off tasks (RunTask: the migration) end; every container exits 0 unless set. */
  oneOff?: OneOffFate;
  /** Makes every service CODE_DEPLOY-controlled, with this deployment group (see seedCodeDeployService). */
  codeDeploy?: CodeDeploySeed;
}

const PAUSE_AFTER_TEST_TRAFFIC: NonNullable<DeploymentSettings['lifecycleHooks']>[number] = {
  targetType: 'PAUSE',
  lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
  timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' },
};

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  completes: {
    name: 'completes',
    description: 'the new tasks start, their targets turn healthy, the old tasks drain and the rollout completes',
    fate: 'healthy',
  },
  'circuit-breaker-rollback': {
    name: 'circuit-breaker-rollback',
    description:
      'the new tasks exit with code 1; the circuit breaker marks the rollout FAILED and ECS rolls back to the last completed deployment',
    fate: 'crash',
    circuitBreaker: { enable: true, rollback: true },
  },
  'tasks-keep-stopping': {
    name: 'tasks-keep-stopping',
    description:
      'the new tasks exit with code 1 again and again; with no circuit breaker the rollout stays IN_PROGRESS until someone rolls back',
    fate: 'crash',
    circuitBreaker: { enable: false, rollback: false },
  },
  'targets-unhealthy': {
    name: 'targets-unhealthy',
    description: 'the rollout completes in ECS, but the new targets stay unhealthy (HTTP 502 on the health check)',
    fate: 'unhealthy-targets',
  },
  'wrong-digest': {
    name: 'wrong-digest',
    description: 'the rollout completes and the targets are healthy, but the new tasks run another image digest',
    fate: 'other-digest',
  },
  'blue-green': {
    name: 'blue-green',
    description:
      'native BLUE_GREEN: the green tasks scale up, take test then all production traffic at once, bake 1 minute, and the blue tasks are cleaned up',
    fate: 'healthy',
    settings: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 },
  },
  'blue-green-alarm-rollback': {
    name: 'blue-green-alarm-rollback',
    description:
      'native BLUE_GREEN: production traffic moves to green, then the 5xx alarm fires during bake time and ECS shifts traffic back to blue',
    fate: 'alarm-in-bake',
    settings: {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 2,
      alarms: { alarmNames: ['sample-service-5xx'], enable: true, rollback: true },
    },
  },
  canary: {
    name: 'canary',
    description: 'native CANARY: 10% of production traffic for 1 minute, then all of it, bake 1 minute',
    fate: 'healthy',
    settings: {
      strategy: 'CANARY',
      bakeTimeInMinutes: 1,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
    },
  },
  linear: {
    name: 'linear',
    description: 'native LINEAR: production traffic moves in steps of 25% with 1 minute between steps, bake 1 minute',
    fate: 'healthy',
    settings: {
      strategy: 'LINEAR',
      bakeTimeInMinutes: 1,
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 },
    },
  },
  'pause-hook': {
    name: 'pause-hook',
    description:
      'native BLUE_GREEN with a PAUSE hook at POST_TEST_TRAFFIC_SHIFT: green takes the test traffic and waits for ContinueServiceDeployment',
    fate: 'healthy',
    settings: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: [PAUSE_AFTER_TEST_TRAFFIC] },
  },
  'stop-deployment-rollback': {
    name: 'stop-deployment-rollback',
    description:
      'rolling, no circuit breaker: the new tasks keep exiting with code 1 until deploy-ecs rolls the deployment back in flight with StopServiceDeployment ROLLBACK',
    fate: 'crash',
    circuitBreaker: { enable: false, rollback: false },
  },
  'migration-fails': {
    name: 'migration-fails',
    description:
      'the migration task (RunTask before the deploy) exits with code 1: the deploy must stop before any traffic changes',
    fate: 'healthy',
    oneOff: 'exits-1',
  },
  codedeploy: {
    name: 'codedeploy',
    description:
      'CODE_DEPLOY service: CodeDeploy starts the green task set, shifts 10% of production traffic, then all of it after 5 minutes, and stops blue after 1 minute',
    fate: 'healthy',
    codeDeploy: { deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes', terminationWaitMinutes: 1 },
  },
  'codedeploy-rollback': {
    name: 'codedeploy-rollback',
    description:
      'CODE_DEPLOY service: production traffic moves to green, the 5xx alarm goes into ALARM during the termination wait, CodeDeploy fails the deployment and rolls back to blue',
    fate: 'alarm-in-bake',
    codeDeploy: { terminationWaitMinutes: 2, alarms: ['sample-service-5xx'] },
  },
  'codedeploy-tasks-keep-stopping': {
    name: 'codedeploy-tasks-keep-stopping',
    description:
      "CODE_DEPLOY service: the green tasks exit with code 1 again and again, Install never ends until StopDeployment (deploy-ecs's own rollback)",
    fate: 'crash',
    codeDeploy: {},
  },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

export function scenarioNamed(name: string): Scenario {
  if (!isScenarioName(name)) {
    throw new Error(`Unknown scenario "${name}"; expected one of: ${SCENARIO_NAMES.join(', ')}`);
  }
  return SCENARIOS[name];
}
