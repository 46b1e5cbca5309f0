import { afterAll, describe, expect, it } from '@jest/globals';
import { cleanUp, repository, run, step } from './support.js';

afterAll(cleanUp);

const workflow = (steps: string, jobExtra = '') => ({
  '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  job:
    runs-on: ubuntu-latest
${jobExtra}    steps:
${steps}`,
});

describe('steps', () => {
  it('answers success(), failure(), always() and cancelled() from the job state, and job.status', async () => {
    const root = repository(
      workflow(`      - id: fails
        run: exit 1
      - id: default
        run: echo default
      - id: on-success
        if: success()
        run: echo on-success
      - id: on-failure
        if: failure()
        run: echo "on-failure, job.status \${{ job.status }}"
      - id: on-always
        if: always()
        run: echo on-always
      - id: on-cancelled
        if: cancelled()
        run: echo on-cancelled
`),
    );
    const result = await run(root, 'w.yml');
    const outcomes = result.jobs[0]!.steps.map((record) => [record.id, record.outcome]);
    expect(outcomes).toEqual([
      ['fails', 'failure'],
      ['default', 'skipped'],
      ['on-success', 'skipped'],
      ['on-failure', 'success'],
      ['on-always', 'success'],
      ['on-cancelled', 'skipped'],
    ]);
    expect(result.log).toContain('job: on-failure, job.status failure');
    expect(result.jobs[0]!.result).toBe('failure');
  });

  it('lets a continue-on-error step fail: outcome failure, conclusion success, the job goes on and succeeds', async () => {
    const root = repository(
      workflow(`      - id: flaky
        continue-on-error: true
        run: exit 4
      - id: next
        run: echo "flaky was \${{ steps.flaky.outcome }}/\${{ steps.flaky.conclusion }}"
`),
    );
    const result = await run(root, 'w.yml');
    expect(step(result, 'job', 'flaky')).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(result.log).toContain('job: flaky was failure/success');
    expect(result.jobs[0]!.result).toBe('success');
  });

  it('layers env workflow < job < GITHUB_ENV < step, and evaluates ${{ }} in env, with and names', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
env:
  LEVEL: workflow
  ONLY_WORKFLOW: w
jobs:
  job:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
      FROM_JOB: \${{ github.repository }}-and-job
    steps:
      - run: echo "$LEVEL $ONLY_WORKFLOW $FROM_JOB"
      - run: echo "LEVEL=exported" >> "$GITHUB_ENV"
      - run: echo "$LEVEL"
      - name: Step for \${{ env.LEVEL }}
        env:
          LEVEL: step-\${{ env.LEVEL }}
        run: echo "$LEVEL \${{ env.LEVEL }}"
`,
    });
    const result = await run(root, 'w.yml');
    expect(result.log).toEqual(
      expect.arrayContaining(['job: job w test/repo-and-job', 'job: exported', 'job: step-exported step-exported']),
    );
    expect(result.jobs[0]!.steps[3]!.name).toBe('Step for exported');
  });

  it('reads GITHUB_OUTPUT and GITHUB_ENV with name<<EOF blocks, GITHUB_STEP_SUMMARY and GITHUB_PATH', async () => {
    const root = repository(
      workflow(`      - id: write
        run: |
          { echo "lines<<END"; echo "first"; echo "second"; echo "END"; echo "plain=a=b"; } >> "$GITHUB_OUTPUT"
          { echo "BLOCK<<END"; echo "x"; echo "y"; echo "END"; } >> "$GITHUB_ENV"
          echo "### Deployed" >> "$GITHUB_STEP_SUMMARY"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool ran\\n' > "$RUNNER_TEMP/bin/my-tool"
          chmod +x "$RUNNER_TEMP/bin/my-tool" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - run: |
          printf '%s|' "$BLOCK"; echo
          my-tool
          echo "| row |" >> "$GITHUB_STEP_SUMMARY"
`),
    );
    const result = await run(root, 'w.yml');
    expect(step(result, 'job', 'write').outputs).toEqual({ lines: 'first\nsecond', plain: 'a=b' });
    expect(result.log).toEqual(expect.arrayContaining(['job: x', 'job: y|', 'job: tool ran']));
    expect(result.jobs[0]!.summary).toBe('### Deployed\n| row |\n');
  });

  it('runs run: steps as bash -eo pipefail: a failing command in a pipe fails the step', async () => {
    const root = repository(
      workflow(`      - id: pipe
        run: |
          false | cat
          echo not reached
`),
    );
    const result = await run(root, 'w.yml');
    expect(step(result, 'job', 'pipe').outcome).toBe('failure');
    expect(result.log.join('\n')).not.toContain('not reached');
  });

  it('runs uses: ./<action> from its action.yml: node main, input defaults, INPUT_* variables, outputs', async () => {
    const root = repository({
      ...workflow(`      - uses: actions/checkout@v4
      - id: greet
        uses: ./greeter
        with:
          who: \${{ github.repository }}
      - run: echo "said \${{ steps.greet.outputs.said }}"
`),
      'greeter/action.yml': `name: Greeter
description: says hello
inputs:
  who:
    description: who
    required: true
  greeting word:
    description: the word
    default: Hello \${{ github.sha }}
outputs:
  said:
    description: what it said
runs:
  using: node24
  main: index.mjs
`,
      'greeter/index.mjs': `import { appendFileSync } from 'node:fs';
const said = process.env['INPUT_GREETING_WORD'].slice(0, 8) + ' ' + process.env.INPUT_WHO;
appendFileSync(process.env.GITHUB_OUTPUT, 'said=' + said + '\\n');
console.log('node ' + process.version + ' in ' + process.cwd());
`,
    });
    const { localStandIns } = await import('../src/index.js');
    const result = await run(root, 'w.yml', { standIns: localStandIns({ workingTree: root }) });
    expect(result.log).toContain(
      'job: stand-in for actions/checkout: the local working tree (linked, as it is, uncommitted changes included), not a clone',
    );
    expect(step(result, 'job', 'greet').outputs).toEqual({ said: 'Hello aa test/repo' });
    expect(result.log).toContain('job: said Hello aa test/repo');
  });

  it("checks a path of the stand-in's paths out as that tree, whatever repository the step names", async () => {
    const root = repository(
      workflow(`      - uses: actions/checkout@v4
      - uses: actions/checkout@v4
        with:
          repository: \${{ github.repository }}
          path: .tools
`),
    );
    const tools = repository({ 'tool.txt': 'tool' });
    const { localStandIns } = await import('../src/index.js');
    const result = await run(root, 'w.yml', {
      standIns: localStandIns({ workingTree: root, paths: { '.tools': tools } }),
    });
    expect(result.log).toEqual(
      expect.arrayContaining([`job: test/repo -> ${root} at .`, `job: test/repo -> ${tools} at .tools`]),
    );
  });

  it('stops a step at its timeout-minutes: the step fails and always() steps still run', async () => {
    const root = repository(
      workflow(`      - id: slow
        timeout-minutes: 0.01
        run: sleep 60
      - id: cleanup
        if: always()
        run: echo cleaned up
`),
    );
    const started = Date.now();
    const result = await run(root, 'w.yml', { grace: { sigint: 50, sigterm: 50 } });
    expect(step(result, 'job', 'slow').outcome).toBe('failure');
    expect(step(result, 'job', 'slow').errors).toEqual([
      'The step exceeded its timeout-minutes (0.01) and was cancelled',
    ]);
    expect(step(result, 'job', 'cleanup').outcome).toBe('success');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('names the file and line of an unknown action', async () => {
    const root = repository(
      workflow(`      - run: echo first
      - uses: some-org/some-action@v1
`),
    );
    await expect(run(root, 'w.yml')).rejects.toThrow(
      '.github/workflows/w.yml:7: unknown action some-org/some-action@v1: it has no local stand-in (declared: none)',
    );
  });
  it('skips or stops before the steps intercept names: a dry run ends before the first change', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: notify
        run: echo notified
      - id: render
        run: echo rendered
      - id: change
        run: echo changed
      - id: outcome
        if: always()
        run: echo outcome
  record:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: echo recorded
`,
    });
    const result = await run(root, 'w.yml', {
      intercept: (about) =>
        about.id === 'notify'
          ? { skip: 'dry run: no message' }
          : about.id === 'change'
            ? { stop: 'dry run' }
            : undefined,
    });
    expect(result.jobs[0]!.steps.map((record) => [record.id, record.outcome])).toEqual([
      ['notify', 'skipped'],
      ['render', 'success'],
      ['change', 'skipped'],
      ['outcome', 'skipped'],
    ]);
    expect(result.log).toEqual(
      expect.arrayContaining([
        'deploy: ○ Run echo notified: skipped (dry run: no message)',
        'deploy: ■ dry run: the run stops before "Run echo changed"',
        'record: ○ job "record": not run (dry run)',
      ]),
    );
    expect(result).toMatchObject({ result: 'success', stopped: 'dry run' });
  });
});
