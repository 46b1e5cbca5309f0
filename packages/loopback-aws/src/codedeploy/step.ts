import { beginStopping, launch, liveTasks, moveTasks, type StepOutcome } from '../rollout.js';
import { recordServiceRevision } from '../service-revisions.js';
import type { DeploymentRecord, ServiceRecord, World } from '../world.js';
import {
  ECS_DEPLOYMENT_CONFIGS,
  ECS_LIFECYCLE_EVENTS,
  isActive,
  trafficSteps,
  type CodeDeployDeploymentRecord,
  type DeploymentGroupRecord,
  type LifecycleEventRecord,
  type RollbackEvent,
} from './records.js';

/**
 * How CodeDeploy moves a CODE_DEPLOY service, one change per step: it starts the replacement (green) task set next
 * to the original (blue) one (Install), points the test listener at it (AllowTestTraffic), shifts production
 * traffic as the deployment configuration says (AllowTraffic: all at once, canary or linear, with the interval
 * between steps), keeps blue through the termination wait, then stops it. A hook the AppSpec names runs at its
 * event (the loopback runs no Lambda: it succeeds). A CloudWatch alarm of the deployment group in ALARM fails the
 * deployment; StopDeployment stops it; either way, with automatic rollback on, a rollback deployment moves traffic
 * back to blue and stops green.
 */

export function serviceKey(service: ServiceRecord): string {
  return `${service.clusterName}/${service.name}`;
}

export function activeDeploymentOf(world: World, service: ServiceRecord): CodeDeployDeploymentRecord | undefined {
  return world.codeDeploy.deployments.find((entry) => entry.serviceKey === serviceKey(service) && isActive(entry));
}

export function groupOf(world: World, deployment: CodeDeployDeploymentRecord): DeploymentGroupRecord {
  return world.codeDeploy.deploymentGroups.get(`${deployment.application}/${deployment.deploymentGroup}`)!;
}

export function newLifecycleEvents(): LifecycleEventRecord[] {
  return ECS_LIFECYCLE_EVENTS.map((name) => ({ name, status: 'Pending' }));
}

export function codeDeployStep(world: World, service: ServiceRecord, at: number): StepOutcome {
  if (moveTasks(world, service, at) === 'moved') return 'moved';
  const deployment = activeDeploymentOf(world, service);
  if (!deployment) return liveTasks(service).some((task) => task.lastStatus === 'DEACTIVATING') ? 'moved' : 'done';
  if (deployment.status === 'Created' || deployment.status === 'Queued') {
    deployment.status = 'InProgress';
    deployment.startedAt = at;
    world.log(`${deployment.serviceKey}: CodeDeploy ${deployment.id} InProgress`);
    return 'moved';
  }
  if (deployment.stopRequested) {
    const { autoRollback } = deployment.stopRequested;
    deployment.stopRequested = undefined;
    end(world, deployment, 'Stopped', at, { code: 'MANUAL_STOP', message: 'The deployment was stopped by the user.' });
    if (autoRollback) startRollback(world, deployment, 'DEPLOYMENT_STOP_ON_REQUEST', at, true);
    return 'moved';
  }
  return deployment.creator === 'autoRollback'
    ? rollBack(world, service, deployment, at)
    : deployStep(world, service, deployment, at);
}

function taskSet(service: ServiceRecord, id: string | undefined): DeploymentRecord | undefined {
  return service.deployments.find((entry) => entry.id === id);
}

function deployStep(
  world: World,
  service: ServiceRecord,
  deployment: CodeDeployDeploymentRecord,
  at: number,
): StepOutcome {
  const event = deployment.events.find((entry) => entry.status === 'Pending' || entry.status === 'InProgress');
  if (!event) return terminationWait(world, service, deployment, at);
  if (event.status === 'Pending') {
    const hookless = event.name !== 'Install' && event.name !== 'AllowTraffic' && event.name !== 'AllowTestTraffic';
    if (
      (hookless && !deployment.hooks[event.name]) ||
      (event.name === 'AllowTestTraffic' && !groupOf(world, deployment).testListenerArn)
    ) {
      event.status = 'Skipped';
      return 'moved';
    }
    event.status = 'InProgress';
    event.startedAt = at;
    if (event.name === 'Install') startGreen(world, service, deployment, at);
    return 'moved';
  }
  if (event.name === 'Install') {
    const green = taskSet(service, deployment.greenTaskSetId)!;
    const greenTasks = liveTasks(service).filter(
      (task) => task.deploymentId === green.id && task.lastStatus !== 'DEACTIVATING',
    );
    // A task set replaces a task that stopped: a crashing revision keeps Install waiting.
    if (greenTasks.length < green.desiredCount) {
      launch(world, service, green, at);
      return 'moved';
    }
    if (!greenTasks.every((task) => world.tasks.replacesOld(task))) return 'moved';
  }
  if (event.name === 'AllowTraffic' && !shiftTraffic(world, service, deployment, at)) return 'moved';
  event.status = 'Succeeded';
  event.endedAt = at;
  world.log(`${deployment.serviceKey}: CodeDeploy ${deployment.id} ${event.name} Succeeded`);
  return 'moved';
}

