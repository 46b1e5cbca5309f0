import type { ServiceEvent } from '@aws-sdk/client-ecs';
import { JobSummary, code, escapeHtml, formatDuration, link } from '@ecs-actions/action-kit';
import { ecsServiceConsoleUrl, shortName } from '@ecs-actions/aws';
import { taskLogsDetails, type TaskLogs } from '@ecs-actions/logs';
import { revisionLabel } from '@ecs-actions/taskdef';
import { CANCEL_PHASES, type CancelReport, type CancelRequest } from './cancel.js';
import type { Phase } from './phases.js';
import type { DeployStatus } from './deploy.js';
import { describeContainer, type StoppedTask } from './diagnose.js';
import type { ContainerImage, TargetTaskDefinition } from './register.js';
import { planSummary, type DeploymentPlan } from './plan.js';
import type { RollbackResult } from './rollback.js';
import { mermaidGantt, type Timeline } from './timeline.js';

/** Everything one run found out, filled in as it goes; written as outputs and job summary even on failure. */
export interface DeployReport {
  cluster?: string;
  service?: string;
  region?: string;
  status: DeployStatus;
  durationMs: number;
  previousTaskDefinitionArn?: string;
  taskDefinitionArn?: string;
  origin?: TargetTaskDefinition['origin'];
  deploymentId?: string;
  images: ContainerImage[];
  /** What went wrong, in one sentence. */
  failure?: string;
  rollback?: RollbackResult;
  stoppedTasks: StoppedTask[];
  stoppedTaskCount: number;
  /** The stopped tasks' last container log lines (log-lines). */
  taskLogs?: TaskLogs[];
  /** How many lines were asked per container. */
  logLines?: number;
  /** Newest first. */
  events: ServiceEvent[];
  /** The rollback deployment under way or done, and who started it. */
  rollbackDeploymentId?: string;
  rollbackBy?: 'this run' | 'ECS' | 'CodeDeploy';
  /** Set once the run knows enough to settle a cancel (see settleCancel); it starts the final phase. */
  cancelRequest?: () => Omit<CancelRequest, 'by'>;
  /** The phase the run is in: what a deadline that passed before any deployment id came back leaves behind. */
  phase?: () => Phase;
  /** What a cancel found and did. */
  cancel?: CancelReport;
  /** How a cancel is settled when the follower has its own way (CodeDeploy: StopDeployment); settleCancel unless set. */
  settleCancel?: (request: CancelRequest) => Promise<CancelReport>;
  followedWith?: string;
  serviceDeploymentArn?: string;
  hookId?: string;
  timeline?: Timeline;
  /** Strategy, stages, bake time and traffic steps, from pre-flight. */
  plan?: DeploymentPlan;
}

const STATUS_LABELS: Record<DeployStatus, string> = {
  succeeded: '✅ succeeded',
  unchanged: '➖ unchanged',
  started: '🚀 started (not waited for)',
  'rolled-back': '↩️ rolled back',
  failed: '❌ failed',
  cancelled: '⏹️ cancelled',
  paused: '⏸️ paused for tests (awaiting action)',
};

const ROLLBACK_METHODS: Record<RollbackResult['method'], string> = {
  UpdateService: 'UpdateService to the previous revision (deploy-ecs)',
  StopServiceDeployment: "ECS's rollback in flight (StopServiceDeployment ROLLBACK)",
  ECS: 'ECS by itself (circuit breaker, alarm or lifecycle hook)',
  CodeDeploy: 'CodeDeploy by itself (automatic rollback: failure or alarm)',
  StopDeployment: "CodeDeploy's rollback in flight (StopDeployment, autoRollbackEnabled)",
  CreateDeployment: 'a CodeDeploy deployment of the previous revision (deploy-ecs)',
};

const ORIGINS: Record<TargetTaskDefinition['origin'], string> = {
  registered: 'registered by this run',
  reused: 'identical revision reused',
  existing: 'existing revision',
};

