import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runWorkflow, type RunWorkflowOptions, type WorkflowRun } from '../src/index.js';

const made: string[] = [];

/** A repository in a temp dir holding `files` (path -> text); removed by `cleanUp`. */
export function repository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'workflow-runner-test-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export function cleanUp(): void {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
}

export interface TestRun extends WorkflowRun {
  log: string[];
}

/** Runs `.github/workflows/<name>` of the repository, collecting every line. */
export async function run(root: string, name: string, options: Partial<RunWorkflowOptions> = {}): Promise<TestRun> {
  const log: string[] = [];
  const result = await runWorkflow({
    workflow: join(root, '.github/workflows', name),
    observer: { line: (job, line) => log.push(`${job.path}: ${line}`) },
    github: { repository: 'test/repo', sha: 'a'.repeat(40) },
    ...options,
  });
  return { ...result, log };
}

export function step(result: WorkflowRun, job: string, id: string) {
  const found = result.jobs.find((candidate) => candidate.path === job)?.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in job ${job}`);
  return found;
}
