import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type {
  Job,
  ReusableWorkflowJob,
  WorkflowCallConfig,
  WorkflowJob,
} from '@actions/workflow-parser/model/workflow-template';
import { isMapping } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { WorkflowError } from './errors.js';
import {
  asString,
  evaluateCondition,
  evaluateStringMap,
  evaluateToken,
  NO_STATUS,
  type Contexts,
  type ContextValue,
  type StatusState,
} from './expressions.js';
import { child, loadWorkflow, rawJob, rawSteps, type LoadedWorkflow } from './load.js';
import { runStep, type JobState } from './steps.js';
import type {
  ActionStandIn,
  ApprovalRequest,
  Interception,
  JobRun,
  StepAboutToRun,
  JobStandIn,
  Result,
  RunObserver,
  VariableStore,
  WorkflowRun,
} from './types.js';

export interface RunWorkflowOptions {
  /** The workflow file to run. */
  workflow: string;
  /** The repository the workflow belongs to: `uses: ./.github/workflows/x.yml` resolves here. Default: above .github/. */
  repositoryRoot?: string;
  /** The entry workflow's inputs (its workflow_call or workflow_dispatch inputs). */
  inputs?: Record<string, string | number | boolean>;
  /** Secrets passed to the entry workflow (as a caller's `secrets:`); the store's secrets are the repository's. */
  secrets?: Record<string, string>;
  variables?: VariableStore;
  /** The `github` context (sha, ref, repository, event_name, run_id, run_number, actor, token...), over defaults. */
  github?: Record<string, string>;
  /** The machine's environment the steps start from; default process.env without INPUT_* and GITHUB_*. */
  env?: Record<string, string | undefined>;
  /** Stand-ins for third-party actions, by name without ref (`actions/checkout`). */
  standIns?: Record<string, ActionStandIn>;
  /** Stand-ins for whole jobs, by job path (`build`, `dev/record`). */
  jobStandIns?: Record<string, JobStandIn>;
  /** Grants (true) or refuses a job's `environment:`; without it such a job fails. */
  approve?(request: ApprovalRequest): boolean | Promise<boolean>;
  /** Decides, for each step about to run, to skip it or to stop the run before it (a dry run). */
  intercept?(step: StepAboutToRun): Interception;
  /** Aborting it cancels the run as the Cancel button does. */
  signal?: AbortSignal;
  /** The runner's waits after SIGINT and SIGTERM when a step is cancelled; 7.5 s and 2.5 s unless set. */
  grace?: { sigint: number; sigterm: number };
  observer?: RunObserver;
}

interface Run {
  options: RunWorkflowOptions;
  repositoryRoot: string;
  github: Record<string, string>;
  baseEnv: Record<string, string>;
  jobs: JobRun[];
  temp: string;
  observer: RunObserver;
  masks: string[];
  /** Why the run stopped early (intercept), if it did. */
  stopped?: string;
}

