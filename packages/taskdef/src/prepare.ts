import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { UserError } from '@ecs-actions/action-kit';
import { parseDocumentText, readInputDocument } from '@ecs-actions/action-kit/documents';
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

const EXPECTED_DOCUMENT = 'a task definition document';

/** Parses a task-definition document (JSON first, its errors are clearer, then YAML) under the file limits. */
export function parseDocument(text: string, source: string): unknown {
  const document = parseDocumentText(source, text, { format: 'json-or-yaml', expected: EXPECTED_DOCUMENT });
  if (typeof document !== 'object' || document === null) {
    throw new UserError(`${source}: not valid JSON or YAML (a ${typeof document}); expected ${EXPECTED_DOCUMENT}`);
  }
  return document;
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

/** Reads the task-definition file an input names, under the file limits, and prepares it. */
export async function readTaskDefinitionFile(input: string, path: string): Promise<PreparedTaskDefinition> {
  const { document } = await readInputDocument(input, path, {
    format: 'json-or-yaml',
    expected: 'a JSON or YAML task-definition file',
  });
  return prepareTaskDefinition(document, `Input '${input}': ${path}`);
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
