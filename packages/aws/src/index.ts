export {
  createAwsClient,
  resolveRegion,
  actionVersion,
  REGION_PATTERN,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUTS,
} from './client.js';
export type { AwsClientOptions, AwsTimeouts } from './client.js';
export {
  translateAwsError,
  isTransientAwsError,
  isAwsAuthError,
  AwsAuthError,
  AwsNetworkError,
  AwsRequestRefusedError,
  isAwsRequestRefused,
  awsMessageOf,
  abortedCallError,
  describeCall,
} from './errors.js';
export type { CallContext } from './errors.js';
export { consoleHost, shortName, ecsConsoleUrl, ecsServiceConsoleUrl, ecsTaskDefinitionConsoleUrl } from './console.js';
export { isAwsError } from './error-code.js';
export { checkEcsNameOrArn } from './names.js';
export { parseArn, callerScope, arnInputs, checkArnsInScope, refuseArnsOutOfScope } from './arns.js';
export type { Arn, CallerScope, ArnInput } from './arns.js';
export { sendWithBackoff, isThrottled, BACKOFF_DEFAULTS } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
