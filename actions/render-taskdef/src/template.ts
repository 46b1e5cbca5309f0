import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { readInputDocument } from '@ecs-actions/action-kit/documents';
import { prepareTaskDefinition } from '@ecs-actions/taskdef';
import { substituteVars } from './vars.js';

export interface LoadedTemplate {
  taskDefinition: RegisterTaskDefinitionCommandInput;
  /** Read-only keys (from a copied DescribeTaskDefinition output) that were removed. */
  strippedKeys: string[];
  unusedVars: string[];
}

/** Reads a JSON or YAML template, fills its `${NAME}` placeholders, and checks its keys against the ECS API. */
export async function loadTemplate(path: string, vars: ReadonlyMap<string, string>): Promise<LoadedTemplate> {
  const parsed = await readInputDocument('template', path, {
    format: 'json-or-yaml',
    expected: 'the path of a JSON or YAML task definition',
  });
  const source = `template ${path}`;
  const { document, unusedVars } = substituteVars(parsed.document, vars, source);
  const { taskDefinition, strippedKeys } = prepareTaskDefinition(document, source);
  return { taskDefinition, strippedKeys, unusedVars };
}
