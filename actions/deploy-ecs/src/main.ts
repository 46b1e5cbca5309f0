import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';
import {
  CancelledError,
  RunContext,
  UserError,
  errorMessage,
  foreignLine,
  group,
  inputError,
  isCancelled,
  isDeadline,
  isUserError,
  setOutputs,
  systemClock,
  type Clock,
} from '@ecs-actions/action-kit';
import {
  createAwsClient,
  ecsServiceConsoleUrl,
  arnInputs,
  callerScope,
  checkArnsInScope,
  parseArn,
  refuseArnsOutOfScope,
  type ArnInput,
  resolveRegion,
  type AwsTimeouts,
} from '@ecs-actions/aws';
import {
  assertValid,
  readTaskDefinitionFile,
  revisionLabel,
  roleArnInputs,
  validateTaskDefinition,
} from '@ecs-actions/taskdef';
import { readAppSpecFile } from './appspec.js';
import { cancelLine, settleCancel } from './cancel.js';
import { codeDeployFollower } from './codedeploy.js';
import {
  checkRevisionForAppSpec,
  codeDeployPreflight,
  type CodeDeployInputs,
  type CodeDeployTarget,
} from './codedeploy-preflight.js';
import { finishWait, rollOut, type DeployContext } from './deploy.js';
import type { DeploymentFollower, FollowRequest } from './follower.js';
import { DeployPhases } from './phases.js';
import { planLines } from './plan.js';
import { DEFAULT_TIMEOUT_MINUTES, defaultMaxFailedTasks, readInputs, type Inputs } from './inputs.js';
import { checkAccount, preflight, type ServiceBefore } from './preflight.js';
import {
  continueServiceDeployment,
  followServiceDeployment,
  serviceDeploymentsFollower,
} from './service-deployments.js';
import { describeExisting, registerIfChanged } from './register.js';
import type { Logger } from './service.js';
import { buildSummary, type DeployReport } from './summary.js';

export interface Dependencies {
  /** Time; tests pass a FakeClock so that a 30-minute rollout runs in milliseconds. */
  clock: Clock;
  /** Cancel signal and final phase, from runAction. */
  context: RunContext;
  /** Tests: the rollout's (and the rollback's) budget in ms instead of timeout-minutes, whose minimum is 1 minute. */
  timeoutMs: number;
  /** Tests: short per-attempt AWS timeouts. */
  awsTimeouts: Partial<AwsTimeouts>;
  /** How deployments are followed; the service-deployments API (falling back to DescribeServices) unless set. */
  follower: DeploymentFollower;
  /** Milliseconds between polls; the follower's own pacing unless set (tests against the loopback). */
  interval: DeployContext['interval'];
}

const log: Logger = {
  // Log lines quote service events, stopped reasons and container output: foreign text, one line each.
  info: (message) => core.info(foreignLine(message)),
  warning: (message) => core.warning(message),
  notice: (message) => core.notice(message),
};

export async function run(dependencies: Partial<Dependencies> = {}): Promise<void> {
  const clock = dependencies.clock ?? systemClock;
  const started = clock.now();
  const report: DeployReport = {
    status: 'failed',
    durationMs: 0,
    images: [],
    stoppedTasks: [],
    stoppedTaskCount: 0,
    taskLogs: [],
    events: [],
  };
  const context = dependencies.context ?? new RunContext();
  try {
    await deploy(report, { ...dependencies, clock, context });
  } catch (error) {
    if (isCancelled(error) && report.cancelRequest) {
      report.status = 'cancelled';
      report.cancel = await (report.settleCancel ?? settleCancel)({ ...report.cancelRequest(), by: error.by });
      throw new CancelledError(cancelLine(report.cancel), error.by, { cause: error });
    }
    if (isCancelled(error)) {
      report.status = 'cancelled';
      throw error;
    }
    if (isDeadline(error) && !report.deploymentId) {
      const line = report.phase?.() === 'update' ? unconfirmedStart(report, error) : nothingChanged(report, error);
      throw new UserError(line, { cause: error });
    }
    const rolloutFailure = report.failure;
    report.failure ??= errorMessage(error);
    throw isUserError(error) && report.deploymentId
      ? new UserError(startedButUnknown(report, error, rolloutFailure), { cause: error })
      : error;
  } finally {
    report.durationMs = clock.now() - started;
    setOutputs({
      'task-definition-arn': report.taskDefinitionArn ?? '',
      'previous-task-definition-arn': report.previousTaskDefinitionArn ?? '',
      'deployment-id': report.deploymentId ?? '',
      status: report.status,
      'duration-seconds': Math.round(report.durationMs / 1000),
      'service-deployment-arn': report.serviceDeploymentArn ?? '',
      'hook-id': report.hookId ?? '',
      'followed-with': report.followedWith ?? '',
      'rollback-method': report.rollback?.method ?? '',
      'cancel-result': report.cancel?.result ?? '',
      'cancel-detail': report.cancel ? `${report.cancel.state}; ${report.cancel.action}` : '',
    });
    await buildSummary(report).write();
  }
  if (report.status === 'failed' || report.status === 'rolled-back') throw new UserError(failureLine(report));
}

