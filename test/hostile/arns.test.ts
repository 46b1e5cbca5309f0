import { ACCOUNT, IMAGE, OTHER_ACCOUNT, REGION, describeRefusals, json, taskDefinition } from './fixtures.js';

/*
 * Issue 18, ARNs: every ARN input (task definition, cluster, service, target group, role) is checked against the
 * credentials' account and region before any change, and a mismatch is refused naming both.
 */

function outOfScope(input: string, value: string, where: string, expected: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(
    `^Input '${input}': ${escape(value)} belongs to ${escape(where)}, but the AWS credentials act in ` +
      `${escape(expected)}; nothing was changed\\.`,
  );
}

/** A role in the task-definition file: named by the input, the file and the field; IAM ARNs have no region. */
function fileRole(field: string): RegExp {
  return outOfScope(
    'task-definition',
    `taskdef.json ${field} ${OTHER_ROLE}`,
    `account ${OTHER_ACCOUNT}`,
    `account ${ACCOUNT}`,
  );
}

const HERE = `account ${ACCOUNT} in ${REGION}`;
const PROD_REVISION = `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:task-definition/sample-service-prod:3`;
const US_REVISION = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/sample-service-dev:1`;
const OTHER_CLUSTER = `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:cluster/demo-dev`;
const US_CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/demo-dev`;
const OTHER_TARGET_GROUP = `arn:aws:elasticloadbalancing:${REGION}:${OTHER_ACCOUNT}:targetgroup/sample-service-dev/0123456789abcdef`;
const OTHER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`;
const OTHER_SERVICE = `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:service/demo-dev/sample-service`;

describeRefusals('an ARN of another account or region', [
  {
    name: "another account's revision",
    action: 'deploy-ecs',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': PROD_REVISION },
    error: outOfScope('task-definition', PROD_REVISION, `account ${OTHER_ACCOUNT} in ${REGION}`, HERE),
  },
  {
    name: 'a cluster in another region',
    action: 'deploy-ecs',
    inputs: { cluster: US_CLUSTER, service: 'sample-service', 'task-definition': 'sample-service-dev:1' },
    error: outOfScope('cluster', US_CLUSTER, `account ${ACCOUNT} in us-east-1`, HERE),
  },
  {
    name: "another account's target group",
    action: 'verify-targets',
    inputs: {
      cluster: 'demo-dev',
      'target-group-arns': OTHER_TARGET_GROUP,
      'task-definition-arn': 'sample-service-dev:1',
    },
    error: outOfScope('target-group-arns', OTHER_TARGET_GROUP, `account ${OTHER_ACCOUNT} in ${REGION}`, HERE),
  },
  {
    name: 'a cluster in another region',
    action: 'verify-targets',
    inputs: { cluster: US_CLUSTER, service: 'sample-service', 'task-definition-arn': 'sample-service-dev:1' },
    error: outOfScope('cluster', US_CLUSTER, `account ${ACCOUNT} in us-east-1`, HERE),
  },
  {
    name: "another account's service",
    action: 'verify-targets',
    inputs: { cluster: 'demo-dev', service: OTHER_SERVICE, 'task-definition-arn': 'sample-service-dev:1' },
    error: outOfScope('service', OTHER_SERVICE, `account ${OTHER_ACCOUNT} in ${REGION}`, HERE),
  },
  {
    name: 'a revision in another region',
    action: 'verify-targets',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition-arn': US_REVISION },
    error: outOfScope('task-definition-arn', US_REVISION, `account ${ACCOUNT} in us-east-1`, HERE),
  },
  {
    name: "another account's cluster",
    action: 'run-task',
    inputs: { cluster: OTHER_CLUSTER, 'task-definition': 'sample-service-dev:1', service: 'sample-service' },
    error: outOfScope('cluster', OTHER_CLUSTER, `account ${OTHER_ACCOUNT} in ${REGION}`, HERE),
  },
  {
    name: 'a revision in another region',
    action: 'run-task',
    inputs: { cluster: 'demo-dev', 'task-definition': US_REVISION, service: 'sample-service' },
    error: outOfScope('task-definition', US_REVISION, `account ${ACCOUNT} in us-east-1`, HERE),
  },
  {
    name: "another account's execution role on a registered family",
    action: 'render-taskdef',
    inputs: { family: 'sample-service-dev', images: `web=${IMAGE}`, 'execution-role-arn': OTHER_ROLE },
    error: outOfScope('execution-role-arn', OTHER_ROLE, `account ${OTHER_ACCOUNT}`, `account ${ACCOUNT}`),
  },
  {
    name: "a template's task role of another account, compared with the running service",
    action: 'render-taskdef',
    inputs: { template: 'taskdef.json', images: `web=${IMAGE}`, cluster: 'demo-dev', service: 'sample-service' },
    files: { 'taskdef.json': json(taskDefinition({ taskRoleArn: OTHER_ROLE })) },
    error: outOfScope(
      'template',
      `taskdef.json taskRoleArn ${OTHER_ROLE}`,
      `account ${OTHER_ACCOUNT}`,
      `account ${ACCOUNT}`,
    ),
  },
  {
    name: "a task-definition file's task role of another account, against the service's account",
    action: 'deploy-ecs',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' },
    files: { 'taskdef.json': json(taskDefinition({ taskRoleArn: OTHER_ROLE })) },
    error: fileRole('taskRoleArn'),
  },
  {
    name: "a task-definition file's execution role of another account, with expected-account-id",
    action: 'deploy-ecs',
    inputs: {
      cluster: 'demo-dev',
      service: 'sample-service',
      'task-definition': 'taskdef.json',
      'expected-account-id': ACCOUNT,
    },
    files: { 'taskdef.json': json(taskDefinition({ executionRoleArn: OTHER_ROLE })) },
    error: fileRole('executionRoleArn'),
  },
  {
    name: "a task-definition file's task role of another account, against the placement service's account",
    action: 'run-task',
    inputs: { cluster: 'demo-dev', service: 'sample-service', 'task-definition': 'taskdef.json' },
    files: { 'taskdef.json': json(taskDefinition({ taskRoleArn: OTHER_ROLE })) },
    error: fileRole('taskRoleArn'),
  },
  {
    name: "a task-definition file's execution role of another account, without a service (the caller's account)",
    action: 'run-task',
    inputs: { cluster: 'demo-dev', 'task-definition': 'taskdef.json', subnets: 'subnet-0123456789abcdef0' },
    files: { 'taskdef.json': json(taskDefinition({ executionRoleArn: OTHER_ROLE })) },
    error: fileRole('executionRoleArn'),
  },
]);
