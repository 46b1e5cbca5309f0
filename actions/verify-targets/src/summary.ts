import { code, escapeHtml, formatDuration, JobSummary, shortDigest } from '@ecs-actions/action-kit';
import { revisionLabel } from '@ecs-actions/taskdef/revision';
import type { ExpectedDigests } from './digests.js';
import { healthText, targetGroupName, taskId } from './evaluate.js';
import type { VerifyTargetsResult } from './verify.js';

export interface SummaryContext {
  cluster: string;
  service?: string;
  expectedDigests?: ExpectedDigests;
}

function digestsText(expected: ExpectedDigests | undefined): string {
  if (expected === undefined) return 'not checked (expected-digests not set)';
  if (expected.kind === 'single') return code(shortDigest(expected.digest));
  return [...expected.digests]
    .map(([container, digest]) => `${escapeHtml(container)} ${code(shortDigest(digest))}`)
    .join(', ');
}

/** Five-second summary: the verdict, what had to serve traffic, and one row per target. */
export function targetsSummary(context: SummaryContext, result: VerifyTargetsResult): JobSummary {
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
  return summary;
}
