import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ghVariableSetCommands,
  githubVariableOutputKey,
  githubVariablesFromOutputs,
  parseGitHubVariableOutputKey,
  shellQuote,
} from '../src/github-variables.js';
import { printGitHubVariables } from '../src/print-github-variables.js';

const folder = mkdtempSync(join(tmpdir(), 'gh-variables-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// As `cdk deploy --all --outputs-file outputs.json` writes it.
const cdkOutputs = {
  'orders-dev': {
    GitHubVarBuildAwsBuildRoleArn: 'arn:aws:iam::111111111111:role/orders-build',
    GitHubVarBuildAwsRegion: 'eu-west-1',
    GitHubVarDevAwsDeployRoleArn: 'arn:aws:iam::111111111111:role/orders-deploy-dev',
    GitHubVarDevAwsAccountId: '111111111111',
    GitHubVarDevAwsRegion: 'eu-west-1',
    GitHubVarDevEcsCluster: 'orders-dev',
    GitHubVarDevEcsService: 'orders',
    GitHubVarDevBaseUrl: 'https://orders.dev.example.com',
    LoadBalancerDnsName: 'orders-dev-123.eu-west-1.elb.amazonaws.com',
  },
  'orders-prod': {
    GitHubVarProdAwsDeployRoleArn: 'arn:aws:iam::333333333333:role/orders-deploy-prod',
    GitHubVarProdBaseUrl: 'https://orders.example.com',
  },
};

describe('GitHub variable output keys', () => {
  it.each([
    ['dev', 'AWS_DEPLOY_ROLE_ARN', 'GitHubVarDevAwsDeployRoleArn'],
    ['staging', 'BASE_URL', 'GitHubVarStagingBaseUrl'],
    ['prod2', 'SLACK_CHANNEL', 'GitHubVarProd2SlackChannel'],
    ['build', 'AWS_BUILD_ROLE_ARN', 'GitHubVarBuildAwsBuildRoleArn'],
  ])('spells %s %s as %s and reads it back', (environment, variable, key) => {
    expect(githubVariableOutputKey(environment, variable)).toBe(key);
    expect(parseGitHubVariableOutputKey(key)).toEqual({ environment, variable });
  });

  it('reads an output that is not a variable as none', () => {
    expect(parseGitHubVariableOutputKey('LoadBalancerDnsName')).toBeUndefined();
  });
});

describe('gh variable set commands from stack outputs', () => {
  it('prints one command per variable of the environment, from a cdk outputs file', () => {
    const variables = githubVariablesFromOutputs(cdkOutputs, 'outputs.json');
    expect(ghVariableSetCommands(variables, { environment: 'dev', repository: 'acme/orders' })).toEqual([
      'gh variable set AWS_DEPLOY_ROLE_ARN --env dev --repo acme/orders --body arn:aws:iam::111111111111:role/orders-deploy-dev',
      'gh variable set AWS_ACCOUNT_ID --env dev --repo acme/orders --body 111111111111',
      'gh variable set AWS_REGION --env dev --repo acme/orders --body eu-west-1',
      'gh variable set ECS_CLUSTER --env dev --repo acme/orders --body orders-dev',
      'gh variable set ECS_SERVICE --env dev --repo acme/orders --body orders',
      'gh variable set BASE_URL --env dev --repo acme/orders --body https://orders.dev.example.com',
    ]);
  });

  it('reads aws cloudformation describe-stacks output as well', () => {
    const described = {
      Stacks: [
        {
          StackName: 'orders-prod',
          Outputs: [
            { OutputKey: 'GitHubVarProdEcsService', OutputValue: 'orders', Description: 'GitHub variable ECS_SERVICE' },
            { OutputKey: 'LoadBalancerDnsName', OutputValue: 'x.elb.amazonaws.com' },
          ],
        },
      ],
    };
    expect(ghVariableSetCommands(githubVariablesFromOutputs(described, 'stacks.json'))).toEqual([
      'gh variable set ECS_SERVICE --env prod --body orders',
    ]);
  });

  it('quotes a value for the shell, so that an output is never run as a command', () => {
    expect(shellQuote("it's $(rm -rf ~)")).toBe(`'it'\\''s $(rm -rf ~)'`);
    const quoted = execFileSync('sh', ['-c', `printf %s ${shellQuote("it's $(echo no)")}`], { encoding: 'utf8' });
    expect(quoted).toBe("it's $(echo no)");
  });

  it('names the environments it found when the one asked for has no variables', () => {
    const variables = githubVariablesFromOutputs(cdkOutputs, 'outputs.json');
    expect(() => ghVariableSetCommands(variables, { environment: 'staging' })).toThrow(
      'no GitHub variables for the environment staging in the outputs (environments found: build, dev, prod)',
    );
  });

  it('prints the commands from a file given on the command line', () => {
    const path = join(folder, 'outputs.json');
    writeFileSync(path, JSON.stringify(cdkOutputs));
    expect(printGitHubVariables([path, '--environment', 'build'])).toBe(
      'gh variable set AWS_BUILD_ROLE_ARN --env build --body arn:aws:iam::111111111111:role/orders-build\n' +
        'gh variable set AWS_REGION --env build --body eu-west-1\n',
    );
  });

  it('runs as a command, and fails with one line naming the problem', () => {
    const path = join(folder, 'cli-outputs.json');
    writeFileSync(path, JSON.stringify(cdkOutputs));
    const script = new URL('../src/print-github-variables.ts', import.meta.url).pathname;
    const printed = execFileSync(process.execPath, ['--import', 'tsx', script, path, '--environment', 'prod'], {
      encoding: 'utf8',
    });
    expect(printed).toBe(
      'gh variable set AWS_DEPLOY_ROLE_ARN --env prod --body arn:aws:iam::333333333333:role/orders-deploy-prod\n' +
        'gh variable set BASE_URL --env prod --body https://orders.example.com\n',
    );
    const failed = spawnSync(process.execPath, ['--import', 'tsx', script, path, '--environment', 'qa'], {
      encoding: 'utf8',
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr.trim()).toBe(
      'print-github-variables: no GitHub variables for the environment qa in the outputs (environments found: build, dev, prod)',
    );
  });

  it('says which file is not JSON', () => {
    const path = join(folder, 'broken.json');
    writeFileSync(path, 'Outputs:\n');
    expect(() => printGitHubVariables([path])).toThrow(`${path}: `);
  });
});
