import {
  CancelledError,
  DeadlineError,
  UserError,
  errorMessage,
  foreignLine,
  formatDuration,
  isCancelled,
  isDeadline,
  isUserError,
} from '@ecs-actions/action-kit';

/** Facts about the failed call, taken from the SDK's middleware context. */
export interface CallContext {
  /** e.g. `ECSClient` */
  clientName?: string;
  /** e.g. `DescribeServicesCommand` */
  commandName?: string;
  /** e.g. `https://ecs.eu-west-1.amazonaws.com`, once the request was built. */
  endpoint?: string;
}

const SERVICES: Record<string, { label: string; iamPrefix: string }> = {
  ECSClient: { label: 'ECS', iamPrefix: 'ecs' },
  ECRClient: { label: 'ECR', iamPrefix: 'ecr' },
  STSClient: { label: 'STS', iamPrefix: 'sts' },
  ElasticLoadBalancingV2Client: { label: 'Elastic Load Balancing', iamPrefix: 'elasticloadbalancing' },
  CloudWatchLogsClient: { label: 'CloudWatch Logs', iamPrefix: 'logs' },
  CodeDeployClient: { label: 'CodeDeploy', iamPrefix: 'codedeploy' },
};

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID = new Set([
  'UnrecognizedClient',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'NotAuthorized',
]);
const NO_CREDENTIALS = new Set(['CredentialsProviderError']);
// AWS refusing the request itself: a bad parameter the user gave (a task definition ECS will not register).
const REFUSED = new Set([
  'ClientException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'InvalidParameterCombination',
  'ValidationError',
  'ValidationException',
]);

const ACCESS_KEY_PATTERN = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

/** Describes the API call for messages: `ECS DescribeServices (IAM action ecs:DescribeServices)`. */
export function describeCall(context: CallContext): { api: string; iamAction: string } {
  const service = SERVICES[context.clientName ?? ''] ?? {
    label: (context.clientName ?? 'AWS').replace(/Client$/, ''),
    iamPrefix: (context.clientName ?? 'aws').replace(/Client$/, '').toLowerCase(),
  };
  const operation = (context.commandName ?? 'request').replace(/Command$/, '');
  return { api: `${service.label} ${operation}`, iamAction: `${service.iamPrefix}:${operation}` };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { name?: unknown; Code?: unknown; code?: unknown };
  for (const value of [candidate.name, candidate.Code, candidate.code]) {
    if (typeof value === 'string' && value !== 'Error') return value;
  }
  return undefined;
}

/** A credential or permission failure: it ends the run at once, it is never retried until a timeout. */
export class AwsAuthError extends UserError {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AwsAuthError';
  }
}

/**
 * AWS refused the request as given (ClientException, InvalidParameterException, ValidationError): a user error
 * quoting AWS's message, never a bug. `name` stays the AWS code, so isAwsError(error, 'ClientException') holds.
 */
export class AwsRequestRefusedError extends UserError {
  constructor(
    message: string,
    readonly code: string,
    /** AWS's own message, for callers that quote it after their own words. */
    readonly awsMessage: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code;
  }
}

export function isAwsRequestRefused(error: unknown): error is AwsRequestRefusedError {
  return (
    error instanceof AwsRequestRefusedError ||
    (isUserError(error) && typeof (error as { awsMessage?: unknown }).awsMessage === 'string')
  );
}

/** AWS's own words for a refused request, for a caller that explains it in its own terms; else the message. */
export function awsMessageOf(error: unknown): string {
  return isAwsRequestRefused(error) ? error.awsMessage : errorMessage(error);
}

export function isAwsAuthError(error: unknown): error is AwsAuthError {
  return error instanceof Error && error.name === 'AwsAuthError';
}

/**
 * Translates credential and permission errors into one user error that names the API call and what to fix.
 * Any other error is returned unchanged.
 */
