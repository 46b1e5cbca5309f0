import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { group, setOutputs, systemClock, UserError, type Clock, type RunContext } from '@ecs-actions/action-kit';
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
  const inputs = readInputs();
  const ecs = createAwsClient(ECSClient, { region: inputs.region, action: 'verify-targets' });
  const elbv2 = createAwsClient(ElasticLoadBalancingV2Client, { region: inputs.region, action: 'verify-targets' });

  const result = await group('Verify load balancer targets', () =>
    verifyTargets({
      ecs,
      elbv2,
      cluster: inputs.cluster,
      service: inputs.service,
      targetGroupArns: inputs['target-group-arns'],
      taskDefinitionArn: inputs['task-definition-arn'],
      expectedDigests: inputs['expected-digests'],
      timeoutMs: inputs['timeout-seconds'] * 1000,
      clock,
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
  if (!result.verified) throw new UserError(result.failure ?? 'Targets not verified');
}
