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

/** Describes up to DESCRIBED_TASKS_LIMIT of the given stopped tasks, most recently stopped first. */
export async function describeStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  taskArns: string[],
): Promise<StoppedTask[]> {
  if (taskArns.length === 0) return [];
  // DescribeTasks takes up to 100 tasks: enough to find the most recent ones among what ListTasks returned.
  const response = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }));
  return (response.tasks ?? [])
    .map(toStoppedTask)
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, DESCRIBED_TASKS_LIMIT);
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
