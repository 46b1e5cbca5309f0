import { DescribeTaskDefinitionCommand, type ContainerDefinition, type ECSClient } from '@aws-sdk/client-ecs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { errorMessage, foreignLine, isCancelled, type UserPattern } from '@ecs-actions/action-kit';
import {
  errorLinesOf,
  formatTaskLogs,
  readTaskLogs,
  taskIdOf,
  type ErrorLine,
  type LogRead,
  type TaskLogs,
} from '@ecs-actions/logs';
import { revisionLabel } from '@ecs-actions/taskdef/revision';
import type { TaskFacts } from './aws.js';
import type { TargetReport } from './evaluate.js';

/*
 * The tasks' own log lines: the last lines of the tasks behind targets that kept the verification from passing,
 * and the after-deploy log check, which counts the error-level lines the new revision's tasks wrote since they
 * started. Reading logs is a courtesy unless log-check is fail: a logs problem is one line, never an exception.
 */

export type LogCheckMode = 'warn' | 'fail' | 'off';

export interface TaskLogContext {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  /** Where the lines go; container text arrives here already made printable. */
  log: (line: string) => void;
  /** The run's cancel signal; each read also has its own time limit. */
  signal?: AbortSignal;
}

/** Tasks whose lines are shown when targets fail: enough to see why, not a wall of a large service's logs. */
export const MAX_FAILING_TASKS = 5;
/** Tasks the log check reads; the rest are named as not checked. */
export const MAX_CHECKED_TASKS = 20;
/** Error lines printed and put in the summary; the count covers them all. */
export const FIRST_ERROR_LINES = 5;

/** Each task definition's containers, read once (their logConfiguration says where the lines are). */
function containerDefinitionsReader(context: TaskLogContext) {
  const cache = new Map<string, Promise<ContainerDefinition[]>>();
  return async (taskDefinitionArn: string): Promise<ContainerDefinition[] | string> => {
    let pending = cache.get(taskDefinitionArn);
    if (pending === undefined) {
      pending = context.ecs
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }), { abortSignal: context.signal })
        .then((answer) => answer.taskDefinition?.containerDefinitions ?? []);
      cache.set(taskDefinitionArn, pending);
    }
    try {
      return await pending;
    } catch (error) {
      if (isCancelled(error) || context.signal?.aborted) throw error;
      return `DescribeTaskDefinition ${revisionLabel(taskDefinitionArn)} failed (${foreignLine(errorMessage(error))})`;
    }
  };
}

/**
 * The last `lines` lines of each essential container of the tasks behind the targets that block the
 * verification, once per task: tasks of the expected revision that are unhealthy, not yet healthy, or run the
 * wrong digest. An old revision's healthy task is not read: it is not what failed.
 */
export async function readFailingTargetsLogs(
  context: TaskLogContext,
  targets: TargetReport[],
  expectedTaskDefinitionArn: string,
  lines: number,
): Promise<TaskLogs[]> {
  const expected = revisionLabel(expectedTaskDefinitionArn);
  const taskDefinitions = new Map<string, string>();
  for (const target of targets) {
    if (target.problem === null || target.task === null || target.taskDefinition === null) continue;
    if (revisionLabel(target.taskDefinition) !== expected) continue;
    taskDefinitions.set(target.task, target.taskDefinition);
  }
  if (taskDefinitions.size === 0) return [];
  const containersOf = containerDefinitionsReader(context);
  const read: TaskLogs[] = [];
  for (const [taskArn, taskDefinitionArn] of [...taskDefinitions].slice(0, MAX_FAILING_TASKS)) {
    const containers = await containersOf(taskDefinitionArn);
    if (typeof containers === 'string') {
      context.log(`Task ${taskIdOf(taskArn)}: log lines not read: ${containers}`);
      continue;
    }
    const task = await readTaskLogs(context.logs, taskArn, containers, { lines, signal: context.signal });
    for (const line of formatTaskLogs(task, lines)) context.log(line);
    read.push(task);
  }
  if (taskDefinitions.size > MAX_FAILING_TASKS) {
    context.log(`… and ${taskDefinitions.size - MAX_FAILING_TASKS} more tasks behind failing targets, not read`);
  }
  return read;
}