export function translateAwsError(error: unknown, context: CallContext): unknown {
  const code = errorCode(error);
  if (code === undefined) return error;
  const { api, iamAction } = describeCall(context);
  // Messages from AWS can quote the access key id; it is not secret, but there is no reason to print it.
  const detail = errorMessage(error).replace(ACCESS_KEY_PATTERN, '****').trim();
  let message: string | undefined;
  if (EXPIRED.has(code)) {
    message =
      `AWS credentials expired while calling ${api} (${code}). The role session lasts as long as ` +
      `role-duration-seconds in aws-actions/configure-aws-credentials (default 3600 s = 60 minutes); ` +
      `raise it above this job's duration, or re-run the job to get fresh credentials.`;
  } else if (INVALID.has(code)) {
    message =
      `AWS rejected the credentials used for ${api} (${code}): the access key or session token is not valid ` +
      `for this account and region. Check the credentials step (aws-actions/configure-aws-credentials ` +
      `role-to-assume) and that region is right.`;
  } else if (DENIED.has(code)) {
    message =
      `Access denied calling ${api} (${code}): the role needs IAM permission ${iamAction} on this resource. ` +
      `Add it to the role's policy (see ${context.clientName === 'ECRClient' ? 'docs/iam/build-role-policy.json' : 'docs/iam/deploy-role-policy.json'} in ecs-actions).` +
      (detail ? ` AWS said: ${detail}` : '');
  } else if (NO_CREDENTIALS.has(code)) {
    message =
      `No AWS credentials were found for ${api}. Add aws-actions/configure-aws-credentials before this step ` +
      `(with role-to-assume and permissions: id-token: write), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.` +
      (detail ? ` (${detail})` : '');
  }
  if (message === undefined && REFUSED.has(code)) {
    return new AwsRequestRefusedError(
      `${api} refused the request (${code}): AWS said: ${foreignLine(detail)}`,
      code,
      detail,
      {
        cause: error,
      },
    );
  }
  return message === undefined ? error : new AwsAuthError(message, code, { cause: error });
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'ServerException',
]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
  'EAI_AGAIN',
  'RequestTimeout',
]);

/**
 * True for errors that a waiting loop should ride out (throttling, 5xx, network faults) after the SDK's own
 * retries gave up: the next poll may well succeed.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (isAwsAuthError(error)) return false;
  if (error instanceof Error && error.name === 'AwsNetworkError') return true;
  const code = errorCode(error);
  if (code !== undefined && (THROTTLING.has(code) || NETWORK.has(code))) return true;
  const candidate = error as { $fault?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  if (candidate?.$fault === 'server') return true;
  const status = candidate?.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return typeof candidate?.code === 'string' && NETWORK.has(candidate.code);
}

/** An AWS call that got no answer (timeouts, refused or reset connections) in any of the client's attempts. */
export class AwsNetworkError extends UserError {
  constructor(
    message: string,
    /** The network code: `TimeoutError`, `ECONNREFUSED`, ... */
    readonly code: string,
    /** `ECS DescribeServices` */
    readonly api: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AwsNetworkError';
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : formatDuration(ms);
}

function endpointOf(context: CallContext): string {
  return context.endpoint ?? 'its endpoint (not reached yet)';
}

/**
 * The error of a call ended by the client's signal: a cancel names the call it interrupted, a deadline names the
 * call that did not answer and where it was sent.
 */
export function abortedCallError(reason: Error, context: CallContext): Error {
  const { api } = describeCall(context);
  if (isDeadline(reason)) {
    return new DeadlineError(
      `${api} (${endpointOf(context)}) did not answer before the deadline passed: ${reason.what}`,
      reason.what,
      { cause: reason },
    );
  }
  if (isCancelled(reason)) {
    return new CancelledError(`Cancelled (${reason.by}) during ${api} (${endpointOf(context)})`, reason.by, {
      cause: reason,
    });
  }
  return reason;
}

/**
 * Network faults that outlived the client's attempts become one user error naming the call, the endpoint and how
 * many attempts were made: a one-attempt client's caller backs off itself, so its error must not claim SDK retries.
 */
export function translateNetworkError(
  error: unknown,
  context: CallContext,
  timeouts: { connectionMs: number; responseMs: number },
  /** The client's maxAttempts, for an error on which the SDK recorded no attempt count. */
  maxAttempts: number,
): unknown {
  if (isUserError(error)) return error;
  const candidate = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  if (candidate.$metadata?.httpStatusCode !== undefined) return error; // AWS answered
  const message = candidate.message ?? '';
  // The SDK wraps an error from another realm (jest's vm contexts) into its message, dropping its code.
  const named = [candidate.code, candidate.name, /\b(E[A-Z]+)\b/.exec(message)?.[1]];
  const code = named.find((value): value is string => value !== undefined && NETWORK.has(value));
  if (code === undefined) return error;
  const { api } = describeCall(context);
  const what = /did not establish a connection/.test(message)
    ? `could not connect within ${seconds(timeouts.connectionMs)}`
    : code === 'TimeoutError' || code === 'ETIMEDOUT'
      ? `no answer within ${seconds(timeouts.responseMs)}`
      : `${code} (${message.replace(/^AWS SDK error wrapper for /, '')})`;
  const attempts = candidate.$metadata?.attempts ?? maxAttempts;
  // One attempt: its caller may send it again (sendWithBackoff counts those), so this error speaks for itself only.
  const tried = attempts === 1 ? ' (one attempt: the SDK does not retry this call)' : `, after ${attempts} attempts`;
  return new AwsNetworkError(
    `${api} (${endpointOf(context)}) did not answer: ${what}${tried}. Check the network ` +
      'between this runner and AWS (proxy, VPC endpoint, AWS_ENDPOINT_URL).',
    code,
    api,
    { cause: error },
  );
}
