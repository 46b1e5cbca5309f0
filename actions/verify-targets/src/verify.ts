import * as core from '@actions/core';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  errorMessage,
  formatDuration,
  isCancelled,
  isDeadline,
  poll,
  systemClock,
  UserError,
  type Clock,
  foreignLine,
} from '@ecs-actions/action-kit';
import { isAwsAuthError, isTransientAwsError } from '@ecs-actions/aws';
import { familyOf, revisionLabel } from '@ecs-actions/taskdef/revision';
import { describeService, describeTargetHealth, listRunningTasks, type ServiceFacts, type TaskFacts } from './aws.js';
import type { ExpectedDigests } from './digests.js';
import {
  evaluate,
  healthText,
  targetGroupName,
  taskId,
  type Evaluation,
  type Expectation,
  type TargetGroupReport,
  type TargetReport,
} from './evaluate.js';

export type { ExpectedDigests } from './digests.js';
export { parseExpectedDigests } from './digests.js';
export type { TargetReport, TargetGroupReport } from './evaluate.js';
export type { TaskFacts } from './aws.js';

export interface VerifyTargetsOptions {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  cluster: string;
  /** The service whose load balancers, desired count and current task definition are verified. */
  service?: string;
  /** Target groups to verify instead of the service's; without a service, taskDefinitionArn is required. */
  targetGroupArns?: string[];
  /** `test`: the service's alternate target groups, behind its test listener (native blue/green). */
  listener?: 'production' | 'test';
  /** The revision that must serve traffic; default: the service's current task definition. */
  taskDefinitionArn?: string;
  expectedDigests?: ExpectedDigests;
  timeoutMs: number;
  /** Milliseconds between polls; 2 s by default. */
  intervalMs?: number;
  clock?: Clock;
  /** Where progress lines go; core.info by default. */
  log?: (line: string) => void;
  /** Cancel or deadline: the verification stops at once and returns what it saw (see `stopped`). */
  signal?: AbortSignal;
}

export interface VerifyTargetsResult {
  verified: boolean;
  /** Set when a cancel or deadline stopped the verification: the CancelledError or DeadlineError. */
  stopped?: Error;
  /** One line per target group and target that kept the verification from passing; empty when verified. */
  failure: string | null;
  elapsedMs: number;
  /** The revision that had to serve traffic (undefined only when no AWS answer came back at all). */
  taskDefinitionArn?: string;
  /** Healthy targets over all target groups in the last poll (a task in two target groups counts twice). */
  healthyCount: number;
  /** True when verified and expected digests were given: every healthy target ran them. */
  digestVerified: boolean;
  targetGroups: TargetGroupReport[];
  targets: TargetReport[];
  /** The RUNNING tasks the last poll saw (for their log lines). */
  tasks: TaskFacts[];
}

interface Plan {
  taskDefinitionArn: string;
  targetGroupArns: string[];
  containerByTargetGroup: Map<string, string>;
  owner: string;
  /** How traffic reaches these target groups, when it is not the production listener. */
  via?: string;
}

export const DEFAULT_INTERVAL_MS = 2000;

/**
 * Polls ECS and ELBv2 until every target group sends traffic only to healthy tasks of the expected revision
 * running the expected digests, or the timeout passes. It logs one line per change of a target, and returns
 * what it saw rather than throwing, so the caller can report it; credential and "not found" errors throw.
 */
