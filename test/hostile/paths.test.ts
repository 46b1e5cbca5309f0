import { IMAGE, describeRefusals, json, taskDefinition } from './fixtures.js';

/*
 * Issue 18, paths: a name that becomes a file name follows AWS's own rule (a family: letters, digits, - and _, at
 * most 255) and nothing is written outside RUNNER_TEMP, above all not the workspace's package.json.
 */

const TEMPLATE = json(taskDefinition({ family: '${FAMILY}' }));

describeRefusals('a name that would become a path elsewhere', [
  {
    name: 'a template variable that walks up to the workspace',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${IMAGE}`, vars: 'FAMILY=../../workspace/package' },
    files: { 'taskdef.json': TEMPLATE },
    error:
      /^Input 'template': taskdef\.json: the task definition breaks a rule: family: "\.\.\/\.\.\/workspace\/package" is not a task definition family; expected up to 255 letters, digits, hyphens and underscores$/,
  },
  {
    name: 'an absolute family',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${IMAGE}`, vars: 'FAMILY=/etc/passwd' },
    files: { 'taskdef.json': TEMPLATE },
    error: /family: "\/etc\/passwd" is not a task definition family/,
  },
  {
    name: 'a family input with a slash',
    action: 'render-taskdef',
    inputs: { family: '../sample-service-dev', images: `web=${IMAGE}` },
    error:
      /^Input 'family': "\.\.\/sample-service-dev" is not a task definition family; expected letters, digits, - and _$/,
  },
  {
    name: 'a family of 256 characters',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${IMAGE}`, vars: `FAMILY=${'f'.repeat(256)}` },
    files: { 'taskdef.json': TEMPLATE },
    error: /^Input 'template': taskdef\.json: .*family: "f+\.\.\. is not a task definition family; expected up to 255/,
  },
  {
    name: 'a task definition file whose family walks up',
    action: 'deploy-ecs',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' },
    files: { 'taskdef.json': json(taskDefinition({ family: '../../package' })) },
    error: /family: "\.\.\/\.\.\/package" is not a task definition family/,
  },
  {
    name: 'a task definition file whose family walks up',
    action: 'run-task',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' },
    files: { 'taskdef.json': json(taskDefinition({ family: '../../package' })) },
    error: /family: "\.\.\/\.\.\/package" is not a task definition family/,
  },
]);
