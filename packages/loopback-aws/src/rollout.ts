import type { TaskRunState } from './tasks/runtime.js';
import {
  OTHER_IMAGE,
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
 */

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
  };
  service.deployments.unshift(deployment);
  wake(world, service, at);
  return deployment;
}

/** Schedules the next step of a steady service. */
export function wake(world: World, service: ServiceRecord, at: number): void {
  service.nextStepAt ??= at + world.stepMs;
}

/** Runs every step due by `until`, each at its own time, so that event times are what they would have been. */
export function advance(world: World, until = world.now()): void {
  for (const service of world.services.values()) {
    while (service.nextStepAt !== undefined && service.nextStepAt <= until) {
      const at = service.nextStepAt;
      service.nextStepAt = undefined;
      const outcome = step(world, service, at);
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

function liveTasks(service: ServiceRecord): TaskRecord[] {
  return service.tasks.filter((task) => task.lastStatus !== 'STOPPED');
}

function deploymentOf(service: ServiceRecord, task: TaskRecord): DeploymentRecord | undefined {
  return service.deployments.find((deployment) => deployment.id === task.deploymentId);
}

/**
 * One change (`moved`, or `completed` when it finished the rollout), or why there is none: `done` (steady) or
 * `waiting` (a FAILED rollout with no rollback).
 */
function step(world: World, service: ServiceRecord, at: number): 'moved' | 'completed' | 'waiting' | 'done' {
  const runtime = world.tasks;
  const primary = service.deployments[0];
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
  // Minimum healthy 100%: old tasks stop only once every new task runs and its targets left `initial`.
  const ready = primaryTasks.every((task) => task.lastStatus === 'RUNNING' && task.targetState !== 'initial');
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

function launch(world: World, service: ServiceRecord, deployment: DeploymentRecord, at: number): void {
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
  const threshold = failureThreshold(deployment.desiredCount);
  if (service.circuitBreaker.enable && deployment.failedTasks >= threshold) {
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
  const target = service.lastCompleted;
  const taskDefinition = target && world.taskDefinition(target.taskDefinitionArn);
  if (!service.circuitBreaker.rollback || !target || !taskDefinition) return;
  startDeployment(
    world,
    service,
    taskDefinition,
    at,
    `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`,
  );
  world.addEvent(service, `rolling back to deployment ${target.id}.`, at);
}

function beginStopping(world: World, service: ServiceRecord, task: TaskRecord, at: number): void {
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

function complete(world: World, service: ServiceRecord, primary: DeploymentRecord, at: number): void {
  service.deployments = [primary];
  if (primary.rolloutState === 'IN_PROGRESS') {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = at;
    service.lastCompleted = { id: primary.id, taskDefinitionArn: primary.taskDefinitionArn };
    world.addEvent(service, `(deployment ${primary.id}) deployment completed.`, at);
  }
}
