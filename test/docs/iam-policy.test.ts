import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-codedeploy': 'codedeploy',
};

// Permissions the code needs without sending an SDK command of that name, each with its reason.
const NOT_SDK_COMMANDS: Record<string, string> = {
  'ecs:TagResource': 'RegisterTaskDefinition with tags is authorised as ecs:TagResource too',
  'iam:PassRole': 'RegisterTaskDefinition and RunTask pass the task and execution roles to ECS',
  'ecr:BatchCheckLayerAvailability': 'docker buildx push (registry API)',
  'ecr:InitiateLayerUpload': 'docker buildx push (registry API)',
  'ecr:UploadLayerPart': 'docker buildx push (registry API)',
  'ecr:CompleteLayerUpload': 'docker buildx push (registry API)',
  'ecr:PutImage': 'docker buildx push (registry API)',
  'ecr:BatchGetImage': 'docker buildx push and pull of cached base layers (registry API)',
  'ecr:GetDownloadUrlForLayer': 'docker buildx pull of cached layers (registry API)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every AWS API action the shipped code can send, from its imports of SDK commands and paginators. */
function actionsTheCodeSends(): Map<string, string[]> {
  const shipped = [
    ...readdirSync(join(root, 'actions')).map((name) => join(root, 'actions', name, 'src')),
    ...['action-kit', 'aws', 'taskdef', 'logs', 'deploy-record'].map((name) => join(root, 'packages', name, 'src')),
  ];
  const actions = new Map<string, string[]>();
  for (const file of shipped.flatMap((dir) => sourceFiles(dir))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[\w-]+)'/g)) {
      const prefix = IAM_PREFIX[match[2]!];
      if (prefix === undefined) throw new Error(`${relative(root, file)} imports ${match[2]}: add its IAM prefix here`);
      for (const name of match[1]!.split(',').map((part) => part.trim().replace(/\s+as\s+\w+$/, ''))) {
        const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (operation === undefined || !new RegExp(`\\b${name}\\b\\s*\\(`).test(text.replace(match[0], ''))) continue;
        const action = `${prefix}:${operation}`;
        actions.set(action, [...(actions.get(action) ?? []), relative(root, file)]);
      }
    }
  }
  return actions;
}

function policyActions(): Set<string> {
  const actions = new Set<string>();
  // codedeploy-policy.json is added to the deploy role of CODE_DEPLOY services only.
  for (const file of ['deploy-role-policy.json', 'build-role-policy.json', 'codedeploy-policy.json']) {
    const policy = JSON.parse(readFileSync(join(root, 'docs', 'iam', file), 'utf8')) as {
      Statement: Array<{ Action: string | string[] }>;
    };
    for (const statement of policy.Statement) for (const action of [statement.Action].flat()) actions.add(action);
  }
  return actions;
}

describe('the documented IAM policies', () => {
  it('grant every AWS API action the actions send', () => {
    const missing = [...actionsTheCodeSends()]
      .filter(([action]) => !policyActions().has(action))
      .map(([action, files]) => `${action} (sent by ${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('grant nothing the actions do not need', () => {
    const sent = actionsTheCodeSends();
    const unneeded = [...policyActions()].filter((action) => !sent.has(action) && !(action in NOT_SDK_COMMANDS));
    expect(unneeded).toEqual([]);
  });

  it('find the commands in the sources (the scan itself works)', () => {
    expect(actionsTheCodeSends().size).toBeGreaterThan(5);
  });
});
