import type { Source } from './errors.js';

export type Result = 'success' | 'failure' | 'cancelled' | 'skipped';

/** One step as it ran (or was skipped): what `steps.<id>` holds, and what it printed. */
export interface StepRun {
  id: string;
  name: string;
  /** `uses:` as written, without the step's inputs. */
  uses?: string;
  outcome: Result;
  /** The outcome after continue-on-error: a failed step that may fail concludes 'success'. */
  conclusion: Result;
  outputs: Record<string, string>;
  /** Every line it printed (secrets masked), stdout and stderr interleaved. */
  lines: string[];
  /** `::error::` messages, decoded. */
  errors: string[];
  /** Its GITHUB_STEP_SUMMARY. */
  summary: string;
  /** The process's exit code (0 for a stand-in that succeeded); undefined when it did not run. */
  exitCode?: number;
  durationMs: number;
  signals: Array<{ signal: NodeJS.Signals; atMs: number }>;
}

export interface JobRun {
  /** The job's id, prefixed by the calling jobs' ids for a reusable workflow's jobs: `dev/deploy`. */
  path: string;
  id: string;
  name: string;
  workflow: string;
  result: Result;
  outputs: Record<string, string>;
  steps: StepRun[];
  /** The job summary: every step's summary, in order. */
  summary: string;
  environment?: { name: string; url: string };
  /** Set when the job ran as a declared stand-in. */
  standIn?: string;
  durationMs: number;
}

export interface WorkflowRun {
  result: Result;
  /** Every job that ran, was skipped or was a stand-in, called workflows' jobs included, in the order they ended. */
  jobs: JobRun[];
  /** A called workflow's outputs (on.workflow_call.outputs). */
  outputs: Record<string, string>;
  /** Why `intercept` stopped the run before a step, if it did. */
  stopped?: string;
}

/** What a stand-in step can do: the same files and variables a real action writes. */
export interface StandInContext {
  /** The step's `with:`, evaluated. */
  inputs: Record<string, string>;
  /** The environment the step would run with. */
  env: Record<string, string>;
  workspace: string;
  /** The repository the workflow runs for (`github.repository`). */
  repository: string;
  source: Source;
  log(line: string): void;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  addPath(directory: string): void;
  signal: AbortSignal;
}

/** A declared replacement for a third-party action: it says what it does instead, and the run prints it. */
export interface ActionStandIn {
  description: string;
  /** Throws (an Error with a user-facing message) to fail the step. */
  run(context: StandInContext): Promise<void> | void;
}

/** A declared replacement for a whole job (one that cannot run here), printed when used. */
export interface JobStandIn {
  description: string;
  outputs?: Record<string, string>;
}

export interface ApprovalRequest {
  job: string;
  environment: string;
  url: string;
}

/** Everything a run tells: the executor's own lines, each step's, and where they came from. */
export interface RunObserver {
  jobStarted?(job: { path: string; name: string; workflow: string }): void;
  stepStarted?(job: { path: string; name: string }, step: { name: string; uses?: string }): void;
  /** A line a step printed (masked), or one the executor prints about it (stand-ins, skips, approvals). */
  line(job: { path: string; name: string }, line: string): void;
  stepFinished?(job: { path: string; name: string }, step: StepRun): void;
  jobFinished?(job: JobRun): void;
}

/** A step about to run, as `intercept` sees it (its if: was true). */
export interface StepAboutToRun {
  job: string;
  id: string;
  name: string;
  uses?: string;
}

/**
 * What to do instead of running a step: skip it, or stop the whole run before it (a dry run that ends before the
 * first change). The reason is printed.
 */
export type Interception = { skip: string } | { stop: string } | undefined;

/** vars and secrets, as a repository and its environments hold them on GitHub. */
export interface VariableStore {
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  environments?: Record<string, { vars?: Record<string, string>; secrets?: Record<string, string> }>;
}
