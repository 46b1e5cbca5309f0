import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';

export interface StoppedContainer {
  name: string;
  exitCode?: number;
  reason?: string;
}

/** Why one task of a deployment stopped, as DescribeTasks tells it. */
export interface StoppedTask {
  taskId: string;
  taskArn: string;
  stoppedAt?: Date;
  stopCode?: string;
  stoppedReason?: string;
  containers: StoppedContainer[];
}

/** How many stopped tasks are described and printed; the rest are counted. */
export const DESCRIBED_TASKS_LIMIT = 10;
/** One ListTasks page and one DescribeTasks call: how many stopped tasks are looked at. */
export const STOPPED_TASKS_LIMIT = 100;

/** Stop codes of a task that could not start or whose essential container exited: the revision is at fault. */
const FAILURE_STOP_CODES = new Set(['TaskFailedToStart', 'EssentialContainerExited']);
/**
 * The scheduler also stops tasks that fail their load balancer or container health checks (stop code
 * ServiceSchedulerInitiated, stoppedReason "Task failed ELB health checks in (target-group ...)" or "Task failed
 * container health checks"); the same code covers scale-in and tasks replaced by a deployment, which are no failure.
 */
const HEALTH_CHECK_FAILURE = /\bfailed (ELB|container) health checks\b/i;

/**
 * The stopped tasks of one deployment, up to `limit`. ECS starts a service's tasks with `startedBy` set to the
 * deployment id, so ListTasks(startedBy, desiredStatus STOPPED) is an exact count of the tasks of that deployment
 * that stopped, unlike the deployment's `failedTasks`, which ECS resets to 0 once one task runs. ListTasks accepts
 * no other filter (service, family) together with `startedBy`. Stopped tasks stay listed for at least an hour.
 */
export async function listStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  deploymentId: string,
  limit: number,
): Promise<string[]> {
  const taskArns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED', nextToken }),
    );
    taskArns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken && taskArns.length < limit);
  return taskArns;
}

/**
 * Whether a stopped task counts toward max-failed-tasks: it failed (could not start, its essential container exited,
 * or it failed its ELB or container health checks) and stopped at or after `since` (epoch ms). Tasks stopped by a
 * user, by scale-in, a Spot interruption or infrastructure maintenance are not the revision's fault; a deployment
 * whose desired count alone changed keeps its id, so its tasks stopped before this deploy are not counted either.
 */
export function isFailedTask(task: StoppedTask, since: number): boolean {
  if (!task.stoppedAt || task.stoppedAt.getTime() < since) return false;
  if (task.stopCode && FAILURE_STOP_CODES.has(task.stopCode)) return true;
  return task.stopCode === 'ServiceSchedulerInitiated' && HEALTH_CHECK_FAILURE.test(task.stoppedReason ?? '');
}

/** Describes the given stopped tasks (up to STOPPED_TASKS_LIMIT), in ECS's order. */
export async function describeTasks(ecs: ECSClient, cluster: string, taskArns: string[]): Promise<StoppedTask[]> {
  if (taskArns.length === 0) return [];
  const response = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, STOPPED_TASKS_LIMIT) }));
  return (response.tasks ?? []).map(toStoppedTask);
}

/** The stopped tasks of a deployment that stopped at or after `since`: how many, and the most recent described. */
export interface StoppedTasksDiagnosis {
  count: number;
  tasks: StoppedTask[];
}

/**
 * Lists the deployment's stopped tasks afresh (up to STOPPED_TASKS_LIMIT) and describes them, for the failure
 * report: the waiter's own list may be seconds old and stops at max-failed-tasks.
 */
export async function diagnoseStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  deploymentId: string,
  since: number,
): Promise<StoppedTasksDiagnosis> {
  const arns = await listStoppedTasks(ecs, cluster, deploymentId, STOPPED_TASKS_LIMIT);
  const described = await describeTasks(ecs, cluster, arns);
  // A task still stopping has no stoppedAt yet: it belongs to this deploy.
  const recent = described.filter((task) => !task.stoppedAt || task.stoppedAt.getTime() >= since);
  const count = arns.length - (described.length - recent.length);
  return { count, tasks: newestFirst(recent).slice(0, DESCRIBED_TASKS_LIMIT) };
}

function newestFirst(tasks: StoppedTask[]): StoppedTask[] {
  return [...tasks].sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
}

/** Describes up to DESCRIBED_TASKS_LIMIT of the given stopped tasks, most recently stopped first. */
export async function describeStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  taskArns: string[],
): Promise<StoppedTask[]> {
  // DescribeTasks takes up to 100 tasks: enough to find the most recent ones among what ListTasks returned.
  return newestFirst(await describeTasks(ecs, cluster, taskArns)).slice(0, DESCRIBED_TASKS_LIMIT);
}

function toStoppedTask(task: Task): StoppedTask {
  const taskArn = task.taskArn ?? 'unknown';
  return {
    taskArn,
    taskId: taskArn.slice(taskArn.lastIndexOf('/') + 1),
    stoppedAt: task.stoppedAt,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? 'container',
      exitCode: container.exitCode,
      reason: container.reason,
    })),
  };
}

/** One container's end: `web: exit code 1 (OutOfMemoryError: Container killed due to memory usage)`. */
export function describeContainer(container: StoppedContainer): string {
  const parts: string[] = [];
  if (container.exitCode !== undefined) parts.push(`exit code ${container.exitCode}`);
  if (container.reason) parts.push(container.reason);
  return `${container.name}: ${parts.length > 0 ? parts.join(', ') : 'no exit code (never started)'}`;
}

/** One line per task: `task 0f3c… stopped at 12:00:05Z (TaskFailedToStart): reason; web: exit code 1`. */
export function describeStoppedTask(task: StoppedTask): string {
  const when = task.stoppedAt ? ` at ${task.stoppedAt.toISOString().slice(11, 19)}Z` : '';
  const code = task.stopCode ? ` (${task.stopCode})` : '';
  const containers = task.containers.map(describeContainer).join('; ');
  return `task ${task.taskId} stopped${when}${code}: ${task.stoppedReason ?? 'no reason given'}${containers ? `; ${containers}` : ''}`;
}
