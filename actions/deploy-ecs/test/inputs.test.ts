import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMaxFailedTasks, readInputs } from '../src/inputs.js';

const saved = { ...process.env };
let file: string;

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  const dir = mkdtempSync(join(tmpdir(), 'deploy-ecs-inputs-'));
  file = join(dir, 'task-definition.json');
  writeFileSync(file, '{}');
  setInputs({ cluster: 'prod', service: 'web', 'task-definition': file });
});
afterEach(() => {
  process.env = { ...saved };
});

describe('readInputs', () => {
  it('applies the documented defaults', () => {
    expect(readInputs()).toEqual({
      cluster: 'prod',
      service: 'web',
      region: undefined,
      'task-definition': { kind: 'file', path: file },
      wait: true,
      // Unset: 30 minutes plus what a blue/green, linear or canary strategy adds (decided after pre-flight).
      'timeout-minutes': undefined,
      'wait-until': 'completed',
      continue: undefined,
      rollback: true,
      'max-failed-tasks': undefined,
      'force-new-deployment': false,
      'desired-count': undefined,
      'expected-account-id': undefined,
      'on-cancel': 'rollback',
      'log-lines': 20,
    });
  });

  it('reads every input into one typed object', () => {
    setInputs({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      service: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      region: 'eu-west-1',
      wait: 'false',
      'timeout-minutes': '15',
      rollback: 'false',
      'max-failed-tasks': '2',
      'force-new-deployment': 'true',
      'desired-count': '4',
      'expected-account-id': '123456789012',
      'on-cancel': 'leave',
      'log-lines': '5',
    });
    expect(readInputs()).toEqual({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      service: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      region: 'eu-west-1',
      'task-definition': { kind: 'file', path: file },
      wait: false,
      'timeout-minutes': 15,
      'wait-until': 'completed',
      continue: undefined,
      rollback: false,
      'max-failed-tasks': 2,
      'force-new-deployment': true,
      'desired-count': 4,
      'expected-account-id': '123456789012',
      'on-cancel': 'leave',
      'log-lines': 5,
    });
  });

  it.each(['web:42', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42'])(
    'takes %s as an existing revision to deploy without registering',
    (reference) => {
      setInputs({ 'task-definition': reference });
      expect(readInputs()['task-definition']).toEqual({ kind: 'existing', reference });
    },
  );

  it.each([
    ['cluster', '', "Input 'cluster': is required but was not set"],
    ['service', '', "Input 'service': is required but was not set"],
    ['task-definition', '', "Input 'task-definition': is required but was not set"],
    [
      'cluster',
      'prod cluster',
      `Input 'cluster': "prod cluster" is not a cluster name or ARN; expected up to 255 letters, digits, hyphens ` +
        'and underscores, or arn:aws:ecs:<region>:<account>:cluster/<name>',
    ],
    [
      'service',
      'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      `Input 'service': "arn:aws:ecs:eu-west-1:123456789012:cluster/prod" is not a service name or ARN; expected ` +
        'up to 255 letters, digits, hyphens and underscores, or arn:aws:ecs:<region>:<account>:service/<cluster>/<name>',
    ],
    [
      'task-definition',
      'deploy/missing.json',
      "Input 'task-definition': no file at deploy/missing.json; expected the path of a JSON or YAML task-definition " +
        'file, an existing revision as family:revision, or its ARN ' +
        '(arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)',
    ],
    [
      'task-definition',
      'arn:aws:ecs:eu-west-1:123456789012:task-definition/web',
      `Input 'task-definition': "arn:aws:ecs:eu-west-1:123456789012:task-definition/web" is not a task definition ARN; expected`,
    ],
    ['wait', 'sometimes', `Input 'wait': "sometimes" is not a boolean; expected true or false`],
    ['rollback', 'maybe', `Input 'rollback': "maybe" is not a boolean; expected true or false`],
    [
      'timeout-minutes',
      'ten',
      `Input 'timeout-minutes': "ten" is not a whole number; expected a whole number from 1 to 360`,
    ],
    ['timeout-minutes', '0', `Input 'timeout-minutes': 0 is out of range; expected a whole number from 1 to 360`],
    ['max-failed-tasks', '0', `Input 'max-failed-tasks': 0 is out of range; expected a whole number from 1 to 5000`],
    ['desired-count', '-1', `Input 'desired-count': -1 is out of range; expected a whole number from 0 to 5000`],
    [
      'force-new-deployment',
      'yes please',
      `Input 'force-new-deployment': "yes please" is not a boolean; expected true or false`,
    ],
    [
      'expected-account-id',
      '1234-5678-9012',
      `Input 'expected-account-id': "1234-5678-9012" is not an AWS account id; expected 12 digits, e.g. 123456789012`,
    ],
    ['on-cancel', 'wait', `Input 'on-cancel': "wait" is not allowed; expected one of rollback, leave`],
    ['log-lines', '500', `Input 'log-lines': 500 is out of range; expected a whole number from 0 to 200`],
  ])('rejects %s=%j naming the input and the expected form', (name, value, message) => {
    setInputs({ [name]: value });
    expect(() => readInputs()).toThrow(message);
  });

  it('rejects a task-definition that is a directory', () => {
    setInputs({ 'task-definition': tmpdir() });
    expect(() => readInputs()).toThrow(`Input 'task-definition': ${tmpdir()} is a directory; expected`);
  });
});

describe('defaultMaxFailedTasks', () => {
  it('is the ECS circuit-breaker threshold: half the desired count, at least 3, at most 200', () => {
    expect(defaultMaxFailedTasks(0)).toBe(3);
    expect(defaultMaxFailedTasks(2)).toBe(3);
    expect(defaultMaxFailedTasks(7)).toBe(4);
    expect(defaultMaxFailedTasks(10)).toBe(5);
    expect(defaultMaxFailedTasks(1000)).toBe(200);
  });
});