function startGreen(world: World, service: ServiceRecord, deployment: CodeDeployDeploymentRecord, at: number): void {
  const taskDefinition = world.taskDefinition(deployment.taskDefinitionArn)!;
  taskDefinition.fate ??= world.scenario.fate;
  const blue = service.deployments.find((entry) => entry.status === 'PRIMARY');
  deployment.blueTaskSetId = blue?.id;
  const id = world.newDeploymentId();
  const green: DeploymentRecord = {
    id,
    status: 'ACTIVE',
    taskDefinitionArn: taskDefinition.arn,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: `CodeDeploy deployment ${deployment.id} in progress.`,
    createdAt: at,
    updatedAt: at,
    fate: taskDefinition.fate,
    serviceRevisionArn: world.serviceChildArn('service-revision', service),
  };
  service.deployments.push(green);
  recordServiceRevision(world, service, green.serviceRevisionArn, taskDefinition, at);
  deployment.greenTaskSetId = id;
  world.addEvent(service, `(taskSet ${id}) has begun for CodeDeploy deployment ${deployment.id}.`, at);
}

/** One production traffic step; true once green has all of it (and is the PRIMARY task set). */
function shiftTraffic(
  world: World,
  service: ServiceRecord,
  deployment: CodeDeployDeploymentRecord,
  at: number,
): boolean {
  if (deployment.waitEndsAt !== undefined && at < deployment.waitEndsAt) return false;
  const steps = trafficSteps(deployment.deploymentConfigName);
  deployment.greenWeight = steps[Math.min(deployment.trafficStep, steps.length - 1)];
  deployment.trafficStep++;
  world.log(
    `${deployment.serviceKey}: CodeDeploy ${deployment.id} ${deployment.greenWeight}% of production traffic on green`,
  );
  if (deployment.trafficStep < steps.length) {
    const minutes = ECS_DEPLOYMENT_CONFIGS[deployment.deploymentConfigName]?.intervalMinutes ?? 0;
    deployment.waitEndsAt = at + minutes * world.minuteMs;
    return false;
  }
  deployment.waitEndsAt = undefined;
  makePrimary(service, deployment.greenTaskSetId, at);
  return true;
}

function makePrimary(service: ServiceRecord, id: string | undefined, at: number): void {
  const primary = taskSet(service, id);
  if (!primary) return;
  for (const entry of service.deployments) {
    entry.status = entry === primary ? 'PRIMARY' : 'ACTIVE';
    entry.updatedAt = at;
  }
  service.deployments = [primary, ...service.deployments.filter((entry) => entry !== primary)];
}

/** After the last event: blue keeps running for the termination wait (alarms watched), then it is stopped. */
function terminationWait(
  world: World,
  service: ServiceRecord,
  deployment: CodeDeployDeploymentRecord,
  at: number,
): StepOutcome {
  const group = groupOf(world, deployment);
  const waitMs = group.terminationWaitMinutes * world.minuteMs;
  deployment.waitEndsAt ??= at + waitMs;
  const green = taskSet(service, deployment.greenTaskSetId);
  // The alarm scenario: green's 5xx rate crosses the threshold half-way through the wait.
  if (green?.fate === 'alarm-in-bake' && group.alarms.enabled && at >= deployment.waitEndsAt - waitMs / 2) {
    const alarm = group.alarms.names[0] ?? 'alarm';
    world.addEvent(service, `(CodeDeploy ${deployment.id}) alarm ${alarm} is in ALARM.`, at);
    end(world, deployment, 'Failed', at, {
      code: 'ALARM_ACTIVE',
      message:
        'One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the ' +
        `affected deployments have been stopped. Activated alarms: <${alarm}>`,
    });
    startRollback(world, deployment, 'DEPLOYMENT_STOP_ON_ALARM', at);
    return 'moved';
  }
  if (at < deployment.waitEndsAt) return 'moved';
  const blueId = deployment.blueTaskSetId;
  const live = liveTasks(service).filter((task) => task.deploymentId === blueId);
  const running = live.find((task) => task.lastStatus !== 'DEACTIVATING');
  if (running) {
    beginStopping(world, service, running, at);
    return 'moved';
  }
  if (live.length > 0) return 'moved';
  service.deployments = service.deployments.filter((entry) => entry.id !== blueId);
  if (green) {
    green.rolloutState = 'COMPLETED';
    green.rolloutStateReason = `CodeDeploy deployment ${deployment.id} succeeded.`;
    service.lastCompleted = {
      id: green.id,
      taskDefinitionArn: green.taskDefinitionArn,
      serviceRevisionArn: green.serviceRevisionArn,
    };
  }
  end(world, deployment, 'Succeeded', at);
  return 'completed';
}

