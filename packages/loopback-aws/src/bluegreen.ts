import { beginStopping, complete, deploymentOf, launch, liveTasks, moveTasks, type StepOutcome } from './rollout.js';
import { enterStage, remember, requestRollback, serviceDeploymentOf, setStatus } from './service-deployments.js';
import type { LifecycleHookRecord, ServiceDeploymentRecord, ServiceRecord, World } from './world.js';

/**
 * ECS's native BLUE_GREEN, LINEAR and CANARY strategies, one change per step: the green revision scales up next
 * to blue (PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP), takes the test traffic (TEST_TRAFFIC_SHIFT,
 * POST_TEST_TRAFFIC_SHIFT), then the production traffic, all at once (BLUE_GREEN), canaryPercent first (CANARY) or
 * stepPercent at a time (LINEAR), with the step bake time between shifts (PRODUCTION_TRAFFIC_SHIFT,
 * POST_PRODUCTION_TRAFFIC_SHIFT); it bakes (BAKE_TIME) and blue is scaled down (CLEAN_UP). A PAUSE hook holds the
 * deployment at its stage (AWAITING_ACTION) until ContinueServiceDeployment or its timeout. A rollback (circuit
 * breaker, alarm, StopServiceDeployment, hook) moves all traffic back to blue and stops green.
 */

const STAGES_BEFORE_PRODUCTION = [
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
];

/** The production weights of green, in order: [100], [canary, 100] or [step, 2 step, …, 100]. */
export function productionSteps(record: ServiceDeploymentRecord): number[] {
  const { strategy, canaryConfiguration, linearConfiguration } = record.settings;
  if (strategy === 'CANARY') return [canaryConfiguration?.canaryPercent ?? 10, 100];
  if (strategy === 'LINEAR') {
    const step = Math.max(3, Math.min(100, linearConfiguration?.stepPercent ?? 10));
    const steps: number[] = [];
    for (let weight = step; weight < 100; weight += step) steps.push(Math.round(weight * 10) / 10);
    return [...steps, 100];
  }
  return [100];
}

/** Minutes between production traffic steps. */
function stepBakeMinutes(record: ServiceDeploymentRecord): number {
  const { strategy, canaryConfiguration, linearConfiguration } = record.settings;
  if (strategy === 'CANARY') return canaryConfiguration?.canaryBakeTimeInMinutes ?? 0;
  if (strategy === 'LINEAR') return linearConfiguration?.stepBakeTimeInMinutes ?? 0;
  return 0;
}

