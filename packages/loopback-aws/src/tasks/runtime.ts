import { scriptedOneOffTasks, type OneOffTaskRecord } from '../one-off.js';
import { writeScriptedLogLines } from './scripted-logs.js';
import type { ServiceRecord, TargetGroupRecord, TaskRecord, World } from '../world.js';

/**
 * What runs a task: the one seam between ECS's scheduling (rollout.ts) and the things that run, chosen once at
 * start-up. The simulated runtime follows each deployment's scripted fate; the container runtime
 * (containers/docker-tasks.ts) runs real containers behind a real load balancer.
 */

export type ContainerHealth = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

/** What a task's containers are doing, as the ECS agent would report it. */
export type TaskRunState =
  | { status: 'pending' }
  | { status: 'running'; healthStatus: ContainerHealth }
  /** An essential container exited (by itself, or after `stop`). */
  | { status: 'exited'; exitCode: number | undefined; healthStatus: ContainerHealth; container: string }
  /** The task never started: secrets or the image could not be fetched. */
  | { status: 'failed'; stopCode: 'TaskFailedToStart'; reason: string };

/** The load balancer's view of one registered, non-draining target. */
export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy';

/** What runs one-off tasks (RunTask): started by no service, each runs its command once and stops. */
export interface OneOffRuntime {
  /** How the RunTask log line says the task will end. */
  describe(task: OneOffTaskRecord): string;
  start(world: World, task: OneOffTaskRecord): void;
  /** Moves the task's record (its status, its containers' exit codes) up to `until`, as its containers are doing. */
  advance(world: World, task: OneOffTaskRecord, until: number): void;
  /** StopTask: asks the task's containers to stop. */
  stop(world: World, task: OneOffTaskRecord): void;
}

export interface TaskRuntime {
  /** One line for logs: what runs the tasks. */
  readonly description: string;
  /** How long ECS waits between deregistering a task's targets and stopping the task. */
  readonly deregistrationDelayMs: number;
  /** Where a new task's ENI lands. */
  address(world: World): { ip: string; availabilityZone: string };
  /** Starts the task's containers (pull, resolve secrets, run); `state` reports the progress. */
  start(world: World, service: ServiceRecord, task: TaskRecord): void;
  state(world: World, service: ServiceRecord, task: TaskRecord): TaskRunState;
  /** The health checks' verdict on the task's targets. */
  targetHealth(world: World, service: ServiceRecord, task: TaskRecord): TargetHealthState;
  /** Whether a new RUNNING task is healthy enough for ECS to stop an old one in its place (minimum healthy 100%). */
  replacesOld(task: TaskRecord): boolean;
  /** Asks the task's containers to stop (SIGTERM, then SIGKILL after the container's stopTimeout). */
  stop(world: World, service: ServiceRecord, task: TaskRecord): void;
  /** Resolves once every task started so far is running with healthy targets; rejects when one exits. */
  settled(world: World, timeoutMs: number): Promise<void>;
  /** The URL of a listener that forwards to the group's healthy targets. */
  listener(world: World, group: TargetGroupRecord): Promise<string>;
  /** One-off tasks (RunTask, StopTask) run the same way as the services' tasks. */
  readonly oneOff: OneOffRuntime;
  close(): Promise<void>;
}

export type TaskRuntimeFactory = (world: World) => TaskRuntime;

function deploymentFate(service: ServiceRecord, task: TaskRecord) {
  return service.deployments.find((deployment) => deployment.id === task.deploymentId)?.fate;
}

/** Tasks that do what their deployment's fate says, one rollout step after they are asked to; nothing runs. */
export function simulatedTasks(): TaskRuntime {
  return {
    description: 'simulated tasks (nothing runs; each rollout follows its scenario)',
    deregistrationDelayMs: 0,
    address: (world) => world.nextTaskAddress(),
    // Nothing runs, but the task's container "prints" what the scenario's container would.
    start: (world, service, task) => writeScriptedLogLines(world, service, task),
    state(_world, service, task) {
      if (task.stopRequestedAt !== undefined) {
        return { status: 'exited', exitCode: 0, healthStatus: 'UNKNOWN', container: '' };
      }
      if (task.lastStatus === 'PROVISIONING' && deploymentFate(service, task) === 'crash') {
        return { status: 'exited', exitCode: 1, healthStatus: 'UNKNOWN', container: '' };
      }
      return { status: 'running', healthStatus: 'UNKNOWN' };
    },
    targetHealth: (_world, service, task) =>
      deploymentFate(service, task) === 'unhealthy-targets' ? 'unhealthy' : 'healthy',
    // The targets-unhealthy scenario scripts a rollout that completes although its targets never turn healthy.
    replacesOld: (task) => task.lastStatus === 'RUNNING' && task.targetState !== 'initial',
    stop: () => {},
    settled: async () => {},
    listener: async () => {
      throw new Error('Simulated tasks serve nothing: start the loopback AWS with container tasks for a listener');
    },
    oneOff: scriptedOneOffTasks,
    close: async () => {},
  };
}
