import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { escapeHtml } from '@ecs-actions/action-kit';
import { printableLogLine } from './lines.js';
import { readLogLines, type LogRead, type ReadLimits } from './reader.js';
import { essentialLogSources, taskIdOf, type LoggedContainer } from './source.js';

/** What was read of one task's essential containers, ready to print and to put in a summary. */
export interface TaskLogs {
  taskId: string;
  reads: LogRead[];
}

/** Reads the last lines of each essential container of a task, one after the other (a handful of containers). */
export async function readTaskLogs(
  logs: CloudWatchLogsClient,
  taskArn: string,
  containers: LoggedContainer[],
  limits: ReadLimits,
): Promise<TaskLogs> {
  const reads: LogRead[] = [];
  for (const source of essentialLogSources(containers, taskArn)) reads.push(await readLogLines(logs, source, limits));
  return { taskId: taskIdOf(taskArn), reads };
}

/** `the web container` (task abc…)`. */
function heading(read: LogRead, taskId: string): string {
  return `${read.source.container} (task ${taskId})`;
}

/**
 * The log lines to print for one read: a heading and each line indented, every line of foreign text made
 * printable (no ANSI, no control characters, cut, no workflow command).
 */
export function formatLogRead(read: LogRead, taskId: string, requested: number): string[] {
  const name = heading(read, taskId);
  switch (read.status) {
    case 'elsewhere':
      return [`${name}: its logs go to ${read.source.where}`];
    case 'missing':
      return [
        `${name}: no log stream ${read.source.group} ${read.source.stream} yet (the container wrote nothing, or never started)`,
      ];
    case 'empty':
      return [`${name}: log stream ${read.source.group} ${read.source.stream} is empty`];
    case 'denied':
      return [`${name}: log lines not read: the role may not call logs:GetLogEvents on ${read.source.group}`];
    case 'failed':
      return [`${name}: log lines not read (${printableLogLine(read.message)})`];
    case 'lines': {
      const count = read.lines.length;
      const more = read.truncated ? ` (older lines left out; ${requested} asked)` : '';
      return [
        `${name}: last ${count} line${count === 1 ? '' : 's'} of ${read.source.group} ${read.source.stream}${more}`,
        ...read.lines.map(
          (line) => `  ${new Date(line.timestamp).toISOString().slice(11, 23)}Z ${printableLogLine(line.message)}`,
        ),
      ];
    }
  }
}

export function formatTaskLogs(task: TaskLogs, requested: number): string[] {
  return task.reads.flatMap((read) => formatLogRead(read, task.taskId, requested));
}

/** The summary's collapsed block for one task: `<details>` with the lines in a `<pre>`. */
export function taskLogsDetails(task: TaskLogs, requested: number): { label: string; html: string } {
  const lines = formatTaskLogs(task, requested);
  return {
    label: `Log lines of task ${task.taskId}`,
    html: `<pre>${lines.map((line) => escapeHtml(line)).join('\n')}</pre>`,
  };
}

/** True when a read was refused for want of logs:GetLogEvents: callers print one notice per run for it. */
export function deniedGroups(tasks: TaskLogs[]): string[] {
  const groups = tasks.flatMap((task) =>
    task.reads.filter((read) => read.status === 'denied').map((read) => read.source.group),
  );
  return [...new Set(groups)];
}

/**
 * The one notice for AccessDenied on GetLogEvents, naming the permission and the policy that grants it; `turnOff`
 * says how to stop reading them and what it changes.
 */
export function deniedNotice(
  groups: string[],
  turnOff = 'set log-lines: 0 to stop reading them. The deploy result does not depend on it',
): string {
  return (
    `Container log lines were not shown: the role may not call logs:GetLogEvents on ${groups.join(', ')}. ` +
    'Grant logs:GetLogEvents on the service log group (see docs/iam/deploy-role-policy.json in ecs-actions), or ' +
    `${turnOff}.`
  );
}
