import { AwsError } from './errors.js';

/**
 * ECS's request throttling: one token bucket per group of APIs, per account and region (one loopback is one account
 * in one region). A bucket holds `burst` tokens and refills at `perSecond`; a request finding it empty is answered
 * ThrottlingException, as ECS does. APIs not listed are not limited here.
 */
export interface BucketSpec {
  apis: string[];
  burst: number;
  perSecond: number;
}

/** The figures ECS documents for the APIs deploy-ecs calls while it waits. */
export const ECS_BUCKETS: BucketSpec[] = [
  { apis: ['DescribeServices', 'ListServices'], burst: 100, perSecond: 20 },
  { apis: ['DescribeServiceDeployments', 'ListServiceDeployments'], burst: 50, perSecond: 20 },
  { apis: ['UpdateService'], burst: 50, perSecond: 5 },
];

export class TokenBuckets {
  private readonly buckets: Array<BucketSpec & { tokens: number; refilledAt: number }>;

  constructor(
    specs: BucketSpec[],
    private readonly now: () => number,
  ) {
    this.buckets = specs.map((spec) => ({ ...spec, tokens: spec.burst, refilledAt: now() }));
  }

  /** Takes a token for the operation, or throws ThrottlingException when its bucket is empty. */
  take(operation: string): void {
    const bucket = this.buckets.find((candidate) => candidate.apis.includes(operation));
    if (!bucket) return;
    const now = this.now();
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * bucket.perSecond);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) throw new AwsError('ThrottlingException', 'Rate exceeded');
    bucket.tokens -= 1;
  }
}