async function deploy(
  report: DeployReport,
  dependencies: Partial<Dependencies> & { clock: Clock; context: RunContext },
): Promise<void> {
  const { clock, context } = dependencies;
  const inputs = readInputs();
  const ref = { cluster: inputs.cluster, service: inputs.service };
  Object.assign(report, ref);
  const region = resolveRegion(inputs.region);
  report.region = region;
  const minutes = inputs['timeout-minutes'] ?? DEFAULT_TIMEOUT_MINUTES;
  const phases = new DeployPhases(
    context,
    clock,
    dependencies.timeoutMs ?? minutes * 60_000,
    dependencies.timeoutMs === undefined
      ? `timeout-minutes (${minutes} minute${minutes === 1 ? '' : 's'})`
      : `${dependencies.timeoutMs} ms`,
  );
  context.standing('nothing was changed yet');
  const follower =
    dependencies.follower ?? serviceDeploymentsFollower({ stopAtPause: inputs['wait-until'] === 'paused' });

  // The file is read and checked before any AWS call: a bad file changes nothing.
  const source = inputs['task-definition'];
  const file =
    source?.kind === 'file'
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

  const appSpecPath = inputs['codedeploy-appspec'];
  const appSpecFile = appSpecPath ? { path: appSpecPath, spec: await readAppSpecFile(appSpecPath) } : undefined;

  // Every call is bounded by the phase it is made in (rollout, diagnosis, rollback, final phase after a cancel).
  const clientOptions = {
    region: inputs.region,
    action: 'deploy-ecs',
    signal: () => phases.signal,
    timeouts: dependencies.awsTimeouts,
  };
  const ecs = createAwsClient(ECSClient, clientOptions);
  // The follower's polls, RegisterTaskDefinition and UpdateService (the deploy's, the rollback's, a cancel's) back
  // off with jitter themselves (the pacing, sendWithBackoff): the SDK's quick retries would spend the bucket again.
  // One attempt means standard retries (createAwsClient): no adaptive rate limiter sleeping on the real clock
  // outside the phase's deadline, the cancel and the injected clock; this back-off is the only one.
  const pollEcs = createAwsClient(ECSClient, { ...clientOptions, maxAttempts: 1 });
  report.logLines = inputs['log-lines'];
  const logs =
    inputs['log-lines'] > 0
      ? {
          // Two attempts: the lines are a courtesy, the rollback must not wait for them.
          client: createAwsClient(CloudWatchLogsClient, { ...clientOptions, maxAttempts: 2 }),
          lines: inputs['log-lines'],
          notice: (message: string) => core.notice(message),
        }
      : undefined;
  const deployContext: DeployContext = {
    ecs,
    pollEcs,
    clock,
    log,
    group,
    region,
    phases,
    follower,
    interval: dependencies.interval,
    logs,
  };
  const known: { before?: Awaited<ReturnType<typeof preflight>> } = {};
  // What a cancel needs to settle things, read when it comes.
  report.phase = () => phases.phase;
  report.cancelRequest = () => {
    const phase = phases.startFinal();
    return {
      ...ref,
      ecs,
      pollEcs,
      clock,
      log,
      region,
      phase,
      // The final phase's, read after startFinal: the rollout's signal has aborted with the cancel.
      signal: phases.signal,
      finalPhaseMs: phases.remaining(),
      onCancel: inputs['on-cancel'],
      beforePrimaryId: known.before?.primary?.id,
      previousTaskDefinitionArn: report.previousTaskDefinitionArn,
      taskDefinitionArn: report.taskDefinitionArn,
      deploymentId: report.deploymentId,
      rollbackDeploymentId: report.rollbackDeploymentId,
      rollbackBy: report.rollbackBy,
    };
  };
  const expectedAccountId = inputs['expected-account-id'];
  const arns: ArnInput[] = [
    { input: 'cluster', value: inputs.cluster },
    { input: 'service', value: inputs.service },
    { input: 'task-definition', value: source?.kind === 'existing' ? source.reference : undefined },
  ];
  let account: string | undefined;
  if (expectedAccountId !== undefined || arnInputs(arns).length > 0) {
    const sts = createAwsClient(STSClient, clientOptions);
    account = await group('Account', async () => {
      const caller =
        expectedAccountId !== undefined
          ? await checkAccount(sts, expectedAccountId)
          : (await callerScope(sts, region)).account;
      // An ARN of another account or region is refused before any change.
      checkArnsInScope(arns, { account: caller, region });
      log.info(`Credentials belong to account ${caller}`);
      return caller;
    });
  }
  const before = await group('Pre-flight', () => preflight(ecs, ref, region, log));
  if (file && source?.kind === 'file') {
    // The file's roles against the account: the one read above, else the service's own, so no STS call is needed.
    const roles = roleArnInputs('task-definition', source.path, file.taskDefinition);
    account ??= before.serviceArn ? parseArn(before.serviceArn)?.account : undefined;
    if (account !== undefined) checkArnsInScope(roles, { account, region });
    else await refuseArnsOutOfScope(roles, clientOptions);
  }
  known.before = before;
  report.previousTaskDefinitionArn = before.previousTaskDefinitionArn;
  const codeDeploy = await codeDeployPlan(before, inputs, clientOptions, appSpecFile, file?.taskDefinition, source);
  if (codeDeploy) {
    deployContext.follower = codeDeployFollower(codeDeploy.client, codeDeploy.target);
    report.settleCancel = deployContext.follower.settleCancel;
  }
  report.plan = before.plan;
  if (inputs['timeout-minutes'] === undefined && dependencies.timeoutMs === undefined) {
    const total = DEFAULT_TIMEOUT_MINUTES + before.plan.addedMinutes;
    phases.extend(before.plan.addedMinutes * 60_000, `default timeout (${total} minutes: 30 + bake and step time)`);
    if (before.plan.addedMinutes > 0)
      log.info(`Waiting up to ${total} min (30 + ${before.plan.addedMinutes} of bake and step time)`);
  }
  if (inputs.continue) {
    await resume(deployContext, inputs, inputs.continue, before, report);
    return;
  }
  if (inputs['wait-until'] === 'paused' && !before.plan.pauseStages.length) {
    throw new UserError(
      `Input 'wait-until': paused needs a PAUSE lifecycle hook on service '${before.serviceName}', which has none ` +
        `(strategy ${before.plan.strategy}); nothing was changed. Add a hook with targetType PAUSE at ` +
        'POST_TEST_TRAFFIC_SHIFT (docs/setup.md), or use wait-until: completed.',
    );
  }
  phases.enter('register');

  const target = await group('Task definition revision', () =>
    source!.kind === 'existing'
      ? describeExisting(ecs, source!.reference, log)
      : registerIfChanged(ecs, file!.taskDefinition, log, `Input 'task-definition': ${source!.path}`, {
          ecs: pollEcs,
          clock,
          signal: phases.signal,
          warn: (message) => log.warning(message),
        }),
  );
  Object.assign(report, { taskDefinitionArn: target.taskDefinitionArn, origin: target.origin, images: target.images });
  if (codeDeploy && source?.kind === 'existing') {
    checkRevisionForAppSpec(codeDeploy.target, target.containerDefinitions, revisionLabel(target.taskDefinitionArn));
  }
  // A tag can be moved to another image after the deploy; the summary line alone is easy to miss.
  for (const image of target.images.filter((candidate) => candidate.digest === undefined)) {
    log.warning(
      `Container ${image.container} runs ${foreignLine(image.image)}, a mutable tag: the image behind it can change ` +
        'without a deploy, and a rollback may not restore what ran. Pin it by digest (<repository>@sha256:<64 hex>).',
    );
  }

  await rollOut(
    deployContext,
    {
      ...ref,
      before,
      target,
      wait: inputs.wait,
      timeoutMs: phases.timeoutMs,
      rollback: inputs.rollback,
      maxFailedTasks: inputs['max-failed-tasks'],
      forceNewDeployment: inputs['force-new-deployment'],
      desiredCount: inputs['desired-count'],
    },
    report,
  );
}