/** Runs a workflow file on this machine: its jobs in `needs` order, called workflows, steps, stand-ins. */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun> {
  const workflow = resolve(options.workflow);
  const repositoryRoot = resolve(options.repositoryRoot ?? dirname(dirname(dirname(workflow))));
  const temp = mkdtempSync(join(tmpdir(), 'workflow-runner-'));
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined && !key.startsWith('INPUT_') && !key.startsWith('GITHUB_')) baseEnv[key] = value;
  }
  const run: Run = {
    options,
    repositoryRoot,
    github: { ...defaultGithub(repositoryRoot), ...options.github },
    baseEnv,
    jobs: [],
    temp,
    observer: options.observer ?? { line: (job, line) => console.log(`[${job.path}] ${line}`) },
    masks: [],
  };
  const store = options.variables ?? {};
  run.masks.push(...Object.values(store.secrets ?? {}), ...Object.values(options.secrets ?? {}));
  try {
    const loaded = await loadWorkflow(workflow, displayName(repositoryRoot, workflow));
    const inputs = entryInputs(loaded, options.inputs ?? {});
    const secrets = { ...store.secrets, ...options.secrets };
    return await runJobs(run, loaded, inputs, secrets, '');
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function displayName(root: string, path: string): string {
  const name = relative(root, path);
  return name.startsWith('..') ? path : name;
}

function git(root: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function defaultGithub(root: string): Record<string, string> {
  const sha = git(root, 'rev-parse', 'HEAD');
  const branch = git(root, 'rev-parse', '--abbrev-ref', 'HEAD') || 'main';
  return {
    repository: 'local/repository',
    repository_owner: 'local',
    sha,
    ref: `refs/heads/${branch}`,
    ref_name: branch,
    event_name: 'workflow_dispatch',
    run_id: String(Date.now()),
    run_number: '1',
    run_attempt: '1',
    actor: userInfo().username,
    server_url: 'https://github.com',
    api_url: 'https://api.github.com',
    token: '',
  };
}

/** Checks and types the inputs of the entry workflow against its workflow_call or workflow_dispatch inputs. */
function entryInputs(workflow: LoadedWorkflow, given: Record<string, string | number | boolean>): Contexts {
  const definitions = workflow.template.events.workflow_call ?? workflow.template.events.workflow_dispatch;
  return typedInputs(workflow, (definitions ?? {}) as WorkflowCallConfig, given, { file: workflow.file });
}

function typedInputs(
  workflow: LoadedWorkflow,
  definitions: WorkflowCallConfig,
  given: Record<string, ContextValue>,
  source: { file: string; line?: number },
): Contexts {
  const known = definitions.inputs ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in known))
      throw new WorkflowError(
        `input '${name}' is not defined by ${workflow.file} (inputs: ${Object.keys(known).join(', ')})`,
        source,
      );
  }
  const inputs: Contexts = {};
  for (const [name, definition] of Object.entries(known)) {
    let value: ContextValue | undefined = given[name];
    if (value === undefined && definition.default !== undefined) {
      value =
        typeof definition.default === 'object'
          ? evaluateToken(definition.default, {}, NO_STATUS, workflow.file)
          : definition.default;
    }
    if (value === undefined && definition.required)
      throw new WorkflowError(`input '${name}' is required by ${workflow.file}`, source);
    const type = String(definition.type);
    if (type === 'number') {
      const number = Number(value ?? 0);
      if (!Number.isFinite(number))
        throw new WorkflowError(`input '${name}': ${JSON.stringify(value)} is not a number`, source);
      inputs[name] = number;
    } else if (type === 'boolean') {
      inputs[name] = value === true || value === 'true';
    } else {
      inputs[name] = value === undefined ? '' : asString(value);
    }
  }
  return inputs;
}

/** Jobs in `needs` order; in file order among those that are ready. */
function order(workflow: LoadedWorkflow): WorkflowJob[] {
  const pending = [...workflow.template.jobs];
  const done = new Set<string>();
  const ordered: WorkflowJob[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex((job) => (job.needs ?? []).every((need) => done.has(need.value)));
    if (index < 0) throw new WorkflowError("the jobs' needs form a cycle", { file: workflow.file });
    const [job] = pending.splice(index, 1);
    ordered.push(job!);
    done.add(job!.id.value);
  }
  return ordered;
}