export function trafficShiftStep(world: World, service: ServiceRecord, at: number): StepOutcome {
  if (moveTasks(world, service, at) === 'moved') return 'moved';
  const green = service.deployments[0];
  const record = serviceDeploymentOf(service, green);
  if (!green || !record) return 'done';
  if (record.status === 'ROLLBACK_REQUESTED') {
    setStatus(world, service, record, 'ROLLBACK_IN_PROGRESS', at);
    record.productionWeight = 0;
    record.testWeight = 0;
    remember(record);
    world.addEvent(service, `(service deployment) rolling back: all traffic moved back to the blue revision.`, at);
    return 'moved';
  }
  if (record.status === 'ROLLBACK_IN_PROGRESS') return rollBack(world, service, record, at);
  if (record.status !== 'IN_PROGRESS') return 'done';

  const live = liveTasks(service);
  const greenTasks = live.filter((task) => task.deploymentId === green.id);
  const stage = record.lifecycleStage ?? 'PRE_SCALE_UP';
  if (held(world, service, record, stage, at)) return 'waiting';
  switch (stage) {
    case 'PRE_SCALE_UP':
      enterStage(world, service, record, 'SCALE_UP', at);
      return 'moved';
    case 'SCALE_UP':
      if (greenTasks.length < green.desiredCount) {
        launch(world, service, green, at);
        return 'moved';
      }
      if (greenTasks.some((task) => task.lastStatus !== 'RUNNING')) return 'moved';
      enterStage(world, service, record, 'POST_SCALE_UP', at);
      return 'moved';
    case 'POST_SCALE_UP':
      enterStage(world, service, record, 'TEST_TRAFFIC_SHIFT', at);
      return 'moved';
    case 'TEST_TRAFFIC_SHIFT':
      record.testWeight = 100;
      world.addEvent(service, 'shifted 100% of test traffic to the green revision.', at);
      enterStage(world, service, record, 'POST_TEST_TRAFFIC_SHIFT', at);
      return 'moved';
    case 'POST_TEST_TRAFFIC_SHIFT':
      if (held(world, service, record, 'PRE_PRODUCTION_TRAFFIC_SHIFT', at)) return 'waiting';
      enterStage(world, service, record, 'PRODUCTION_TRAFFIC_SHIFT', at);
      return 'moved';
    case 'PRODUCTION_TRAFFIC_SHIFT':
      return shiftProduction(world, service, record, at);
    case 'POST_PRODUCTION_TRAFFIC_SHIFT':
      enterStage(world, service, record, 'BAKE_TIME', at);
      record.stageEndsAt = at + (record.settings.bakeTimeInMinutes ?? 0) * world.minuteMs;
      return 'moved';
    case 'BAKE_TIME':
      return bake(world, service, record, at);
    case 'CLEAN_UP': {
      const blueTask = live.find((task) => task.deploymentId !== green.id && task.lastStatus === 'RUNNING');
      if (blueTask) {
        beginStopping(world, service, blueTask, at);
        return 'moved';
      }
      if (live.some((task) => task.deploymentId !== green.id)) return 'moved';
      complete(world, service, green, at);
      return 'completed';
    }
    default:
      return 'done';
  }
}

function shiftProduction(
  world: World,
  service: ServiceRecord,
  record: ServiceDeploymentRecord,
  at: number,
): StepOutcome {
  if (record.stageEndsAt !== undefined && at < record.stageEndsAt) return 'moved';
  const steps = productionSteps(record);
  const weight = steps[Math.min(record.trafficStep, steps.length - 1)];
  record.productionWeight = weight;
  record.trafficStep++;
  record.updatedAt = at;
  remember(record);
  world.addEvent(service, `shifted ${weight}% of production traffic to the green revision.`, at);
  if (record.trafficStep < steps.length) {
    record.stageEndsAt = at + stepBakeMinutes(record) * world.minuteMs;
    return 'moved';
  }
  record.stageEndsAt = undefined;
  enterStage(world, service, record, 'POST_PRODUCTION_TRAFFIC_SHIFT', at);
  return 'moved';
}

function bake(world: World, service: ServiceRecord, record: ServiceDeploymentRecord, at: number): StepOutcome {
  const green = service.deployments[0];
  const alarms = record.settings.alarms;
  const bakeMs = (record.settings.bakeTimeInMinutes ?? 0) * world.minuteMs;
  // The alarm scenario: green's 5xx rate crosses the threshold half-way through the bake.
  if (green.fate === 'alarm-in-bake' && alarms?.enable && at >= (record.stageEndsAt ?? at) - bakeMs / 2) {
    record.alarmStatus = 'TRIGGERED';
    record.triggeredAlarmNames = [alarms.alarmNames[0] ?? 'alarm'];
    world.addEvent(service, `(service deployment) alarm ${record.triggeredAlarmNames[0]} is in ALARM.`, at);
    if (alarms.rollback) {
      requestRollback(
        world,
        service,
        record,
        `CloudWatch alarm ${record.triggeredAlarmNames[0]} went into ALARM during bake time.`,
        at,
      );
      return 'moved';
    }
  }
  if (record.stageEndsAt !== undefined && at < record.stageEndsAt) return 'moved';
  record.stageEndsAt = undefined;
  enterStage(world, service, record, 'CLEAN_UP', at);
  return 'moved';
}

