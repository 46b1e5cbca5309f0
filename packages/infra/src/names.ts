/** Checks of the names the constructs turn into AWS resource names, so a typo fails at synth, not in CloudFormation. */

// Lower case letters and digits: the environment name is also part of stack output keys (see github-variables.ts).
const ENVIRONMENT_NAME = /^[a-z][a-z0-9]{0,19}$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;

export function checkEnvironmentName(name: string, what = 'environment'): string {
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new Error(
      `${what} "${name}" is not a valid environment name; expected lower-case letters and digits, such as dev or prod`,
    );
  }
  return name;
}

export function checkServiceName(name: string): string {
  if (!SERVICE_NAME.test(name)) {
    throw new Error(
      `serviceName "${name}" is not valid; expected 2-32 lower-case letters, digits and hyphens, such as sample-service`,
    );
  }
  return name;
}

export function checkGitHubRepository(repository: string): string {
  if (!GITHUB_REPOSITORY.test(repository)) {
    throw new Error(`githubRepository "${repository}" is not valid; expected OWNER/REPOSITORY, such as acme/orders`);
  }
  return repository;
}

export function checkAccountId(accountId: string, what: string): string {
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`${what} "${accountId}" is not an AWS account id; expected 12 digits`);
  }
  return accountId;
}