/**
 * The `continue` mode: resumes a deployment a PAUSE hook holds (ContinueServiceDeployment CONTINUE or ROLLBACK)
 * and follows it to its end, with the same reporting and rollback as a deploy.
 */
async function resume(
  context: DeployContext,
  inputs: Inputs,
  resumeWith: NonNullable<Inputs['continue']>,
  before: ServiceBefore,
  report: DeployReport,
): Promise<void> {
  const ref = { cluster: inputs.cluster, service: inputs.service };
  const primary = before.primary;
  Object.assign(report, {
    taskDefinitionArn: primary?.taskDefinitionArn,
    origin: 'existing',
    deploymentId: primary?.id,
    serviceDeploymentArn: resumeWith.serviceDeploymentArn,
  });
  context.phases?.enter('wait');
  await group(`ContinueServiceDeployment ${resumeWith.action}`, async () => {
    await continueServiceDeployment(context.ecs, resumeWith.serviceDeploymentArn, resumeWith.hookId, resumeWith.action);
    log.info(`Hook ${resumeWith.hookId} of ${resumeWith.serviceDeploymentArn}: ${resumeWith.action}`);
  });
  const timeoutMs = context.phases?.timeoutMs ?? DEFAULT_TIMEOUT_MINUTES * 60_000;
  const followRequest: FollowRequest = {
    ecs: context.ecs,
    clock: context.clock,
    log,
    region: context.region,
    ...ref,
    deploymentId: primary?.id ?? '',
    startedAt: primary?.createdAt?.getTime() ?? context.clock.now(),
    timeoutMs: context.phases?.rolloutRemaining() ?? timeoutMs,
    maxFailedTasks: inputs['max-failed-tasks'] ?? defaultMaxFailedTasks(before.desiredCount),
    seenEventIds: before.eventIds,
    signal: context.phases?.signal,
    interval: context.interval,
    pollEcs: context.pollEcs,
  };
  const waited = await group(`Waiting for ${resumeWith.serviceDeploymentArn}`, () =>
    followServiceDeployment(followRequest, resumeWith.serviceDeploymentArn, { stopAtPause: false }),
  );
  const target = {
    taskDefinitionArn: primary?.taskDefinitionArn ?? '',
    origin: 'existing' as const,
    images: [],
    containerDefinitions: [],
  };
  await finishWait(
    context,
    { ...ref, before, target, rollback: inputs.rollback, timeoutMs },
    report,
    followRequest,
    context.follower!,
    waited,
  );
}

