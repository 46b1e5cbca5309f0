import { IMAGE, aliasBomb, deepJson, describeRefusals, json, taskDefinition } from './fixtures.js';

/*
 * Issue 18, parsing limits: every file an input names is read by one reader with limits on size, YAML aliases,
 * depth and duplicate keys; each broken limit is one user error naming the input, the file and the limit.
 */

const TEMPLATE = json(taskDefinition());
const OVERSIZED = `${json(taskDefinition()).slice(0, -2)},\n  "tags": [${Array(80_000).fill('{"key":"k","value":"v"}').join(',')}]\n}`;

describeRefusals('a file input past a parsing limit', [
  {
    name: 'a YAML alias bomb as the template',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.yaml', images: `web=${IMAGE}` },
    files: { 'taskdef.yaml': aliasBomb('tags') },
    error: /^Input 'template': taskdef\.yaml: YAML aliases expand more than 100 times, the limit for an input file/,
  },
  {
    name: 'a template with a duplicate key',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${IMAGE}` },
    files: { 'taskdef.json': TEMPLATE.replace('"cpu": "256",', '"cpu": "256",\n  "cpu": "4096",') },
    error:
      /^Input 'template': taskdef\.json: a key appears twice in one mapping at line 8, column 3; each key may appear once$/,
  },
  {
    name: 'a vars file over the size limit',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${IMAGE}`, 'vars-file': 'vars.env' },
    files: { 'taskdef.json': TEMPLATE, 'vars.env': `A=${'x'.repeat(1024 * 1024 + 10)}\n` },
    error: /^Input 'vars-file': vars\.env: the file is 1 MiB, over the limit of 1 MiB for an input file$/,
  },
  {
    name: 'a task definition nested 20,000 deep',
    action: 'deploy-ecs',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' },
    files: { 'taskdef.json': deepJson(20_000) },
    error:
      /^Input 'task-definition': taskdef\.json: lists and mappings nest deeper than 64 levels, the limit for an input file$/,
  },
  {
    name: 'a task definition over the size limit',
    action: 'deploy-ecs',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' },
    files: { 'taskdef.json': OVERSIZED },
    error: /^Input 'task-definition': taskdef\.json: the file is 1\.8 MiB, over the limit of 1 MiB for an input file$/,
  },
  {
    name: 'a task definition with a duplicate key',
    action: 'run-task',
    inputs: { cluster: 'demo-dev', 'task-definition': 'taskdef.json', service: 'sample-service' },
    files: { 'taskdef.json': TEMPLATE.replace('"memory": "512",', '"memory": "512",\n  "memory": "1024",') },
    error:
      /^Input 'task-definition': taskdef\.json: a key appears twice in one mapping at line 9, column 3; each key may appear once$/,
  },
  {
    name: 'a YAML alias bomb as the checks file',
    action: 'smoke-test',
    inputs: { 'base-url': 'http://127.0.0.1:9', checks: 'checks.yml', 'builtin-checks': 'false' },
    files: { 'checks.yml': aliasBomb('checks') },
    error: /^Input 'checks': checks\.yml: YAML aliases expand more than 100 times, the limit for an input file/,
  },
  {
    name: 'a payload file nested 20,000 deep',
    action: 'notify-slack',
    inputs: { status: 'success', 'payload-file': 'payload.json' },
    files: { 'payload.json': `{"blocks": ${'['.repeat(20_000)}${']'.repeat(20_000)}}` },
    error:
      /^Input 'payload-file': payload\.json: lists and mappings nest deeper than 64 levels, the limit for an input file$/,
  },
]);
