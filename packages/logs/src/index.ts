/** A task's recent container log lines, bounded and printed as foreign text; error-level line counting. */
export { essentialLogSources, logSourceOf, taskIdOf, type LogSource, type LoggedContainer } from './source.js';
export { readLogLines, type LogLine, type LogRead, type ReadLimits } from './reader.js';
export { MAX_LINE_LENGTH, isErrorLine, printableLogLine } from './lines.js';
export { errorLinesOf, formatErrorLine, type ErrorLine } from './check.js';
export {
  deniedGroups,
  deniedNotice,
  formatLogRead,
  formatTaskLogs,
  readTaskLogs,
  taskLogsDetails,
  type TaskLogs,
} from './task-logs.js';
