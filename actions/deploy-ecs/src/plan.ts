import type { DeploymentConfiguration, LoadBalancer, Service } from '@aws-sdk/client-ecs';

/** How the service's next deployment will go, read from its DeploymentConfiguration before the update. */
export interface DeploymentPlan {
  strategy: 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
  /** CODE_DEPLOY: CodeDeploy shifts the traffic (its configuration named), and bake time is its termination wait. */
  controller?: 'CODE_DEPLOY';
  deploymentConfigName?: string;
  /** The lifecycle stages in order (blue/green, linear, canary); empty for rolling. */
  stages: string[];
  bakeTimeMinutes: number;
  /** Production traffic weights of the new revision, in order: [100], [10, 100], [25, 50, 75, 100]. */
  trafficSteps: number[];
  /** Minutes between production traffic steps (canary or linear step bake time). */
  stepBakeMinutes: number;
  /** `PAUSE at POST_TEST_TRAFFIC_SHIFT (timeout 60 min, then ROLLBACK)` */
  hooks: string[];
  pauseStages: string[];
  alarms: string[];
  /** Blue/green: the green target group and the test listener rule verify-targets and smoke-test can use. */
  alternateTargetGroupArns: string[];
  testListenerRules: string[];
  /** Minutes the strategy adds to a rollout by itself: bake times, and the time between traffic steps. */
  addedMinutes: number;
}

const STAGES = [
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
];

function trafficSteps(configuration: DeploymentConfiguration | undefined): number[] {
  const strategy = configuration?.strategy ?? 'ROLLING';
  if (strategy === 'CANARY') return [configuration?.canaryConfiguration?.canaryPercent ?? 5, 100];
  if (strategy === 'LINEAR') {
    const step = configuration?.linearConfiguration?.stepPercent ?? 10;
    const steps: number[] = [];
    for (let weight = step; weight < 100 && step > 0; weight += step) steps.push(Math.round(weight * 10) / 10);
    return [...steps, 100];
  }
  return [100];
}

export function deploymentPlan(service: Pick<Service, 'deploymentConfiguration' | 'loadBalancers'>): DeploymentPlan {
  const configuration = service.deploymentConfiguration;
  const strategy = configuration?.strategy ?? 'ROLLING';
  const rolling = strategy === 'ROLLING';
  const steps = rolling ? [100] : trafficSteps(configuration);
  const stepBakeMinutes =
    strategy === 'CANARY'
      ? (configuration?.canaryConfiguration?.canaryBakeTimeInMinutes ?? 0)
      : strategy === 'LINEAR'
        ? (configuration?.linearConfiguration?.stepBakeTimeInMinutes ?? 0)
        : 0;
  const bakeTimeMinutes = rolling ? 0 : (configuration?.bakeTimeInMinutes ?? 0);
  const hooks = configuration?.lifecycleHooks ?? [];
  const advanced = (service.loadBalancers ?? [])
    .map((binding: LoadBalancer) => binding.advancedConfiguration)
    .filter((entry) => entry !== undefined);
  return {
    strategy,
    stages: rolling ? [] : STAGES,
    bakeTimeMinutes,
    trafficSteps: steps,
    stepBakeMinutes,
    hooks: hooks.map(
      (hook) =>
        `${hook.targetType ?? 'hook'} at ${(hook.lifecycleStages ?? []).join(', ')}` +
        (hook.timeoutConfiguration
          ? ` (timeout ${hook.timeoutConfiguration.timeoutInMinutes ?? '?'} min, then ${hook.timeoutConfiguration.action ?? 'ROLLBACK'})`
          : ''),
    ),
    pauseStages: hooks.filter((hook) => hook.targetType === 'PAUSE').flatMap((hook) => hook.lifecycleStages ?? []),
    alarms: configuration?.alarms?.enable ? (configuration.alarms.alarmNames ?? []) : [],
    alternateTargetGroupArns: advanced.flatMap((entry) =>
      entry.alternateTargetGroupArn ? [entry.alternateTargetGroupArn] : [],
    ),
    testListenerRules: advanced.flatMap((entry) => (entry.testListenerRule ? [entry.testListenerRule] : [])),
    addedMinutes: bakeTimeMinutes + stepBakeMinutes * (steps.length - 1),
  };
}

/** `CANARY: 10% then 100% of production traffic, 1 min between steps, bake 1 min` */
export function planSummary(plan: DeploymentPlan): string {
  if (plan.strategy === 'ROLLING') return 'ROLLING (rolling update)';
  const steps = plan.trafficSteps.map((weight) => `${weight}%`).join(' → ');
  const between = plan.trafficSteps.length > 1 ? `, ${plan.stepBakeMinutes} min between steps` : '';
  if (plan.controller === 'CODE_DEPLOY')
    return (
      `CodeDeploy blue/green (${plan.deploymentConfigName}): production traffic ${steps}${between}, original task ` +
      `set kept ${plan.bakeTimeMinutes} min`
    );
  return `${plan.strategy}: production traffic ${steps}${between}, bake ${plan.bakeTimeMinutes} min`;
}

/** The plan as log lines, printed by pre-flight. */
export function planLines(plan: DeploymentPlan): string[] {
  const lines = [`Strategy ${planSummary(plan)}`];
  if (plan.stages.length > 0) lines.push(`  stages: ${plan.stages.join(' → ')}`);
  for (const hook of plan.hooks) lines.push(`  lifecycle hook: ${hook}`);
  if (plan.alarms.length > 0) lines.push(`  rollback alarms: ${plan.alarms.join(', ')}`);
  for (const group of plan.alternateTargetGroupArns) lines.push(`  alternate (green) target group: ${group}`);
  for (const rule of plan.testListenerRules) lines.push(`  test listener rule: ${rule}`);
  if (plan.addedMinutes > 0)
    lines.push(`  the strategy adds ${plan.addedMinutes} min of bake and step time to the rollout`);
  return lines;
}