export async function verifyTargets(options: VerifyTargetsOptions): Promise<VerifyTargetsResult> {
  const { ecs, elbv2, cluster, clock = systemClock, log = (line: string) => core.info(foreignLine(line)) } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  let plan: Plan | undefined;
  let last: Evaluation | undefined;
  let lastTasks: TaskFacts[] = [];
  let lastError: string | undefined;
  const changes = new ChangeLog(log);

  const attempt = async (): Promise<Evaluation | undefined> => {
    try {
      const service = options.service === undefined ? undefined : await describeService(ecs, cluster, options.service);
      if (plan === undefined) {
        plan = makePlan(options, service);
        log(describePlan(plan, service));
      }
      if (service !== undefined && revisionLabel(service.taskDefinitionArn) !== revisionLabel(plan.taskDefinitionArn)) {
        changes.note(
          'service',
          `Service ${service.name} now runs ${revisionLabel(service.taskDefinitionArn)}, not ${revisionLabel(plan.taskDefinitionArn)}`,
        );
      }
      if (service !== undefined && service.desiredCount === 0) {
        throw new UserError(
          `Service ${service.name} has desiredCount 0, so no target can become healthy; scale it up before verifying targets`,
        );
      }
      const owner =
        service !== undefined ? { serviceName: service.name } : { family: familyOf(plan.taskDefinitionArn) };
      const [tasks, targetGroups] = await Promise.all([
        listRunningTasks(ecs, cluster, owner),
        Promise.all(
          plan.targetGroupArns.map(async (arn) => ({ arn, targets: await describeTargetHealth(elbv2, arn) })),
        ),
      ]);
      const expected = plan.taskDefinitionArn;
      const required =
        service?.desiredCount ??
        Math.max(1, tasks.filter((task) => revisionLabel(task.taskDefinitionArn) === revisionLabel(expected)).length);
      const expectation: Expectation = {
        taskDefinitionArn: expected,
        expectedDigests: options.expectedDigests,
        required,
        containerByTargetGroup: plan.containerByTargetGroup,
        owner: plan.owner,
      };
      last = evaluate(expectation, targetGroups, tasks);
      lastTasks = tasks;
      lastError = undefined;
      changes.record(last);
      return last.verified ? last : undefined;
    } catch (error) {
      if (isAwsAuthError(error) || !isTransientAwsError(error)) throw error;
      lastError = `${error instanceof Error ? error.name : 'Error'}: ${errorMessage(error)}`;
      log(`AWS answered ${lastError}; trying again in ${formatDuration(intervalMs)}`);
      return undefined;
    }
  };

  const started = clock.now();
  let stopped: Error | undefined;
  const outcome = await poll({
    clock,
    interval: intervalMs,
    timeoutMs: options.timeoutMs,
    attempt,
    signal: options.signal,
  }).catch((error: unknown) => {
    if (!isCancelled(error) && !isDeadline(error)) throw error;
    // Partial results: what the last poll saw is reported as not verified.
    stopped = error;
    return { done: false as const, elapsedMs: clock.now() - started };
  });
  const evaluation = outcome.done ? outcome.value : last;
  const targets = evaluation?.targets ?? [];
  const verified = outcome.done;
  if (verified && plan !== undefined) {
    const digests = options.expectedDigests === undefined ? '' : ' with the expected digests';
    log(
      `Verified in ${formatDuration(outcome.elapsedMs)}: every target group sends traffic only to ` +
        `${revisionLabel(plan.taskDefinitionArn)}${digests}`,
    );
  }
  const failure = failureMessage(outcome.elapsedMs, evaluation, lastError);
  return {
    verified,
    stopped,
    failure: verified
      ? null
      : stopped
        ? `${stopped.message}: ${failure.replace(/^Targets not verified/, 'targets not verified')}`
        : failure,
    elapsedMs: outcome.elapsedMs,
    taskDefinitionArn: plan?.taskDefinitionArn,
    healthyCount: targets.filter((target) => target.state === 'healthy').length,
    digestVerified: verified && options.expectedDigests !== undefined,
    targetGroups: evaluation?.targetGroups ?? [],
    targets,
    tasks: lastTasks,
  };
}

function makePlan(options: VerifyTargetsOptions, service: ServiceFacts | undefined): Plan {
  if (options.listener === 'test') return testListenerPlan(options, service);
  const fromService = service?.loadBalancers ?? [];
  const targetGroupArns = options.targetGroupArns?.length
    ? [...new Set(options.targetGroupArns)]
    : [...new Set(fromService.map((balancer) => balancer.targetGroupArn))];
  if (targetGroupArns.length === 0) {
    throw new UserError(
      `Service ${service?.name} has no load balancer target groups, so there are no targets to verify; ` +
        `set target-group-arns, or leave this step out for services without a load balancer`,
    );
  }
  const containerByTargetGroup = new Map<string, string>();
  for (const balancer of fromService) {
    if (balancer.containerName !== undefined)
      containerByTargetGroup.set(balancer.targetGroupArn, balancer.containerName);
  }
  const taskDefinitionArn = options.taskDefinitionArn ?? service?.taskDefinitionArn;
  if (taskDefinitionArn === undefined) throw new Error('verifyTargets needs a service or a taskDefinitionArn');
  return {
    taskDefinitionArn,
    targetGroupArns,
    containerByTargetGroup,
    owner: service !== undefined ? `service ${service.name}` : `task definition family ${familyOf(taskDefinitionArn)}`,
  };
}

