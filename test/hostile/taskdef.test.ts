import { IMAGE, describeRefusals, json, taskDefinition } from './fixtures.js';

/*
 * Issue 18, task definitions: deploy-ecs and run-task check a task-definition file as render-taskdef does (one
 * shared validation) before any AWS call, and a ClientException from RegisterTaskDefinition is a user error that
 * quotes AWS and names the input, never a bug.
 */

const DEPLOY = { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' };
const RUN = { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' };
const RULE = "^Input 'task-definition': taskdef\\.json: the task definition breaks a rule: ";

describeRefusals('a task definition ECS would refuse', [
  {
    name: 'an invalid Fargate cpu',
    action: 'deploy-ecs',
    inputs: DEPLOY,
    files: { 'taskdef.json': json(taskDefinition({ cpu: '300' })) },
    error: new RegExp(`${RULE}cpu: "300" is not a Fargate CPU size; expected one of 256, 512`),
  },
  {
    name: 'an image that is not a string',
    action: 'deploy-ecs',
    inputs: DEPLOY,
    files: { 'taskdef.json': json(taskDefinition({}, { image: { repository: 'web' } })) },
    error: new RegExp(`${RULE}containerDefinitions\\[0\\]\\.image`),
  },
  {
    name: 'a family with a line break',
    action: 'deploy-ecs',
    inputs: DEPLOY,
    files: { 'taskdef.json': json(taskDefinition({ family: 'web\n::add-mask::INJECTED' })) },
    error: new RegExp(`${RULE}family: "web\\\\n::add-mask::INJECTED" is not a task definition family`),
  },
  {
    name: 'a task definition RegisterTaskDefinition refuses (ClientException)',
    action: 'deploy-ecs',
    inputs: DEPLOY,
    files: { 'taskdef.json': json(taskDefinition({ cpu: '512', memory: '1024' })) },
    arrange: (aws) =>
      aws.failNext('RegisterTaskDefinition', {
        code: 'ClientException',
        message: 'Invalid setting for container web: portMappings.containerPort 3000 is reserved.',
      }),
    error:
      /^Input 'task-definition': taskdef\.json: ECS RegisterTaskDefinition refused the request \(ClientException\): AWS said: Invalid setting for container web: portMappings\.containerPort 3000 is reserved\.$/,
  },
  {
    name: 'an invalid Fargate memory for its cpu',
    action: 'run-task',
    inputs: RUN,
    files: { 'taskdef.json': json(taskDefinition({ memory: '100' })) },
    error: new RegExp(`${RULE}memory: "100" is not valid with cpu 256 on Fargate`),
  },
  {
    name: 'a task definition RegisterTaskDefinition refuses (InvalidParameterException)',
    action: 'run-task',
    inputs: RUN,
    files: { 'taskdef.json': json(taskDefinition({ cpu: '512', memory: '1024' })) },
    arrange: (aws) =>
      aws.failNext('RegisterTaskDefinition', {
        code: 'InvalidParameterException',
        message: 'The container web does not have a valid log configuration.',
      }),
    error:
      /^Input 'task-definition': taskdef\.json: ECS RegisterTaskDefinition refused the request \(InvalidParameterException\): AWS said: The container web does not have a valid log configuration\.$/,
  },
  {
    name: 'a template whose cpu is not a Fargate size',
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${IMAGE}`, vars: 'CPU=3 vCPU' },
    files: { 'taskdef.json': json(taskDefinition({ cpu: '${CPU}' })) },
    error:
      /^Input 'template': taskdef\.json: the task definition breaks a rule: cpu: "3072" is not a Fargate CPU size; expected one of 256, 512/,
  },
]);
