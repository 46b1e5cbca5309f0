export { createAwsClient, resolveRegion, actionVersion, REGION_PATTERN, DEFAULT_MAX_ATTEMPTS } from './client.js';
export type { AwsClientOptions } from './client.js';
export { translateAwsError, isTransientAwsError, isAwsAuthError, AwsAuthError, describeCall } from './errors.js';
export type { CallContext } from './errors.js';
export { consoleHost, shortName, ecsConsoleUrl, ecsServiceConsoleUrl, ecsTaskDefinitionConsoleUrl } from './console.js';
export { isAwsError } from './error-code.js';
export { checkEcsNameOrArn } from './names.js';
