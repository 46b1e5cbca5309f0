import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, type ContainerDefinition, type Task } from '@aws-sdk/client-ecs';
import {
  UserError,
  errorMessage,
  group,
  printForeign,
  setOutputs,
  systemClock,
  RunContext,
  type Clock,
} from '@ecs-actions/action-kit';
import { checkArnsInScope, createAwsClient, parseArn, refuseArnsOutOfScope, resolveRegion } from '@ecs-actions/aws';
import {
  assertValid,
  describeExisting,
  readTaskDefinitionFile,
  roleArnInputs,
  registerIfChanged,
  revisionLabel,
  validateTaskDefinition,
} from '@ecs-actions/taskdef';
import {
  deniedGroups,
  deniedNotice,
  formatTaskLogs,
  isErrorLine,
  printableLogLine,
  readTaskLogs,
  taskLogsDetails,
  type TaskLogs,
} from '@ecs-actions/logs';
import { followTask, stopTask, taskId } from './follow.js';
import { readInputs } from './inputs.js';
import { checkRunnable, resolvePlacement, startTask, type Logger } from './launch.js';
import { containerLine, exitCodes, judgeTask } from './outcome.js';
import { buildSummary, type RunReport } from './summary.js';

export interface Dependencies {
  /** Time; tests pass a FakeClock so that a 30-minute wait runs in milliseconds. */
  clock: Clock;
  /** The run's cancel signal (SIGINT/SIGTERM) and the bounded final phase, from runAction. */
  context: RunContext;
  /** Milliseconds between DescribeTasks calls; tests shorten it. */
  interval?: (elapsedMs: number) => number;
}

const log: Logger = { info: (message) => core.info(message), warning: (message) => core.warning(message) };

/** How long StopTask may take after a timeout. */
const STOP_TIMEOUT_MS = 5000;

