import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UserError } from '@ecs-actions/action-kit';
import { createAwsClient, resolveRegion, type AwsClientOptions } from './client.js';

/** The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  partition: string;
  service: string;
  /** Empty for global services such as IAM. */
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): Arn | undefined {
  const match = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/.exec(value);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match as unknown as string[];
  return { partition: partition!, service: service!, region: region!, account: account!, resource: resource! };
}

/** Where the credentials act: their account (STS GetCallerIdentity, which needs no permission) and the region. */
export interface CallerScope {
  account: string;
  region: string;
}

export async function callerScope(sts: STSClient, region: string): Promise<CallerScope> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account');
  return { account: identity.Account, region };
}

/** An input holding an ARN, or a value that may be one (a name is not checked). */
export interface ArnInput {
  input: string;
  value: string | undefined;
  /** Where in the input the ARN sits, for an ARN inside a file: `taskdef.json taskRoleArn`. */
  where?: string;
}

/** The inputs that hold an ARN, for deciding whether the caller's account is needed at all. */
export function arnInputs(inputs: ArnInput[]): Array<ArnInput & { value: string }> {
  return inputs.filter((item): item is ArnInput & { value: string } => item.value?.startsWith('arn:') === true);
}

/**
 * Refuses, before any change, an ARN input of another account or region than the credentials act in: a dev
 * workflow handed a prod revision's ARN must not move a service to it. IAM ARNs have no region.
 */
export function checkArnsInScope(inputs: ArnInput[], scope: CallerScope): void {
  for (const { input, value, where: field } of arnInputs(inputs)) {
    const arn = parseArn(value);
    if (!arn) continue; // the input's own check says what form it expects
    const where = `account ${arn.account}${arn.region ? ` in ${arn.region}` : ''}`;
    const expected = `account ${scope.account}${arn.region ? ` in ${scope.region}` : ''}`;
    if (arn.account !== scope.account || (arn.region !== '' && arn.region !== scope.region)) {
      throw new UserError(
        `Input '${input}': ${field ? `${field} ` : ''}${value} belongs to ${where}, but the AWS credentials act in ${expected}; ` +
          'nothing was changed. Use an ARN of this account and region, or the credentials of the other account.',
      );
    }
  }
}

/**
 * checkArnsInScope for an action that does not otherwise need the caller's account: STS GetCallerIdentity is
 * called only when one of the inputs holds an ARN. Returns the scope read, or undefined when none was needed.
 */
export async function refuseArnsOutOfScope(
  inputs: ArnInput[],
  clientOptions: AwsClientOptions,
): Promise<CallerScope | undefined> {
  if (arnInputs(inputs).length === 0) return undefined;
  const region = resolveRegion(clientOptions.region);
  const scope = await callerScope(createAwsClient(STSClient, clientOptions), region);
  checkArnsInScope(inputs, scope);
  return scope;
}
