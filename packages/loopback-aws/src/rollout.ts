import { trafficShiftStep } from './bluegreen.js';
import { codeDeployStep } from './codedeploy/step.js';
import { recordServiceRevision } from './service-revisions.js';
import { openServiceDeployment, requestRollback, serviceDeploymentOf, setStatus } from './service-deployments.js';
import type { TaskRunState } from './tasks/runtime.js';
import {
  OTHER_IMAGE,
  type ServiceDeploymentRecord,
  SAMPLE_IMAGE,
  type DeploymentRecord,
  type ServiceRecord,
  type TaskDefinitionRecord,
  type TaskRecord,
  type World,
} from './world.js';

/**
 * How a rolling update (deployment controller ECS, minimum healthy 100%, maximum 200%) moves, one change per step
 * of `stepMs`: start a new task, let it run and register its target, pass the health check, and when the new
 * deployment runs its desired count, drain and stop the old tasks one by one, then complete.
 *
 * Blue/green, linear and canary move through lifecycle stages instead (bluegreen.ts). The strategy is one seam,
 * apart from the task-runtime seam (what runs a task): `advance` asks the newest deployment's service-deployment
 * record which strategy it follows, and calls that step. A CODE_DEPLOY service is moved by CodeDeploy's deployment
 * instead (codedeploy/step.ts).
 */

/** One change of a rollout, or why there is none. */
export type StepOutcome = 'moved' | 'completed' | 'waiting' | 'done';

/** One rollout strategy: moves the service's newest deployment by one change. */
export type RolloutStep = (world: World, service: ServiceRecord, at: number) => StepOutcome;

function strategyStep(service: ServiceRecord): RolloutStep {
  if (service.deploymentController === 'CODE_DEPLOY') return codeDeployStep;
  const record = serviceDeploymentOf(service, service.deployments[0]);
  return record && record.strategy !== 'ROLLING' ? trafficShiftStep : rollingStep;
}

const STOPPED_TASKS_KEPT = 100;

/** ECS trips the circuit breaker after half the desired count of failed tasks, at least 3 and at most 200. */
export function failureThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}

/** Makes a new PRIMARY deployment; every earlier one becomes ACTIVE and drains once the new one runs. */
export function startDeployment(
  world: World,
  service: ServiceRecord,
  taskDefinition: TaskDefinitionRecord,
  at: number,
  reason?: string,
  /** The service deployment this one rolls back: it carries on that record instead of opening one. */
  rollbackOf?: ServiceDeploymentRecord,
): DeploymentRecord {
  taskDefinition.fate ??= world.scenario.fate;
  for (const deployment of service.deployments) {
    deployment.status = 'ACTIVE';
    deployment.updatedAt = at;
  }
  const id = world.newDeploymentId();
  const deployment: DeploymentRecord = {
    id,
    status: 'PRIMARY',
    taskDefinitionArn: taskDefinition.arn,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
    createdAt: at,
    updatedAt: at,
    fate: taskDefinition.fate,
    serviceRevisionArn:
      rollbackOf?.rollback?.serviceRevisionArn ??
      service.deployments.find((entry) => entry.taskDefinitionArn === taskDefinition.arn)?.serviceRevisionArn ??
      world.serviceChildArn('service-revision', service),
  };
  service.deployments.unshift(deployment);
  recordServiceRevision(world, service, deployment.serviceRevisionArn, taskDefinition, at);
  if (rollbackOf) {
    deployment.serviceDeploymentArn = rollbackOf.arn;
    setStatus(world, service, rollbackOf, 'ROLLBACK_IN_PROGRESS', at);
  } else {
    openServiceDeployment(world, service, deployment, at);
  }
  wake(world, service, at);
  return deployment;
}

/** Schedules the next step of a steady service. */
export function wake(world: World, service: ServiceRecord, at: number): void {
  service.nextStepAt = Math.min(service.nextStepAt ?? Infinity, at + world.stepMs);
}

/** Runs every step due by `until`, each at its own time, so that event times are what they would have been. */
export function advance(world: World, until = world.now()): void {
  for (const service of world.services.values()) {
    while (service.nextStepAt !== undefined && service.nextStepAt <= until) {
      const at = service.nextStepAt;
      service.nextStepAt = undefined;
      const outcome = strategyStep(service)(world, service, at);
      if (outcome === 'moved') {
        service.steady = false;
      } else if ((outcome === 'completed' || outcome === 'done') && !service.steady) {
        // ECS reports a steady state once nothing is left to start, drain or stop.
        service.steady = true;
        world.addEvent(service, 'has reached a steady state.', at);
      }
      if (outcome === 'moved') service.nextStepAt = Math.max(service.nextStepAt ?? 0, at + world.stepMs);
    }
  }
}

