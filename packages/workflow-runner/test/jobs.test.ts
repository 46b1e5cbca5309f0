import { afterAll, describe, expect, it } from '@jest/globals';
import { cleanUp, repository, run, step } from './support.js';

afterAll(cleanUp);

describe('jobs', () => {
  it('runs jobs in needs order, whatever their order in the file, and passes job outputs on', async () => {
    const root = repository({
      '.github/workflows/w.yml': `
on: workflow_dispatch
jobs:
  last:
    needs: [first, second]
    runs-on: ubuntu-latest
    steps:
      - run: echo "last saw \${{ needs.first.outputs.word }} \${{ needs.second.outputs.word }} \${{ needs.first.result }}"
  second:
    needs: first
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.say.outputs.word }}-two
    steps:
      - id: say
        run: echo "word=\${{ needs.first.outputs.word }}" >> "$GITHUB_OUTPUT"
  first:
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.say.outputs.word }}
    steps:
      - id: say
        run: echo "word=one" >> "$GITHUB_OUTPUT"
`,
    });
    const result = await run(root, 'w.yml');
    expect(result.jobs.map((job) => job.path)).toEqual(['first', 'second', 'last']);
    expect(result.jobs.map((job) => job.outputs)).toEqual([{ word: 'one' }, { word: 'one-two' }, {}]);
    expect(result.log).toContain('last: last saw one one-two success');
    expect(result.result).toBe('success');
  });

  it('skips the jobs that need a failed job, except one with if: always() that sees the failure', async () => {
    const root = repository({
      '.github/workflows/w.yml': `
on: workflow_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo deploying
  report:
    needs: build
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "build was \${{ needs.build.result }}"
`,
    });
    const result = await run(root, 'w.yml');
    expect(result.jobs.map((job) => [job.path, job.result])).toEqual([
      ['build', 'failure'],
      ['deploy', 'skipped'],
      ['report', 'success'],
    ]);
    expect(result.log).toContain('report: build was failure');
    expect(result.log.join('\n')).not.toContain('deploying');
    expect(result.result).toBe('failure');
  });

  it('calls a local reusable workflow with typed inputs, defaults, secrets (masked) and its outputs', async () => {
    const root = repository({
      '.github/workflows/caller.yml': `
on: workflow_dispatch
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      who: \${{ vars.WHO }}
      count: 3
    secrets:
      TOKEN: \${{ secrets.TOKEN }}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "called said \${{ needs.call.outputs.greeting }}"
`,
      '.github/workflows/called.yml': `
on:
  workflow_call:
    inputs:
      who:
        type: string
        required: true
      count:
        type: number
        default: 1
      tone:
        type: string
        default: warm
    secrets:
      TOKEN:
        required: true
    outputs:
      greeting:
        value: \${{ jobs.greet.outputs.greeting }}
jobs:
  greet:
    runs-on: ubuntu-latest
    outputs:
      greeting: \${{ steps.say.outputs.greeting }}
    steps:
      - id: say
        env:
          TOKEN: \${{ secrets.TOKEN }}
        run: |
          echo "greeting=\${{ inputs.tone }} hello \${{ inputs.who }} x\${{ inputs.count }} \${{ inputs.count > 2 }}" >> "$GITHUB_OUTPUT"
          echo "token is $TOKEN"
`,
    });
    const result = await run(root, 'caller.yml', {
      variables: { vars: { WHO: 'world' }, secrets: { TOKEN: 's3cr3t-value' } },
    });
    expect(result.jobs.map((job) => [job.path, job.result])).toEqual([
      ['call/greet', 'success'],
      ['call', 'success'],
      ['after', 'success'],
    ]);
    expect(result.log).toContain('after: called said warm hello world x3 true');
    expect(result.log).toContain('call/greet: token is ***');
    expect(result.log.join('\n')).not.toContain('s3cr3t-value');
  });

  it('refuses an input the called workflow does not define, naming the file and line', async () => {
    const root = repository({
      '.github/workflows/caller.yml': `on: workflow_dispatch
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      colour: blue
`,
      '.github/workflows/called.yml': `on:
  workflow_call:
    inputs:
      who:
        type: string
        default: x
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`,
    });
    await expect(run(root, 'caller.yml')).rejects.toThrow(
      ".github/workflows/caller.yml:4: input 'colour' is not defined by .github/workflows/called.yml (inputs: who)",
    );
  });

  it('asks for the approval of a job with an environment, and gives it that environment vars and secrets', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment:
      name: \${{ vars.TARGET }}
      url: \${{ steps.url.outputs.url }}
    steps:
      - id: url
        run: |
          echo "cluster \${{ vars.CLUSTER }} key $KEY"
          echo "url=https://\${{ vars.CLUSTER }}.example" >> "$GITHUB_OUTPUT"
        env:
          KEY: \${{ secrets.KEY }}
`,
    });
    const variables = {
      vars: { TARGET: 'prod', CLUSTER: 'repository-level' },
      environments: { prod: { vars: { CLUSTER: 'prod-cluster' }, secrets: { KEY: 'prod-key' } } },
    };
    const asked: string[] = [];
    const granted = await run(root, 'w.yml', {
      variables,
      approve: (request) => {
        asked.push(`${request.job} -> ${request.environment}`);
        return true;
      },
    });
    expect(asked).toEqual(['deploy -> prod']);
    expect(granted.log).toContain('deploy: cluster prod-cluster key ***');
    expect(granted.jobs[0]!.environment).toEqual({ name: 'prod', url: 'https://prod-cluster.example' });

    const refused = await run(root, 'w.yml', { variables, approve: () => false });
    expect(refused.jobs[0]!.result).toBe('failure');
    expect(refused.jobs[0]!.steps).toEqual([]);
    expect(refused.log).toContain('deploy: environment "prod" (job deploy): not approved');
  });

  it('runs a declared job stand-in instead of the job, printing it, with its outputs', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    services:
      db:
        image: postgres
    steps:
      - run: exit 1
  use:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "image \${{ needs.build.outputs.image }}"
`,
    });
    const result = await run(root, 'w.yml', {
      jobStandIns: { build: { description: 'the image is already pushed', outputs: { image: 'web@sha256:1' } } },
    });
    expect(result.log).toContain('build: stand-in for job "build": the image is already pushed');
    expect(result.log).toContain('use: image web@sha256:1');
    expect(step(result, 'use', '__run').outcome).toBe('success');
  });

  it('names the file and line of a job feature it does not support', async () => {
    const root = repository({
      '.github/workflows/w.yml': `on: workflow_dispatch
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [22, 24]
    steps:
      - run: echo hi
`,
    });
    await expect(run(root, 'w.yml')).rejects.toThrow(
      '.github/workflows/w.yml:5: job key "strategy" (job "test") is not supported by the local executor',
    );
  });
});