/** Stops green one task per step, then blue is the only deployment again and the record ROLLBACK_SUCCESSFUL. */
function rollBack(world: World, service: ServiceRecord, record: ServiceDeploymentRecord, at: number): StepOutcome {
  const green = service.deployments[0];
  const greenTask = liveTasks(service).find(
    (task) => task.deploymentId === green.id && task.lastStatus !== 'DEACTIVATING',
  );
  if (greenTask) {
    beginStopping(world, service, greenTask, at);
    return 'moved';
  }
  if (liveTasks(service).some((task) => task.deploymentId === green.id)) return 'moved';
  const blue = service.deployments
    .slice(1)
    .find((entry) => liveTasks(service).some((task) => deploymentOf(service, task) === entry));
  if (!blue) {
    setStatus(world, service, record, 'ROLLBACK_FAILED', at, 'No blue revision is left to roll back to.');
    return 'done';
  }
  green.status = 'ACTIVE';
  green.rolloutState = 'FAILED';
  green.rolloutStateReason = record.rollback?.reason ?? 'Rolled back.';
  blue.status = 'PRIMARY';
  blue.desiredCount = service.desiredCount;
  blue.updatedAt = at;
  service.deployments = [blue];
  setStatus(
    world,
    service,
    record,
    'ROLLBACK_SUCCESSFUL',
    at,
    `Rolled back: ${record.rollback?.reason ?? 'rollback requested'}`,
  );
  world.addEvent(service, `(deployment ${blue.id}) rolled back: the blue revision serves all traffic.`, at);
  return 'completed';
}

/**
 * True while a hook holds the deployment at `stage`: a PAUSE hook waits for ContinueServiceDeployment (or its
 * timeout action), a Lambda hook is taken as succeeded (the loopback runs no Lambda).
 */
function held(
  world: World,
  service: ServiceRecord,
  record: ServiceDeploymentRecord,
  stage: string,
  at: number,
): boolean {
  if (
    STAGES_BEFORE_PRODUCTION.includes(stage) ||
    stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT' ||
    stage.startsWith('POST_')
  ) {
    for (const [index, hook] of (record.settings.lifecycleHooks ?? []).entries()) {
      if (!hook.lifecycleStages.includes(stage)) continue;
      const hookId = `${stage.toLowerCase()}-${index}`;
      let detail = record.hooks.find((entry) => entry.hookId === hookId);
      if (!detail) {
        const timeout = hook.timeoutConfiguration;
        detail = {
          hookId,
          targetType: hook.targetType,
          targetArn: hook.hookTargetArn,
          stage,
          status: hook.targetType === 'PAUSE' ? 'AWAITING_ACTION' : 'SUCCEEDED',
          expiresAt: timeout ? at + timeout.timeoutInMinutes * world.minuteMs : undefined,
          timeoutAction: timeout?.action ?? 'ROLLBACK',
        };
        record.hooks.push(detail);
        if (detail.status === 'AWAITING_ACTION')
          world.addEvent(service, `(service deployment) lifecycle hook ${hookId} is awaiting action at ${stage}.`, at);
      }
      if (detail.status === 'AWAITING_ACTION' && !timedOut(world, service, record, detail, at)) {
        if (detail.expiresAt !== undefined) service.nextStepAt = detail.expiresAt;
        return true;
      }
      if (detail.status === 'FAILED' || detail.status === 'TIMED_OUT') return record.status !== 'IN_PROGRESS';
    }
  }
  return false;
}

function timedOut(
  world: World,
  service: ServiceRecord,
  record: ServiceDeploymentRecord,
  hook: LifecycleHookRecord,
  at: number,
): boolean {
  if (hook.expiresAt === undefined || at < hook.expiresAt) return false;
  hook.status = 'TIMED_OUT';
  if (hook.timeoutAction === 'ROLLBACK')
    requestRollback(world, service, record, `Lifecycle hook ${hook.hookId} timed out.`, at);
  return true;
}