async function runJobs(
  run: Run,
  workflow: LoadedWorkflow,
  inputs: Contexts,
  secrets: Record<string, string>,
  prefix: string,
): Promise<WorkflowRun> {
  const results: Record<string, { result: Result; outputs: Record<string, string> }> = {};
  const cancelled = () => run.options.signal?.aborted ?? false;
  const baseContexts: Contexts = {
    github: run.github,
    vars: run.options.variables?.vars ?? {},
    secrets: { GITHUB_TOKEN: run.github.token ?? '', ...secrets },
    inputs,
  };
  for (const job of order(workflow)) {
    const id = job.id.value;
    const path = prefix ? `${prefix}/${id}` : id;
    const needs: Record<string, ContextValue> = {};
    for (const need of job.needs ?? []) needs[need.value] = results[need.value] as unknown as ContextValue;
    const needResults = (job.needs ?? []).map((need) => results[need.value]!.result);
    const state: StatusState = {
      success: !cancelled() && needResults.every((result) => result === 'success'),
      failure: !cancelled() && needResults.some((result) => result === 'failure' || result === 'cancelled'),
      cancelled: cancelled(),
    };
    const contexts: Contexts = { ...baseContexts, needs };
    const display = jobName(job, contexts, workflow.file);
    const runs = evaluateCondition(job.if.expression, contexts, state, {
      file: workflow.file,
      line: job.if.line ?? job.id.line,
    });
    let jobRun: JobRun;
    if (run.stopped !== undefined) {
      jobRun = emptyJob(path, id, display, workflow.file, 'skipped');
      run.observer.line({ path, name: display }, `○ job "${display}": not run (${run.stopped})`);
    } else if (!runs) {
      jobRun = emptyJob(path, id, display, workflow.file, cancelled() ? 'cancelled' : 'skipped');
      run.observer.line({ path, name: display }, `○ job "${display}": skipped (if: ${job.if.expression})`);
    } else if (run.options.jobStandIns?.[path]) {
      const standIn = run.options.jobStandIns[path]!;
      run.observer.jobStarted?.({ path, name: display, workflow: workflow.file });
      run.observer.line({ path, name: display }, `stand-in for job "${display}": ${standIn.description}`);
      jobRun = {
        ...emptyJob(path, id, display, workflow.file, 'success'),
        outputs: { ...standIn.outputs },
        standIn: standIn.description,
      };
    } else if (job.type === 'reusableWorkflowJob') {
      jobRun = await runCalledWorkflow(run, workflow, job, contexts, path, display);
    } else {
      jobRun = await runJob(run, workflow, job, contexts, path, display);
    }
    results[id] = { result: jobRun.result, outputs: jobRun.outputs };
    run.jobs.push(jobRun);
    run.observer.jobFinished?.(jobRun);
  }
  const all = Object.values(results).map((result) => result.result);
  const result: Result = all.includes('failure')
    ? 'failure'
    : all.includes('cancelled') || cancelled()
      ? 'cancelled'
      : 'success';
  const outputsToken = child(child(child(workflow.root, 'on'), 'workflow_call'), 'outputs');
  const outputs: Record<string, string> = {};
  if (outputsToken !== undefined) {
    const jobsContext = results as unknown as ContextValue;
    for (const pair of outputsToken as unknown as Iterable<{ key: { value: string }; value: TemplateToken }>) {
      const value = child(pair.value, 'value');
      if (value !== undefined)
        outputs[pair.key.value] = asString(
          evaluateToken(value, { ...baseContexts, jobs: jobsContext }, NO_STATUS, workflow.file),
        );
    }
  }
  return { result, jobs: run.jobs, outputs, ...(run.stopped === undefined ? {} : { stopped: run.stopped }) };
}

function jobName(job: WorkflowJob, contexts: Contexts, file: string): string {
  return job.name === undefined ? job.id.value : asString(evaluateToken(job.name, contexts, NO_STATUS, file));
}

function emptyJob(path: string, id: string, name: string, workflow: string, result: Result): JobRun {
  return { path, id, name, workflow, result, outputs: {}, steps: [], summary: '', durationMs: 0 };
}

const JOB_KEYS = new Set([
  'name',
  'needs',
  'if',
  'runs-on',
  'permissions',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'timeout-minutes',
  'steps',
  'uses',
  'with',
  'secrets',
]);

function checkJobKeys(workflow: LoadedWorkflow, id: string): void {
  for (const pair of rawJob(workflow, id)) {
    const key = String((pair.key as { value?: unknown }).value);
    if (!JOB_KEYS.has(key))
      throw new WorkflowError(`job key "${key}" (job "${id}") is not supported by the local executor`, {
        file: workflow.file,
        line: pair.key.line,
      });
  }
}

