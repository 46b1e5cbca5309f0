export { UserError, isUserError, errorMessage } from './errors.js';
export { runAction } from './run.js';
export {
  inputError,
  getRequired,
  getOptional,
  getBoolean,
  getInteger,
  parseInteger,
  getDuration,
  parseDuration,
  getByteSize,
  parseByteSize,
  getList,
  getMultiline,
  getText,
  MAX_INPUT_LENGTH,
  MAX_MULTILINE_INPUT_LENGTH,
  getLines,
  getKeyValues,
  parseKeyValues,
  getChoice,
} from './inputs.js';
export type { IntegerOptions, DurationOptions, ByteSizeOptions, KeyValueOptions } from './inputs.js';
export { JobSummary, escapeHtml, code, link } from './summary.js';
export { group, setOutputs, formatDuration, formatBytes } from './log.js';
export { foreignLine, foreignStream, printForeign } from './foreign.js';
export type { ForeignStream } from './foreign.js';
export { pathInside, writeFileInside } from './paths.js';
export { checkHttpUrl } from './urls.js';
export type { HttpUrlOptions } from './urls.js';
export { mapWithConcurrency } from './concurrency.js';
export { compileUserPattern, MAX_PATTERN_LENGTH } from './patterns.js';
export type { UserPattern } from './patterns.js';
export { systemClock, FakeClock, poll } from './clock.js';
export type { Clock, PollOptions, PollResult } from './clock.js';
export { parseImageReference, isDigestPinned, shortDigest, DIGEST_PATTERN } from './images.js';
export type { ImageReference } from './images.js';
export {
  RunContext,
  CancelledError,
  DeadlineError,
  isCancelled,
  isDeadline,
  withDeadline,
  abortable,
  abortReason,
  FINAL_PHASE_MS,
} from './cancel.js';
export type { Deadline } from './cancel.js';
export type { RunDependencies, RunActionOptions } from './run.js';