function end(
  world: World,
  deployment: CodeDeployDeploymentRecord,
  status: 'Succeeded' | 'Failed' | 'Stopped',
  at: number,
  error?: { code: string; message: string },
): void {
  deployment.status = status;
  deployment.completedAt = at;
  deployment.errorInformation = error;
  for (const event of deployment.events) {
    if (event.status === 'InProgress') Object.assign(event, { status: 'Failed', endedAt: at });
    // CodeDeploy reports the events a stopped or failed deployment never reached as Skipped.
    if (event.status === 'Pending' && status !== 'Succeeded') event.status = 'Skipped';
  }
  world.log(`${deployment.serviceKey}: CodeDeploy ${deployment.id} ${status}${error ? ` (${error.code})` : ''}`);
}

/** With automatic rollback on for this event, a rollback deployment (creator autoRollback) puts blue back. */
function startRollback(
  world: World,
  failed: CodeDeployDeploymentRecord,
  why: RollbackEvent,
  at: number,
  requested = false,
): void {
  const group = groupOf(world, failed);
  if (!requested && !(group.autoRollback.enabled && group.autoRollback.events.includes(why))) return;
  const id = newCodeDeployId();
  const service = world.services.get(failed.serviceKey);
  const blue = service && taskSet(service, failed.blueTaskSetId ?? service.deployments[0]?.id);
  const rollback: CodeDeployDeploymentRecord = {
    ...failed,
    id,
    taskDefinitionArn: blue?.taskDefinitionArn ?? failed.taskDefinitionArn,
    blueTaskSetId: blue?.id,
    creator: 'autoRollback',
    status: 'InProgress',
    createdAt: at,
    startedAt: at,
    completedAt: undefined,
    errorInformation: undefined,
    stopRequested: undefined,
    events: newLifecycleEvents(),
    rollbackInfo: {
      rollbackTriggeringDeploymentId: failed.id,
      rollbackMessage: `Rollback of deployment ${failed.id}: traffic goes back to the original task set.`,
    },
  };
  failed.rollbackInfo = {
    rollbackDeploymentId: id,
    rollbackMessage: `Deployment ${failed.id} was rolled back by deployment ${id} (${why}).`,
  };
  world.codeDeploy.deployments.push(rollback);
  world.log(`${failed.serviceKey}: CodeDeploy ${failed.id} rolling back in ${id}`);
}

/** The rollback deployment: all traffic back on blue at once, then green's tasks stop and its task set goes. */
function rollBack(
  world: World,
  service: ServiceRecord,
  deployment: CodeDeployDeploymentRecord,
  at: number,
): StepOutcome {
  const event = (name: string) => deployment.events.find((entry) => entry.name === name)!;
  const install = event('Install');
  if (install.status === 'Pending') {
    // The original task set is still running: nothing to install.
    for (const entry of deployment.events)
      if (entry.name !== 'Install' && entry.name !== 'AllowTraffic') entry.status = 'Skipped';
    Object.assign(install, { status: 'Succeeded', startedAt: at, endedAt: at });
    return 'moved';
  }
  const allowTraffic = event('AllowTraffic');
  if (allowTraffic.status === 'Pending') {
    deployment.greenWeight = 0;
    makePrimary(service, deployment.blueTaskSetId, at);
    Object.assign(allowTraffic, { status: 'Succeeded', startedAt: at, endedAt: at });
    world.addEvent(
      service,
      `(CodeDeploy ${deployment.id}) all production traffic is back on the original task set.`,
      at,
    );
    return 'moved';
  }
  const greenId = deployment.greenTaskSetId;
  const live = liveTasks(service).filter((task) => task.deploymentId === greenId);
  const running = live.find((task) => task.lastStatus !== 'DEACTIVATING');
  if (running) {
    beginStopping(world, service, running, at);
    return 'moved';
  }
  if (live.length > 0) return 'moved';
  const green = taskSet(service, greenId);
  if (green) {
    green.rolloutState = 'FAILED';
    green.rolloutStateReason = `Rolled back by CodeDeploy deployment ${deployment.id}.`;
  }
  service.deployments = service.deployments.filter((entry) => entry.id !== greenId);
  end(world, deployment, 'Succeeded', at);
  return 'completed';
}

const ID_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `d-` and 9 characters, as CodeDeploy names deployments. */
export function newCodeDeployId(): string {
  let id = 'd-';
  for (let i = 0; i < 9; i++) id += ID_CHARACTERS[Math.floor(Math.random() * ID_CHARACTERS.length)];
  return id;
}
