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
import { createAwsClient } from '@ecs-actions/aws';
import { readInputs } from './inputs.js';
import { targetsSummary } from './summary.js';
import { verifyTargets, type TargetReport } from './verify.js';

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

  setOutputs({
    'healthy-count': result.healthyCount,
    targets: result.targets.map(publicTarget),
    'digest-verified': result.digestVerified,
  });
  await targetsSummary(
    { cluster: inputs.cluster, service: inputs.service, expectedDigests: inputs['expected-digests'] },
    result,
  ).write();
  if (result.stopped && isCancelled(result.stopped)) {
    throw new CancelledError(result.failure ?? result.stopped.message, result.stopped.by, { cause: result.stopped });
  }
  if (!result.verified) throw new UserError(result.failure ?? 'Targets not verified');
}