/** The green tasks of a native blue/green deployment, in the alternate target groups the test listener sends to. */
function testListenerPlan(options: VerifyTargetsOptions, service: ServiceFacts | undefined): Plan {
  const balancers = (service?.loadBalancers ?? []).filter((balancer) => balancer.alternateTargetGroupArn !== undefined);
  if (service === undefined || balancers.length === 0) {
    throw new UserError(
      `Input 'listener': test needs a service with native blue/green load balancers, but service ${service?.name} ` +
        'has no loadBalancers[].advancedConfiguration.alternateTargetGroupArn; set it up as docs/setup.md ' +
        '(test a new revision before production traffic) says, or verify with listener: production',
    );
  }
  const containerByTargetGroup = new Map<string, string>();
  for (const balancer of balancers) {
    if (balancer.containerName !== undefined)
      containerByTargetGroup.set(balancer.alternateTargetGroupArn!, balancer.containerName);
  }
  const rules = [...new Set(balancers.flatMap((balancer) => balancer.testListenerRule ?? []))];
  return {
    taskDefinitionArn: options.taskDefinitionArn ?? service.taskDefinitionArn,
    targetGroupArns: [...new Set(balancers.map((balancer) => balancer.alternateTargetGroupArn!))],
    containerByTargetGroup,
    owner: `service ${service.name}`,
    via: rules.length > 0 ? `the test listener (rule ${rules.join(', ')})` : 'the test listener',
  };
}

function describePlan(plan: Plan, service: ServiceFacts | undefined): string {
  const groups = plan.targetGroupArns.map((arn) => targetGroupName(arn)).join(', ');
  const revision = revisionLabel(plan.taskDefinitionArn);
  const required =
    service !== undefined
      ? `at least ${service.desiredCount} healthy in each (desired count of service ${service.name})`
      : `in each, every RUNNING task of ${revision} healthy and verified`;
  const via = plan.via ? ` behind ${plan.via}` : '';
  return `Verifying ${groups}${via}: traffic only to tasks of ${revision}, ${required}`;
}

function address(target: TargetReport): string {
  return target.port === null ? target.id : `${target.id}:${target.port}`;
}

/** One line for a target, used both for progress and for the failure: address, health, task and its problem. */
export function describeTarget(target: TargetReport): string {
  const task =
    target.task === null ? '' : `, task ${taskId(target.task)} (${revisionLabel(target.taskDefinition ?? '')})`;
  const problem = target.taskProblem === null ? '' : `: ${target.taskProblem}`;
  return `${address(target)} ${healthText(target)}${task}${problem}`;
}

function failureMessage(elapsedMs: number, evaluation: Evaluation | undefined, lastError: string | undefined): string {
  const after = `Targets not verified after ${formatDuration(elapsedMs)}`;
  if (evaluation === undefined) return `${after}: no AWS answer came back (last error ${lastError ?? 'none'})`;
  const parts: string[] = [];
  for (const group of evaluation.targetGroups) {
    if (group.ok) continue;
    const blocking = evaluation.targets.filter((target) => target.targetGroup === group.arn && target.problem !== null);
    parts.push([`${group.name}: ${group.problem}`, ...blocking.map(describeTarget)].join('; '));
  }
  return `${after}. ${parts.join('. ')}`;
}

/** Prints a line only when something a reader cares about changed since the last poll. */
class ChangeLog {
  private readonly seen = new Map<string, string>();
  /** Target key to `web-tg 10.0.1.5:8080`, to say which target left the group. */
  private readonly targets = new Map<string, string>();
  constructor(private readonly log: (line: string) => void) {}

  note(key: string, line: string): void {
    if (this.seen.get(key) === line) return;
    this.seen.set(key, line);
    this.log(line);
  }

  record(evaluation: Evaluation): void {
    const present = new Set<string>();
    for (const target of evaluation.targets) {
      const key = `${target.targetGroup} ${target.id}:${target.port}`;
      present.add(key);
      this.targets.set(key, `${targetGroupName(target.targetGroup)} ${address(target)}`);
      this.note(key, `${targetGroupName(target.targetGroup)} ${describeTarget(target)}`);
    }
    for (const [key, label] of this.targets) {
      if (present.has(key)) continue;
      this.targets.delete(key);
      this.seen.delete(key);
      this.log(`${label} deregistered`);
    }
    for (const group of evaluation.targetGroups) {
      const draining = group.draining > 0 ? `, ${group.draining} draining` : '';
      this.note(group.arn, `${group.name}: ${group.verified} of ${group.required} healthy and verified${draining}`);
    }
  }
}
