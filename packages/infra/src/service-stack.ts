import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface ServiceStackProps extends StackProps {
  /** The stack's account and region, both explicit: the deploy role's policy names them. */
  readonly env: { account: string; region: string };
  /**
   * The availability zones the VPC spreads over. Without this override a stack with an explicit account and region
   * looks its zones up in the account at synth time, which needs credentials and the network.
   * @default the region's first two zones, chosen by CloudFormation at deploy time (Fn::GetAZs)
   */
  readonly availabilityZones?: string[];
}

/** A stack for one environment that synthesizes offline: explicit account and region, no zone lookup. */
export class ServiceStack extends Stack {
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    this.zones = props.availabilityZones ?? [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }

  override get availabilityZones(): string[] {
    return this.zones;
  }
}
