import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isString } from '@actions/workflow-parser';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { ActionStep, RunStep, Step } from '@actions/workflow-parser/model/workflow-template';
import { readCommandFile, readPathFile } from './command-files.js';
import { WorkflowError, type Source } from './errors.js';
import {
  asString,
  evaluateCondition,
  evaluateStringMap,
  evaluateToken,
  NO_STATUS,
  type Contexts,
  type ContextValue,
} from './expressions.js';
import { child, loadAction } from './load.js';
import { runStepProcess } from './process.js';
import type { ActionStandIn, Interception, Result, StepAboutToRun, StepRun } from './types.js';

/** What the steps of one job share: the job's state, environment and files. */
export interface JobState {
  file: string;
  path: string;
  name: string;
  workspace: string;
  temp: string;
  /** Contexts without env and steps (github, vars, secrets, inputs, needs, runner, job). */
  contexts: Contexts;
  /** Workflow env + job env, then what steps wrote to GITHUB_ENV. */
  env: Record<string, string>;
  /** Directories steps added through GITHUB_PATH, newest first. */
  path_: string[];
  /** The environment of the machine plus the runner's GITHUB_* variables. */
  baseEnv: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string>; outcome: Result; conclusion: Result }>;
  /** A step failed without continue-on-error. */
  failed: boolean;
  /** The job was cancelled (Ctrl-C, abort, or its timeout-minutes). */
  cancel: AbortController;
  standIns: Record<string, ActionStandIn>;
  masks: string[];
  grace?: { sigint: number; sigterm: number };
  intercept?(step: StepAboutToRun): Interception;
  /** Set when `intercept` stopped the run: the reason. */
  stopped?: string;
  print(line: string): void;
  started(step: { name: string; uses?: string }): void;
}

const STEP_KEYS = new Set([
  'id',
  'name',
  'if',
  'uses',
  'run',
  'with',
  'env',
  'continue-on-error',
  'timeout-minutes',
  'shell',
  'working-directory',
]);

function line(token: TemplateToken | undefined): number | undefined {
  return token?.line;
}

export function mask(text: string, masks: string[]): string {
  let masked = text;
  for (const secret of masks) if (secret !== '') masked = masked.split(secret).join('***');
  return masked;
}

