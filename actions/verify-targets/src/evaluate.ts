import { revisionLabel } from '@ecs-actions/taskdef/revision';
import type { TargetFacts, TaskFacts } from './aws.js';
import { findDigestMismatches, type ExpectedDigests } from './digests.js';

/** What the target groups must show before the deployment counts as serving traffic. */
export interface Expectation {
  taskDefinitionArn: string;
  expectedDigests?: ExpectedDigests;
  /** Distinct tasks with a healthy, verified target needed in each target group. */
  required: number;
  /** The container behind each target group, from the service's load balancers (absent without a service). */
  containerByTargetGroup: Map<string, string>;
  /** Who owns the tasks, for messages: `service web` or `task definition family web`. */
  owner: string;
}

export interface TargetReport {
  targetGroup: string;
  id: string;
  port: number | null;
  state: string;
  reason: string | null;
  description: string | null;
  task: string | null;
  taskDefinition: string | null;
  /** The digest of the container behind the target group. */
  digest: string | null;
  /** Why this target's task is not the expected one (revision, status or digest), without the health part. */
  taskProblem: string | null;
  /** Why this target keeps the target group from being verified; null when it is fine or draining. */
  problem: string | null;
}

export interface TargetGroupReport {
  arn: string;
  name: string;
  required: number;
  healthy: number;
  verified: number;
  draining: number;
  ok: boolean;
  problem: string | null;
}

export interface Evaluation {
  verified: boolean;
  targetGroups: TargetGroupReport[];
  targets: TargetReport[];
}

const DRAINING = new Set(['draining', 'unhealthy.draining']);

/** `web-tg` from `arn:aws:elasticloadbalancing:...:targetgroup/web-tg/6d0ecf831eec9f09`. */
export function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

/** The task id, the last part of its ARN: what the ECS console and `aws ecs describe-tasks` show. */
export function taskId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function taskProblemOf(task: TaskFacts | undefined, target: TargetFacts, expectation: Expectation): string | null {
  if (task === undefined) return `no RUNNING task of ${expectation.owner} has IP ${target.id}`;
  if (revisionLabel(task.taskDefinitionArn) !== revisionLabel(expectation.taskDefinitionArn)) {
    return `runs ${revisionLabel(task.taskDefinitionArn)}, expected ${revisionLabel(expectation.taskDefinitionArn)}`;
  }
  if (task.lastStatus !== 'RUNNING') return `is ${task.lastStatus}, not RUNNING`;
  if (expectation.expectedDigests === undefined) return null;
  const mismatches = findDigestMismatches(task.containers, expectation.expectedDigests, [
    ...new Set(expectation.containerByTargetGroup.values()),
  ]);
  return mismatches.length === 0 ? null : mismatches.map((mismatch) => mismatch.problem).join('; ');
}

function digestOf(task: TaskFacts | undefined, container: string | undefined): string | null {
  if (task === undefined) return null;
  const serving =
    task.containers.find((candidate) => candidate.name === container) ??
    (task.containers.length === 1 ? task.containers[0] : undefined);
  return serving?.imageDigest ?? null;
}

export function healthText(target: Pick<TargetReport, 'state' | 'reason' | 'description'>): string {
  if (target.reason === null) return target.state;
  return `${target.state} (${target.reason}${target.description ? `: ${target.description}` : ''})`;
}

function reportTarget(
  targetGroup: string,
  target: TargetFacts,
  tasks: TaskFacts[],
  expectation: Expectation,
): TargetReport {
  const task = tasks.find((candidate) => candidate.addresses.includes(target.id));
  const taskProblem = taskProblemOf(task, target, expectation);
  const report: TargetReport = {
    targetGroup,
    id: target.id,
    port: target.port ?? null,
    state: target.state,
    reason: target.reason ?? null,
    description: target.description ?? null,
    task: task?.arn ?? null,
    taskDefinition: task?.taskDefinitionArn ?? null,
    digest: digestOf(task, expectation.containerByTargetGroup.get(targetGroup)),
    taskProblem,
    problem: null,
  };
  if (DRAINING.has(target.state)) return report;
  if (target.state === 'healthy') {
    report.problem = taskProblem === null ? null : `healthy but ${taskProblem}`;
  } else {
    report.problem = taskProblem === null ? healthText(report) : `${healthText(report)}; ${taskProblem}`;
  }
  return report;
}

/**
 * Decides, for one poll's answers, whether every target group sends traffic only to the expected tasks:
 * at least `required` distinct tasks with a healthy target, each target the IP of a RUNNING task of the expected
 * revision running the expected digests, and no other healthy target. Draining targets are reported but not counted.
 */
export function evaluate(
  expectation: Expectation,
  targetGroups: Array<{ arn: string; targets: TargetFacts[] }>,
  tasks: TaskFacts[],
): Evaluation {
  const targets: TargetReport[] = [];
  const groups = targetGroups.map(({ arn, targets: registered }): TargetGroupReport => {
    const reports = registered.map((target) => reportTarget(arn, target, tasks, expectation));
    targets.push(...reports);
    const healthy = reports.filter((report) => report.state === 'healthy');
    const good = healthy.filter((report) => report.problem === null);
    // Tasks, not targets: a service registering one target group for two ports puts each task in it twice.
    const verified = new Set(good.map((report) => report.task)).size;
    const wrong = healthy.length - good.length;
    const ok = verified >= expectation.required && wrong === 0;
    let problem: string | null = null;
    if (reports.length === 0) {
      problem = `no targets registered; ${expectation.required} healthy required`;
    } else if (!ok) {
      problem =
        `${verified} of ${expectation.required} required tasks healthy and verified` +
        (wrong > 0 ? `; ${wrong} unverified target${wrong === 1 ? ' still receives' : 's still receive'} traffic` : '');
    }
    return {
      arn,
      name: targetGroupName(arn),
      required: expectation.required,
      healthy: healthy.length,
      verified,
      draining: reports.filter((report) => DRAINING.has(report.state)).length,
      ok,
      problem,
    };
  });
  return { verified: groups.every((group) => group.ok), targetGroups: groups, targets };
}
