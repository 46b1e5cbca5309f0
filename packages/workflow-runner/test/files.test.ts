import { afterAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadVariableStore, localStandIns, parseCommandFile } from '../src/index.js';
import { cleanUp, repository, run } from './support.js';

afterAll(cleanUp);

describe('local files', () => {
  it('reads vars, secrets and environment-scoped values from a YAML file', () => {
    const root = repository({
      'vars.yml': `vars:
  AWS_REGION: eu-west-1
  REPLICAS: 2
secrets:
  SLACK_BOT_TOKEN: xoxb-1
environments:
  dev:
    vars:
      ECS_CLUSTER: dev
`,
    });
    expect(loadVariableStore(join(root, 'vars.yml'))).toEqual({
      vars: { AWS_REGION: 'eu-west-1', REPLICAS: '2' },
      secrets: { SLACK_BOT_TOKEN: 'xoxb-1' },
      environments: { dev: { vars: { ECS_CLUSTER: 'dev' }, secrets: {} } },
    });
  });

  it('refuses a vars file with an unknown key, naming it and the expected keys', () => {
    const root = repository({ 'vars.yml': 'variables:\n  A: b\n' });
    expect(() => loadVariableStore(join(root, 'vars.yml'))).toThrow(
      `${join(root, 'vars.yml')}: unknown key "variables"; expected vars, secrets, environments`,
    );
  });

  it('says which value of a command file has no closing delimiter', () => {
    expect(() => parseCommandFile('a=1\nnotes<<EOF\nline\n', 'GITHUB_ENV')).toThrow(
      'GITHUB_ENV: no line "EOF" ends the value of notes',
    );
  });

  it('exports the region and the declared credentials from the configure-aws-credentials stand-in', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v6
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
      - run: echo "$AWS_REGION $AWS_ENDPOINT_URL $AWS_SECRET_ACCESS_KEY"
`,
    });
    const standIns = localStandIns({
      workingTree: root,
      aws: {
        description: 'the loopback AWS',
        env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_SECRET_ACCESS_KEY: 'k' },
      },
    });
    const result = await run(root, 'w.yml', { standIns });
    expect(result.log).toEqual(
      expect.arrayContaining([
        'job: stand-in for aws-actions/configure-aws-credentials: the loopback AWS',
        'job: role-to-assume arn:aws:iam::123456789012:role/deploy is not assumed locally',
        'job: eu-west-1 http://127.0.0.1:1 ***',
      ]),
    );
  });
});
