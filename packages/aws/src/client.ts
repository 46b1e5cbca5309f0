import type { HandlerExecutionContext, MiddlewareStack } from '@smithy/types';
import { abortable, inputError, UserError } from '@ecs-actions/action-kit';
import { abortedCallError, translateAwsError, translateNetworkError, type CallContext } from './errors.js';

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
  /** Attempts per call, including the first; throttling and 5xx are retried with the SDK's back-off. */
  maxAttempts?: number;
  /**
   * `adaptive` (after a throttle the SDK also limits the client's send rate, waiting on the real clock) unless
   * maxAttempts is 1, then `standard`, which has no such limiter: a one-attempt client is one whose caller backs off
   * itself (sendWithBackoff, the followers' pacing), bounded by its deadline and cancel signal on its injected clock,
   * and the limiter would be a second back-off that none of them governs.
   */
  retryMode?: 'adaptive' | 'standard';
  /**
   * Cancel and deadline (see withDeadline in action-kit): every call of the client, its retries and back-off
   * included, ends as soon as it aborts, with a CancelledError or DeadlineError naming the call and endpoint.
   * A function is read at each call, for a client that outlives one phase's deadline.
   */
  signal?: AbortSignal | (() => AbortSignal | undefined);
  /** Per-attempt limits; tests inject short ones (see DEFAULT_TIMEOUTS). */
  timeouts?: Partial<AwsTimeouts>;
}

export interface AwsTimeouts {
  /** To establish the TCP (and TLS) connection. */
  connectionMs: number;
  /** From sending the request to the whole response; an endpoint that accepts and never answers ends here. */
  responseMs: number;
}

/** ECS, ECR, ELB and STS answer in well under a second; these only catch endpoints that stopped answering. */
export const DEFAULT_TIMEOUTS: AwsTimeouts = { connectionMs: 5_000, responseMs: 20_000 };

interface ClientConfig {
  region?: string;
  retryMode?: string;
  maxAttempts?: number;
  customUserAgent?: string;
  requestHandler?: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
}

// The SDK clients' middleware stacks are typed per client; only `add` is used here.
interface WithMiddleware {
  middlewareStack: Pick<MiddlewareStack<any, any>, 'add'>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;

/** Where the middleware keeps the endpoint of the call, for the message of a call that did not answer. */
const ENDPOINT = Symbol('ecs-actions.endpoint');
type CallRecord = HandlerExecutionContext & { [ENDPOINT]?: string };

export const DEFAULT_MAX_ATTEMPTS = 5;

/** The version users pinned (`@v1`), from the runner; `dev` outside one. */
export function actionVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_ACTION_REF?.trim() || 'dev';
}

/**
 * Builds any AWS SDK v3 client the same way: region resolved as above, adaptive retries with a bounded
 * number of attempts (standard for a one-attempt client, see retryMode), an `ecs-actions/<action>/<version>` user agent, and credential/permission errors
 * translated into one user error naming the API call. No endpoint is set here, so the SDK's standard
 * overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECS, ...) keep working.
 *
 * Every attempt has a connection and a response timeout (a timed-out attempt is retried like a network fault),
 * and `options.signal` bounds the whole call: retries happen only within the deadline's remaining budget.
 */
export function createAwsClient<C extends WithMiddleware>(
  ClientClass: new (config: ClientConfig) => C,
  options: AwsClientOptions,
): C {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const client = new ClientClass({
    region: resolveRegion(options.region),
    retryMode: options.retryMode ?? (maxAttempts === 1 ? 'standard' : 'adaptive'),
    maxAttempts,
    customUserAgent: `ecs-actions/${options.action}/${actionVersion()}`,
    requestHandler: {
      connectionTimeout: timeouts.connectionMs,
      requestTimeout: timeouts.responseMs,
      throwOnRequestTimeout: true,
    },
  });
  const signalOf = typeof options.signal === 'function' ? options.signal : () => options.signal as AbortSignal;
  client.middlewareStack.add(
    (next, context: CallRecord) => async (args) => {
      const signal = signalOf();
      const call = (): CallContext & { endpoint?: string } => ({ ...context, endpoint: context[ENDPOINT] });
      try {
        // The race also ends the SDK's retry back-off, which takes no signal.
        return await abortable(next(args), signal, (reason) => abortedCallError(reason, call()));
      } catch (error) {
        const translated = translateAwsError(error, context);
        return Promise.reject(
          translated === error ? translateNetworkError(error, call(), timeouts, maxAttempts) : translated,
        );
      }
    },
    // At the initialize step the translation wraps the SDK's retries: it sees only the final error.
    { step: 'initialize', name: 'ecsActionsErrorTranslation', priority: 'high' },
  );
  client.middlewareStack.add(
    (next, context: CallRecord) => async (args) => {
      const request = args.request as { protocol?: string; hostname?: string; port?: number };
      if (request.hostname) {
        context[ENDPOINT] =
          `${request.protocol ?? 'https:'}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'ecsActionsEndpoint', priority: 'low' },
  );
  // The signal also reaches the HTTP handler, so an aborted call closes its socket at once.
  const send = (client as unknown as { send: Send }).send.bind(client);
  (client as unknown as { send: Send }).send = (command, sendOptions) => {
    const abortSignal = sendOptions?.abortSignal ?? signalOf();
    return send(command, abortSignal ? { ...sendOptions, abortSignal } : sendOptions);
  };
  return client;
}