export function liveTasks(service: ServiceRecord): TaskRecord[] {
  return service.tasks.filter((task) => task.lastStatus !== 'STOPPED');
}

export function deploymentOf(service: ServiceRecord, task: TaskRecord): DeploymentRecord | undefined {
  return service.deployments.find((deployment) => deployment.id === task.deploymentId);
}

/**
 * Moves one task one state on (started or crashed, stopped after its deregistration delay, health check passed or
 * failed), as the task runtime reports it: what every strategy does before its own step. `moved` when a task
 * moved or is on its way to stopping, `idle` when nothing did.
 */
export function moveTasks(world: World, service: ServiceRecord, at: number): 'moved' | 'idle' {
  const runtime = world.tasks;
  const live = liveTasks(service);

  // Tasks still starting are passed over: real containers take their time, and others may move meanwhile.
  for (const task of live.filter((entry) => entry.lastStatus === 'PROVISIONING')) {
    const state = runtime.state(world, service, task);
    if (state.status === 'pending') continue;
    if (state.status === 'running') run(world, service, task, at);
    else crash(world, service, task, at, state);
    return 'moved';
  }
  // An essential container that exits without being asked to stops its task, wherever the rollout is.
  for (const task of live.filter(
    (entry) => entry.lastStatus !== 'PROVISIONING' && entry.stopRequestedAt === undefined,
  )) {
    const state = runtime.state(world, service, task);
    if (state.status === 'exited' || state.status === 'failed') {
      crash(world, service, task, at, state);
      return 'moved';
    }
  }
  // ECS's order: deregister the targets, wait out the deregistration delay, then stop the task (SIGTERM).
  let asked = false;
  for (const task of live.filter((entry) => entry.lastStatus === 'DEACTIVATING')) {
    if (task.stopRequestedAt === undefined) {
      if (at < (task.stoppingAt ?? at) + runtime.deregistrationDelayMs) continue;
      task.stopRequestedAt = at;
      task.targetState = undefined;
      runtime.stop(world, service, task);
      asked = true;
    }
    const state = runtime.state(world, service, task);
    if (state.status !== 'exited' && state.status !== 'failed') continue;
    stop(service, task, at, {
      reason: `Scaling activity initiated by (deployment ${task.deploymentId})`,
      code: 'ServiceSchedulerInitiated',
      exitCode: state.status === 'exited' ? state.exitCode : undefined,
    });
    world.addEvent(service, `has stopped 1 running tasks: (task ${task.id}).`, at);
    return 'moved';
  }
  if (asked) return 'moved';
  for (const task of live.filter((entry) => entry.targetState !== undefined && entry.targetState !== 'draining')) {
    const health = runtime.targetHealth(world, service, task);
    if (health === 'initial' || health === task.targetState) continue;
    task.targetState = health;
    return 'moved';
  }
  return 'idle';
}

/**
 * One change of a rolling update (`moved`, or `completed` when it finished the rollout), or why there is none:
 * `done` (steady) or `waiting` (a FAILED rollout with no rollback).
 */
export function rollingStep(world: World, service: ServiceRecord, at: number): StepOutcome {
  const primary = service.deployments[0];
  const record = serviceDeploymentOf(service, primary);
  if (primary && record?.status === 'ROLLBACK_REQUESTED') {
    // StopServiceDeployment ROLLBACK: a deployment of the source revision carries on the same record.
    rollBackRolling(world, service, record, at);
    return 'moved';
  }
  if (moveTasks(world, service, at) === 'moved') return 'moved';
  const live = liveTasks(service);
  const draining = live.some((task) => task.lastStatus === 'DEACTIVATING');
  if (!primary) return draining ? 'moved' : 'done';

  const primaryTasks = live.filter((task) => task.deploymentId === primary.id && task.lastStatus !== 'DEACTIVATING');
  if (primary.rolloutState !== 'FAILED' && primaryTasks.length < primary.desiredCount) {
    launch(world, service, primary, at);
    return 'moved';
  }
  if (primaryTasks.length > primary.desiredCount) {
    beginStopping(world, service, primaryTasks.at(-1)!, at);
    return 'moved';
  }
  // A FAILED deployment without rollback launches nothing more and leaves the old tasks serving.
  if (primary.rolloutState === 'FAILED') return draining ? 'moved' : 'waiting';
  // Minimum healthy 100%: old tasks stop only once every new task runs healthy.
  const ready = primaryTasks.every((task) => world.tasks.replacesOld(task));
  if (!ready) return 'moved';
  const old = live.find((task) => task.deploymentId !== primary.id && task.lastStatus !== 'DEACTIVATING');
  if (old) {
    beginStopping(world, service, old, at);
    return 'moved';
  }
  if (draining) return 'moved';
  if (service.deployments.length > 1 || primary.rolloutState === 'IN_PROGRESS') {
    complete(world, service, primary, at);
    return 'completed';
  }
  return 'done';
}

