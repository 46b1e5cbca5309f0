import { RegisterTaskDefinitionRequest$ } from '@aws-sdk/client-ecs';

/*
 * The SDK ships the ECS API model as static schemas: a structure is [3, namespace, name, traits, memberNames,
 * memberSchemas, ...], a list [1, namespace, name, traits, member], a map [2, namespace, name, traits, key, value];
 * a member is a number for a simple type (64|n a list of them, 128|n a map of them), a thunk, or [schema, traits].
 * Walking it keeps the accepted keys exactly those of the SDK version we bundle, with no hand-kept list to drift.
 */

type Thunk = () => unknown;
export type Shape =
  | { kind: 'simple' }
  | { kind: 'structure'; members: Map<string, () => Shape> }
  | { kind: 'list'; member: () => Shape }
  | { kind: 'map'; value: () => Shape };

const SIMPLE: Shape = { kind: 'simple' };

function toShape(schema: unknown): Shape {
  if (typeof schema === 'function') return toShape((schema as Thunk)());
  if (typeof schema === 'number') return SIMPLE;
  if (!Array.isArray(schema)) throw new Error(`unexpected ECS schema node: ${String(schema)}`);
  if (schema.length === 2) return toShape(schema[0]);
  switch (schema[0]) {
    case 3: {
      const names = schema[4] as string[];
      const members = schema[5] as unknown[];
      return {
        kind: 'structure',
        members: new Map(names.map((name, index) => [name, () => toShape(members[index])])),
      };
    }
    case 1:
      return { kind: 'list', member: () => toShape(schema[4]) };
    case 2:
      return { kind: 'map', value: () => toShape(schema[5]) };
    default:
      return SIMPLE;
  }
}

let registerShape: Shape | undefined;

/** The shape of RegisterTaskDefinition's input, from the bundled SDK. */
export function registerTaskDefinitionShape(): Shape {
  registerShape ??= toShape(RegisterTaskDefinitionRequest$);
  if (registerShape.kind !== 'structure' || !registerShape.members.has('containerDefinitions')) {
    throw new Error('the bundled @aws-sdk/client-ecs has no RegisterTaskDefinition schema; ecs-actions needs updating');
  }
  return registerShape;
}

export interface ShapeProblem {
  path: string;
  problem: 'unknown key' | 'expected an object' | 'expected a list';
}

function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Lists every key the shape does not accept, and every object/list in the wrong place, with its path. */
export function checkShape(value: unknown, shape: Shape, path = '', problems: ShapeProblem[] = []): ShapeProblem[] {
  if (value === null || value === undefined) return problems;
  switch (shape.kind) {
    case 'structure':
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push({ path, problem: 'expected an object' });
        break;
      }
      for (const [key, child] of Object.entries(value)) {
        const member = shape.members.get(key);
        if (member === undefined) problems.push({ path: joinPath(path, key), problem: 'unknown key' });
        else checkShape(child, member(), joinPath(path, key), problems);
      }
      break;
    case 'list':
      if (!Array.isArray(value)) {
        problems.push({ path, problem: 'expected a list' });
        break;
      }
      value.forEach((item, index) => checkShape(item, shape.member(), joinPath(path, index), problems));
      break;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push({ path, problem: 'expected an object' });
        break;
      }
      for (const [key, child] of Object.entries(value)) checkShape(child, shape.value(), joinPath(path, key), problems);
      break;
  }
  return problems;
}
