// What the rehearsal and other actions reuse: placement, start, follow and the verdict on a one-off task.
export { resolvePlacement, checkRunnable, startTask, runTaskInput } from './launch.js';
export type { Placement, StartRequest } from './launch.js';
export { followTask, stopTask, defaultInterval } from './follow.js';
export type { FollowOutcome, FollowOptions } from './follow.js';
export { judgeTask, containerLine, exitCodes } from './outcome.js';
export type { ContainerResult, TaskVerdict } from './outcome.js';
