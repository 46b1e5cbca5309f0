import { code, escapeHtml, formatDuration, JobSummary } from '@ecs-actions/action-kit';
import { ecsConsoleUrl } from '@ecs-actions/aws';
import { revisionLabel } from '@ecs-actions/taskdef/revision';
import { taskId } from './follow.js';
import type { ContainerResult } from './outcome.js';

export type RunStatus = 'succeeded' | 'failed' | 'timed-out' | 'cancelled';

export interface RunReport {
  status: RunStatus;
  durationMs: number;
  cluster?: string;
  region?: string;
  taskDefinitionArn?: string;
  taskArn?: string;
  /** ECS's stop code and reason for the task. */
  stopped?: string;
  containers: ContainerResult[];
  /** Placement settings and where each came from. */
  placement: Array<[string, string, string]>;
  /** Why it did not succeed, one sentence. */
  failure?: string;
  /** What happened to the task on timeout or cancel. */
  stop?: string;
  /** The essential containers' last log lines, for a collapsed block. */
  logs?: { label: string; html: string };
}

const VERDICT: Record<RunStatus, string> = {
  succeeded: '✅ Succeeded',
  failed: '❌ Failed',
  'timed-out': '⏱️ Timed out',
  cancelled: '⏹️ Cancelled',
};

/** Five-second summary: the verdict, which revision ran where, and one row per container. */
export function buildSummary(report: RunReport): JobSummary {
  const summary = new JobSummary().heading(`One-off task: ${report.status}`).facts([
    ['Result', `${VERDICT[report.status]} in ${formatDuration(report.durationMs)}`],
    ['Task definition', report.taskDefinitionArn ? code(revisionLabel(report.taskDefinitionArn)) : 'none'],
    ['Cluster', report.cluster ? code(report.cluster) : 'unknown'],
    [
      'Task',
      report.taskArn
        ? report.region && report.cluster
          ? `<a href="${escapeHtml(taskUrl(report.region, report.cluster, report.taskArn))}">${code(taskId(report.taskArn))}</a>`
          : code(taskId(report.taskArn))
        : 'not started',
    ],
    ['Stopped', escapeHtml(report.stopped ?? 'no')],
  ]);
  if (report.failure) summary.paragraph(escapeHtml(report.failure));
  if (report.stop) summary.paragraph(escapeHtml(report.stop));
  if (report.containers.length > 0) {
    summary.table(
      ['Container', 'Essential', 'Exit code', 'Reason'],
      report.containers.map((container) => [
        code(container.name),
        container.essential ? 'yes' : 'no',
        container.exitCode === null ? 'none' : String(container.exitCode),
        escapeHtml(container.reason ?? ''),
      ]),
    );
  }
  if (report.logs) summary.details(report.logs.label, report.logs.html);
  if (report.placement.length > 0) {
    summary.details(
      'Placement',
      `<table>${report.placement
        .map(
          ([setting, value, source]) =>
            `<tr><td>${escapeHtml(setting)}</td><td>${escapeHtml(value)}</td><td>${escapeHtml(source)}</td></tr>`,
        )
        .join('')}</table>`,
    );
  }
  return summary;
}

function taskUrl(region: string, cluster: string, taskArn: string): string {
  return ecsConsoleUrl(region, `clusters/${cluster.split('/').pop()}/tasks/${taskId(taskArn)}/configuration`);
}
