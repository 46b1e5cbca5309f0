/**
 * `npm run demo -- --docker`: the pipeline on real parts (see docker-rehearsal.ts). Needs `source
 * scripts/ci-docker.sh` (engine, registry) and `source scripts/ci-postgres.sh` (TEST_DATABASE_URL).
 */
import { execFileSync } from 'node:child_process';
import { DEMO_ENVIRONMENTS, demoCluster, SAMPLE_SERVICE } from '@ecs-actions/loopback-aws';
import {
  DOCKER_SCENARIOS,
  runCleanups,
  startDockerRehearsal,
  type Cleanups,
  type DockerRehearsal,
  type DockerScenario,
} from './docker-rehearsal.js';
import type { Logger } from './pipeline.js';
import { formatTable } from './rehearsal.js';
import { revisionName } from './pipeline.js';
import { stopAllSteps } from './run-bundle.js';

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function isDockerScenario(name: string): name is DockerScenario {
  return Object.hasOwn(DOCKER_SCENARIOS, name);
}

/** Runs the demo; resolves with its exit code. Ctrl-C and SIGTERM remove every container and database started. */
export async function dockerDemo(options: { scenario: DockerScenario; stepMs: number; log: Logger }): Promise<number> {
  const { log } = options;
  const registry = process.env.ECS_ACTIONS_REGISTRY;
  const databaseServerUrl = process.env.ECS_ACTIONS_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!registry || !databaseServerUrl) {
    log(
      `--docker needs a Docker engine and registry (ECS_ACTIONS_REGISTRY${registry ? ' is set' : ' is not set'}: ` +
        '`source scripts/ci-docker.sh`) and a PostgreSQL server (TEST_DATABASE_URL' +
        `${databaseServerUrl ? ' is set' : ' is not set'}: \`source scripts/ci-postgres.sh\`).`,
    );
    return 2;
  }
  const version = git('rev-parse', 'HEAD') ?? '0123456789abcdef0123456789abcdef01234567';
  const previousVersion = git('rev-parse', 'HEAD~1') ?? 'f'.repeat(40);
  log(
    `ecs-actions local rehearsal on real containers: scenario "${options.scenario}" (${DOCKER_SCENARIOS[options.scenario]})`,
  );

  let rehearsal: DockerRehearsal | undefined;
  const cleanups: Cleanups = [];
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`\n${signal}: stopping the running step and removing every container, database and server started...`);
    stopAllSteps.abort();
    void runCleanups(cleanups).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    rehearsal = await startDockerRehearsal({
      scenario: options.scenario,
      version,
      previousVersion,
      stepMs: options.stepMs,
      log,
      databaseServerUrl,
      registry,
      nodeImage: process.env.ECS_ACTIONS_NODE_IMAGE,
      cleanups,
    });
    for (const environment of DEMO_ENVIRONMENTS) {
      log(
        `${environment}: listener ${rehearsal.listeners[environment]} serves ${await rehearsal.servedVersion(environment)}`,
      );
    }
    log('');
    log(`══ build: sample-service at ${version.slice(0, 12)}`);
    const built = await rehearsal.build();
    log(`   pushed ${built.image} in ${(built.durationMs / 1000).toFixed(1)}s`);
    const results = await rehearsal.runPipeline(built.image);
    log('');
    log(formatTable(results));
    log('');
    for (const environment of DEMO_ENVIRONMENTS) {
      const service = rehearsal.aws.state.services.get(`${demoCluster(environment)}/${SAMPLE_SERVICE}`)!;
      const running = service.tasks.filter((task) => task.lastStatus === 'RUNNING');
      const exits = service.tasks
        .filter((task) => task.stopCode === 'EssentialContainerExited' || task.stopCode === 'TaskFailedToStart')
        .map((task) => (task.exitCode === undefined ? task.stoppedReason : `exit code ${task.exitCode}`));
      const revision = revisionName(running[0]?.taskDefinitionArn ?? '');
      log(
        `${environment}: ${running.length} containers of ${revision} serving; /version through the listener: ` +
          `${await rehearsal.servedVersion(environment)}` +
          (exits.length
            ? `; ${exits.length} tasks stopped: Essential container in task exited (${[...new Set(exits)].join(', ')})`
            : ''),
      );
    }
    const failed = results.find((result) => result.status !== 'succeeded' && result.status !== 'unchanged');
    if (failed) {
      log('');
      log(`Deploy to ${failed.environment} ${failed.status}: ${failed.reason}`);
      if (failed.failure) log(`${failed.failure.step}: ${failed.failure.error}`);
      log('The pipeline would fail here: the demo exits non-zero.');
      return 1;
    }
    const served = await Promise.all(DEMO_ENVIRONMENTS.map((environment) => rehearsal!.servedVersion(environment)));
    const digests = new Set(results.map((result) => result.digest));
    if (served.some((sha) => sha !== version) || digests.size !== 1 || !digests.has(built.digest)) {
      log(
        `Something is off: served ${served.join(', ')}, deployed digests ${[...digests].join(', ')}, built ${built.digest}`,
      );
      return 1;
    }
    log('');
    log(
      `Deployed ${built.digest} (built from ${version.slice(0, 12)}) to dev, staging and prod; every listener serves ${version.slice(0, 12)}.`,
    );
    log(`Slack messages: ${rehearsal.slack.messages.map((message) => message.method).join(', ') || 'none'}`);
    return 0;
  } catch (error) {
    if (!interrupted) log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  } finally {
    if (!interrupted) await runCleanups(cleanups);
  }
}
