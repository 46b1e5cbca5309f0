import type { GetLogEventsRequest } from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from './errors.js';
import type { TaskRecord, World } from './world.js';

/**
 * CloudWatch Logs (JSON 1.1, `x-amz-target: Logs_20140328.<Operation>`): the streams the awslogs driver would
 * write, one per container and task (`<awslogs-stream-prefix>/<container>/<task-id>`). Simulated tasks write
 * scripted lines; real containers' stdout and stderr are appended by the container runtime through
 * appendContainerLogLines.
 */

export interface LogEventRecord {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

/** Log groups by name, each with its streams by name; events in time order. */
export type LogGroups = Map<string, Map<string, LogEventRecord[]>>;

/** Appends lines to a stream, creating the group and stream as the awslogs driver (awslogs-create-group) does. */
export function appendLogLines(
  world: World,
  group: string,
  stream: string,
  lines: Array<{ message: string; timestamp?: number }>,
): void {
  const streams = world.logGroups.get(group) ?? new Map<string, LogEventRecord[]>();
  world.logGroups.set(group, streams);
  const events = streams.get(stream) ?? [];
  streams.set(stream, events);
  for (const line of lines) {
    const timestamp = line.timestamp ?? world.now();
    events.push({ timestamp, message: line.message, ingestionTime: Math.max(timestamp, world.now()) });
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
}

interface ContainerLogConfiguration {
  name: string;
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
}

/** The awslogs group and stream of one container of a task, or undefined when it does not log to CloudWatch. */
export function containerLogStream(
  world: World,
  task: Pick<TaskRecord, 'id' | 'taskDefinitionArn'>,
  containerName: string,
): { group: string; stream: string } | undefined {
  const definition = world.taskDefinition(task.taskDefinitionArn)?.definition;
  const containers = (definition?.containerDefinitions ?? []) as ContainerLogConfiguration[];
  const container = containers.find((entry) => entry.name === containerName);
  const configuration = container?.logConfiguration;
  if (configuration?.logDriver !== 'awslogs') return undefined;
  const group = configuration.options?.['awslogs-group'];
  const prefix = configuration.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return { group, stream: `${prefix}/${containerName}/${task.id}` };
}

/**
 * What a container of a task printed, as the awslogs driver ships it: each line becomes one event of the
 * container's stream. Lines of a container that does not use awslogs go nowhere, as on ECS. Returns false then.
 */
export function appendContainerLogLines(
  world: World,
  task: Pick<TaskRecord, 'id' | 'taskDefinitionArn'>,
  containerName: string,
  messages: string[],
  at?: number,
): boolean {
  const stream = containerLogStream(world, task, containerName);
  if (!stream) return false;
  appendLogLines(
    world,
    stream.group,
    stream.stream,
    messages.map((message) => ({ message, timestamp: at })),
  );
  return true;
}

function parseToken(token: string | undefined): { direction: 'f' | 'b'; index: number } | undefined {
  const match = /^([fb])\/(\d+)$/.exec(token ?? '');
  return match ? { direction: match[1] as 'f' | 'b', index: Number(match[2]) } : undefined;
}

function GetLogEvents(world: World, input: GetLogEventsRequest) {
  const streams = world.logGroups.get(input.logGroupName ?? '');
  if (!streams) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  const all = streams.get(input.logStreamName ?? '');
  if (!all) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
  const limit = Math.min(Math.max(input.limit ?? 10_000, 1), 10_000);
  const events = all.filter(
    (event) =>
      (input.startTime === undefined || event.timestamp >= input.startTime) &&
      (input.endTime === undefined || event.timestamp < input.endTime),
  );
  const token = parseToken(input.nextToken);
  if (input.nextToken !== undefined && !token) {
    throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  }
  let start: number;
  let end: number;
  if (token?.direction === 'f' || (!token && input.startFromHead)) {
    start = Math.min(token?.index ?? 0, events.length);
    end = Math.min(start + limit, events.length);
  } else {
    end = Math.min(token?.index ?? events.length, events.length);
    start = Math.max(0, end - limit);
  }
  return {
    events: events.slice(start, end).map((event) => ({ ...event })),
    nextForwardToken: `f/${end}`,
    nextBackwardToken: `b/${start}`,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own request type
type Handler = (world: World, input: any) => unknown;

const OPERATIONS: Record<string, Handler> = { GetLogEvents };

export function logsOperation(operation: string): Handler | undefined {
  return Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
}
