import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/* Values ECS fills in when it registers a revision: a file that omits them describes the same revision. */
const HEALTH_CHECK_DEFAULTS: Record<string, number> = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 };

function byKey(field: string) {
  return (a: Json, b: Json) =>
    String((a as Record<string, Json>)[field]).localeCompare(String((b as Record<string, Json>)[field]));
}

function normalizeContainer(container: Record<string, Json>, awsvpc: boolean): Record<string, Json> {
  const result = { ...container };
  if (result.essential === undefined) result.essential = true;
  if (result.cpu === 0) delete result.cpu;
  if (Array.isArray(result.portMappings)) {
    result.portMappings = result.portMappings.map((mapping) => {
      const port = { ...(mapping as Record<string, Json>) };
      if (port.protocol === undefined) port.protocol = 'tcp';
      if (awsvpc && port.hostPort === port.containerPort) delete port.hostPort;
      return port;
    });
  }
  for (const field of ['environment', 'secrets'] as const) {
    if (Array.isArray(result[field])) result[field] = [...result[field]].sort(byKey('name'));
  }
  if (result.healthCheck && typeof result.healthCheck === 'object') {
    const healthCheck = { ...(result.healthCheck as Record<string, Json>) };
    for (const [key, value] of Object.entries(HEALTH_CHECK_DEFAULTS))
      if (healthCheck[key] === value) delete healthCheck[key];
    result.healthCheck = healthCheck;
  }
  return result;
}

/** Drops empty values and sorts keys so that equal definitions serialise equally. */
function canonical(value: Json | undefined): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((item): item is Json => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length === 0 ? undefined : (Object.fromEntries(entries) as { [key: string]: Json });
  }
  return value;
}

/** A comparable form: key order, empty lists and the defaults ECS fills in do not matter. */
export function normalizeForComparison(taskDefinition: RegisterTaskDefinitionCommandInput): Json {
  const input = JSON.parse(JSON.stringify(taskDefinition)) as Record<string, Json>;
  const awsvpc = input.networkMode === 'awsvpc';
  for (const key of ['cpu', 'memory'] as const) if (typeof input[key] === 'number') input[key] = String(input[key]);
  if (Array.isArray(input.containerDefinitions)) {
    input.containerDefinitions = input.containerDefinitions.map((container) =>
      normalizeContainer(container as Record<string, Json>, awsvpc),
    );
  }
  if (Array.isArray(input.requiresCompatibilities))
    input.requiresCompatibilities = [...input.requiresCompatibilities].sort();
  if (Array.isArray(input.tags)) input.tags = [...input.tags].sort(byKey('key'));
  return canonical(input) ?? {};
}

export function isSameTaskDefinition(
  a: RegisterTaskDefinitionCommandInput,
  b: RegisterTaskDefinitionCommandInput,
): boolean {
  return JSON.stringify(normalizeForComparison(a)) === JSON.stringify(normalizeForComparison(b));
}
