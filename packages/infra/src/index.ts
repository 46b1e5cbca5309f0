export { DEFAULT_BOOTSTRAP_IMAGE, bootstrapHealthCheckCommand, bootstrapServerCommand } from './bootstrap.js';
export {
  GITHUB_OIDC_URL,
  GitHubBuildRole,
  type GitHubBuildRoleProps,
  GitHubEnvironmentRole,
  type GitHubEnvironmentRoleProps,
  GitHubOidcProvider,
  type GitHubOidcProviderProps,
} from './github-oidc.js';
export * from './github-variables.js';
export { githubVariableOutput } from './github-variable-outputs.js';
export { iamPolicyFromDocs, readIamDocument, substitutePlaceholders } from './iam-documents.js';
export { deployPolicyWildcardReason, ServiceEnvironment, type ServiceEnvironmentProps } from './service-environment.js';
export { ServiceRepository, type ServiceRepositoryProps } from './service-repository.js';
export { ServiceStack, type ServiceStackProps } from './service-stack.js';