export interface LogCheckResult {
  mode: Exclude<LogCheckMode, 'off'>;
  taskDefinitionArn: string;
  /** The user's log-error-pattern, when set. */
  pattern?: string;
  /** Tasks read; `notChecked` more tasks of the revision were left out. */
  tasks: TaskLogs[];
  notChecked: number;
  /** Log lines read over every task and container. */
  linesRead: number;
  errorLines: ErrorLine[];
  /** True when a stream had more lines than were read: the count covers the newest ones. */
  truncated: boolean;
  /** Containers whose lines could not be checked (denied, CloudWatch failed, another log driver), one sentence each. */
  unchecked: string[];
}

/** Bounds of one container's read for the check: every line since the task was created, up to these. */
const CHECK_LIMITS = { lines: 10_000, maxBytes: 4 * 1024 * 1024, maxPages: 5, timeoutMs: 10_000 };

/**
 * Reads the lines the expected revision's RUNNING tasks wrote since they were created and counts the
 * error-level ones (pino/JSON level >= 50 or an error label, or the user's pattern).
 */
export async function checkTaskLogs(
  context: TaskLogContext,
  request: { tasks: TaskFacts[]; taskDefinitionArn: string; mode: Exclude<LogCheckMode, 'off'>; pattern?: UserPattern },
): Promise<LogCheckResult> {
  const expected = revisionLabel(request.taskDefinitionArn);
  const ofRevision = request.tasks.filter(
    (task) => task.lastStatus === 'RUNNING' && revisionLabel(task.taskDefinitionArn) === expected,
  );
  const containersOf = containerDefinitionsReader(context);
  const result: LogCheckResult = {
    mode: request.mode,
    taskDefinitionArn: request.taskDefinitionArn,
    pattern: request.pattern?.source,
    tasks: [],
    notChecked: Math.max(0, ofRevision.length - MAX_CHECKED_TASKS),
    linesRead: 0,
    errorLines: [],
    truncated: false,
    unchecked: [],
  };
  for (const task of ofRevision.slice(0, MAX_CHECKED_TASKS)) {
    const containers = await containersOf(task.taskDefinitionArn);
    if (typeof containers === 'string') {
      result.unchecked.push(`task ${taskIdOf(task.arn)}: ${containers}`);
      continue;
    }
    const read = await readTaskLogs(context.logs, task.arn, containers, {
      ...CHECK_LIMITS,
      since: task.createdAt,
      signal: context.signal,
    });
    result.tasks.push(read);
    for (const entry of read.reads) {
      if (entry.status === 'lines') {
        result.linesRead += entry.lines.length;
        result.truncated ||= entry.truncated;
      }
      const why = uncheckedReason(entry);
      if (why !== undefined) result.unchecked.push(`${entry.source.container} (task ${read.taskId}): ${why}`);
    }
  }
  result.errorLines = errorLinesOf(result.tasks, request.pattern);
  return result;
}

function uncheckedReason(read: LogRead): string | undefined {
  switch (read.status) {
    case 'denied':
      return `the role may not call logs:GetLogEvents on ${read.source.group}`;
    case 'failed':
      return `log lines not read (${foreignLine(read.message)})`;
    case 'elsewhere':
      return `its logs go to ${read.source.where}`;
    default:
      return undefined; // lines, or a missing or empty stream: nothing written, no error written
  }
}

/** `3 error-level lines in 2 tasks of web:42` and what was read, in one line. */
export function logCheckHeadline(check: LogCheckResult): string {
  const count = check.errorLines.length;
  const tasks = `${check.tasks.length} task${check.tasks.length === 1 ? '' : 's'}`;
  const what = check.pattern === undefined ? 'error-level lines' : 'error-level or log-error-pattern lines';
  const found = count === 0 ? `no ${what}` : `${count} ${count === 1 ? what.replace('lines', 'line') : what}`;
  const cut = check.truncated ? ', newest lines of the longest streams only' : '';
  const left = check.notChecked > 0 ? `; ${check.notChecked} more tasks not checked` : '';
  return (
    `Log check: ${found} in ${tasks} of ${revisionLabel(check.taskDefinitionArn)} since they started ` +
    `(${check.linesRead} lines read${cut})${left}`
  );
}

/** Why the check fails with log-check: fail, or undefined when it passes. */
export function logCheckFailure(check: LogCheckResult): string | undefined {
  if (check.mode !== 'fail') return undefined;
  if (check.errorLines.length > 0) return `${logCheckHeadline(check)}; log-check is fail`;
  if (check.unchecked.length > 0) {
    return (
      `Log check could not read ${check.unchecked.join('; ')}; log-check is fail, so an unread log fails the step ` +
      `(grant logs:GetLogEvents and use the awslogs driver, or set log-check: warn)`
    );
  }
  return undefined;
}
