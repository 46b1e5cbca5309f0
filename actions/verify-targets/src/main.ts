import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CancelledError,
  RunContext,
  group,
  isCancelled,
  setOutputs,
  systemClock,
  UserError,
  type Clock,
} from '@ecs-actions/action-kit';
import { createAwsClient, refuseArnsOutOfScope } from '@ecs-actions/aws';
import { deniedGroups, deniedNotice, formatErrorLine, type TaskLogs } from '@ecs-actions/logs';
import { readInputs, type VerifyTargetsInputs } from './inputs.js';
import {
  checkTaskLogs,
  FIRST_ERROR_LINES,
  logCheckFailure,
  logCheckHeadline,
  readFailingTargetsLogs,
  type LogCheckResult,
  type TaskLogContext,
} from './logs.js';
import { targetsSummary } from './summary.js';
import { verifyTargets, type TargetReport, type VerifyTargetsResult } from './verify.js';

/** The `targets` output: what a later step needs, without the internal split of the problem text. */
function publicTarget(target: TargetReport) {
  return {
    targetGroup: target.targetGroup,
    id: target.id,
    port: target.port,
    state: target.state,
    reason: target.reason,
    description: target.description,
    task: target.task,
    taskDefinition: target.taskDefinition,
    digest: target.digest,
    problem: target.problem,
  };
}

export interface Dependencies {
  clock: Clock;
  /** Cancel signal and final phase, from runAction. */
  context: RunContext;
}

export async function run(dependencies: Partial<Dependencies> = {}): Promise<void> {
  const clock = dependencies.clock ?? systemClock;
  const context = dependencies.context ?? new RunContext();
  const inputs = readInputs();
  // The last poll may be in flight when timeout-seconds passes: it gets a little longer before the deadline cuts it.
  const timeoutMs = inputs['timeout-seconds'] * 1000;
  const deadline = context.withDeadline(
    timeoutMs + Math.min(10_000, timeoutMs / 10),
    `timeout-seconds (${inputs['timeout-seconds']} s)`,
  );
  const clientOptions = { region: inputs.region, action: 'verify-targets', signal: deadline.signal };
  const ecs = createAwsClient(ECSClient, clientOptions);
  const elbv2 = createAwsClient(ElasticLoadBalancingV2Client, clientOptions);
  // A target group or revision of another account or region is named as such, not later as "not found".
  await refuseArnsOutOfScope(
    [
      { input: 'cluster', value: inputs.cluster },
      { input: 'service', value: inputs.service },
      ...inputs['target-group-arns'].map((value) => ({ input: 'target-group-arns', value })),
      { input: 'task-definition-arn', value: inputs['task-definition-arn'] },
    ],
    clientOptions,
  );

  const result = await group('Verify load balancer targets', () =>
    verifyTargets({
      ecs,
      elbv2,
      cluster: inputs.cluster,
      service: inputs.service,
      targetGroupArns: inputs['target-group-arns'],
      listener: inputs.listener,
      taskDefinitionArn: inputs['task-definition-arn'],
      expectedDigests: inputs['expected-digests'],
      timeoutMs,
      clock,
      signal: deadline.signal,
    }),
  );

  // The log reads come after the verification's deadline: they have their own time limits and stop at a cancel.
  const logContext: TaskLogContext = {
    ecs: createAwsClient(ECSClient, { ...clientOptions, signal: context.signal, maxAttempts: 2 }),
    logs: createAwsClient(CloudWatchLogsClient, { ...clientOptions, signal: context.signal, maxAttempts: 2 }),
    log: (line) => core.info(line),
    signal: context.signal,
  };
  const { failingTaskLogs, check } = await readLogs(logContext, inputs, result);

  setOutputs({
    'healthy-count': result.healthyCount,
    targets: result.targets.map(publicTarget),
    'digest-verified': result.digestVerified,
    'log-error-count': check?.errorLines.length,
  });
  await targetsSummary(
    {
      cluster: inputs.cluster,
      service: inputs.service,
      expectedDigests: inputs['expected-digests'],
      logLines: inputs['log-lines'],
    },
    result,
    { failingTaskLogs, check },
  ).write();
  if (result.stopped && isCancelled(result.stopped)) {
    throw new CancelledError(result.failure ?? result.stopped.message, result.stopped.by, { cause: result.stopped });
  }
  if (!result.verified) throw new UserError(result.failure ?? 'Targets not verified');
  const failure = check && logCheckFailure(check);
  if (failure !== undefined) throw new UserError(failure);
}

/**
 * Not verified: the last lines of the tasks behind the failing targets. Verified: the log check of the new
 * revision's tasks (unless log-check is off). Nothing after a cancel or deadline stop.
 */
async function readLogs(
  context: TaskLogContext,
  inputs: VerifyTargetsInputs,
  result: VerifyTargetsResult,
): Promise<{ failingTaskLogs: TaskLogs[]; check?: LogCheckResult }> {
  const taskDefinitionArn = result.taskDefinitionArn;
  if (result.stopped || taskDefinitionArn === undefined) return { failingTaskLogs: [] };
  const turnOff = 'set log-lines: 0 and log-check: off to stop reading them';
  if (!result.verified) {
    if (inputs['log-lines'] === 0) return { failingTaskLogs: [] };
    const failingTaskLogs = await group('Log lines of the tasks behind failing targets', () =>
      readFailingTargetsLogs(context, result.targets, taskDefinitionArn, inputs['log-lines']),
    );
    const denied = deniedGroups(failingTaskLogs);
    if (denied.length > 0) core.notice(deniedNotice(denied, `${turnOff}; the result does not depend on them`));
    return { failingTaskLogs };
  }
  const mode = inputs['log-check'];
  if (mode === 'off') return { failingTaskLogs: [] };
  const check = await group('Log check: error-level lines since the tasks started', async () => {
    const checked = await checkTaskLogs(context, {
      tasks: result.tasks,
      taskDefinitionArn,
      mode,
      pattern: inputs['log-error-pattern'],
    });
    context.log(logCheckHeadline(checked));
    for (const line of checked.errorLines.slice(0, FIRST_ERROR_LINES)) context.log(`  ${formatErrorLine(line)}`);
    if (checked.errorLines.length > FIRST_ERROR_LINES) {
      context.log(`  … and ${checked.errorLines.length - FIRST_ERROR_LINES} more`);
    }
    for (const why of checked.unchecked) context.log(`Not checked: ${why}`);
    return checked;
  });
  const denied = deniedGroups(check.tasks);
  if (denied.length > 0 && mode === 'warn')
    core.notice(deniedNotice(denied, `${turnOff}; with log-check: warn the result does not depend on them`));
  if (mode === 'warn' && check.errorLines.length > 0) {
    core.warning(`${logCheckHeadline(check)}; first: ${formatErrorLine(check.errorLines[0]!)}`);
  }
  return { failingTaskLogs: [], check };
}
