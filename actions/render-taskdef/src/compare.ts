import { createHash } from 'node:crypto';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { normalizeForComparison } from '@ecs-actions/taskdef';
import { unifiedDiff } from './diff.js';
import type { RegisteredRevision } from './ecs.js';

// Plain environment values with names like these are often secrets that belong in `secrets`; the diff goes to
// the log and the job summary, so it shows a fingerprint that still changes when the value does.
const SENSITIVE_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY/i;

function redact(document: unknown): unknown {
  const definition = document as {
    containerDefinitions?: Array<{ environment?: Array<{ name?: string; value?: string }> }>;
  };
  for (const container of definition.containerDefinitions ?? []) {
    for (const variable of container.environment ?? []) {
      if (variable.name && variable.value !== undefined && SENSITIVE_NAME.test(variable.name)) {
        const fingerprint = createHash('sha256').update(variable.value).digest('hex').slice(0, 8);
        variable.value = `<redacted, sha256 ${fingerprint}>`;
      }
    }
  }
  return document;
}

/** The normalised JSON a reviewer reads: keys sorted, ECS defaults and empty lists dropped, secrets redacted. */
export function comparableJson(taskDefinition: RegisterTaskDefinitionCommandInput): string {
  return `${JSON.stringify(redact(normalizeForComparison(taskDefinition)), null, 2)}\n`;
}

/** A unified diff from the revision a service runs to the rendered definition; empty when they are the same. */
export function diffAgainstRunning(running: RegisteredRevision, rendered: RegisterTaskDefinitionCommandInput): string {
  return unifiedDiff(comparableJson(running.taskDefinition), comparableJson(rendered), {
    before: `running ${running.name}`,
    after: `rendered ${rendered.family}`,
  });
}
