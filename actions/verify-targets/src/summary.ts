import { code, escapeHtml, formatDuration, JobSummary, shortDigest } from '@ecs-actions/action-kit';
import { revisionLabel } from '@ecs-actions/taskdef/revision';
import { formatErrorLine, taskLogsDetails, type TaskLogs } from '@ecs-actions/logs';
import type { ExpectedDigests } from './digests.js';
import { healthText, targetGroupName, taskId } from './evaluate.js';
import { FIRST_ERROR_LINES, logCheckHeadline, type LogCheckResult } from './logs.js';
import type { VerifyTargetsResult } from './verify.js';

export interface SummaryContext {
  cluster: string;
  service?: string;
  expectedDigests?: ExpectedDigests;
  /** log-lines: how many lines of each failing task were asked. */
  logLines?: number;
}

/** What was read of the tasks' own log lines (see logs.ts). */
export interface SummaryLogs {
  failingTaskLogs: TaskLogs[];
  check?: LogCheckResult;
}

function logCheckText(check: LogCheckResult | undefined): string {
  if (check === undefined) return 'not run';
  const mark = check.errorLines.length > 0 || check.unchecked.length > 0 ? (check.mode === 'fail' ? '❌' : '⚠️') : '✅';
  return `${mark} ${escapeHtml(logCheckHeadline(check).replace(/^Log check: /, ''))} (log-check: ${check.mode})`;
}

function digestsText(expected: ExpectedDigests | undefined): string {
  if (expected === undefined) return 'not checked (expected-digests not set)';
  if (expected.kind === 'single') return code(shortDigest(expected.digest));
  return [...expected.digests]
    .map(([container, digest]) => `${escapeHtml(container)} ${code(shortDigest(digest))}`)
    .join(', ');
}

/** Five-second summary: the verdict, what had to serve traffic, and one row per target. */
export function targetsSummary(
  context: SummaryContext,
  result: VerifyTargetsResult,
  logs: SummaryLogs = { failingTaskLogs: [] },
): JobSummary {
  const verdict = result.verified
    ? `✅ Verified in ${formatDuration(result.elapsedMs)}`
    : result.stopped
      ? `⏹️ Stopped after ${formatDuration(result.elapsedMs)} (${escapeHtml(result.stopped.message)}); not verified`
      : `❌ Not verified after ${formatDuration(result.elapsedMs)}`;
  const where = context.service
    ? `${code(context.service)} in cluster ${code(context.cluster)}`
    : `cluster ${code(context.cluster)}`;
  const summary = new JobSummary()
    .heading(`Load balancer targets: ${result.verified ? 'verified' : 'not verified'}`)
    .facts([
      ['Result', verdict],
      ['Where', where],
      ['Task definition', result.taskDefinitionArn ? code(revisionLabel(result.taskDefinitionArn)) : 'unknown'],
      ['Expected digests', digestsText(context.expectedDigests)],
      [
        'Healthy targets',
        result.targetGroups
          .map((group) => `${escapeHtml(group.name)}: ${group.verified} of ${group.required} required`)
          .join(', ') || 'none',
      ],
      ...(result.verified ? [['Log check', logCheckText(logs.check)] as [string, string]] : []),
    ]);
  if (result.failure !== null) summary.paragraph(escapeHtml(result.failure));
  summary.table(
    ['Target group', 'Target', 'State', 'Task', 'Task definition', 'Digest', 'Problem'],
    result.targets.map((target) => [
      escapeHtml(targetGroupName(target.targetGroup)),
      code(target.port === null ? target.id : `${target.id}:${target.port}`),
      escapeHtml(healthText(target)),
      target.task ? code(taskId(target.task)) : '',
      target.taskDefinition ? code(revisionLabel(target.taskDefinition)) : '',
      target.digest ? code(shortDigest(target.digest)) : '',
      // The health part of a problem is already in the State column.
      escapeHtml(target.taskProblem ?? ''),
    ]),
  );
  const errors = logs.check?.errorLines ?? [];
  if (errors.length > 0) {
    const shown = errors.slice(0, FIRST_ERROR_LINES).map((line) => escapeHtml(formatErrorLine(line)));
    const more = errors.length > shown.length ? [`… and ${errors.length - shown.length} more`] : [];
    summary.details(`First error-level log lines (${errors.length})`, `<pre>${[...shown, ...more].join('\n')}</pre>`);
  }
  for (const task of logs.failingTaskLogs) {
    const { label, html } = taskLogsDetails(task, context.logLines ?? 0);
    summary.details(label, html);
  }
  return summary;
}