export function buildSummary(report: DeployReport): JobSummary {
  const summary = new JobSummary();
  const where = report.service ? ` ${shortName(report.service)}` : '';
  summary.heading(`deploy-ecs${where}: ${STATUS_LABELS[report.status]}`);

  const facts: Array<[string, string]> = [];
  const links = report.region && report.cluster && report.service;
  const consoleUrl = (tab: 'deployments' | 'health') =>
    ecsServiceConsoleUrl(report.region!, report.cluster!, report.service!, tab);
  if (report.service) {
    const name = code(shortName(report.service));
    facts.push(['Service', links ? link(shortName(report.service), consoleUrl('health')) : name]);
  }
  if (report.cluster) facts.push(['Cluster', code(shortName(report.cluster))]);
  if (report.region) facts.push(['Region', code(report.region)]);
  if (report.taskDefinitionArn || report.previousTaskDefinitionArn) {
    const to = report.taskDefinitionArn ? code(revisionLabel(report.taskDefinitionArn)) : '?';
    const origin = report.origin ? ` (${ORIGINS[report.origin]})` : '';
    facts.push(['Revision', `${code(revisionLabel(report.previousTaskDefinitionArn))} → ${to}${origin}`]);
  }
  if (report.deploymentId) {
    const id = escapeHtml(report.deploymentId);
    facts.push(['Deployment', links ? link(report.deploymentId, consoleUrl('deployments')) : id]);
  }
  if (report.serviceDeploymentArn) facts.push(['Service deployment', code(report.serviceDeploymentArn)]);
  if (report.hookId) facts.push(['Awaiting hook', code(report.hookId)]);
  if (report.plan) facts.push(['Strategy', escapeHtml(planSummary(report.plan))]);
  if (report.followedWith) facts.push(['Followed with', escapeHtml(report.followedWith)]);
  if (report.rollback) facts.push(['Rolled back by', escapeHtml(ROLLBACK_METHODS[report.rollback.method])]);
  facts.push(['Status', STATUS_LABELS[report.status]]);
  facts.push(['Duration', formatDuration(report.durationMs)]);
  summary.facts(facts);

  if (report.cancel) {
    const { cancel } = report;
    summary.paragraph(
      `<b>Cancelled</b> (${escapeHtml(cancel.by)}) ${escapeHtml(CANCEL_PHASES[cancel.phase])}: ${escapeHtml(cancel.state)}.`,
    );
    summary.paragraph(`<b>What this run did:</b> ${escapeHtml(cancel.action)}.`);
    if (cancel.followUrl) summary.paragraph(`<b>Follow it:</b> ${link('the service’s deployments', cancel.followUrl)}`);
  }
  if (report.failure) summary.paragraph(`<b>What went wrong:</b> ${escapeHtml(report.failure)}`);
  if (report.rollback) summary.paragraph(`<b>Rollback:</b> ${escapeHtml(report.rollback.message)}`);

  const segments = report.timeline?.segments ?? [];
  if (segments.length > 0) {
    summary.heading('Timeline', 3);
    summary.mermaid(mermaidGantt(`Deployment ${report.deploymentId ?? ''}`, segments));
  }

  if (report.images.length > 0) {
    summary.table(
      ['Container', 'Image', 'Digest'],
      report.images.map((image) => [
        code(image.container),
        code(image.image),
        image.digest ? code(image.digest) : 'not pinned by digest',
      ]),
    );
  }
  if (report.stoppedTaskCount > 0) {
    summary.heading(`Stopped tasks of the new deployment (${report.stoppedTaskCount})`, 3);
    summary.table(
      ['Task', 'Stopped', 'Stop code', 'Reason', 'Containers'],
      report.stoppedTasks.map((task) => [
        code(task.taskId),
        task.stoppedAt ? task.stoppedAt.toISOString() : '',
        escapeHtml(task.stopCode ?? ''),
        escapeHtml(task.stoppedReason ?? ''),
        task.containers.map((container) => escapeHtml(describeContainer(container))).join('<br>'),
      ]),
    );
  }
  for (const task of report.taskLogs ?? []) {
    const { label, html } = taskLogsDetails(task, report.logLines ?? 0);
    summary.details(label, html);
  }
  if (report.status === 'failed' || report.status === 'rolled-back' || report.status === 'cancelled') {
    if (report.events.length > 0) {
      summary.heading('Last service events', 3);
      summary.table(
        ['Time', 'Event'],
        report.events.map((event) => [event.createdAt?.toISOString() ?? '', escapeHtml(event.message ?? '')]),
      );
    }
  }
  return summary;
}
