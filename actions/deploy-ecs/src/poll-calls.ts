import type { ECSClient } from '@aws-sdk/client-ecs';
import { errorMessage, type Clock } from '@ecs-actions/action-kit';
import { isTransientAwsError } from '@ecs-actions/aws';
import { STOPPED_TASKS_LIMIT, describeTasks, isFailedTask, listStoppedTasks } from './diagnose.js';
import type { Logger } from './service.js';

/**
 * The calls of one follower's polls: throttling, 5xx and network errors are ridden out (undefined, one warning,
 * congestion up one level, at most 4), an answer takes congestion down one level; any other error ends the wait.
 */
export class PollCalls {
  /** Congestion, 0 to 4: the pacing's back-off (see budgetInterval). */
  throttled = 0;
  private warned = false;

  constructor(private readonly log: Logger) {}

  async ride<T>(call: () => Promise<T>, what: string): Promise<T | undefined> {
    try {
      const value = await call();
      this.throttled = Math.max(0, this.throttled - 1);
      return value;
    } catch (error) {
      if (!isTransientAwsError(error)) throw error;
      if (!this.warned) this.log.warning(`${what} failed (${errorMessage(error)}); still waiting, with back-off`);
      this.warned = true;
      this.throttled = Math.min(this.throttled + 1, 4);
      return undefined;
    }
  }
}

/**
 * The stopped tasks of one deployment (or task set) and those of them that failed (see isFailedTask), each task
 * described once ECS reports its stop time.
 */
export class FailedTasks {
  stoppedTaskArns: string[] = [];
  failedTaskArns: string[] = [];
  /** When they were last counted. */
  checkedAt: number;
  private readonly failedByArn = new Map<string, boolean>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly cluster: string,
    /** Tasks stopped before this (epoch ms) do not count. */
    private readonly since: number,
    private readonly calls: PollCalls,
    private readonly clock: Clock,
  ) {
    this.checkedAt = clock.now();
  }

  async count(startedBy: string): Promise<void> {
    this.checkedAt = this.clock.now();
    const { ecs, cluster } = this;
    const arns = await this.calls.ride(
      () => listStoppedTasks(ecs, cluster, startedBy, STOPPED_TASKS_LIMIT),
      'ListTasks',
    );
    if (!arns) return;
    this.stoppedTaskArns = arns;
    const fresh = arns.filter((taskArn) => !this.failedByArn.has(taskArn));
    if (fresh.length > 0) {
      const tasks = await this.calls.ride(() => describeTasks(ecs, cluster, fresh), 'DescribeTasks');
      for (const task of tasks ?? [])
        if (task.stoppedAt) this.failedByArn.set(task.taskArn, isFailedTask(task, this.since));
    }
    this.failedTaskArns = arns.filter((taskArn) => this.failedByArn.get(taskArn) === true);
  }
}
