import type { ContainerDefinition, Task } from '@aws-sdk/client-ecs';
import { foreignLine } from '@ecs-actions/action-kit';

export interface ContainerResult {
  name: string;
  essential: boolean;
  /** null when ECS reports none: the container never ran, or was not in the task. */
  exitCode: number | null;
  reason?: string;
}

export interface TaskVerdict {
  succeeded: boolean;
  containers: ContainerResult[];
  /** One sentence per essential container that did not exit 0. */
  problems: string[];
}

/**
 * A one-off task succeeded only when every essential container exited 0. A container ECS reports no exit code for
 * (it never started, or is missing from the task) fails it too: a migration that never ran is not a migration that
 * passed.
 */
export function judgeTask(task: Task, definitions: ContainerDefinition[]): TaskVerdict {
  const reported = new Map((task.containers ?? []).map((container) => [container.name ?? '', container]));
  const containers: ContainerResult[] = definitions.map((definition) => {
    const name = definition.name ?? '';
    const container = reported.get(name);
    return {
      name,
      // ECS's default: a container is essential unless its definition says otherwise.
      essential: definition.essential !== false,
      exitCode: container?.exitCode ?? null,
      ...(container?.reason ? { reason: container.reason } : container ? {} : { reason: 'not in the task' }),
    };
  });
  const problems = containers
    .filter((container) => container.essential && container.exitCode !== 0)
    .map((container) =>
      container.exitCode === null
        ? `essential container ${container.name} has no exit code (${foreignLine(container.reason ?? 'it never ran')})`
        : `essential container ${container.name} exited ${container.exitCode}` +
          (container.reason ? ` (${foreignLine(container.reason)})` : ''),
    );
  return { succeeded: problems.length === 0, containers, problems };
}

/** `migrate: exit 0`, `sidecar: exit 137 (OutOfMemoryError), not essential`, `web: no exit code (...)`. */
export function containerLine(container: ContainerResult): string {
  const code = container.exitCode === null ? 'no exit code' : `exit ${container.exitCode}`;
  const reason = container.reason ? ` (${foreignLine(container.reason)})` : '';
  return `${foreignLine(container.name)}: ${code}${reason}${container.essential ? '' : ', not essential'}`;
}

export function exitCodes(containers: ContainerResult[]): Record<string, number | null> {
  return Object.fromEntries(containers.map((container) => [container.name, container.exitCode]));
}