export async function run(dependencies: Partial<Dependencies> = {}): Promise<void> {
  const clock = dependencies.clock ?? systemClock;
  const context = dependencies.context ?? new RunContext();
  const started = clock.now();
  const report: RunReport = { status: 'failed', durationMs: 0, containers: [], placement: [] };
  try {
    await runOnce(report, { clock, context, interval: dependencies.interval });
  } catch (error) {
    report.status = 'failed';
    report.failure ??= errorMessage(error);
    // A task that was started but not followed to its end must not be forgotten.
    if (report.taskArn && !report.stopped) {
      throw new UserError(
        `${errorMessage(error)} Task ${taskId(report.taskArn)} had been started and was not followed to its end; ` +
          `check it, or stop it: aws ecs stop-task --cluster ${report.cluster} --task ${report.taskArn}`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    report.durationMs = clock.now() - started;
    setOutputs({
      'task-arn': report.taskArn ?? '',
      'task-definition-arn': report.taskDefinitionArn ?? '',
      'exit-codes': exitCodes(report.containers),
      status: report.status,
    });
    await buildSummary(report).write();
  }
  if (report.status !== 'succeeded') throw new UserError(failureLine(report));
}

interface RunOptions {
  clock: Clock;
  context: RunContext;
  interval?: (elapsedMs: number) => number;
}

async function runOnce(report: RunReport, options: RunOptions): Promise<void> {
  const inputs = readInputs();
  report.cluster = inputs.cluster;
  const region = resolveRegion(inputs.region);
  report.region = region;
  const overrides = inputs['command-overrides'];

  // A file is read and checked before any AWS call: a bad file or override registers and starts nothing.
  const source = inputs['task-definition'];
  const file =
    source.kind === 'file'
      ? await group(`Task definition ${source.path}`, async () => {
          const prepared = await readTaskDefinitionFile('task-definition', source.path);
          const validation = validateTaskDefinition(prepared.taskDefinition);
          validation.warnings.forEach((warning) => log.warning(warning));
          assertValid(validation, `Input 'task-definition': ${source.path}`);
          const containers = prepared.taskDefinition.containerDefinitions ?? [];
          checkRunnable(containers, undefined, overrides, { sources: [] });
          log.info(`${source.path}: family ${prepared.taskDefinition.family}, containers ${names(containers)}`);
          return prepared;
        })
      : undefined;

  const { signal } = options.context;
  const clientOptions = { region: inputs.region, action: 'run-task', signal };
  // A cluster, service or revision of another account or region is refused before anything is registered or run.
  const scope = await refuseArnsOutOfScope(
    [
      { input: 'cluster', value: inputs.cluster },
      { input: 'service', value: inputs.service },
      { input: 'task-definition', value: source.kind === 'existing' ? source.reference : undefined },
    ],
    clientOptions,
  );
  const ecs = createAwsClient(ECSClient, clientOptions);
  const placement = await group('Placement', async () => {
    const resolved = await resolvePlacement(ecs, inputs, region, signal);
    for (const [setting, value, from] of resolved.sources) log.info(`${setting}: ${value} (${from})`);
    if (resolved.sources.length === 0) log.info('No network configuration, launch type or platform version given');
    return resolved;
  });
  report.placement = placement.sources;
  if (file && source.kind === 'file') {
    checkRunnable([], file.taskDefinition.networkMode, new Map(), placement);
    // The file's roles against the account: the one read above, else the service's own, so STS is rarely needed.
    const roles = roleArnInputs('task-definition', source.path, file.taskDefinition);
    const account = scope?.account ?? (placement.serviceArn ? parseArn(placement.serviceArn)?.account : undefined);
    if (account !== undefined) checkArnsInScope(roles, { account, region });
    else await refuseArnsOutOfScope(roles, clientOptions);
  }

  const target = await group('Task definition revision', () =>
    source.kind === 'existing'
      ? describeExisting(ecs, source.reference, log, 'Running')
      : registerIfChanged(ecs, file!.taskDefinition, log, `Input 'task-definition': ${source.path}`),
  );
  report.taskDefinitionArn = target.taskDefinitionArn;
  if (source.kind === 'existing') checkRunnable(target.containerDefinitions, target.networkMode, overrides, placement);
  for (const [container, command] of overrides) log.info(`${container} runs ${JSON.stringify(command)}`);

  const task = await startTask(
    ecs,
    {
      cluster: inputs.cluster,
      taskDefinitionArn: target.taskDefinitionArn,
      overrides,
      placement,
      startedBy: inputs['started-by'],
    },
    signal,
  );
  report.taskArn = task.taskArn;
  options.context.standing(
    `task ${taskId(task.taskArn)} of ${revisionLabel(target.taskDefinitionArn)} was started and may still be running: ` +
      `aws ecs stop-task --cluster ${inputs.cluster} --task ${task.taskArn}`,
  );
  log.info(`Started task ${taskId(task.taskArn)} of ${revisionLabel(target.taskDefinitionArn)}`);

  const timeoutMs = inputs['timeout-minutes'] * 60_000;
  const outcome = await group(`Task ${taskId(task.taskArn)}`, () =>
    followTask({
      ecs,
      clock: options.clock,
      log,
      cluster: inputs.cluster,
      taskArn: task.taskArn!,
      timeoutMs,
      signal: signal,
      interval: options.interval,
    }),
  );

  if (outcome.result === 'stopped') {
    const verdict = judgeTask(outcome.task, target.containerDefinitions);
    report.containers = verdict.containers;
    report.stopped = `${outcome.task.stopCode ?? 'stopped'}: ${outcome.task.stoppedReason ?? 'no reason given'}`;
    log.info(`Task ${taskId(task.taskArn)} stopped: ${report.stopped}`);
    for (const container of verdict.containers) printForeign(`  ${containerLine(container)}`);
    report.status = verdict.succeeded ? 'succeeded' : 'failed';
    const logs = await showLogs(report, outcome.task, target.containerDefinitions, inputs, signal);
    if (!verdict.succeeded) report.failure = `${capitalise(verdict.problems.join('; '))}.${lastErrorLine(logs)}`;
    return;
  }

  const why =
    outcome.result === 'timed-out'
      ? `timeout-minutes (${inputs['timeout-minutes']}) passed before the task stopped`
      : 'the run was cancelled';
  report.status = outcome.result;
  report.failure = `Task ${taskId(task.taskArn)} of ${revisionLabel(target.taskDefinitionArn)} did not finish: ${why}.`;
  // After a cancel only the final phase is left (context.signal has aborted); after a timeout, a few seconds.
  const stopSignal =
    outcome.result === 'cancelled' ? options.context.finalSignal : AbortSignal.timeout(STOP_TIMEOUT_MS);
  const stop = await stopTask(ecs, inputs.cluster, task.taskArn!, `ecs-actions run-task: ${why}`, stopSignal);
  report.stop = stop.stopped ? `Stopped it: ${stop.message}.` : `Tried to stop it but ${stop.message}.`;
  report.stopped = stop.stopped ? 'StopTask sent' : undefined;
  (stop.stopped ? log.info : log.warning)(report.stop);
  if (outcome.task) report.containers = judgeTask(outcome.task, target.containerDefinitions).containers;
  // What the task printed until it was stopped says what it was waiting for.
  if (outcome.task) {
    const logSignal = outcome.result === 'cancelled' ? options.context.finalSignal : signal;
    await showLogs(report, outcome.task, target.containerDefinitions, inputs, logSignal);
  }
}

/** Prints the essential containers' last log lines (never fails the step: a logs problem is one line). */
async function showLogs(
  report: RunReport,
  task: Task,
  containers: ContainerDefinition[],
  inputs: { region?: string; 'log-lines': number },
  signal: AbortSignal,
): Promise<TaskLogs | undefined> {
  const lines = inputs['log-lines'];
  if (lines === 0 || !task.taskArn) return undefined;
  const client = createAwsClient(CloudWatchLogsClient, { region: inputs.region, action: 'run-task', signal });
  const logs = await group('Container log lines', async () => {
    const read = await readTaskLogs(client, task.taskArn!, containers, {
      lines,
      since: task.createdAt ? task.createdAt.getTime() : undefined,
      signal,
    });
    for (const line of formatTaskLogs(read, lines)) log.info(line);
    return read;
  });
  const denied = deniedGroups([logs]);
  if (denied.length > 0) core.notice(deniedNotice(denied));
  report.logs = taskLogsDetails(logs, lines);
  return logs;
}

/** ` Last error line of web: ...` from the logs read, for the failure line; empty when there is none. */
function lastErrorLine(logs: TaskLogs | undefined): string {
  for (const read of logs?.reads ?? []) {
    if (read.status !== 'lines') continue;
    const line = [...read.lines].reverse().find((entry) => isErrorLine(entry.message));
    if (line) return ` Last error line of ${read.source.container}: ${printableLogLine(line.message)}`;
  }
  return '';
}

function names(containers: ContainerDefinition[]): string {
  return containers.map((container) => container.name).join(', ');
}

/** The one `::error::` line: what ran, what went wrong, and what was done about it. */
function failureLine(report: RunReport): string {
  const parts = [
    `One-off task ${report.taskArn ? `${taskId(report.taskArn)} ` : ''}of ${revisionLabel(report.taskDefinitionArn)} ${report.status}:`,
    report.failure ?? 'unknown reason',
  ];
  if (report.stop) parts.push(report.stop);
  return parts.join(' ');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