async function runCalledWorkflow(
  run: Run,
  caller: LoadedWorkflow,
  job: ReusableWorkflowJob,
  contexts: Contexts,
  path: string,
  display: string,
): Promise<JobRun> {
  checkJobKeys(caller, job.id.value);
  const source = { file: caller.file, line: job.ref.line };
  const ref = job.ref.value;
  if (!ref.startsWith('./'))
    throw new WorkflowError(
      `reusable workflow ${ref}: only local ones (./.github/workflows/...) are supported`,
      source,
    );
  const started = Date.now();
  run.observer.jobStarted?.({ path, name: display, workflow: caller.file });
  const file = resolve(run.repositoryRoot, ref);
  const called = await loadWorkflow(file, displayName(run.repositoryRoot, file));
  const call = called.template.events.workflow_call;
  if (call === undefined) throw new WorkflowError(`${called.file} has no on: workflow_call`, source);
  const inputValues = job['input-values'];
  const given = inputValues === undefined ? {} : evaluateToken(inputValues, contexts, NO_STATUS, caller.file);
  const inputs = typedInputs(called, call, (given ?? {}) as Record<string, ContextValue>, source);
  const secrets = job['inherit-secrets']
    ? { ...(contexts.secrets as Record<string, string>) }
    : evaluateStringMap(job['secret-values'], contexts, NO_STATUS, caller.file);
  for (const [name, definition] of Object.entries(call.secrets ?? {})) {
    if (definition.required && !secrets[name])
      throw new WorkflowError(`secret '${name}' is required by ${called.file}`, source);
  }
  run.masks.push(...Object.values(secrets).filter((value) => value !== ''));
  const result = await runJobs(run, called, inputs, secrets, path);
  return {
    ...emptyJob(path, job.id.value, display, caller.file, result.result),
    outputs: result.outputs,
    durationMs: Date.now() - started,
  };
}

