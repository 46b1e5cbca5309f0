import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isUserError } from '@ecs-actions/action-kit';
import { readInputs } from '../src/inputs.js';
import { CURRENT, NEW_DIGEST, OLD_DIGEST, WEB_TG, targetGroupArn, useTestAwsEnvironment } from './fixtures.js';

let restoreEnvironment: () => void;
beforeEach(() => {
  restoreEnvironment = useTestAwsEnvironment();
});
afterEach(() => restoreEnvironment());

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

function inputFailure(): string {
  try {
    readInputs();
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected readInputs to fail');
}

describe('readInputs', () => {
  it('reads a service with defaults', () => {
    setInputs({ cluster: 'prod', service: 'web' });
    expect(readInputs()).toEqual({
      cluster: 'prod',
      service: 'web',
      'target-group-arns': [],
      'task-definition-arn': undefined,
      'expected-digests': undefined,
      'timeout-seconds': 300,
      'log-lines': 20,
      'log-check': 'warn',
      'log-error-pattern': undefined,
      region: undefined,
      listener: 'production',
    });
  });

  it('reads target groups, a revision, a single digest and a timeout', () => {
    const apiTg = targetGroupArn('api-tg');
    setInputs({
      cluster: 'prod',
      'target-group-arns': `${WEB_TG}\n${apiTg}\n${WEB_TG}\n`,
      'task-definition-arn': CURRENT,
      'expected-digests': `${NEW_DIGEST}\n`,
      'timeout-seconds': '120',
      region: 'eu-west-1',
    });
    expect(readInputs()).toMatchObject({
      service: undefined,
      'target-group-arns': [WEB_TG, apiTg],
      'task-definition-arn': CURRENT,
      'expected-digests': { kind: 'single', digest: NEW_DIGEST },
      'timeout-seconds': 120,
      region: 'eu-west-1',
    });
  });

  it('reads one digest per container', () => {
    setInputs({
      cluster: 'prod',
      service: 'web',
      'expected-digests': `web=${NEW_DIGEST}\n# sidecar\nlog_router=${OLD_DIGEST}`,
    });
    expect(readInputs()['expected-digests']).toEqual({
      kind: 'per-container',
      digests: new Map([
        ['web', NEW_DIGEST],
        ['log_router', OLD_DIGEST],
      ]),
    });
  });

  it('accepts a family:revision for task-definition-arn', () => {
    setInputs({ cluster: 'prod', service: 'web', 'task-definition-arn': 'web:42' });
    expect(readInputs()['task-definition-arn']).toBe('web:42');
  });

  it('requires the cluster', () => {
    setInputs({ service: 'web' });
    expect(inputFailure()).toBe("Input 'cluster': is required but was not set");
  });

  it('requires a service or target groups', () => {
    setInputs({ cluster: 'prod' });
    expect(inputFailure()).toBe(
      "Input 'service': is required unless target-group-arns is set; set service to verify the target groups of its " +
        'load balancers, or target-group-arns to name them',
    );
  });

  it('requires task-definition-arn when target groups are given without a service', () => {
    setInputs({ cluster: 'prod', 'target-group-arns': WEB_TG });
    expect(inputFailure()).toMatch(
      /^Input 'task-definition-arn': is required when target-group-arns is set without service/,
    );
  });

  it('rejects a target group line that is not an ARN, naming the line', () => {
    setInputs({ cluster: 'prod', service: 'web', 'target-group-arns': `${WEB_TG}\nweb-tg` });
    expect(inputFailure()).toBe(
      `Input 'target-group-arns': line 2 "web-tg" is not a target group ARN; expected ` +
        'arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>, one per line',
    );
  });

  it('rejects a digest that is not sha256 with 64 hex digits', () => {
    setInputs({ cluster: 'prod', service: 'web', 'expected-digests': 'sha256:abc123' });
    expect(inputFailure()).toBe(
      `Input 'expected-digests': "sha256:abc123" is not an image digest; expected sha256:<64 hex>, ` +
        'or lines of container=sha256:<64 hex>',
    );
  });

  it('rejects an image tag given as a digest', () => {
    setInputs({ cluster: 'prod', service: 'web', 'expected-digests': 'web:latest' });
    expect(inputFailure()).toMatch(/^Input 'expected-digests': "web:latest" is not an image digest/);
  });

  it('rejects a per-container line with a bad digest, naming the container', () => {
    setInputs({ cluster: 'prod', service: 'web', 'expected-digests': `web=${NEW_DIGEST}\nlog_router=latest` });
    expect(inputFailure()).toBe(
      `Input 'expected-digests': container "log_router": "latest" is not an image digest; expected ` +
        'sha256:<64 hex>, or lines of container=sha256:<64 hex>',
    );
  });

  it('rejects a mix of a bare digest and container lines', () => {
    setInputs({ cluster: 'prod', service: 'web', 'expected-digests': `${NEW_DIGEST}\nweb=${NEW_DIGEST}` });
    expect(inputFailure()).toMatch(
      /^Input 'expected-digests': line 1 "sha256:a+" has no "="; expected container=sha256:<64 hex>$/,
    );
  });

  it('rejects a task definition without a revision', () => {
    setInputs({ cluster: 'prod', service: 'web', 'task-definition-arn': 'web' });
    expect(inputFailure()).toBe(
      `Input 'task-definition-arn': "web" is not a task definition revision; expected ` +
        'arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision> or <family>:<revision>',
    );
  });

  it('rejects a timeout that is not a whole number of seconds in range', () => {
    setInputs({ cluster: 'prod', service: 'web', 'timeout-seconds': '5m' });
    expect(inputFailure()).toBe(
      `Input 'timeout-seconds': "5m" is not a whole number; expected a whole number from 1 to 3600`,
    );
  });

  it('reads the log check: fail, and an error pattern compiled with RE2', () => {
    setInputs({
      cluster: 'prod',
      service: 'web',
      'log-check': 'FAIL',
      'log-error-pattern': '^(ERROR|FATAL)\\b',
      'log-lines': '0',
    });
    const inputs = readInputs();
    expect(inputs).toMatchObject({ 'log-check': 'fail', 'log-lines': 0 });
    expect(inputs['log-error-pattern']?.test('ERROR db down')).toBe(true);
    expect(inputs['log-error-pattern']?.test('an ERROR later')).toBe(false);
  });

  it('rejects a log check that is not warn, fail or off', () => {
    setInputs({ cluster: 'prod', service: 'web', 'log-check': 'true' });
    expect(inputFailure()).toBe(`Input 'log-check': "true" is not allowed; expected one of warn, fail, off`);
  });

  it('rejects an error pattern RE2 cannot compile, saying why', () => {
    setInputs({ cluster: 'prod', service: 'web', 'log-error-pattern': '(?<=x)error' });
    expect(inputFailure()).toMatch(
      /^Input 'log-error-pattern': "\(\?<=x\)error" is not a regular expression: .*\(patterns use RE2 syntax: no backreferences or lookaround\)$/,
    );
  });

  it('rejects a service name with spaces', () => {
    setInputs({ cluster: 'prod', service: 'my web' });
    expect(inputFailure()).toBe(
      `Input 'service': "my web" is not a service name or ARN; expected up to 255 letters, digits, hyphens and ` +
        'underscores, or arn:aws:ecs:<region>:<account>:service/<cluster>/<name>',
    );
  });
  it('reads listener: test with a service', () => {
    setInputs({ cluster: 'prod', service: 'web', listener: 'test' });
    expect(readInputs()).toMatchObject({ service: 'web', listener: 'test' });
  });

  it('rejects listener: test with target-group-arns, which name the target groups already', () => {
    setInputs({ cluster: 'prod', service: 'web', listener: 'test', 'target-group-arns': WEB_TG });
    expect(inputFailure()).toMatch(/^Input 'listener': test takes the alternate target groups from the service/);
  });

  it('rejects a listener that is neither production nor test', () => {
    setInputs({ cluster: 'prod', service: 'web', listener: 'staging' });
    expect(inputFailure()).toBe(`Input 'listener': "staging" is not allowed; expected one of production, test`);
  });
});
