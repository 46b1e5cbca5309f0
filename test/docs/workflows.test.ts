import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const workflowsDir = join(root, '.github', 'workflows');

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  run?: string;
  'continue-on-error'?: boolean;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  permissions?: unknown;
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const files = readdirSync(workflowsDir).filter((file) => /\.ya?ml$/.test(file));
const workflows = Object.fromEntries(
  files.map((file) => [file, parse(readFileSync(join(workflowsDir, file), 'utf8')) as Workflow]),
);
const texts = Object.fromEntries(files.map((file) => [file, readFileSync(join(workflowsDir, file), 'utf8')]));

function steps(file: string, job: string): Step[] {
  return workflows[file]!.jobs[job]!.steps!;
}
function step(file: string, job: string, id: string): Step {
  const found = steps(file, job).find((candidate) => candidate.id === id);
  if (!found) throw new Error(`${file} job ${job} has no step with id ${id}`);
  return found;
}
function actionInputs(action: string): Set<string> {
  const metadata = parse(readFileSync(join(root, action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, unknown>;
  };
  return new Set(Object.keys(metadata.inputs ?? {}));
}

describe('the workflows', () => {
  it('declare least permissions at the top of every workflow', () => {
    for (const file of files) expect([file, workflows[file]!.permissions]).toEqual([file, { contents: 'read' }]);
  });

  it('pin every third-party action by full commit SHA with its version in a comment', () => {
    const unpinned: string[] = [];
    for (const [file, text] of Object.entries(texts)) {
      for (const match of text.matchAll(/uses:\s*([^\s#]+)(.*)$/gm)) {
        const [, reference, rest] = match;
        if (reference!.startsWith('./')) continue;
        if (!/@[0-9a-f]{40}$/.test(reference!) || !/#\s*v\d+/.test(rest!)) unpinned.push(`${file}: ${reference}`);
      }
    }
    expect(unpinned).toEqual([]);
  });

  it('give the repository actions only inputs their action.yml declares', () => {
    const unknown: string[] = [];
    for (const file of files) {
      for (const [jobName, job] of Object.entries(workflows[file]!.jobs)) {
        for (const candidate of job.steps ?? []) {
          const local = /^\.\/(?:\.ecs-actions\/)?([\w-]+)$/.exec(candidate.uses ?? '');
          if (!local) continue;
          const inputs = actionInputs(local[1]!);
          for (const key of Object.keys(candidate.with ?? {})) {
            if (!inputs.has(key))
              unknown.push(`${file} ${jobName} "${candidate.name}": ${local[1]} has no input ${key}`);
          }
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('deploy one build to dev, staging and prod through the reusable workflow', () => {
    const pipeline = workflows['pipeline.yml']!;
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(pipeline.jobs[environment]).toMatchObject({
        uses: './.github/workflows/deploy-environment.yml',
        with: { environment, image: '${{ needs.build.outputs.image }}', version: '${{ github.sha }}' },
      });
    }
    expect(pipeline.jobs.staging!).toMatchObject({ needs: ['build', 'dev'] });
    expect(pipeline.jobs.prod!).toMatchObject({ needs: ['build', 'staging'] });
  });

  it('roll back manually through the same reusable workflow', () => {
    expect(workflows['rollback.yml']!.jobs.rollback!.uses).toBe('./.github/workflows/deploy-environment.yml');
  });
});

describe('the CI rehearsal job', () => {
  const reusable = (id: string) => step('deploy-environment.yml', 'deploy', id);
  const rehearsal = (id: string) => step('ci.yml', 'rehearsal', id);

  it('rolls back with the very step the reusable workflow runs', () => {
    expect(rehearsal('rollback').if).toBe(reusable('rollback').if);
    expect(rehearsal('rollback').with).toEqual(reusable('rollback').with);
    expect(rehearsal('rollback').uses).toBe('./deploy-ecs');
    expect(reusable('rollback').uses).toBe('./.ecs-actions/deploy-ecs');
  });

  it('lets verify-targets and smoke-test fail into the rollback, as the reusable workflow does', () => {
    for (const id of ['verify', 'smoke']) {
      expect([id, rehearsal(id)['continue-on-error'], rehearsal(id).if]).toEqual([
        id,
        reusable(id)['continue-on-error'],
        reusable(id).if,
      ]);
    }
  });

  it('decides the outcome from the same facts with the same script', () => {
    expect(rehearsal('outcome').env).toEqual(reusable('outcome').env);
    expect(rehearsal('outcome').run).toBe(reusable('outcome').run!.replace('.ecs-actions/', ''));
    expect(rehearsal('plan').run).toBe(reusable('plan').run!.replace('.ecs-actions/', ''));
  });
});