export function launch(world: World, service: ServiceRecord, deployment: DeploymentRecord, at: number): void {
  const taskDefinition = world.taskDefinition(deployment.taskDefinitionArn)!;
  const containers = taskDefinition.definition.containerDefinitions as Array<{ name: string; image: string }>;
  const imageDigests: Record<string, string> = {};
  for (const container of containers) {
    const digest = world.digestOf(container.image);
    imageDigests[container.name] =
      deployment.fate !== 'other-digest'
        ? digest
        : digest === OTHER_IMAGE.digest
          ? SAMPLE_IMAGE.digest
          : OTHER_IMAGE.digest;
  }
  const id = world.newTaskId();
  const clusterArn = service.clusterArn;
  const task: TaskRecord = {
    id,
    arn: `${clusterArn.replace(':cluster/', ':task/')}/${id}`,
    deploymentId: deployment.id,
    taskDefinitionArn: deployment.taskDefinitionArn,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    ...world.tasks.address(world),
    imageDigests,
    createdAt: at,
  };
  service.tasks.push(task);
  world.tasks.start(world, service, task);
  world.addEvent(service, `has started 1 tasks: (task ${id}).`, at);
}

function run(world: World, service: ServiceRecord, task: TaskRecord, at: number): void {
  task.lastStatus = 'RUNNING';
  task.startedAt = at;
  if (service.loadBalancers.length === 0) return;
  task.targetState = 'initial';
  for (const binding of service.loadBalancers) {
    world.addEvent(service, `registered 1 targets in (target-group ${binding.targetGroupArn})`, at);
  }
}

/** The task's essential container exited, or the task could not start: a failed task for the circuit breaker. */
function crash(
  world: World,
  service: ServiceRecord,
  task: TaskRecord,
  at: number,
  state: Extract<TaskRunState, { status: 'exited' | 'failed' }>,
): void {
  if (state.status === 'exited') {
    task.startedAt ??= at;
    stop(service, task, at, {
      reason: 'Essential container in task exited',
      code: 'EssentialContainerExited',
      exitCode: state.exitCode,
    });
  } else {
    stop(service, task, at, { reason: state.reason, code: state.stopCode, exitCode: undefined });
  }
  const deployment = deploymentOf(service, task);
  if (!deployment) return;
  deployment.failedTasks++;
  deployment.updatedAt = at;
  if (deployment.status !== 'PRIMARY' || deployment.rolloutState !== 'IN_PROGRESS') return;
  const record = serviceDeploymentOf(service, deployment);
  if (record && record.status === 'IN_PROGRESS') record.failureCount++;
  const threshold = failureThreshold(deployment.desiredCount);
  if (service.circuitBreaker.enable && deployment.failedTasks >= threshold) {
    if (record && record.strategy !== 'ROLLING') {
      record.circuitBreakerStatus = 'TRIGGERED';
      if (service.circuitBreaker.rollback) {
        requestRollback(world, service, record, 'ECS deployment circuit breaker: tasks failed to start.', at);
        return;
      }
    }
    tripCircuitBreaker(world, service, deployment, at);
  } else if (deployment.failedTasks === threshold) {
    world.addEvent(
      service,
      'is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
      at,
    );
  }
}

function tripCircuitBreaker(world: World, service: ServiceRecord, deployment: DeploymentRecord, at: number): void {
  deployment.rolloutState = 'FAILED';
  deployment.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  world.addEvent(service, `(deployment ${deployment.id}) deployment failed: tasks failed to start.`, at);
  const record = serviceDeploymentOf(service, deployment);
  if (record) record.circuitBreakerStatus = 'TRIGGERED';
  const target = service.lastCompleted;
  const taskDefinition = target && world.taskDefinition(target.taskDefinitionArn);
  if (!service.circuitBreaker.rollback || !target || !taskDefinition) {
    if (record) setStatus(world, service, record, 'STOPPED', at, deployment.rolloutStateReason);
    return;
  }
  if (record) {
    record.rollback = {
      reason: deployment.rolloutStateReason,
      startedAt: at,
      serviceRevisionArn: revisionOf(service, target.id) ?? record.targetRevisionArn,
    };
  }
  startDeployment(
    world,
    service,
    taskDefinition,
    at,
    `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`,
    record,
  );
  world.addEvent(service, `rolling back to deployment ${target.id}.`, at);
}

