import type { HandlerExecutionContext, MiddlewareStack } from '@smithy/types';
import { inputError, UserError } from '@ecs-actions/action-kit';
import { translateAwsError } from './errors.js';

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The region from the action's `region` input, else AWS_REGION, else AWS_DEFAULT_REGION
 * (the order aws-actions/configure-aws-credentials and the AWS CLI use).
 */
export function resolveRegion(input: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const candidates: Array<[string, string | undefined, (problem: string) => Error]> = [
    ['region', input, (problem) => inputError('region', problem)],
    ['AWS_REGION', env.AWS_REGION, (problem) => new UserError(`Environment variable AWS_REGION: ${problem}`)],
    [
      'AWS_DEFAULT_REGION',
      env.AWS_DEFAULT_REGION,
      (problem) => new UserError(`Environment variable AWS_DEFAULT_REGION: ${problem}`),
    ],
  ];
  for (const [, value, fail] of candidates) {
    const region = value?.trim();
    if (!region) continue;
    if (!REGION_PATTERN.test(region))
      throw fail(`"${region}" is not an AWS region; expected a region code such as eu-west-1`);
    return region;
  }
  throw new UserError(
    "No AWS region: set the input 'region', or AWS_REGION / AWS_DEFAULT_REGION " +
      '(aws-actions/configure-aws-credentials sets AWS_REGION from its aws-region input).',
  );
}

export interface AwsClientOptions {
  /** The action's `region` input, if it has one. */
  region?: string;
  /** The action's name, for the user agent: `ecs-actions/<action>/<version>`. */
  action: string;
  /** Attempts per call, including the first; throttling and 5xx are retried with adaptive back-off. */
  maxAttempts?: number;
}

interface ClientConfig {
  region?: string;
  retryMode?: string;
  maxAttempts?: number;
  customUserAgent?: string;
}

// The SDK clients' middleware stacks are typed per client; only `add` is used here.
interface WithMiddleware {
  middlewareStack: Pick<MiddlewareStack<any, any>, 'add'>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** The version users pinned (`@v1`), from the runner; `dev` outside one. */
export function actionVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_ACTION_REF?.trim() || 'dev';
}

/**
 * Builds any AWS SDK v3 client the same way: region resolved as above, adaptive retries with a bounded
 * number of attempts, an `ecs-actions/<action>/<version>` user agent, and credential/permission errors
 * translated into one user error naming the API call. No endpoint is set here, so the SDK's standard
 * overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECS, ...) keep working.
 */
export function createAwsClient<C extends WithMiddleware>(
  ClientClass: new (config: ClientConfig) => C,
  options: AwsClientOptions,
): C {
  const client = new ClientClass({
    region: resolveRegion(options.region),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    customUserAgent: `ecs-actions/${options.action}/${actionVersion()}`,
  });
  client.middlewareStack.add(
    (next, context: HandlerExecutionContext) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw translateAwsError(error, context);
      }
    },
    // At the initialize step the translation wraps the SDK's retries: it sees only the final error.
    { step: 'initialize', name: 'ecsActionsErrorTranslation', priority: 'high' },
  );
  return client;
}
