import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '@ecs-actions/action-kit';
import {
  fromDescribedTaskDefinition,
  parseDocument,
  prepareTaskDefinition,
  readTaskDefinitionFile,
} from '../src/index.js';

const SOURCE = "Input 'task-definition' (td.json)";
const minimal = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    { name: 'web', image: 'web@sha256:' + 'a'.repeat(64), portMappings: [{ containerPort: 3000 }] },
  ],
};

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a user error');
}

describe('parseDocument', () => {
  it('reads JSON', () => {
    expect(parseDocument('{"family":"web"}', SOURCE)).toEqual({ family: 'web' });
  });
  it('reads YAML', () => {
    expect(parseDocument('family: web\ncontainerDefinitions:\n  - name: web\n', SOURCE)).toEqual({
      family: 'web',
      containerDefinitions: [{ name: 'web' }],
    });
  });
  it('rejects text that is neither, naming the source', () => {
    expect(userError(() => parseDocument('{"family": "web",', SOURCE))).toMatch(
      /^Input 'task-definition' \(td\.json\): not valid JSON or YAML \(.+\); expected a task definition document$/,
    );
  });
  it('rejects a plain string that YAML would accept', () => {
    expect(userError(() => parseDocument('just some words', SOURCE))).toMatch(/not valid JSON or YAML/);
  });
  it('rejects an empty file', () => {
    expect(userError(() => parseDocument('  \n', SOURCE))).toMatch(/the file is empty/);
  });
});

describe('prepareTaskDefinition', () => {
  it('accepts a valid definition unchanged', () => {
    const { taskDefinition, strippedKeys } = prepareTaskDefinition(structuredClone(minimal), SOURCE);
    expect(taskDefinition).toEqual(minimal);
    expect(strippedKeys).toEqual([]);
  });

  it('strips the read-only keys DescribeTaskDefinition returns and says which', () => {
    const described = {
      ...minimal,
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:1:task-definition/web:3',
      revision: 3,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: '2026-01-01T00:00:00Z',
      registeredBy: 'arn:aws:sts::1:assumed-role/deploy',
    };
    const { taskDefinition, strippedKeys } = prepareTaskDefinition(described, SOURCE);
    expect(taskDefinition).toEqual(minimal);
    expect(strippedKeys).toEqual([
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]);
  });

  it('unwraps the output of aws ecs describe-task-definition', () => {
    expect(prepareTaskDefinition({ taskDefinition: { ...minimal, revision: 1 } }, SOURCE).taskDefinition).toEqual(
      minimal,
    );
  });

  it('rejects unknown keys, listing every path', () => {
    const document = structuredClone(minimal) as Record<string, unknown>;
    document.taskRole = 'arn:aws:iam::1:role/x';
    (document.containerDefinitions as Array<Record<string, unknown>>)[0]!.imag = 'typo';
    (document.containerDefinitions as Array<Record<string, unknown>>)[0]!.portMappings = [
      { containerPort: 3000, hostport: 3000 },
    ];
    expect(userError(() => prepareTaskDefinition(document, SOURCE))).toBe(
      `${SOURCE}: keys RegisterTaskDefinition does not accept: containerDefinitions[0].portMappings[0].hostport, ` +
        'containerDefinitions[0].imag, taskRole. Remove them or fix the spelling (field names are camelCase, as in the ECS API).',
    );
  });

  it('accepts keys inside free-form maps such as log options and docker labels', () => {
    const document = structuredClone(minimal) as Record<string, unknown>;
    (document.containerDefinitions as Array<Record<string, unknown>>)[0]!.logConfiguration = {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/web', 'any-key': 'x=y' },
    };
    (document.containerDefinitions as Array<Record<string, unknown>>)[0]!.dockerLabels = { 'com.example': 'a=b' };
    expect(() => prepareTaskDefinition(document, SOURCE)).not.toThrow();
  });

  it('rejects a list where an object belongs', () => {
    expect(userError(() => prepareTaskDefinition({ ...minimal, containerDefinitions: { name: 'web' } }, SOURCE))).toBe(
      `${SOURCE}: containerDefinitions expected a list`,
    );
  });

  it('requires containerDefinitions', () => {
    const { containerDefinitions: _, ...rest } = minimal;
    expect(userError(() => prepareTaskDefinition(rest, SOURCE))).toBe(
      `${SOURCE}: containerDefinitions is missing or empty; expected a list with at least one container`,
    );
  });

  it('requires a family', () => {
    const { family: _, ...rest } = minimal;
    expect(userError(() => prepareTaskDefinition(rest, SOURCE))).toMatch(/family is missing/);
  });

  it('rejects a document that is not an object', () => {
    expect(userError(() => prepareTaskDefinition(['web'], SOURCE))).toMatch(/expected a task definition object/);
  });

  it('turns numeric task cpu and memory into the strings ECS expects', () => {
    const { taskDefinition } = prepareTaskDefinition({ ...minimal, cpu: 256, memory: 512 }, SOURCE);
    expect(taskDefinition.cpu).toBe('256');
    expect(taskDefinition.memory).toBe('512');
  });
});

describe('readTaskDefinitionFile', () => {
  it('reads and prepares a YAML file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskdef-'));
    writeFileSync(join(dir, 'td.yaml'), 'family: web\ncontainerDefinitions:\n  - name: web\n    image: nginx\n');
    await expect(readTaskDefinitionFile('task-definition', join(dir, 'td.yaml'))).resolves.toEqual({
      taskDefinition: { family: 'web', containerDefinitions: [{ name: 'web', image: 'nginx' }] },
      strippedKeys: [],
    });
  });
  it('names a missing file', async () => {
    await expect(readTaskDefinitionFile('task-definition', '/nonexistent/td.json')).rejects.toThrow(
      "Input 'task-definition': cannot read /nonexistent/td.json (no such file); expected a JSON or YAML task-definition file",
    );
  });
});

describe('fromDescribedTaskDefinition', () => {
  it('keeps what RegisterTaskDefinition accepts and adds the tags', () => {
    const described = {
      ...minimal,
      revision: 4,
      status: 'ACTIVE',
      taskDefinitionArn: 'arn',
      compatibilities: ['FARGATE'],
    };
    expect(fromDescribedTaskDefinition(described as never, [{ key: 'team', value: 'web' }])).toEqual({
      ...minimal,
      tags: [{ key: 'team', value: 'web' }],
    });
  });
});
