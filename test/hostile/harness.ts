import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { LoopbackAws } from '@ecs-actions/loopback-aws';
import { runBundle, type BundleRun } from '@ecs-actions/rehearsal';
import { INJECTED, runnerCommands, type RunnerCommand } from '@ecs-actions/action-kit/testing';

/*
 * Runs an action's real entry point (from source, as a runner runs its bundle) on hostile input, against the
 * loopback AWS, in a workspace of its own, and checks what issue 18 asks of every refusal: exit 1 with one
 * `::error::` naming the input and the expected form, no stack trace, nothing changed in AWS, nothing written
 * outside RUNNER_TEMP, no workflow command the action did not mean, and done within a time bound.
 */

export type ActionName =
  | 'build-push-digest'
  | 'changelog'
  | 'deploy-ecs'
  | 'notify-slack'
  | 'render-taskdef'
  | 'rollback-plan'
  | 'run-task'
  | 'smoke-test'
  | 'verify-targets';

export interface HostileCase {
  /** What the attacker tries. */
  name: string;
  action: ActionName;
  inputs: Record<string, string>;
  /** Files in the workspace (the working directory), by relative path. */
  files?: Record<string, string>;
  /** The one `::error::` message: it names the input and the expected form. */
  error: RegExp;
  env?: Record<string, string>;
  /** Prepares the loopback, e.g. a fault AWS answers with. */
  arrange?: (aws: LoopbackAws) => void;
  /** The run ends within this; 30 s unless set (a loaded machine starts a TypeScript entry point slowly). */
  withinMs?: number;
  /** Secrets the action masks itself (`::add-mask::`), such as a webhook URL: every other mask is injected. */
  masks?: string[];
}

/** The commands an action means to issue: annotations, groups, and printForeign's pauses (`foreign-<hex>`). */
const MEANT = new Set(['error', 'warning', 'notice', 'debug', 'group', 'endgroup']);
const FOREIGN_PAUSE = /^foreign-[0-9a-f]{32}$/;
/** Hostile inputs carry this word after the command they try to inject. */
export { INJECTED };

// API calls that change something: a refused run makes none that succeeds.
const CHANGE = /^(Register|Deregister|Update|Create|Delete|Put|Run|Start|Stop|Tag|Untag|Modify|Set|Continue)/;

/** The parts of the loopback's account that an action can change, in a form to compare. */
export function awsState(aws: LoopbackAws): unknown {
  const world = aws.state;
  return {
    taskDefinitions: [...world.taskDefinitions].map(([family, revisions]) => [
      family,
      revisions.map((revision) => `${revision.revision} ${revision.status} ${JSON.stringify(revision.tags)}`),
    ]),
    services: [...world.services.values()].map((service) => ({
      service: `${service.clusterName}/${service.name}`,
      desiredCount: service.desiredCount,
      deployments: service.deployments.map((deployment) => `${deployment.id} ${deployment.taskDefinitionArn}`),
      serviceDeployments: service.serviceDeployments.length,
    })),
    oneOffTasks: world.oneOffTasks.length,
    repositories: [...world.repositories.values()].map((repository) => [repository.name, repository.images.length]),
    clusters: [...world.clusters.keys()],
    targetGroups: [...world.targetGroups.keys()],
  };
}

/** Every file under `root` but those in `except`, with a hash of its content. */
export function filesUnder(root: string, except: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (path === except) continue;
      if (entry.isDirectory()) walk(path);
      else {
        const hash = entry.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12) : '';
        found.push(`${relative(root, path)} ${hash}`);
      }
    }
  };
  walk(root);
  return found.sort();
}

export function awsEnvironment(aws: LoopbackAws): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: 'AKIDHOSTILE',
    AWS_SECRET_ACCESS_KEY: 'hostile-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    // changelog and rollback-plan read tags through the GitHub API: here a closed local port, never the network.
    GITHUB_API_URL: 'http://127.0.0.1:9',
  };
}

/** Commands a run issued that its action did not mean (an injected one, or a second error). */
export function unmeantCommands(run: Pick<BundleRun, 'lines'>, masks: string[] = []): string[] {
  const meant = (command: RunnerCommand) =>
    MEANT.has(command.name) ||
    (command.name === 'stop-commands' && FOREIGN_PAUSE.test(command.data)) ||
    (command.name === 'add-mask' && masks.includes(command.data));
  return runnerCommands(run.lines.join('\n'))
    .filter((command) => !meant(command) || command.data.startsWith(INJECTED))
    .map((command) => command.line);
}

/** Lines of a stack trace: a refusal is a user error, never a bug. */
function stackLines(run: BundleRun): string[] {
  return run.lines.filter((line) => /^\s+at .+[:(]/.test(line) || /this is a bug/.test(line));
}

/** Runs the case and asserts that it was refused cleanly. */
export async function expectRefused(aws: LoopbackAws, hostile: HostileCase): Promise<BundleRun> {
  const root = mkdtempSync(join(tmpdir(), `hostile-${hostile.action}-`));
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(workspace);
  mkdirSync(runnerTemp);
  // What an escaping write would overwrite: the workspace's own files.
  writeFileSync(join(workspace, 'package.json'), '{ "name": "the-users-repository" }\n');
  for (const [path, text] of Object.entries(hostile.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), text);
  }
  hostile.arrange?.(aws);
  const filesBefore = filesUnder(root, runnerTemp);
  const stateBefore = awsState(aws);
  const requestsBefore = aws.requests.length;
  const withinMs = hostile.withinMs ?? 30_000;
  try {
    const run = await runBundle(hostile.action, {
      fromSource: true,
      cwd: workspace,
      runnerTemp,
      inputs: hostile.inputs,
      env: { ...awsEnvironment(aws), GITHUB_WORKSPACE: workspace, ...hostile.env },
      timeoutMs: withinMs + 10_000,
    });
    const changes = aws.requests
      .slice(requestsBefore)
      .filter((request) => CHANGE.test(request.operation) && request.status < 300)
      .map((request) => request.operation);
    const log = run.lines.join('\n');
    expect({ exitCode: run.exitCode, errors: run.errors, log }).toEqual({
      exitCode: 1,
      errors: [expect.stringMatching(hostile.error)],
      log: expect.any(String),
    });
    expect(stackLines(run)).toEqual([]);
    expect(unmeantCommands(run, hostile.masks)).toEqual([]);
    expect(changes).toEqual([]);
    expect(awsState(aws)).toEqual(stateBefore);
    expect(filesUnder(root, runnerTemp)).toEqual(filesBefore);
    expect(run.durationMs).toBeLessThan(withinMs);
    return run;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
