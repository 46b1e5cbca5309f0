import { IMAGE, describeRefusals } from './fixtures.js';

/*
 * Issue 18, time and size bounds: inputs have maximum lengths and ranges, a checks file holds at most 1000 checks,
 * and a user's pattern is compiled by RE2 (no backtracking) within a length limit.
 */

const checks = (count: number) =>
  `checks:\n${Array.from({ length: count }, (_, i) => `  - { name: c${i}, path: /c${i} }`).join('\n')}\n`;
const SMOKE = { 'base-url': 'http://127.0.0.1:9', checks: 'checks.yml', 'builtin-checks': 'false' };

describeRefusals('an input past its size or range', [
  {
    name: 'a 120 KB image name',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${'r'.repeat(120 * 1024)}${IMAGE}` },
    files: { 'taskdef.json': '{}' },
    error: /^Input 'images': is 123015 characters long; expected at most 65536$/,
  },
  {
    name: 'a 3 KB image name',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${'r'.repeat(3 * 1024)}${IMAGE}` },
    files: { 'taskdef.json': '{}' },
    error: /^Input 'images': line 1 is 3207 characters long; expected at most 2048 per line$/,
  },
  {
    name: 'a 3000-character cluster',
    action: 'deploy-ecs',
    inputs: { cluster: 'c'.repeat(3000), service: 'sample-service', 'task-definition': 'sample-service-dev:1' },
    error: /^Input 'cluster': is 3000 characters long; expected at most 2048 on a single line$/,
  },
  {
    name: 'a timeout of 100,000 minutes',
    action: 'deploy-ecs',
    inputs: {
      cluster: 'demo-dev',
      service: 'sample-service',
      'task-definition': 'sample-service-dev:1',
      'timeout-minutes': '100000',
    },
    error: /^Input 'timeout-minutes': 100000 is out of range; expected a whole number from 1 to \d+$/,
  },
  {
    name: 'a timeout of a million seconds',
    action: 'verify-targets',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'timeout-seconds': '1000000' },
    error: /^Input 'timeout-seconds': 1000000 is out of range; expected a whole number from 1 to 3600$/,
  },
  {
    name: 'five thousand log lines',
    action: 'run-task',
    inputs: { cluster: 'demo-dev', 'task-definition': 'sample-service-dev:1', 'log-lines': '5000' },
    error: /^Input 'log-lines': 5000 is out of range; expected a whole number from 0 to 200$/,
  },
  {
    name: 'a 100 KB failure reason',
    action: 'notify-slack',
    inputs: { status: 'failure', 'failure-reason': 'x'.repeat(100 * 1024) },
    error: /^Input 'failure-reason': is 102400 characters long; expected at most 65536$/,
  },
  {
    name: '1001 checks',
    action: 'smoke-test',
    inputs: SMOKE,
    files: { 'checks.yml': checks(1001) },
    error: /^Input 'checks': checks\.yml: checks: holds 1001 checks; the limit is 1000 \(a smoke test is a handful\)$/,
  },
  {
    name: 'a pattern of 2000 characters',
    action: 'smoke-test',
    inputs: SMOKE,
    files: {
      'checks.yml': `checks:\n  - name: big\n    path: /\n    expect: { body: { matches: "${'a'.repeat(2000)}" } }\n`,
    },
    error:
      /^Input 'checks': checks\.yml: check 1 \("big"\): expect\.body\.matches: .*the pattern is 2000 characters long; the limit is 1000/,
  },
  {
    name: 'a pattern with a backreference, which RE2 cannot run in linear time',
    action: 'smoke-test',
    inputs: SMOKE,
    files: { 'checks.yml': `checks:\n  - name: backref\n    path: /\n    expect: { body: { matches: '(a+)\\1' } }\n` },
    error:
      /^Input 'checks': checks\.yml: check 1 \("backref"\): expect\.body\.matches: .*RE2 syntax: no backreferences or lookaround/,
  },
]);
