import { existsSync, statSync } from 'node:fs';
import { getRequired, inputError } from '@ecs-actions/action-kit';
import { TASK_DEFINITION_ARN_FORM, parseRevisionReference } from './revision.js';

/** What a `task-definition` input names: a file to register, or a revision ECS already has. */
export type TaskDefinitionSource = { kind: 'file'; path: string } | { kind: 'existing'; reference: string };

/** Reads a `task-definition` input (deploy-ecs, run-task): a file path, `family:revision` or an ARN. */
export function readTaskDefinitionSource(name = 'task-definition'): TaskDefinitionSource {
  const value = getRequired(name);
  if (parseRevisionReference(value) !== undefined) return { kind: 'existing', reference: value };
  const expected =
    'expected the path of a JSON or YAML task-definition file, an existing revision as family:revision, ' +
    `or its ARN (${TASK_DEFINITION_ARN_FORM})`;
  if (value.startsWith('arn:')) throw inputError(name, `"${value}" is not a task definition ARN; ${expected}`);
  if (!existsSync(value)) throw inputError(name, `no file at ${value}; ${expected}`);
  if (!statSync(value).isFile()) throw inputError(name, `${value} is a directory; ${expected}`);
  return { kind: 'file', path: value };
}