function revisionOf(service: ServiceRecord, deploymentId: string): string | undefined {
  if (service.lastCompleted?.id === deploymentId && service.lastCompleted.serviceRevisionArn)
    return service.lastCompleted.serviceRevisionArn;
  return service.deployments.find((entry) => entry.id === deploymentId)?.serviceRevisionArn;
}

/** ECS's own rollback of a rolling deployment in flight: a deployment of the last completed revision. */
function rollBackRolling(world: World, service: ServiceRecord, record: ServiceDeploymentRecord, at: number): void {
  const target = service.lastCompleted;
  const taskDefinition = target && world.taskDefinition(target.taskDefinitionArn);
  if (!target || !taskDefinition) {
    setStatus(world, service, record, 'ROLLBACK_FAILED', at, 'No completed deployment to roll back to.');
    return;
  }
  const failing = service.deployments.find((entry) => entry.serviceDeploymentArn === record.arn);
  if (failing && failing.rolloutState === 'IN_PROGRESS') {
    failing.rolloutState = 'FAILED';
    failing.rolloutStateReason = record.rollback?.reason ?? 'Rollback requested.';
  }
  if (record.rollback) {
    record.rollback.serviceRevisionArn = revisionOf(service, target.id) ?? record.rollback.serviceRevisionArn;
  }
  startDeployment(world, service, taskDefinition, at, `Rolling back to deploymentId ${target.id}.`, record);
  world.addEvent(service, `rolling back to deployment ${target.id}.`, at);
}

export function beginStopping(world: World, service: ServiceRecord, task: TaskRecord, at: number): void {
  task.lastStatus = 'DEACTIVATING';
  task.desiredStatus = 'STOPPED';
  task.stoppingAt = at;
  const deployment = deploymentOf(service, task);
  if (deployment && deployment.status === 'ACTIVE') {
    deployment.desiredCount = Math.max(0, deployment.desiredCount - 1);
    deployment.updatedAt = at;
  }
  if (task.targetState === undefined) return;
  task.targetState = 'draining';
  world.addEvent(service, 'has begun draining connections on 1 tasks.', at);
  for (const binding of service.loadBalancers) {
    world.addEvent(service, `deregistered 1 targets in (target-group ${binding.targetGroupArn})`, at);
  }
}

function stop(
  service: ServiceRecord,
  task: TaskRecord,
  at: number,
  why: { reason: string; code: string; exitCode: number | undefined },
): void {
  task.lastStatus = 'STOPPED';
  task.desiredStatus = 'STOPPED';
  task.stoppingAt ??= at;
  task.stoppedAt = at;
  task.stoppedReason = why.reason;
  task.stopCode = why.code;
  task.exitCode = why.exitCode;
  task.targetState = undefined;
  const stopped = service.tasks.filter((entry) => entry.lastStatus === 'STOPPED');
  if (stopped.length > STOPPED_TASKS_KEPT) {
    const forget = new Set(stopped.slice(0, stopped.length - STOPPED_TASKS_KEPT));
    service.tasks = service.tasks.filter((entry) => !forget.has(entry));
  }
}

export function complete(world: World, service: ServiceRecord, primary: DeploymentRecord, at: number): void {
  service.deployments = [primary];
  const record = serviceDeploymentOf(service, primary);
  if (record && (record.status === 'IN_PROGRESS' || record.status === 'ROLLBACK_IN_PROGRESS')) {
    const rolledBack = record.status === 'ROLLBACK_IN_PROGRESS';
    if (!rolledBack) {
      record.productionWeight = 100;
      record.testWeight = 100;
    }
    setStatus(
      world,
      service,
      record,
      rolledBack ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL',
      at,
      rolledBack ? 'Service deployment rolled back.' : 'Service deployment completed.',
    );
  }
  if (primary.rolloutState === 'IN_PROGRESS') {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = at;
    service.lastCompleted = {
      id: primary.id,
      taskDefinitionArn: primary.taskDefinitionArn,
      serviceRevisionArn: primary.serviceRevisionArn,
    };
    world.addEvent(service, `(deployment ${primary.id}) deployment completed.`, at);
  }
}
