import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACTION_RELEASES } from './action-releases.js';

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
  if?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  environment?: unknown;
  with?: Record<string, unknown>;
  steps?: Step[];
  env?: Record<string, unknown>;
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

/** Markdown files whose examples users copy: the README, each action's README and docs/. */
const docs = [
  'README.md',
  ...readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'action.yml')))
    .map((entry) => `${entry.name}/README.md`),
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
].filter((file) => existsSync(join(root, file)));

interface Pin {
  where: string;
  action: string;
  ref: string;
  /** `v7.0.1` from the `# v7.0.1` comment after the pin. */
  version?: string;
}

/** Every `uses:` of a third-party action in the workflows and docs; this repository's own actions are not pins. */
function thirdPartyPins(): Pin[] {
  const pins: Pin[] = [];
  const sources = [
    ...files.map((file) => [`.github/workflows/${file}`, texts[file]!] as const),
    ...docs.map((file) => [file, readFileSync(join(root, file), 'utf8')] as const),
  ];
  for (const [where, text] of sources) {
    for (const match of text.matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([^\s#]+)(.*)$/gm)) {
      const [, action, ref, rest] = match;
      if (action!.startsWith('org/ecs-actions') || action!.startsWith('./')) continue;
      pins.push({ where, action: action!, ref: ref!, version: /#\s*(v\d+(?:\.\d+)*)/.exec(rest!)?.[1] });
    }
  }
  return pins;
}

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

  it('pin every third-party action by full commit SHA with its version in a comment, in workflows and docs', () => {
    const unpinned = thirdPartyPins()
      .filter((pin) => !/^[0-9a-f]{40}$/.test(pin.ref) || pin.version === undefined)
      .map((pin) => `${pin.where}: ${pin.action}@${pin.ref}`);
    expect(unpinned).toEqual([]);
  });

  it('pin no release known to run on node20, and name the version of each known commit right', () => {
    const wrong: string[] = [];
    for (const pin of thirdPartyPins()) {
      const release = ACTION_RELEASES.find((known) => known.commit === pin.ref);
      if (release === undefined) continue;
      if (release.action !== pin.action.split('/').slice(0, 2).join('/')) {
        wrong.push(`${pin.where}: ${pin.ref} is a commit of ${release.action}, not ${pin.action}`);
      } else if (release.runtime === 'node20') {
        wrong.push(`${pin.where}: ${pin.action} ${release.version} runs on node20`);
      } else if (pin.version !== release.version) {
        wrong.push(`${pin.where}: ${pin.action}@${pin.ref} is ${release.version}, not ${pin.version}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('name every release they pin in the table of known releases', () => {
    const unknown = thirdPartyPins()
      .filter((pin) => !ACTION_RELEASES.some((known) => known.commit === pin.ref))
      .map((pin) => `${pin.where}: ${pin.action}@${pin.ref} ${pin.version ?? ''}`);
    // A pin Dependabot moved to a newer release: check its runtime and add it to test/docs/action-releases.ts.
    expect(unknown).toEqual([]);
  });

  it('let Dependabot keep the action pins and npm dependencies current, weekly and grouped', () => {
    const dependabot = parse(readFileSync(join(root, '.github', 'dependabot.yml'), 'utf8')) as {
      updates: Array<{ 'package-ecosystem': string; schedule: { interval: string }; groups?: object }>;
    };
    expect(dependabot.updates.map((update) => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of dependabot.updates) {
      expect(update.schedule.interval).toBe('weekly');
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('guard the AWS account twice in the deploy job: configure-aws-credentials and deploy-ecs', () => {
    const deploySteps = steps('deploy-environment.yml', 'deploy');
    const credentials = deploySteps.find((candidate) => candidate.uses?.startsWith('aws-actions/'));
    expect(credentials?.with?.['allowed-account-ids']).toBe('${{ vars.AWS_ACCOUNT_ID }}');
    expect(step('deploy-environment.yml', 'deploy', 'deploy').with?.['expected-account-id']).toBe(
      '${{ vars.AWS_ACCOUNT_ID }}',
    );
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

  it('roll back to the previous successful deploy when neither a revision nor an image is given', () => {
    const { plan, rollback } = workflows['rollback.yml']!.jobs;
    expect(plan!.if).toBe("inputs.task-definition == '' && inputs.image == ''");
    // The environment's deploy role and variables; reading needs no contents: write.
    expect(plan!.environment).toBe('${{ inputs.environment }}');
    expect(plan!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(step('rollback.yml', 'plan', 'plan')).toMatchObject({
      uses: './rollback-plan',
      with: {
        environment: '${{ inputs.environment }}',
        cluster: '${{ vars.ECS_CLUSTER }}',
        service: '${{ vars.ECS_SERVICE }}',
      },
    });
    for (const output of ['task-definition', 'image', 'version']) {
      expect(plan!.outputs![output]).toBe(`\${{ steps.plan.outputs.${output} }}`);
    }
    expect(rollback!.needs).toBe('plan');
    expect(rollback!.with).toMatchObject({
      'task-definition': '${{ inputs.task-definition || needs.plan.outputs.task-definition }}',
      image: '${{ inputs.image || needs.plan.outputs.image }}',
      version: '${{ inputs.version || needs.plan.outputs.version }}',
    });
  });

  it('stop after the printed plan in a dry run: the job that deploys does not start', () => {
    const { rollback } = workflows['rollback.yml']!.jobs;
    expect(rollback!.if).toBe(
      "${{ !cancelled() && !inputs.dry-run && (needs.plan.result == 'success' || needs.plan.result == 'skipped') }}",
    );
    // The plan job holds nothing that changes AWS: checkout, credentials and the read-only rollback-plan.
    expect(steps('rollback.yml', 'plan').map((candidate) => candidate.uses?.replace(/@.*/, ''))).toEqual([
      'actions/checkout',
      'aws-actions/configure-aws-credentials',
      './rollback-plan',
    ]);
  });
});

/**
 * A workflow expression (the text inside `${{ }}`) over step results, as the runner evaluates it: `==` compares,
 * `&&` and `||` return one of their operands, an empty string is false. Only these forms are allowed here.
 */
function evaluate(expression: string, results: Record<string, string>): unknown {
  const inner = /^\$\{\{(.*)\}\}$/s.exec(expression.trim())?.[1] ?? expression;
  const js = inner
    .replace(/steps\.[\w-]+\.(?:outputs\.[\w-]+|outcome)|inputs\.[\w-]+/g, (name) => `results[${JSON.stringify(name)}]`)
    .replace(/==/g, '===');
  if (/[^\w\s'"()[\]=&|.-]/.test(js.replace(/results\["[^"]+"\]/g, ''))) throw new Error(`unsupported: ${inner}`);
  return new Function('results', `return (${js});`)(
    new Proxy(results, { get: (target, key) => target[key as string] ?? '' }),
  );
}

describe('testing before production traffic (test-before-production)', () => {
  const file = 'deploy-environment.yml';
  const ids = () => steps(file, 'deploy').map((candidate) => candidate.id);

  it('stops the rollout at the PAUSE hook only when the input asks for it, before the checks and the answer', () => {
    const start = step(file, 'deploy', 'start');
    expect(start.if).toBe("env.TEST_BEFORE_PRODUCTION == 'true'");
    expect(workflows[file]!.jobs.deploy).toMatchObject({
      env: {
        TEST_BEFORE_PRODUCTION: "${{ inputs.test-before-production || vars.TEST_BEFORE_PRODUCTION == 'true' }}",
      },
    });
    expect(start.with).toMatchObject({
      'wait-until': 'paused',
      'task-definition': step(file, 'deploy', 'deploy').with!['task-definition'],
    });
    expect(ids().indexOf('start')).toBeLessThan(ids().indexOf('verify-test'));
    expect(ids().indexOf('verify-test')).toBeLessThan(ids().indexOf('smoke-test-listener'));
    expect(ids().indexOf('smoke-test-listener')).toBeLessThan(ids().indexOf('deploy'));
  });

  it('verifies the targets and smoke-tests through the test listener while the deployment is paused', () => {
    const verify = step(file, 'deploy', 'verify-test');
    const smoke = step(file, 'deploy', 'smoke-test-listener');
    expect(verify).toMatchObject({ if: "steps.start.outputs.status == 'paused'", 'continue-on-error': true });
    expect(verify.with).toMatchObject({
      listener: 'test',
      'task-definition-arn': '${{ steps.start.outputs.task-definition-arn }}',
    });
    expect(smoke).toMatchObject({ if: "steps.verify-test.outcome == 'success'", 'continue-on-error': true });
    expect(smoke.with?.['base-url']).toBe('${{ env.TEST_BASE_URL }}');
    expect(workflows[file]!.jobs.deploy).toMatchObject({
      env: { TEST_BASE_URL: '${{ inputs.test-base-url || vars.TEST_BASE_URL }}' },
    });
  });

  it('answers the hook CONTINUE only when both checks passed, ROLLBACK otherwise, and deploys as before without a pause', () => {
    const deploy = step(file, 'deploy', 'deploy');
    const answer = (results: Record<string, string>) => evaluate(String(deploy.with!.continue), results);
    const paused = { 'steps.start.outputs.status': 'paused' };
    expect(
      answer({ ...paused, 'steps.verify-test.outcome': 'success', 'steps.smoke-test-listener.outcome': 'success' }),
    ).toBe('continue');
    expect(
      answer({ ...paused, 'steps.verify-test.outcome': 'success', 'steps.smoke-test-listener.outcome': 'failure' }),
    ).toBe('rollback');
    expect(
      answer({ ...paused, 'steps.verify-test.outcome': 'failure', 'steps.smoke-test-listener.outcome': 'skipped' }),
    ).toBe('rollback');
    expect(answer({})).toBe('none');
    expect(deploy.with).toMatchObject({
      'service-deployment-arn': '${{ steps.start.outputs.service-deployment-arn }}',
      'hook-id': '${{ steps.start.outputs.hook-id }}',
    });
    expect(deploy.if).toBeUndefined();
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

  it('has the paused start step the outcome reads, under the same condition', () => {
    expect(rehearsal('start').if).toBe(reusable('start').if);
    expect(rehearsal('start').with?.['wait-until']).toBe('paused');
  });

  it('decides the outcome from the same facts with the same script', () => {
    expect(rehearsal('outcome').env).toEqual(reusable('outcome').env);
    expect(rehearsal('outcome').run).toBe(reusable('outcome').run!.replace('.ecs-actions/', ''));
    expect(rehearsal('plan').run).toBe(reusable('plan').run!.replace('.ecs-actions/', ''));
  });
});