const CODEDEPLOY_INPUTS = ['codedeploy-application', 'codedeploy-deployment-group', 'codedeploy-appspec'] as const;

/**
 * For a CODE_DEPLOY service: refuses what CodeDeploy cannot do here, checks the application, deployment group and
 * AppSpec (against the file's containers too, before it is registered) and replaces the plan with CodeDeploy's.
 * The codedeploy inputs on any other service are a mistake: refused, nothing changed.
 */
async function codeDeployPlan(
  before: ServiceBefore,
  inputs: Inputs,
  clientOptions: Parameters<typeof createAwsClient>[1],
  appSpecFile: CodeDeployInputs['appSpecFile'],
  file: Awaited<ReturnType<typeof readTaskDefinitionFile>>['taskDefinition'] | undefined,
  source: Inputs['task-definition'],
): Promise<{ client: CodeDeployClient; target: CodeDeployTarget } | undefined> {
  const service = before.codeDeployService;
  if (!service) {
    const given = CODEDEPLOY_INPUTS.find((name) => inputs[name] !== undefined);
    if (given)
      throw inputError(
        given,
        `service '${before.serviceName}' uses the ECS deployment controller, not CODE_DEPLOY; remove the codedeploy ` +
          'inputs (nothing was changed)',
      );
    return undefined;
  }
  if (inputs.continue || inputs['wait-until'] === 'paused') {
    throw inputError(
      inputs.continue ? 'continue' : 'wait-until',
      `service '${before.serviceName}' is CODE_DEPLOY: pausing and resuming are ECS service-deployment hooks; ` +
        'use an AppSpec hook (codedeploy-appspec) instead (nothing was changed)',
    );
  }
  if (inputs['desired-count'] !== undefined) {
    throw inputError(
      'desired-count',
      `service '${before.serviceName}' is CODE_DEPLOY: its task sets follow the service's desired count; change it ` +
        'with UpdateService apart from the deploy (nothing was changed)',
    );
  }
  const client = createAwsClient(CodeDeployClient, clientOptions);
  const { target, plan } = await group('CodeDeploy pre-flight', async () => {
    const planned = await codeDeployPreflight(
      client,
      service,
      inputs.cluster,
      {
        application: inputs['codedeploy-application'],
        deploymentGroup: inputs['codedeploy-deployment-group'],
        appSpecFile,
      },
      log,
    );
    for (const line of planLines(planned.plan)) log.info(line);
    return planned;
  });
  if (file && source?.kind === 'file') checkRevisionForAppSpec(target, file.containerDefinitions ?? [], source.path);
  before.plan = plan;
  return { client, target };
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
  const url = deploymentsUrl(report);
  if (url) parts.push(`See ${url}`);
  return parts.join(' ');
}

