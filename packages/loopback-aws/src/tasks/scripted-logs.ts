import type { Fate } from '../scenarios.js';
import { appendContainerLogLines } from '../logs.js';
import type { ServiceRecord, TaskRecord, World } from '../world.js';

/**
 * What a simulated task's essential container prints, in the sample service's own format (pino JSON, level as a
 * word), so that the actions read the same kind of lines as from a real container: start-up, and for each
 * failing fate the line that explains it.
 */
function scriptedLines(fate: Fate | undefined, task: TaskRecord): Array<{ level: string; msg: string }> {
  const start = { level: 'info', msg: 'starting sample-service' };
  const listening = { level: 'info', msg: `listening on http://${task.ip}:3000` };
  switch (fate) {
    case 'crash':
      return [
        start,
        {
          level: 'fatal',
          msg:
            'Invalid configuration: DATABASE_URL is required when NODE_ENV=production ' +
            '(postgres://user:password@host:5432/database)',
        },
      ];
    case 'unhealthy-targets':
      return [start, listening, { level: 'error', msg: 'GET /health 503: the database did not answer within 2000 ms' }];
    case 'alarm-in-bake':
      return [start, listening, { level: 'error', msg: 'GET /projects 500: relation "projects" does not exist' }];
    default:
      return [start, listening];
  }
}

/** Writes the scripted lines of a task that starts, to its first essential container's awslogs stream. */
export function writeScriptedLogLines(world: World, service: ServiceRecord, task: TaskRecord): void {
  const fate = service.deployments.find((deployment) => deployment.id === task.deploymentId)?.fate;
  const containers = (world.taskDefinition(task.taskDefinitionArn)?.definition.containerDefinitions ?? []) as Array<{
    name: string;
    essential?: boolean;
  }>;
  const container = containers.find((entry) => entry.essential !== false);
  if (!container) return;
  const at = world.now();
  const messages = scriptedLines(fate, task).map((line, index) =>
    JSON.stringify({
      level: line.level,
      time: new Date(at + index).toISOString(),
      service: service.name,
      msg: line.msg,
    }),
  );
  appendContainerLogLines(world, task, container.name, messages, at);
}
