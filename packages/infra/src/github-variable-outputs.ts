import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type GitHubVariableName, githubVariableOutputKey } from './github-variables.js';

/** One stack output per GitHub variable, named so that print-github-variables can map it back. */
export function githubVariableOutput(
  scope: Construct,
  environment: string,
  variable: GitHubVariableName,
  value: string,
): CfnOutput {
  const key = githubVariableOutputKey(environment, variable);
  return new CfnOutput(scope, key, {
    key,
    value,
    description: `GitHub variable ${variable} of the environment ${environment} (docs/setup.md)`,
  });
}