async function runJob(
  run: Run,
  workflow: LoadedWorkflow,
  job: Job,
  contexts: Contexts,
  path: string,
  display: string,
): Promise<JobRun> {
  const id = job.id.value;
  checkJobKeys(workflow, id);
  const raw = rawJob(workflow, id);
  const started = Date.now();
  const ref = { path, name: display };
  run.observer.jobStarted?.({ path, name: display, workflow: workflow.file });
  const print = (line: string) => run.observer.line(ref, line);

  let environment: { name: string; url: string } | undefined;
  const jobContexts: Contexts = { ...contexts };
  if (job.environment !== undefined) {
    // The name is known when the job starts; the url is evaluated when it ends (it may read steps' outputs).
    const nameToken = isMapping(job.environment) ? child(job.environment, 'name') : job.environment;
    const name = nameToken === undefined ? '' : asString(evaluateToken(nameToken, contexts, NO_STATUS, workflow.file));
    environment = { name, url: '' };
    const approved = run.options.approve ? await run.options.approve({ job: path, environment: name, url: '' }) : false;
    print(
      `environment "${name}" (job ${path}): ${approved ? 'approved' : 'not approved'}${run.options.approve ? '' : ' (no approver given)'}`,
    );
    if (!approved) {
      return { ...emptyJob(path, id, display, workflow.file, 'failure'), environment };
    }
    const scoped = run.options.variables?.environments?.[name];
    jobContexts.vars = { ...(contexts.vars as Record<string, string>), ...scoped?.vars };
    jobContexts.secrets = { ...(contexts.secrets as Record<string, string>), ...scoped?.secrets };
    run.masks.push(...Object.values(scoped?.secrets ?? {}).filter((secret) => secret !== ''));
  }
  const workflowEnv = evaluateStringMap(
    workflow.template.env as TemplateToken | undefined,
    jobContexts,
    NO_STATUS,
    workflow.file,
  );
  const jobEnv = evaluateStringMap(job.env, { ...jobContexts, env: workflowEnv }, NO_STATUS, workflow.file);
  const timeoutToken = child(raw, 'timeout-minutes');
  // GitHub's default: 360 minutes.
  const timeoutMinutes =
    timeoutToken === undefined
      ? 360
      : Number(asString(evaluateToken(timeoutToken, jobContexts, NO_STATUS, workflow.file)));
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0)
    throw new WorkflowError('timeout-minutes: expected a positive number of minutes', {
      file: workflow.file,
      line: timeoutToken?.line,
    });

  const temp = join(run.temp, path.replace(/\//g, '__'));
  const workspace = join(temp, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const cancel = new AbortController();
  const onAbort = () => {
    if (!cancel.signal.aborted) {
      print(
        'The run was cancelled: the running step is stopped (SIGINT, SIGTERM after 7.5 s, SIGKILL after 2.5 s more)',
      );
      cancel.abort();
    }
  };
  run.options.signal?.addEventListener('abort', onAbort, { once: true });
  if (run.options.signal?.aborted) onAbort();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    print(`::error::The job exceeded its timeout-minutes (${timeoutMinutes}) and was cancelled`);
    cancel.abort();
  }, timeoutMinutes * 60_000);

  const state: JobState = {
    file: workflow.file,
    path,
    name: display,
    workspace,
    temp,
    contexts: {
      ...jobContexts,
      job: { status: 'success' },
      runner: {
        os: 'Linux',
        arch: 'X64',
        name: 'local',
        temp,
        tool_cache: join(temp, 'tool-cache'),
        environment: 'self-hosted',
      },
      github: { ...run.github, job: id, workspace, workflow: workflowName(workflow) },
    },
    env: { ...workflowEnv, ...jobEnv },
    path_: [],
    baseEnv: {
      ...run.baseEnv,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_JOB: id,
      GITHUB_REPOSITORY: run.github.repository ?? '',
      GITHUB_REPOSITORY_OWNER: run.github.repository_owner ?? '',
      GITHUB_SHA: run.github.sha ?? '',
      GITHUB_REF: run.github.ref ?? '',
      GITHUB_REF_NAME: run.github.ref_name ?? '',
      GITHUB_EVENT_NAME: run.github.event_name ?? '',
      GITHUB_EVENT_PATH: eventFile(temp),
      GITHUB_RUN_ID: run.github.run_id ?? '',
      GITHUB_RUN_NUMBER: run.github.run_number ?? '',
      GITHUB_RUN_ATTEMPT: run.github.run_attempt ?? '',
      GITHUB_ACTOR: run.github.actor ?? '',
      GITHUB_WORKFLOW: workflowName(workflow),
      GITHUB_SERVER_URL: run.github.server_url ?? '',
      GITHUB_API_URL: run.github.api_url ?? '',
      RUNNER_TEMP: temp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
    },
    steps: {},
    failed: false,
    cancel,
    standIns: run.options.standIns ?? {},
    masks: run.masks,
    grace: run.options.grace,
    intercept: run.options.intercept,
    print,
    started: (step) => run.observer.stepStarted?.(ref, step),
  };
  const jobRun: JobRun = { ...emptyJob(path, id, display, workflow.file, 'success'), environment };
  const rawStepList = rawSteps(workflow, id);
  try {
    for (const [index, step] of job.steps.entries()) {
      (state.contexts.job as Record<string, string>).status = state.cancel.signal.aborted
        ? 'cancelled'
        : state.failed
          ? 'failure'
          : 'success';
      const record = await runStep(state, step, rawStepList[index]!);
      jobRun.steps.push(record);
      if (record.outcome !== 'skipped') run.observer.stepFinished?.(ref, record);
      if (record.summary) jobRun.summary += record.summary.endsWith('\n') ? record.summary : `${record.summary}\n`;
    }
  } finally {
    clearTimeout(timer);
    run.options.signal?.removeEventListener('abort', onAbort);
  }
  if (state.stopped !== undefined) run.stopped = state.stopped;
  jobRun.result = state.failed || timedOut ? 'failure' : cancel.signal.aborted ? 'cancelled' : 'success';
  const outputContexts = { ...state.contexts, env: state.env, steps: state.steps as unknown as ContextValue };
  jobRun.outputs = evaluateStringMap(job.outputs, outputContexts, NO_STATUS, workflow.file);
  if (environment !== undefined) {
    const urlToken = child(job.environment, 'url');
    if (urlToken !== undefined)
      environment.url = asString(evaluateToken(urlToken, outputContexts, NO_STATUS, workflow.file));
  }
  jobRun.durationMs = Date.now() - started;
  return jobRun;
}

function workflowName(workflow: LoadedWorkflow): string {
  const name = child(workflow.root, 'name');
  return name === undefined ? workflow.file : asString(evaluateToken(name, {}, NO_STATUS, workflow.file));
}

function eventFile(temp: string): string {
  const file = join(temp, 'event.json');
  writeFileSync(file, '{}');
  return file;
}
