export { runBundle, parseOutputFile, inputVariable, repositoryRoot, RUNNER_GRACE_MS } from './run-bundle.js';
export type { BundleRun, RunBundleOptions } from './run-bundle.js';
export { startSlackReceiver } from './slack-receiver.js';
export type { SlackReceiver, SlackMessage } from './slack-receiver.js';
export { deployEnvironment, revisionName } from './pipeline.js';
export type {
  RehearsalTarget,
  DeployRequest,
  EnvironmentResult,
  StepRecord,
  Logger,
  JobCancel,
  JobOptions,
} from './pipeline.js';
export { startRehearsal, formatTable, REHEARSAL_SCENARIOS, afterCancel, serviceRevisions } from './rehearsal.js';
export type { Rehearsal, RehearsalOptions, RehearsalScenario } from './rehearsal.js';
export { readableLine } from './log-lines.js';