/** The service's deployments in the ECS console, once pre-flight knows where the service is. */
function deploymentsUrl(report: DeployReport): string | undefined {
  return report.region && report.cluster && report.service
    ? ecsServiceConsoleUrl(report.region, report.cluster, report.service, 'deployments')
    : undefined;
}

/** An error after UpdateService leaves a rollout nobody watches: say so, and where to look. */
function startedButUnknown(report: DeployReport, error: Error, rolloutFailure: string | undefined): string {
  const url = deploymentsUrl(report);
  const where = url ? `: see ${url}` : '';
  const started = `Deployment ${report.deploymentId} of ${revisionLabel(report.taskDefinitionArn)} had started`;
  const previous = revisionLabel(report.previousTaskDefinitionArn);
  const failed = rolloutFailure ? ` and failed (${rolloutFailure})` : '';
  const state = report.rollbackDeploymentId
    ? `${started}${failed}; the rollback to ${previous} (deployment ${report.rollbackDeploymentId}) was not confirmed`
    : rolloutFailure
      ? `${started}${failed}; the service may still be on it: the rollback to ${previous} was not started or not confirmed`
      : `${started}; its outcome was not followed to the end`;
  return `${error.message.replace(/\.$/, '')}. ${state}${where}`;
}

/**
 * A deadline that passed while the request to deploy (UpdateService, or CodeDeploy's CreateDeployment) was in
 * flight: ECS or CodeDeploy may have acted on it, so nothing is claimed either way.
 */
function unconfirmedStart(report: DeployReport, error: Error): string {
  const target = revisionLabel(report.taskDefinitionArn);
  const before = report.previousTaskDefinitionArn
    ? `; the service ran ${revisionLabel(report.previousTaskDefinitionArn)} before`
    : '';
  const url = deploymentsUrl(report);
  return (
    `${error.message.replace(/\.$/, '')}. The deployment of ${target} was requested but not confirmed: it may or ` +
    `may not have started${before}, and nothing was rolled back. Check the service's deployments before ` +
    `deploying again.${url ? ` See ${url}` : ''}`
  );
}

/** What a user error before UpdateService leaves: nothing changed. */
function nothingChanged(report: DeployReport, error: Error): string {
  const previous = report.previousTaskDefinitionArn
    ? `: the service still runs ${revisionLabel(report.previousTaskDefinitionArn)}`
    : '';
  return `${error.message.replace(/\.$/, '')}. Nothing was changed${previous}.`;
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
