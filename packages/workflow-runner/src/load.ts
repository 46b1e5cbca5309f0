import { readFileSync } from 'node:fs';
import {
  convertWorkflowTemplate,
  isMapping,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { convertActionTemplate, parseAction, type ActionTemplate } from '@actions/workflow-parser/actions/index';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/index';
import { WorkflowError } from './errors.js';

/** A workflow file as GitHub's parser reads it: the typed template and the raw tokens it leaves out. */
export interface LoadedWorkflow {
  /** The file's name as messages print it (relative to the repository when it is inside). */
  file: string;
  template: WorkflowTemplate;
  /** The file's root mapping: keys the typed template drops (with:, timeout-minutes:, shell:, outputs: of workflow_call). */
  root: MappingToken;
}

function fileText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new WorkflowError(`cannot read the ${what}: ${(error as Error).message}`, { file: path });
  }
}

function rejectErrors(file: string, errors: Array<{ message: string }>): void {
  if (errors.length > 0)
    throw new WorkflowError(`not a valid file:\n  ${errors.map((error) => error.message).join('\n  ')}`, { file });
}

export async function loadWorkflow(path: string, file: string): Promise<LoadedWorkflow> {
  const parsed = parseWorkflow({ name: file, content: fileText(path, 'workflow') }, new NoOperationTraceWriter());
  rejectErrors(file, parsed.context.errors.getErrors());
  if (parsed.value === undefined || !isMapping(parsed.value))
    throw new WorkflowError('not a workflow mapping', { file });
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  rejectErrors(file, [
    ...parsed.context.errors.getErrors(),
    ...(template.errors ?? []).map((e) => ({ message: e.Message })),
  ]);
  return { file, template, root: parsed.value };
}

export interface LoadedAction {
  file: string;
  template: ActionTemplate;
}

export function loadAction(path: string, file: string): LoadedAction {
  const parsed = parseAction({ name: file, content: fileText(path, 'action metadata') }, new NoOperationTraceWriter());
  rejectErrors(file, parsed.context.errors.getErrors());
  if (parsed.value === undefined) throw new WorkflowError('not an action mapping', { file });
  const template = convertActionTemplate(parsed.context, parsed.value);
  rejectErrors(file, parsed.context.errors.getErrors());
  return { file, template };
}

/** A key of a mapping token, or undefined. */
export function child(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  return token !== undefined && isMapping(token) ? token.find(key) : undefined;
}

/** The raw mapping of job `id` in the workflow. */
export function rawJob(workflow: LoadedWorkflow, id: string): MappingToken {
  const job = child(child(workflow.root, 'jobs'), id);
  if (job === undefined || !isMapping(job)) throw new WorkflowError(`job "${id}" not found`, { file: workflow.file });
  return job;
}

/** The raw mappings of a job's steps, in order (the typed template keeps their order). */
export function rawSteps(workflow: LoadedWorkflow, id: string): MappingToken[] {
  const steps = child(rawJob(workflow, id), 'steps');
  if (steps === undefined) return [];
  return [...(steps as unknown as Iterable<TemplateToken>)].filter(isMapping);
}
