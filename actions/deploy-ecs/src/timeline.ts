import type { ServiceDeployment } from '@aws-sdk/client-ecs';

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

  observe(deployment: ServiceDeployment, now: number, final = false): void {
    if (final) {
      if (this.current) this.current.end = now;
      return;
    }
    const label = phaseOf(deployment);
    if (this.current?.label === label) {
      this.current.end = now;
      return;
    }
    if (this.current) this.current.end = now;
    const start = this.current ? now : (deployment.startedAt?.getTime() ?? deployment.createdAt?.getTime() ?? now);
    this.current = { label, start: Math.min(start, now), end: now, critical: /ROLLBACK|STOPPED|FAILED/.test(label) };
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
  const running = target?.runningTaskCount ?? 0;
  const requested = target?.requestedTaskCount ?? 0;
  const old = (deployment.sourceServiceRevisions ?? []).reduce(
    (sum, revision) => sum + (revision.runningTaskCount ?? 0),
    0,
  );
  const oldRequested = (deployment.sourceServiceRevisions ?? []).reduce(
    (sum, revision) => sum + (revision.requestedTaskCount ?? 0),
    0,
  );
  if (running < requested) return 'New tasks starting';
  if (old > 0 && old >= oldRequested) return 'Targets healthy';
  if (old > 0) return 'Old tasks draining';
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
