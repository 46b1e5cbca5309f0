import type { Service, ServiceDeployment } from '@aws-sdk/client-ecs';

/** One bar of the deployment's timeline: a lifecycle stage, or a phase of a rolling update. */
export interface TimelineSegment {
  label: string;
  start: number;
  end: number;
  /** A rollback, or the stage the deployment failed in. */
  critical?: boolean;
}

/**
 * What the follower saw of the deployment over time, as segments for the summary's Mermaid gantt: each lifecycle
 * stage of a blue/green, linear or canary deployment (and each production traffic weight while it shifts), or for a
 * rolling one: new tasks starting, targets healthy, old tasks draining, completed.
 */
export class Timeline {
  readonly segments: TimelineSegment[] = [];
  private current?: TimelineSegment;

  /** A service deployment as DescribeServiceDeployments returns it (the service-deployments follower). */
  observe(deployment: ServiceDeployment, now: number, final = false): void {
    if (final) return this.end(now);
    this.mark(phaseOf(deployment), now, deployment.startedAt?.getTime() ?? deployment.createdAt?.getTime());
  }

  /**
   * The service as DescribeServices returns it (the DescribeServices follower): the rolling phase of deployment
   * `deploymentId` from its counts and those of the older deployments still live next to it.
   */
  observeService(service: Service, deploymentId: string, now: number): void {
    const live = (service.deployments ?? []).filter((deployment) => deployment.status !== 'INACTIVE');
    const followed = live.find((deployment) => deployment.id === deploymentId);
    if (!followed) return;
    const older = live.filter((deployment) => deployment !== followed);
    const sum = (key: 'runningCount' | 'desiredCount') =>
      older.reduce((total, deployment) => total + (deployment[key] ?? 0), 0);
    const label =
      followed.rolloutState === 'FAILED'
        ? 'Rollout FAILED'
        : older.length === 0 &&
            (followed.rolloutState ?? 'COMPLETED') === 'COMPLETED' &&
            (followed.runningCount ?? 0) === (followed.desiredCount ?? 0)
          ? 'Completed'
          : rollingPhase({
              running: followed.runningCount ?? 0,
              pending: followed.pendingCount ?? 0,
              requested: followed.desiredCount ?? 0,
              oldRunning: sum('runningCount'),
              oldRequested: sum('desiredCount'),
            });
    this.mark(label, now, followed.createdAt?.getTime());
  }

  /** The wait ended: the last phase lasts until now. */
  end(now: number): void {
    if (this.current) this.current.end = now;
  }

  private mark(label: string, now: number, startedAt: number | undefined): void {
    if (this.current?.label === label) {
      this.current.end = now;
      return;
    }
    if (this.current) this.current.end = now;
    const start = this.current ? now : (startedAt ?? now);
    this.current = { label, start: Math.min(start, now), end: now, critical: /ROLLBACK|STOPPED|FAILED/i.test(label) };
    this.segments.push(this.current);
  }
}

function phaseOf(deployment: ServiceDeployment): string {
  const status = deployment.status ?? 'UNKNOWN';
  if (status === 'ROLLBACK_REQUESTED' || status === 'ROLLBACK_IN_PROGRESS') return 'Rolling back';
  if (status !== 'IN_PROGRESS' && status !== 'PENDING') return status === 'SUCCESSFUL' ? 'Completed' : status;
  const target = deployment.targetServiceRevision;
  const stage = deployment.lifecycleStage;
  if (stage) {
    const weight = target?.requestedProductionTrafficWeight ?? 0;
    return stage === 'PRODUCTION_TRAFFIC_SHIFT' ? `${stage} ${weight}%` : stage;
  }
  const sources = deployment.sourceServiceRevisions ?? [];
  return rollingPhase({
    running: target?.runningTaskCount ?? 0,
    pending: target?.pendingTaskCount ?? 0,
    requested: target?.requestedTaskCount ?? 0,
    oldRunning: sources.reduce((sum, revision) => sum + (revision.runningTaskCount ?? 0), 0),
    oldRequested: sources.reduce((sum, revision) => sum + (revision.requestedTaskCount ?? 0), 0),
  });
}

/**
 * The phase of a rolling update, whichever API reported it: the update accepted (nothing launched yet), new tasks
 * starting, all new tasks running while ECS waits for their targets to be healthy (old tasks still wanted),
 * old tasks draining (ECS lowered their count), completing.
 */
function rollingPhase(counts: {
  running: number;
  pending: number;
  requested: number;
  oldRunning: number;
  oldRequested: number;
}): string {
  const { running, pending, requested, oldRunning, oldRequested } = counts;
  if (running === 0 && pending === 0 && requested > 0) return 'Update';
  if (running < requested) return 'New tasks starting';
  // ECS lowers the old deployment's count as it stops its tasks: more running than requested is draining.
  if (oldRunning > 0 && oldRunning <= oldRequested) return 'Targets healthy';
  if (oldRunning > 0) return 'Old tasks draining';
  return 'Completing';
}

/** The timeline as a Mermaid gantt (GitHub renders it in job summaries). */
export function mermaidGantt(title: string, segments: TimelineSegment[]): string {
  const safe = (text: string) => text.replace(/[:#;\n]/g, ' ').trim();
  const lines = ['gantt', `  title ${safe(title)}`, '  dateFormat x', '  axisFormat %H:%M:%S', '  section Deployment'];
  segments.forEach((segment, index) => {
    const end = Math.max(segment.end, segment.start + 1000);
    lines.push(`  ${safe(segment.label)} :${segment.critical ? 'crit, ' : ''}s${index}, ${segment.start}, ${end}`);
  });
  return lines.join('\n');
}
