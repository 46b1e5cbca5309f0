import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { errorMessage, isCancelled } from '@ecs-actions/action-kit';
import { isAwsAuthError, isAwsError } from '@ecs-actions/aws';
import type { LogSource } from './source.js';

/** One log event as GetLogEvents returns it. */
export interface LogLine {
  /** Epoch ms. */
  timestamp: number;
  message: string;
}

export interface ReadLimits {
  /** The newest lines kept (GetLogEvents `limit`); at most 10000. */
  lines: number;
  /** Bytes of messages kept, newest first, each line counted up to 8 KiB; older lines beyond it are dropped. 64 KiB unless set. */
  maxBytes?: number;
  /** The whole read, every page; 5 s unless set. A slow CloudWatch never holds a deploy's result. */
  timeoutMs?: number;
  /** Only lines at or after this time (epoch ms), e.g. since the task started. */
  since?: number;
  /** Pages read at most when `since` is set (each up to `lines` events); 5 unless set. */
  maxPages?: number;
  /** The run's cancel signal; the read also ends at its own timeout. */
  signal?: AbortSignal;
}

export type LogRead =
  | { status: 'lines'; source: Extract<LogSource, { kind: 'awslogs' }>; lines: LogLine[]; truncated: boolean }
  | { status: 'empty' | 'missing'; source: Extract<LogSource, { kind: 'awslogs' }> }
  /** The role may not read the logs (logs:GetLogEvents). */
  | { status: 'denied'; source: Extract<LogSource, { kind: 'awslogs' }>; message: string }
  | { status: 'failed'; source: Extract<LogSource, { kind: 'awslogs' }>; message: string }
  | { status: 'elsewhere'; source: Extract<LogSource, { kind: 'elsewhere' }> };

const DENIED = ['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation'];

/** What one line counts against `maxBytes` at most. */
const MAX_LINE_COST = 8 * 1024;

/**
 * The newest lines of one container's stream, bounded in lines, bytes and time. It never throws for a logs
 * problem (denied, missing stream, throttled, slow): the caller prints what it got and carries on. Only a cancel
 * of the run is thrown.
 */
export async function readLogLines(
  logs: CloudWatchLogsClient,
  source: LogSource,
  limits: ReadLimits,
): Promise<LogRead> {
  if (source.kind === 'elsewhere') return { status: 'elsewhere', source };
  const maxLines = Math.max(1, Math.min(10_000, Math.floor(limits.lines)));
  const maxBytes = limits.maxBytes ?? 64 * 1024;
  const deadline = AbortSignal.timeout(limits.timeoutMs ?? 5_000);
  const abortSignal = limits.signal ? AbortSignal.any([limits.signal, deadline]) : deadline;
  const collected: LogLine[] = [];
  let truncated = false;
  try {
    let nextToken: string | undefined;
    // From the end (startFromHead false): the first page holds the newest lines, each next page older ones.
    for (let page = 0; page < (limits.since === undefined ? 1 : (limits.maxPages ?? 5)); page++) {
      const response = await logs.send(
        new GetLogEventsCommand({
          logGroupName: source.group,
          logStreamName: source.stream,
          startFromHead: false,
          limit: maxLines,
          ...(limits.since === undefined ? {} : { startTime: limits.since }),
          ...(nextToken ? { nextToken } : {}),
        }),
        { abortSignal },
      );
      const events = (response.events ?? []).map((event) => ({
        timestamp: event.timestamp ?? 0,
        message: event.message ?? '',
      }));
      collected.unshift(...events);
      // An unchanged backward token means the start of the stream was reached.
      if (events.length === 0 || !response.nextBackwardToken || response.nextBackwardToken === nextToken) break;
      if (collected.length >= maxLines) break;
      nextToken = response.nextBackwardToken;
      if (page + 1 >= (limits.maxPages ?? 5)) truncated = true;
    }
  } catch (error) {
    if (limits.signal?.aborted && isCancelled(limits.signal.reason)) throw limits.signal.reason;
    if (isAwsError(error, 'ResourceNotFoundException')) return { status: 'missing', source };
    if (isDenied(error)) return { status: 'denied', source, message: errorMessage(error) };
    const message = deadline.aborted
      ? `no answer from CloudWatch Logs within ${limits.timeoutMs ?? 5_000} ms`
      : errorMessage(error);
    return { status: 'failed', source, message };
  }
  if (collected.length === 0) return { status: 'empty', source };
  let lines = collected.slice(-maxLines);
  truncated ||= lines.length < collected.length;
  // Newest lines are kept within the byte budget. A huge line counts as a long one: it is cut when printed, and
  // must not push the container's last few lines (the fatal one among them) out of the budget.
  const cost = (line: LogLine) => Math.min(Buffer.byteLength(line.message), MAX_LINE_COST);
  let bytes = 0;
  let first = lines.length;
  while (first > 0 && bytes + cost(lines[first - 1]!) <= maxBytes) {
    bytes += cost(lines[first - 1]!);
    first--;
  }
  if (first === lines.length && lines.length > 0) first = lines.length - 1; // one line at least, cut when printed
  truncated ||= first > 0;
  lines = lines.slice(first);
  return { status: 'lines', source, lines, truncated };
}

function isDenied(error: unknown): boolean {
  if (isAwsAuthError(error)) return DENIED.includes(error.code);
  return isAwsError(error, ...DENIED);
}
