import type { RunTaskRequest, StopTaskRequest } from '@aws-sdk/client-ecs';
import { AwsError } from './errors.js';
import { appendContainerLogLines } from './logs.js';
import type { OneOffRuntime } from './tasks/runtime.js';
import type { ClusterRecord, TaskDefinitionRecord, World } from './world.js';

/**
 * One-off tasks (RunTask, StopTask), such as a database migration before a deploy: started by no service, they run
 * their command once and stop. The task runtime runs them (world.tasks.oneOff): simulated, each task follows the
 * one-off fate of the scenario (scriptedOneOffTasks); with container tasks, its containers really run.
 */

/** What a one-off task's essential containers do. */
export type OneOffFate =
  /** Every container runs for a few steps and exits 0. */
  | 'exits-0'
  /** Every essential container exits 1 (a migration that fails). */
  | 'exits-1'
  /** The task never starts: no container gets an exit code (an image that cannot be pulled). */
  | 'never-starts'
  /** It runs until StopTask (a migration waiting on a lock). */
  | 'runs-until-stopped';

export interface OneOffContainer {
  name: string;
  image: string;
  essential: boolean;
  command?: string[];
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode?: number;
  reason?: string;
}

export interface OneOffTaskRecord {
  id: string;
  arn: string;
  clusterArn: string;
  clusterName: string;
  taskDefinitionArn: string;
  startedBy?: string;
  group: string;
  launchType?: string;
  capacityProviderStrategy?: RunTaskRequest['capacityProviderStrategy'];
  platformVersion?: string;
  networkConfiguration: NonNullable<RunTaskRequest['networkConfiguration']>;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEPROVISIONING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  containers: OneOffContainer[];
  fate: OneOffFate;
  ip: string;
  availabilityZone: string;
  createdAt: number;
  startedAt?: number;
  stopRequestedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
}

/** Steps a task spends in each state: PROVISIONING, PENDING, then RUNNING for this many before it exits. */
const RUNNING_STEPS = 2;

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

interface ContainerDefinitionLike {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
}

function RunTask(world: World, input: RunTaskRequest) {
  const cluster = world.cluster(input.cluster);
  if (!input.taskDefinition) throw new AwsError('InvalidParameterException', 'TaskDefinition must be specified.');
  const taskDefinition = world.taskDefinition(input.taskDefinition);
  if (!taskDefinition) throw new AwsError('ClientException', 'TaskDefinition not found.');
  if (taskDefinition.status !== 'ACTIVE') {
    throw new AwsError('ClientException', 'TaskDefinition is inactive');
  }
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw new AwsError(
      'InvalidParameterException',
      'Specifying both a launch type and capacity provider strategy is not supported.',
    );
  }
  const subnets = input.networkConfiguration?.awsvpcConfiguration?.subnets ?? [];
  if (taskDefinition.definition.networkMode === 'awsvpc' && subnets.length === 0) {
    throw new AwsError(
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
  }
  const definitions = (taskDefinition.definition.containerDefinitions ?? []) as ContainerDefinitionLike[];
  for (const override of input.overrides?.containerOverrides ?? []) {
    if (!definitions.some((definition) => definition.name === override.name)) {
      throw new AwsError(
        'InvalidParameterException',
        `Override for container named ${override.name} is not a container in the TaskDefinition.`,
      );
    }
  }
  const count = input.count ?? 1;
  if (count < 1 || count > 10) throw new AwsError('InvalidParameterException', 'count must be between 1 and 10.');
  const tasks = Array.from({ length: count }, () => launch(world, cluster, taskDefinition, input, definitions));
  return { tasks: tasks.map((task) => oneOffTaskShape(world, task)), failures: [] };
}