function decodeCommand(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function statusOf(job: JobState) {
  const cancelled = job.cancel.signal.aborted;
  return { success: !cancelled && !job.failed, failure: !cancelled && job.failed, cancelled };
}

function stepName(step: Step, raw: MappingToken, contexts: Contexts, file: string): string {
  if (step.name !== undefined) return asString(evaluateToken(step.name, contexts, NO_STATUS, file));
  if ('run' in step) {
    const run = child(raw, 'run');
    const text = run !== undefined && isString(run) ? run.value : 'the script';
    return `Run ${text.split('\n')[0]}`;
  }
  if ('uses' in step) return `Run ${step.uses.value}`;
  return step.id;
}

function unsupported(raw: MappingToken, file: string): void {
  for (const pair of raw) {
    const key = String((pair.key as { value?: unknown }).value);
    if (!STEP_KEYS.has(key))
      throw new WorkflowError(`step key "${key}" is not supported by the local executor`, {
        file,
        line: pair.key.line,
      });
  }
}

/** Runs one step of a job (or records it skipped), and updates the job's state from what it wrote. */
export async function runStep(job: JobState, step: Step, raw: MappingToken): Promise<StepRun> {
  const file = job.file;
  unsupported(raw, file);
  if (!('run' in step) && !('uses' in step))
    throw new WorkflowError('only run: and uses: steps are supported', { file, line: raw.line });
  const exec = step as RunStep | ActionStep;
  const contexts = (): Contexts => ({ ...job.contexts, env: job.env, steps: job.steps as unknown as ContextValue });
  const name = stepName(step, raw, contexts(), file);
  const uses = 'uses' in step ? step.uses.value : undefined;
  const record: StepRun = {
    id: step.id,
    name,
    uses,
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    lines: [],
    errors: [],
    summary: '',
    durationMs: 0,
    signals: [],
  };
  const ifSource = { file, line: line(exec.if) ?? raw.line };
  const status = statusOf(job);
  if (job.stopped !== undefined) {
    job.steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
    return record;
  }
  if (!evaluateCondition(exec.if.expression, contexts(), status, ifSource)) {
    job.print(`○ ${name}: skipped (if: ${exec.if.expression})`);
    job.steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
    return record;
  }
  const interception: Interception = job.intercept?.({
    job: job.path,
    id: step.id,
    name,
    uses,
  } satisfies StepAboutToRun);
  if (interception !== undefined) {
    if ('stop' in interception && job.stopped === undefined) {
      job.stopped = interception.stop;
      job.print(`■ ${interception.stop}: the run stops before "${name}"`);
    } else if ('skip' in interception) job.print(`○ ${name}: skipped (${interception.skip})`);
    job.steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
    return record;
  }
  job.started({ name, uses });
  const started = Date.now();
  // The step's own env is evaluated first; with:, run: and the env context of the step then see it.
  const stepEnv = evaluateStringMap(exec.env, contexts(), NO_STATUS, file);
  const stepContexts: Contexts = { ...contexts(), env: { ...job.env, ...stepEnv } };
  const continueOnError = flag(exec['continue-on-error'], stepContexts, file);
  const timeoutMinutes = number(child(raw, 'timeout-minutes'), stepContexts, file);

  const files = {
    GITHUB_OUTPUT: join(job.temp, `output_${randomUUID()}`),
    GITHUB_ENV: join(job.temp, `env_${randomUUID()}`),
    GITHUB_PATH: join(job.temp, `path_${randomUUID()}`),
    GITHUB_STEP_SUMMARY: join(job.temp, `summary_${randomUUID()}`),
    GITHUB_STATE: join(job.temp, `state_${randomUUID()}`),
  };
  for (const path of Object.values(files)) writeFileSync(path, '');
  const env: Record<string, string> = {
    ...job.baseEnv,
    ...job.env,
    ...stepEnv,
    ...files,
    GITHUB_ACTION: step.id,
    PATH: [...job.path_, job.baseEnv.PATH ?? ''].join(delimiter),
  };
  const print = (text: string) => {
    const add = /^::add-mask::(.*)$/.exec(text);
    if (add && add[1]) job.masks.push(add[1]);
    const masked = mask(text, job.masks);
    record.lines.push(masked);
    const error = /^::error[^:]*::(.*)$/.exec(masked);
    if (error) record.errors.push(decodeCommand(error[1]!));
    job.print(masked);
  };

  const timeout = new AbortController();
  const timer = timeoutMinutes === undefined ? undefined : setTimeout(() => timeout.abort(), timeoutMinutes * 60_000);
  // A step that starts after the cancel (if: always(), cancelled()) runs to its end; only its own timeout stops it.
  const cancel = status.cancelled ? timeout.signal : AbortSignal.any([job.cancel.signal, timeout.signal]);
  let outcome: Result;
  try {
    const exitCode =
      'run' in step
        ? await runScript(job, raw, step, stepContexts, env, print, cancel, record)
        : await runAction(job, raw, step, stepContexts, env, print, cancel, record, files);
    record.exitCode = exitCode;
    outcome = exitCode === 0 ? 'success' : 'failure';
  } catch (error) {
    if (error instanceof WorkflowError) throw error;
    print(`::error::${(error as Error).message}`);
    record.exitCode = 1;
    outcome = 'failure';
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (timeout.signal.aborted) {
    print(`::error::The step exceeded its timeout-minutes (${timeoutMinutes}) and was cancelled`);
    outcome = 'failure';
  } else if (job.cancel.signal.aborted && !status.cancelled) {
    outcome = 'cancelled';
  }

  record.outputs = readCommandFile(files.GITHUB_OUTPUT, 'GITHUB_OUTPUT');
  Object.assign(job.env, readCommandFile(files.GITHUB_ENV, 'GITHUB_ENV'));
  job.path_.unshift(...readPathFile(files.GITHUB_PATH).reverse());
  record.summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
  record.outcome = outcome;
  record.conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
  record.durationMs = Date.now() - started;
  if (record.conclusion === 'failure') job.failed = true;
  if (outcome === 'failure' && continueOnError) job.print(`continue-on-error: "${name}" failed; the job goes on`);
  job.steps[step.id] = { outputs: record.outputs, outcome: record.outcome, conclusion: record.conclusion };
  return record;
}

function flag(token: boolean | TemplateToken | undefined, contexts: Contexts, file: string): boolean {
  if (token === undefined || typeof token === 'boolean') return token ?? false;
  const value = evaluateToken(token, contexts, NO_STATUS, file);
  return value === true || value === 'true';
}

function number(token: TemplateToken | undefined, contexts: Contexts, file: string): number | undefined {
  if (token === undefined) return undefined;
  const value = Number(asString(evaluateToken(token, contexts, NO_STATUS, file)));
  if (!Number.isFinite(value) || value <= 0)
    throw new WorkflowError(`timeout-minutes: expected a positive number of minutes`, { file, line: token.line });
  return value;
}

function workingDirectory(job: JobState, raw: MappingToken, contexts: Contexts): string {
  const token = child(raw, 'working-directory');
  if (token === undefined) return job.workspace;
  const directory = asString(evaluateToken(token, contexts, NO_STATUS, job.file));
  return isAbsolute(directory) ? directory : resolve(job.workspace, directory);
}

async function runScript(
  job: JobState,
  raw: MappingToken,
  step: RunStep,
  contexts: Contexts,
  env: Record<string, string>,
  print: (line: string) => void,
  cancel: AbortSignal,
  record: StepRun,
): Promise<number> {
  const shell = child(raw, 'shell');
  if (shell !== undefined && asString(evaluateToken(shell, contexts, NO_STATUS, job.file)) !== 'bash')
    throw new WorkflowError('only shell: bash is supported by the local executor', {
      file: job.file,
      line: shell.line,
    });
  const script = asString(evaluateToken(step.run, contexts, NO_STATUS, job.file));
  const scriptFile = join(job.temp, `${randomUUID()}.sh`);
  writeFileSync(scriptFile, script);
  // GitHub's bash: `bash --noprofile --norc -eo pipefail {0}`.
  const result = await runStepProcess({
    command: 'bash',
    args: ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile],
    cwd: workingDirectory(job, raw, contexts),
    env,
    onLine: print,
    cancel,
    grace: job.grace,
  });
  record.signals = result.signals;
  return result.exitCode;
}

/** `uses:` without its ref: `actions/checkout`, `github/codeql-action/init`. */
export function actionName(uses: string): string {
  return uses.replace(/@.*$/, '');
}

/** The variable a runner sets for an input: `INPUT_` + the name upper-cased, spaces as `_`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

async function runAction(
  job: JobState,
  raw: MappingToken,
  step: ActionStep,
  contexts: Contexts,
  env: Record<string, string>,
  print: (line: string) => void,
  cancel: AbortSignal,
  record: StepRun,
  files: Record<string, string>,
): Promise<number> {
  const uses = step.uses.value;
  const source: Source = { file: job.file, line: step.uses.line };
  const withToken = child(raw, 'with');
  const inputs = evaluateStringMap(withToken, contexts, NO_STATUS, job.file);
  if (uses.startsWith('docker://')) throw new WorkflowError(`docker actions are not supported (${uses})`, source);
  if (!uses.startsWith('./')) {
    const standIn = job.standIns[actionName(uses)];
    if (standIn === undefined)
      throw new WorkflowError(
        `unknown action ${uses}: it has no local stand-in (declared: ${Object.keys(job.standIns).join(', ') || 'none'})`,
        source,
      );
    print(`stand-in for ${actionName(uses)}: ${standIn.description}`);
    await standIn.run({
      inputs,
      env,
      workspace: job.workspace,
      repository: String((job.contexts.github as Record<string, ContextValue>).repository ?? ''),
      source,
      log: print,
      setOutput: (name, value) => {
        const end = `EOF_${randomUUID()}`;
        appendFileSync(files.GITHUB_OUTPUT!, `${name}<<${end}\n${value}\n${end}\n`);
      },
      exportVariable: (name, value) => {
        job.env[name] = value;
        if (name.startsWith('AWS_SECRET') || name === 'AWS_SESSION_TOKEN') job.masks.push(value);
      },
      addPath: (directory) => job.path_.unshift(directory),
      signal: cancel,
    });
    return 0;
  }
  const directory = resolve(job.workspace, uses);
  const metadata = ['action.yml', 'action.yaml'].map((name) => join(directory, name)).find((path) => existsSync(path));
  if (metadata === undefined) throw new WorkflowError(`${uses}: no action.yml in ${directory}`, source);
  const action = loadAction(metadata, relative(job.workspace, metadata) || metadata);
  const runs = action.template.runs;
  if (runs.using !== 'node24' && runs.using !== 'node20')
    throw new WorkflowError(`${uses}: runs.using "${runs.using}" is not supported (node24 actions only)`, source);
  if (runs.pre || runs.post) throw new WorkflowError(`${uses}: pre: and post: scripts are not supported`, source);
  const known = new Set((action.template.inputs ?? []).map((input) => input.id));
  const unexpected = Object.keys(inputs).filter((name) => !known.has(name));
  if (unexpected.length > 0)
    print(`::warning::Unexpected input(s) '${unexpected.join("', '")}', valid inputs are [${[...known].join(', ')}]`);
  const inputEnv: Record<string, string> = {};
  for (const input of action.template.inputs ?? []) {
    const value =
      inputs[input.id] ??
      (input.default === undefined ? '' : asString(evaluateToken(input.default, contexts, NO_STATUS, action.file)));
    inputEnv[inputVariable(input.id)] = value;
  }
  for (const [name, value] of Object.entries(inputs)) inputEnv[inputVariable(name)] = value;
  const result = await runStepProcess({
    command: process.execPath,
    args: [resolve(dirname(metadata), runs.main)],
    cwd: workingDirectory(job, raw, contexts),
    env: { ...env, ...inputEnv, GITHUB_ACTION_PATH: directory },
    onLine: print,
    cancel,
    grace: job.grace,
  });
  record.signals = result.signals;
  return result.exitCode;
}
