/**
 * Stack outputs that are GitHub environment variables. CloudFormation output keys are alphanumeric, so the key
 * spells the environment and the variable in Pascal case behind a fixed prefix:
 *   GitHubVar + Dev + AwsDeployRoleArn  <->  environment dev, variable AWS_DEPLOY_ROLE_ARN
 * Environment names are lower-case letters and digits (names.ts), so the variable starts at the first capital.
 */
export const GITHUB_VARIABLE_OUTPUT_PREFIX = 'GitHubVar';

/** The variables docs/setup.md lists, per kind of GitHub environment. */
export const DEPLOY_ENVIRONMENT_VARIABLES = [
  'AWS_DEPLOY_ROLE_ARN',
  'AWS_ACCOUNT_ID',
  'AWS_REGION',
  'ECS_CLUSTER',
  'ECS_SERVICE',
  'BASE_URL',
  'SLACK_CHANNEL',
] as const;
export const BUILD_ENVIRONMENT_VARIABLES = ['AWS_BUILD_ROLE_ARN', 'AWS_REGION'] as const;
export type GitHubVariableName =
  (typeof DEPLOY_ENVIRONMENT_VARIABLES)[number] | (typeof BUILD_ENVIRONMENT_VARIABLES)[number];

const VARIABLE_NAME = /^[A-Z][A-Z0-9]*(_[A-Z][A-Z0-9]*)*$/;

function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

export function githubVariableOutputKey(environment: string, variable: string): string {
  if (!VARIABLE_NAME.test(variable)) throw new Error(`"${variable}" is not a GitHub variable name such as BASE_URL`);
  return GITHUB_VARIABLE_OUTPUT_PREFIX + pascal(environment) + variable.split('_').map(pascal).join('');
}

/** Reads an output key back into its environment and variable; undefined for an output that is not a variable. */
export function parseGitHubVariableOutputKey(key: string): { environment: string; variable: string } | undefined {
  const match = /^GitHubVar([A-Z][a-z0-9]*)((?:[A-Z][a-z0-9]*)+)$/.exec(key);
  if (!match) return undefined;
  const environment = match[1].toLowerCase();
  const variable = match[2]
    .split(/(?=[A-Z])/)
    .map((word) => word.toUpperCase())
    .join('_');
  return { environment, variable };
}

export interface GitHubVariable {
  readonly environment: string;
  readonly name: string;
  readonly value: string;
}

/**
 * The GitHub variables in stack outputs, read from either form the CLIs write:
 * `cdk deploy --outputs-file` ({ "<stack>": { "<key>": "<value>" } }) or
 * `aws cloudformation describe-stacks` ({ "Stacks": [{ "Outputs": [{ "OutputKey", "OutputValue" }] }] }).
 */
export function githubVariablesFromOutputs(document: unknown, source: string): GitHubVariable[] {
  const pairs: Array<[string, unknown]> = [];
  if (document && typeof document === 'object' && Array.isArray((document as { Stacks?: unknown }).Stacks)) {
    for (const stack of (
      document as { Stacks: Array<{ Outputs?: Array<{ OutputKey?: string; OutputValue?: unknown }> }> }
    ).Stacks) {
      for (const output of stack.Outputs ?? []) pairs.push([output.OutputKey ?? '', output.OutputValue]);
    }
  } else if (document && typeof document === 'object' && !Array.isArray(document)) {
    for (const outputs of Object.values(document)) {
      if (!outputs || typeof outputs !== 'object')
        throw new Error(`${source}: expected { "<stack>": { "<output>": "<value>" } }`);
      pairs.push(...Object.entries(outputs));
    }
  } else {
    throw new Error(`${source}: expected the JSON of cdk deploy --outputs-file or aws cloudformation describe-stacks`);
  }
  const variables: GitHubVariable[] = [];
  const seen = new Map<string, string>();
  for (const [key, value] of pairs) {
    const parsed = parseGitHubVariableOutputKey(key);
    if (!parsed) continue;
    if (typeof value !== 'string' || value === '') throw new Error(`${source}: output ${key} has no value`);
    const id = `${parsed.environment}/${parsed.variable}`;
    const earlier = seen.get(id);
    if (earlier !== undefined && earlier !== value) {
      throw new Error(
        `${source}: ${parsed.variable} of ${parsed.environment} has two values, "${earlier}" and "${value}"`,
      );
    }
    if (earlier === undefined) variables.push({ environment: parsed.environment, name: parsed.variable, value });
    seen.set(id, value);
  }
  return variables;
}

/** Quotes a value for a POSIX shell: an output value is data, never shell syntax. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export interface GhCommandOptions {
  /** Only this environment's variables. */
  readonly environment?: string;
  /** OWNER/REPOSITORY for gh's --repo; without it gh uses the repository of the current directory. */
  readonly repository?: string;
}

/** One `gh variable set` line per variable, environment by environment. */
export function ghVariableSetCommands(variables: GitHubVariable[], options: GhCommandOptions = {}): string[] {
  const selected = variables.filter((variable) => !options.environment || variable.environment === options.environment);
  if (selected.length === 0) {
    const known = [...new Set(variables.map((variable) => variable.environment))].join(', ') || 'none';
    throw new Error(
      `no GitHub variables${options.environment ? ` for the environment ${options.environment}` : ''} in the outputs (environments found: ${known})`,
    );
  }
  const repository = options.repository ? ` --repo ${shellQuote(options.repository)}` : '';
  return selected.map(
    (variable) =>
      `gh variable set ${variable.name} --env ${shellQuote(variable.environment)}${repository} --body ${shellQuote(variable.value)}`,
  );
}
