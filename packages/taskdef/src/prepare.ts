import { readFile } from 'node:fs/promises';
import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { UserError, errorMessage } from '@ecs-actions/action-kit';
import { parse as parseYaml } from 'yaml';
import { checkShape, registerTaskDefinitionShape } from './schema.js';

/** Keys DescribeTaskDefinition returns that RegisterTaskDefinition refuses: a copied revision carries them. */
export const READ_ONLY_KEYS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

export interface PreparedTaskDefinition {
  taskDefinition: RegisterTaskDefinitionCommandInput;
  /** Read-only keys that were removed, for a notice. */
  strippedKeys: string[];
}

/** Parses a task-definition document: JSON first (its errors are clearer), then YAML. */
export function parseDocument(text: string, source: string): unknown {
  if (text.trim() === '')
    throw new UserError(`${source}: the file is empty; expected a task definition in JSON or YAML`);
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    const looksLikeJson = /^\s*[{[]/.test(text);
    try {
      const document: unknown = parseYaml(text);
      if (typeof document === 'object' && document !== null) return document;
    } catch (yamlError) {
      const detail = looksLikeJson ? errorMessage(jsonError) : errorMessage(yamlError).split('\n')[0];
      throw new UserError(`${source}: not valid JSON or YAML (${detail}); expected a task definition document`);
    }
    throw new UserError(
      `${source}: not valid JSON or YAML (${errorMessage(jsonError)}); expected a task definition document`,
    );
  }
}

/**
 * Turns a parsed document into RegisterTaskDefinition input: strips read-only keys, rejects any key ECS does
 * not accept (listing every path), and requires a family and at least one container definition.
 */
export function prepareTaskDefinition(document: unknown, source: string): PreparedTaskDefinition {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new UserError(`${source}: expected a task definition object (with family and containerDefinitions)`);
  }
  // A file saved from `aws ecs describe-task-definition` wraps the definition.
  const raw = { ...((document as { taskDefinition?: object }).taskDefinition ?? document) } as Record<string, unknown>;
  const strippedKeys = READ_ONLY_KEYS.filter((key) => key in raw);
  for (const key of strippedKeys) delete raw[key];

  const problems = checkShape(raw, registerTaskDefinitionShape());
  const unknown = problems.filter((problem) => problem.problem === 'unknown key').map((problem) => problem.path);
  if (unknown.length > 0) {
    throw new UserError(
      `${source}: ${unknown.length === 1 ? 'key' : 'keys'} RegisterTaskDefinition does not accept: ${unknown.join(', ')}. ` +
        `Remove ${unknown.length === 1 ? 'it' : 'them'} or fix the spelling (field names are camelCase, as in the ECS API).`,
    );
  }
  const misplaced = problems.filter((problem) => problem.problem !== 'unknown key');
  if (misplaced.length > 0) {
    throw new UserError(`${source}: ${misplaced.map((problem) => `${problem.path} ${problem.problem}`).join('; ')}`);
  }
  if (typeof raw.family !== 'string' || raw.family.trim() === '') {
    throw new UserError(`${source}: family is missing; expected the task definition family name, e.g. "family": "web"`);
  }
  if (!Array.isArray(raw.containerDefinitions) || raw.containerDefinitions.length === 0) {
    throw new UserError(
      `${source}: containerDefinitions is missing or empty; expected a list with at least one container`,
    );
  }
  // ECS takes task-level cpu and memory as strings; YAML and hand-written JSON often give numbers.
  for (const key of ['cpu', 'memory'] as const) {
    if (typeof raw[key] === 'number') raw[key] = String(raw[key]);
  }
  return { taskDefinition: raw as unknown as RegisterTaskDefinitionCommandInput, strippedKeys: [...strippedKeys] };
}

export async function readTaskDefinitionFile(path: string, source: string): Promise<PreparedTaskDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorMessage(error);
    throw new UserError(`${source}: cannot read ${path} (${why}); expected the path of a task-definition file`);
  }
  return prepareTaskDefinition(parseDocument(text, source), source);
}

/** A registered revision as RegisterTaskDefinition input (read-only and unknown keys dropped), tags included. */
export function fromDescribedTaskDefinition(
  taskDefinition: TaskDefinition,
  tags?: Tag[],
): RegisterTaskDefinitionCommandInput {
  const shape = registerTaskDefinitionShape();
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(taskDefinition)) {
    if (shape.kind === 'structure' && shape.members.has(key) && value !== undefined) input[key] = value;
  }
  if (tags && tags.length > 0) input.tags = tags;
  return input as unknown as RegisterTaskDefinitionCommandInput;
}
