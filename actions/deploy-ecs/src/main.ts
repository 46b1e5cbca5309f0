import * as core from '@actions/core';
import { ECSClient } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';
import {
  UserError,
  errorMessage,
  group,
  isUserError,
  setOutputs,
  systemClock,
  type Clock,
  type RunContext,
} from '@ecs-actions/action-kit';
import { createAwsClient, ecsServiceConsoleUrl, resolveRegion } from '@ecs-actions/aws';
import { assertValid, readTaskDefinitionFile, revisionLabel, validateTaskDefinition } from '@ecs-actions/taskdef';
import { rollOut } from './deploy.js';
import { readInputs } from './inputs.js';
import { checkAccount, preflight } from './preflight.js';
import { describeExisting, registerIfChanged } from './register.js';
import type { Logger } from './service.js';
import { buildSummary, type DeployReport } from './summary.js';

export interface Dependencies {
  /** Time; tests pass a FakeClock so that a 30-minute rollout runs in milliseconds. */
  clock: Clock;
  /** Cancel signal and final phase, from runAction. */
  context: RunContext;
}

const log: Logger = { info: (message) => core.info(message), warning: (message) => core.warning(message) };

export async function run(dependencies: Partial<Dependencies> = {}): Promise<void> {
  const clock = dependencies.clock ?? systemClock;
  const started = clock.now();
  const report: DeployReport = {
    status: 'failed',
    durationMs: 0,
    images: [],
    stoppedTasks: [],
    stoppedTaskCount: 0,
    events: [],
  };
  try {
    await deploy(report, clock);
  } catch (error) {
    report.failure ??= errorMessage(error);
    throw isUserError(error) && report.deploymentId
      ? new UserError(startedButUnknown(report, error), { cause: error })
      : error;
  } finally {
    report.durationMs = clock.now() - started;
    setOutputs({
      'task-definition-arn': report.taskDefinitionArn ?? '',
      'previous-task-definition-arn': report.previousTaskDefinitionArn ?? '',
      'deployment-id': report.deploymentId ?? '',
      status: report.status,
      'duration-seconds': Math.round(report.durationMs / 1000),
    });
    await buildSummary(report).write();
  }
  if (report.status === 'failed' || report.status === 'rolled-back') throw new UserError(failureLine(report));
}

async function deploy(report: DeployReport, clock: Clock): Promise<void> {
  const inputs = readInputs();
  const ref = { cluster: inputs.cluster, service: inputs.service };
  Object.assign(report, ref);
  const region = resolveRegion(inputs.region);
  report.region = region;

  // The file is read and checked before any AWS call: a bad file changes nothing.
  const source = inputs['task-definition'];
  const file =
    source.kind === 'file'
      ? await group(`Task definition ${source.path}`, async () => {
          const prepared = await readTaskDefinitionFile('task-definition', source.path);
          // The checks render-taskdef runs, before any AWS call: ECS would refuse the file minutes later.
          const validation = validateTaskDefinition(prepared.taskDefinition);
          validation.warnings.forEach((warning) => log.warning(warning));
          assertValid(validation, `Input 'task-definition': ${source.path}`);
          if (prepared.strippedKeys.length > 0) {
            core.notice(
              `${source.path}: removed read-only keys ${prepared.strippedKeys.join(', ')} (DescribeTaskDefinition ` +
                'returns them, RegisterTaskDefinition refuses them)',
            );
          }
          const { family, containerDefinitions = [] } = prepared.taskDefinition;
          log.info(
            `${source.path}: family ${family}, containers ${containerDefinitions.map((c) => c.name).join(', ')}`,
          );
          return prepared;
        })
      : undefined;

  const ecs = createAwsClient(ECSClient, { region: inputs.region, action: 'deploy-ecs' });
  const expectedAccountId = inputs['expected-account-id'];
  if (expectedAccountId !== undefined) {
    const sts = createAwsClient(STSClient, { region: inputs.region, action: 'deploy-ecs' });
    await group('Account', async () =>
      log.info(`Credentials belong to account ${await checkAccount(sts, expectedAccountId)}`),
    );
  }
  const before = await group('Pre-flight', () => preflight(ecs, ref, region, log));
  report.previousTaskDefinitionArn = before.previousTaskDefinitionArn;

  const target = await group('Task definition revision', () =>
    source.kind === 'existing'
      ? describeExisting(ecs, source.reference, log)
      : registerIfChanged(ecs, file!.taskDefinition, log),
  );
  Object.assign(report, { taskDefinitionArn: target.taskDefinitionArn, origin: target.origin, images: target.images });

  await rollOut(
    { ecs, clock, log, group, region },
    {
      ...ref,
      before,
      target,
      wait: inputs.wait,
      timeoutMs: inputs['timeout-minutes'] * 60_000,
      rollback: inputs.rollback,
      maxFailedTasks: inputs['max-failed-tasks'],
      forceNewDeployment: inputs['force-new-deployment'],
      desiredCount: inputs['desired-count'],
    },
    report,
  );
}

/** The one `::error::` line of a failed rollout: what failed, why, and where the service is now. */
function failureLine(report: DeployReport): string {
  const revision = revisionLabel(report.taskDefinitionArn);
  const parts = [
    `Deployment ${report.deploymentId ?? ''} of ${revision} failed: ${report.failure ?? 'unknown reason'}.`,
  ];
  const [firstStopped] = report.stoppedTasks;
  if (firstStopped) {
    parts.push(
      `Last stopped task: ${firstStopped.stoppedReason ?? 'no reason given'}` + containersOf(firstStopped) + '.',
    );
  }
  if (report.status === 'rolled-back') parts.push(`Rolled back: ${report.rollback!.message}.`);
  else if (report.rollback) parts.push(`${capitalise(report.rollback.message)}; the service needs attention.`);
  else parts.push(`The service was not rolled back and needs attention.`);
  if (report.region && report.cluster && report.service) {
    parts.push(`See ${ecsServiceConsoleUrl(report.region, report.cluster, report.service, 'deployments')}`);
  }
  return parts.join(' ');
}

/** An error after UpdateService leaves a rollout nobody watches: say so, and where to look. */
function startedButUnknown(report: DeployReport, error: Error): string {
  const where =
    report.region && report.cluster && report.service
      ? `: see ${ecsServiceConsoleUrl(report.region, report.cluster, report.service, 'deployments')}`
      : '';
  return `${error.message} Deployment ${report.deploymentId} of ${revisionLabel(report.taskDefinitionArn)} had started; its outcome was not followed to the end${where}`;
}

function containersOf(task: DeployReport['stoppedTasks'][number]): string {
  const exited = task.containers.filter((container) => container.exitCode !== undefined || container.reason);
  return exited.length > 0
    ? ` (${exited.map((container) => `${container.name} exit ${container.exitCode ?? '?'}${container.reason ? `: ${container.reason}` : ''}`).join('; ')})`
    : '';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