function launch(
  world: World,
  cluster: ClusterRecord,
  taskDefinition: TaskDefinitionRecord,
  input: RunTaskRequest,
  definitions: ContainerDefinitionLike[],
): OneOffTaskRecord {
  const id = world.newTaskId();
  const commands = new Map((input.overrides?.containerOverrides ?? []).map((entry) => [entry.name, entry.command]));
  const task: OneOffTaskRecord = {
    id,
    arn: `${cluster.arn.replace(':cluster/', ':task/')}/${id}`,
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    taskDefinitionArn: taskDefinition.arn,
    startedBy: input.startedBy,
    group: input.group ?? `family:${taskDefinition.family}`,
    launchType: input.launchType ?? (input.capacityProviderStrategy?.length ? undefined : 'FARGATE'),
    capacityProviderStrategy: input.capacityProviderStrategy,
    platformVersion: input.platformVersion,
    networkConfiguration: input.networkConfiguration ?? {},
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    containers: definitions.map((definition) => ({
      name: definition.name,
      image: definition.image,
      essential: definition.essential !== false,
      command: commands.get(definition.name) ?? definition.command,
      lastStatus: 'PENDING',
    })),
    fate: world.oneOffFate ?? world.scenario.oneOff ?? 'exits-0',
    ...world.tasks.address(world),
    createdAt: world.now(),
  };
  world.oneOffTasks.push(task);
  world.tasks.oneOff.start(world, task);
  const commandText = task.containers
    .filter((container) => commands.has(container.name))
    .map((container) => `${container.name} ${JSON.stringify(container.command)}`)
    .join(', ');
  world.log(
    `${cluster.name}: RunTask ${taskDefinition.family}:${taskDefinition.revision} -> task ${id}` +
      (commandText ? ` (${commandText})` : '') +
      ` [${world.tasks.oneOff.describe(task)}]`,
  );
  return task;
}

function StopTask(world: World, input: StopTaskRequest) {
  const cluster = world.cluster(input.cluster);
  const task = findOneOffTask(world, cluster, input.task);
  if (!task) throw new AwsError('InvalidParameterException', 'The referenced task was not found.');
  if (task.desiredStatus !== 'STOPPED') {
    task.desiredStatus = 'STOPPED';
    task.stopRequestedAt = world.now();
    task.stopCode = 'UserInitiated';
    task.stoppedReason = input.reason ?? 'Task stopped by user';
    world.log(`${cluster.name}: StopTask ${task.id} (${task.stoppedReason})`);
    world.tasks.oneOff.stop(world, task);
  }
  return { task: oneOffTaskShape(world, task) };
}

export function findOneOffTask(
  world: World,
  cluster: ClusterRecord,
  reference: string | undefined,
): OneOffTaskRecord | undefined {
  const id = reference?.split('/').pop();
  return world.oneOffTasks.find((task) => task.id === id && task.clusterName === cluster.name);
}

/** Moves every one-off task up to `until`, as the task runtime runs it. */
export function advanceOneOffTasks(world: World, until = world.now()): void {
  for (const task of world.oneOffTasks) {
    if (task.lastStatus !== 'STOPPED') world.tasks.oneOff.advance(world, task, until);
  }
}

