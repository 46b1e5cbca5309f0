import { DescribeTasksCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { errorMessage, foreignLine, type Clock } from '@ecs-actions/action-kit';
import { isAwsAuthError, isTransientAwsError } from '@ecs-actions/aws';
import type { Logger } from './launch.js';

export interface FollowOptions {
  ecs: ECSClient;
  clock: Clock;
  log: Logger;
  cluster: string;
  taskArn: string;
  timeoutMs: number;
  /** The run's cancel signal: the wait ends at once when it aborts. */
  signal: AbortSignal;
  /** Milliseconds between DescribeTasks calls, by time waited so far. */
  interval?: (elapsedMs: number) => number;
}

export type FollowOutcome =
  | { result: 'stopped'; task: Task; elapsedMs: number }
  | { result: 'timed-out'; task?: Task; elapsedMs: number }
  | { result: 'cancelled'; task?: Task; elapsedMs: number };

/** 2 s for the first minute (a migration often takes seconds), then 5 s. */
export function defaultInterval(elapsedMs: number): number {
  return elapsedMs < 60_000 ? 2000 : 5000;
}

/** Throttling or a failing API gets more room after each failed poll, up to this. */
const MAX_BACKOFF_MS = 10_000;

/**
 * Follows one task until ECS reports it STOPPED, printing one line per change of its status or of a container's.
 * Throttling and 5xx never end the wait; credential and permission errors end it at once.
 */
export async function followTask(options: FollowOptions): Promise<FollowOutcome> {
  const { ecs, clock, log, signal } = options;
  const interval = options.interval ?? defaultInterval;
  const started = clock.now();
  const seen = new Map<string, string>();
  let task: Task | undefined;
  let failingCalls = 0;
  for (;;) {
    const elapsedMs = clock.now() - started;
    if (signal.aborted) return { result: 'cancelled', task, elapsedMs };
    try {
      const described = await describeTask(ecs, options.cluster, options.taskArn, signal);
      failingCalls = 0;
      if (described) {
        task = described;
        reportChanges(task, seen, log);
        if (task.lastStatus === 'STOPPED') return { result: 'stopped', task, elapsedMs: clock.now() - started };
      }
    } catch (error) {
      if (signal.aborted) return { result: 'cancelled', task, elapsedMs: clock.now() - started };
      if (isAwsAuthError(error) || !isTransientAwsError(error)) throw error;
      failingCalls++;
      log.warning(`DescribeTasks failed (${errorMessage(error)}); trying again`);
    }
    const waited = clock.now() - started;
    if (waited >= options.timeoutMs) return { result: 'timed-out', task, elapsedMs: waited };
    const pause = Math.min(interval(waited) * 2 ** failingCalls, Math.max(interval(waited), MAX_BACKOFF_MS));
    try {
      await clock.sleep(Math.min(pause, options.timeoutMs - waited), signal);
    } catch (error) {
      if (signal.aborted) return { result: 'cancelled', task, elapsedMs: clock.now() - started };
      throw error;
    }
  }
}

async function describeTask(ecs: ECSClient, cluster: string, taskArn: string, signal: AbortSignal) {
  const response = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }), { abortSignal: signal });
  // Just after RunTask a task may not be described yet (MISSING); the next poll finds it.
  return response.tasks?.find((task) => task.taskArn === taskArn);
}

function reportChanges(task: Task, seen: Map<string, string>, log: Logger): void {
  const id = taskId(task.taskArn);
  const status = task.lastStatus ?? 'UNKNOWN';
  if (seen.get('') !== status) {
    log.info(`Task ${id}: ${seen.get('') ? `${seen.get('')} -> ` : ''}${status}`);
    seen.set('', status);
  }
  for (const container of task.containers ?? []) {
    const name = container.name ?? '?';
    const state = container.lastStatus ?? 'UNKNOWN';
    if (seen.get(name) === state) continue;
    if (status !== 'STOPPED') log.info(`  container ${foreignLine(name)}: ${state}`);
    seen.set(name, state);
  }
}

export function taskId(taskArn: string | undefined): string {
  return (taskArn ?? '').split('/').pop() ?? '';
}

/**
 * Stops the task (on timeout or cancel), so no migration keeps running after the step ended. Returns what to tell
 * the user: that it was stopped, or why that failed.
 */
export async function stopTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  reason: string,
  signal: AbortSignal,
): Promise<{ stopped: boolean; message: string }> {
  try {
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }), { abortSignal: signal });
    return { stopped: true, message: `StopTask sent for task ${taskId(taskArn)} (${reason})` };
  } catch (error) {
    return {
      stopped: false,
      message:
        `could not stop task ${taskId(taskArn)} (${errorMessage(error)}); it may still be running: ` +
        `aws ecs stop-task --cluster ${cluster} --task ${taskArn}`,
    };
  }
}
