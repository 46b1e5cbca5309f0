import { isErrorLine, printableLogLine } from './lines.js';
import type { LogLine } from './reader.js';
import type { TaskLogs } from './task-logs.js';

/** One error-level line found in a task's container logs. */
export interface ErrorLine {
  taskId: string;
  container: string;
  line: LogLine;
}

/**
 * The error-level lines of what was read of these tasks, oldest first: JSON `level` >= 50 or an error label, or
 * lines the user's pattern matches (see isErrorLine).
 */
export function errorLinesOf(tasks: TaskLogs[], pattern?: { test(text: string): boolean }): ErrorLine[] {
  const found = tasks.flatMap((task) =>
    task.reads.flatMap((read) =>
      read.status !== 'lines'
        ? []
        : read.lines
            .filter((line) => isErrorLine(line.message, pattern))
            .map((line) => ({ taskId: task.taskId, container: read.source.container, line })),
    ),
  );
  return found.sort((a, b) => a.line.timestamp - b.line.timestamp);
}

/** `web (task 0a1b…) 12:00:01.250Z <the line, printable>`: foreign text made safe to print or annotate. */
export function formatErrorLine(error: ErrorLine): string {
  const time = new Date(error.line.timestamp).toISOString().slice(11, 23);
  return `${error.container} (task ${error.taskId}) ${time}Z ${printableLogLine(error.line.message)}`;
}