/** Simulated one-off tasks: nothing runs; each task follows its fate, one state per step of `stepMs`. */
export const scriptedOneOffTasks: OneOffRuntime = {
  describe: (task) => `one-off fate: ${task.fate}`,
  start: () => {},
  stop: () => {},
  advance(world, task, until) {
    const steps = Math.floor((until - task.createdAt) / world.stepMs);
    if (task.stopRequestedAt !== undefined) {
      if (until >= task.stopRequestedAt + world.stepMs) {
        stopOneOffTask(task, task.stopRequestedAt + world.stepMs, (container) =>
          container.lastStatus === 'RUNNING' ? { exitCode: 143 } : { reason: 'Task stopped before it ran' },
        );
      }
      return;
    }
    if (steps >= 1 && task.lastStatus === 'PROVISIONING') task.lastStatus = 'PENDING';
    if (task.fate === 'never-starts' && steps >= 2) {
      stopOneOffTask(task, task.createdAt + 2 * world.stepMs, () => ({
        reason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref`,
      }));
      task.stopCode = 'TaskFailedToStart';
      task.stoppedReason = 'CannotPullContainerError: pull image manifest has been retried 5 time(s)';
      return;
    }
    if (steps >= 2 && task.lastStatus === 'PENDING') {
      task.lastStatus = 'RUNNING';
      task.startedAt = task.createdAt + 2 * world.stepMs;
      for (const container of task.containers) container.lastStatus = 'RUNNING';
    }
    if (task.fate !== 'runs-until-stopped' && steps >= 2 + RUNNING_STEPS) {
      const exitCode = task.fate === 'exits-1' ? 1 : 0;
      const at = task.createdAt + (2 + RUNNING_STEPS) * world.stepMs;
      writeScriptedLines(world, task, at);
      stopOneOffTask(task, at, (container) => ({ exitCode: container.essential ? exitCode : 0 }));
      task.stopCode = 'EssentialContainerExited';
      task.stoppedReason = 'Essential container in task exited';
    }
  },
};

/**
 * What the essential containers print before they exit, in the sample service's migration format (pino JSON), so
 * that run-task reads the same kind of lines as from a real migration.
 */
function writeScriptedLines(world: World, task: OneOffTaskRecord, at: number): void {
  const lines =
    task.fate === 'exits-1'
      ? [
          { level: 'info', msg: 'applied migration 0001 "create projects"' },
          {
            level: 'fatal',
            msg:
              'cannot migrate the database at db.internal:5432/app: migration 0002 "add project links and ' +
              'technologies" failed and was rolled back: column "url" of relation "projects" already exists',
          },
        ]
      : [{ level: 'info', msg: 'migrations complete: 0 applied, schema at version 2' }];
  for (const container of task.containers.filter((entry) => entry.essential)) {
    const messages = lines.map((line, index) =>
      JSON.stringify({ level: line.level, time: new Date(at - lines.length + index).toISOString(), msg: line.msg }),
    );
    appendContainerLogLines(world, task, container.name, messages, at - 1);
  }
}

/** The task and every container STOPPED at `at`, each with what `outcome` says (an exit code or a reason). */
export function stopOneOffTask(
  task: OneOffTaskRecord,
  at: number,
  outcome: (container: OneOffContainer) => { exitCode?: number; reason?: string },
): void {
  for (const container of task.containers) {
    Object.assign(container, outcome(container));
    container.lastStatus = 'STOPPED';
  }
  task.lastStatus = 'STOPPED';
  task.desiredStatus = 'STOPPED';
  task.stoppedAt = at;
}

export function oneOffTaskShape(world: World, task: OneOffTaskRecord) {
  const taskDefinition = world.taskDefinition(task.taskDefinitionArn);
  const stopped = task.lastStatus === 'STOPPED';
  return {
    attachments: [
      {
        id: `${task.id.slice(0, 8)}-${task.id.slice(8, 12)}-${task.id.slice(12, 16)}-${task.id.slice(16, 20)}-${task.id.slice(20)}`,
        type: 'ElasticNetworkInterface',
        status: stopped ? 'DELETED' : 'ATTACHED',
        details: [
          { name: 'subnetId', value: task.networkConfiguration.awsvpcConfiguration?.subnets?.[0] },
          { name: 'privateIPv4Address', value: task.ip },
        ],
      },
    ],
    availabilityZone: task.availabilityZone,
    clusterArn: task.clusterArn,
    containers: task.containers.map((container) => ({
      containerArn: `${task.clusterArn.replace(':cluster/', ':container/')}/${task.id}/${container.name}`,
      taskArn: task.arn,
      name: container.name,
      image: container.image,
      lastStatus: container.lastStatus,
      exitCode: container.exitCode,
      reason: container.reason,
      networkInterfaces: [{ privateIpv4Address: task.ip }],
      healthStatus: 'UNKNOWN',
    })),
    cpu: String(taskDefinition?.definition.cpu ?? '256'),
    memory: String(taskDefinition?.definition.memory ?? '512'),
    createdAt: seconds(task.createdAt),
    desiredStatus: task.desiredStatus,
    group: task.group,
    lastStatus: task.lastStatus,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderStrategy?.[0]?.capacityProvider,
    platformVersion: task.platformVersion ?? (task.launchType === 'FARGATE' ? '1.4.0' : undefined),
    startedAt: seconds(task.startedAt),
    startedBy: task.startedBy,
    stopCode: stopped ? task.stopCode : undefined,
    stoppedAt: seconds(task.stoppedAt),
    stoppedReason: stopped || task.stopRequestedAt !== undefined ? task.stoppedReason : undefined,
    stoppingAt: seconds(task.stopRequestedAt),
    taskArn: task.arn,
    taskDefinitionArn: task.taskDefinitionArn,
    overrides: {
      containerOverrides: task.containers.map((container) => ({
        name: container.name,
        ...(container.command ? { command: container.command } : {}),
      })),
    },
    tags: [],
  };
}

export const ONE_OFF_OPERATIONS = { RunTask, StopTask };
