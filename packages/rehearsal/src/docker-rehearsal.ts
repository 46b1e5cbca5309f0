/**
 * The rehearsal on real parts: the sample service built into an image and pushed to the local registry, ECS tasks as
 * containers on the local Docker engine, a real load balancer in front of each environment, a PostgreSQL database
 * per environment, and the secrets in the loopback's Secrets Manager and Parameter Store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  containerTasks,
  DEMO_ENVIRONMENTS,
  demoCluster,
  demoTargetGroup,
  dockerEngine,
  SAMPLE_CONTAINER_PORT,
  SAMPLE_REPOSITORY,
  SAMPLE_SERVICE,
  startLoopbackAws,
  type DemoEnvironment,
  type LoopbackAws,
  type SecretSeed,
} from '@ecs-actions/loopback-aws';
import { runCommand } from './commands.js';
import { createMigratedTestDatabase, type TestDatabase } from '../../../sample-service/test/support/postgres.js';
import type { EnvironmentResult, Logger } from './pipeline.js';
import { MIGRATE_COMMAND, promote } from './rehearsal.js';
import { readableLine } from './log-lines.js';
import { repositoryRoot, runBundle } from './run-bundle.js';
import { startSlackReceiver, type SlackReceiver } from './slack-receiver.js';

/** The scenarios that real containers can stage; the others script what a simulated task reports. */
export const DOCKER_SCENARIOS = {
  completes: 'dev, staging and prod all succeed with one digest, on real containers',
  'smoke-fails': 'the image is built with another GIT_SHA: smoke-test sees the wrong /version, rollback',
  'tasks-keep-stopping':
    'the new task definition forgets the DATABASE_URL secret: the service refuses to start (exit 1) again and again; no circuit breaker, deploy-ecs rolls back',
  'circuit-breaker-rollback':
    'the new revision points DATABASE_URL at a database that does not exist: the containers crash, the circuit breaker rolls back',
  'migration-fails':
    'the new revision points DATABASE_URL at a database that does not exist: the migration task exits 1, the deploy stops before deploy-ecs',
} as const;
export type DockerScenario = keyof typeof DOCKER_SCENARIOS;

export interface DockerRehearsalOptions {
  scenario: DockerScenario;
  /** The commit at HEAD: the image is built from it and smoke-test expects it. */
  version: string;
  /** What the running "previous release" reports. */
  previousVersion: string;
  stepMs: number;
  log: Logger;
  /** A PostgreSQL server (TEST_DATABASE_URL): one database per environment is created on it, and dropped after. */
  databaseServerUrl: string;
  /** host:port of the registry (ECS_ACTIONS_REGISTRY). */
  registry: string;
  /** The base image build-arg NODE_IMAGE (ECS_ACTIONS_NODE_IMAGE). */
  nodeImage?: string;
  /** The environments to run; dev, staging and prod unless set. */
  environments?: readonly DemoEnvironment[];
  /** Added to the container's environment in every task definition rendered (the bench raises the rate limit). */
  extraEnvironment?: Record<string, string>;
  /** Receives each undo step as soon as something is started, so that a signal mid-start can undo it all. */
  cleanups?: Cleanups;
}

/** Undo steps, run newest first by `runCleanups`. */
export type Cleanups = Array<() => Promise<unknown>>;

export async function runCleanups(cleanups: Cleanups): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => {});
}

export interface DockerRehearsal {
  aws: LoopbackAws;
  slack: SlackReceiver;
  /** The listener in front of each environment's service. */
  listeners: Record<string, string>;
  /** The image the services run before the pipeline: the previous release. */
  previousImage: string;
  /** Builds HEAD and pushes it; resolves with the digest-pinned image. */
  build(): Promise<{ image: string; digest: string; durationMs: number }>;
  runPipeline(image: string): Promise<EnvironmentResult[]>;
  /** Renders the environment's task definition for an image with render-taskdef; the path of the file written. */
  renderTaskDefinition(environment: string, image: string): Promise<string>;
  /** GET /version through an environment's listener. */
  servedVersion(environment: string): Promise<string>;
  stop(): Promise<void>;
}

const TEMPLATE = join(repositoryRoot, 'sample-service/deploy/taskdef.template.json');
const varsFile = (environment: string) => join(repositoryRoot, `sample-service/deploy/${environment}.env`);

/** KEY=VALUE lines of a vars file. */
function readVars(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]!] = match[2]!;
  }
  return vars;
}

export function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, timeout: 10_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    })
      .on('error', reject)
      .end();
  });
}

/** `docker buildx build --push` of the sample service, as the previous release was built; the pushed digest. */
async function buildDirect(options: DockerRehearsalOptions, tag: string, gitSha: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'rehearsal-build-'));
  try {
    const metadata = join(work, 'metadata.json');
    const result = await runCommand(
      'docker',
      [
        'buildx',
        'build',
        '--network',
        'host',
        '-f',
        'sample-service/Dockerfile',
        ...(options.nodeImage ? ['--build-arg', `NODE_IMAGE=${options.nodeImage}`] : []),
        '--build-arg',
        `GIT_SHA=${gitSha}`,
        '--build-arg',
        `BUILD_TIME=${new Date().toISOString()}`,
        '-t',
        tag,
        '--push',
        '--metadata-file',
        metadata,
        '.',
      ],
      { cwd: repositoryRoot, timeoutMs: 15 * 60_000 },
    );
    if (result.code !== 0) throw new Error(`docker buildx build of ${tag} failed:\n${result.output.slice(-2000)}`);
    return (JSON.parse(readFileSync(metadata, 'utf8')) as Record<string, string>)['containerimage.digest']!;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function startDockerRehearsal(options: DockerRehearsalOptions): Promise<DockerRehearsal> {
  const { log } = options;
  const engine = await dockerEngine();
  if ('problem' in engine) throw new Error(`--docker: ${engine.problem}`);
  const run = randomBytes(4).toString('hex');
  const environments = options.environments ?? DEMO_ENVIRONMENTS;
  const repository = `${options.registry}/${SAMPLE_REPOSITORY}`;
  const cleanups = options.cleanups ?? [];
  const stop = () => runCleanups(cleanups);
  try {
    log(`Building the previous release (GIT_SHA ${options.previousVersion.slice(0, 12)}) into ${repository}...`);
    const previousDigest = await buildDirect(options, `${repository}:previous`, options.previousVersion);
    const previousImage = `${repository}@${previousDigest}`;

    const databases: Record<string, TestDatabase> = {};
    for (const environment of environments) {
      databases[environment] = await createMigratedTestDatabase(options.databaseServerUrl, `rehearsal_${environment}`);
      cleanups.push(() => databases[environment]!.drop());
    }
    const missingDatabase = new URL(databases.dev!.url);
    missingDatabase.pathname = `/no_such_database_${run}`;
    const secrets: SecretSeed[] = environments.map((environment) => ({
      name: `sample-service/${environment}/database-url`,
      arn: readVars(varsFile(environment)).DATABASE_URL_SECRET_ARN,
      value: databases[environment]!.url,
    }));
    secrets.push({ name: 'sample-service/dev/database-url-typo', arn: undefined, value: missingDatabase.toString() });
    const aws = await startLoopbackAws({
      seed: false,
      stepMs: options.stepMs,
      log: (line) => log(`   [aws] ${line}`),
      tasks: containerTasks({ label: `rehearsal-${run}` }),
      registry: options.registry,
      secrets,
      parameters: environments.map((environment) => ({
        name: `/sample-service/${environment}/api-token`,
        value: randomBytes(18).toString('base64url'),
      })),
    });
    cleanups.push(() => aws.close());
    aws.seedRepository(SAMPLE_REPOSITORY);
    const slack = await startSlackReceiver();
    cleanups.push(() => slack.close());

    const work = mkdtempSync(join(tmpdir(), 'rehearsal-docker-'));
    cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
    const renderTaskDefinition = async (environment: string, image: string) => {
      const rendered = await runBundle('render-taskdef', {
        inputs: {
          template: TEMPLATE,
          images: `web=${image}`,
          'vars-file': varsFile(environment),
          vars: `ENVIRONMENT=${environment}\nACCOUNT_ID=${aws.accountId}\nREGION=${aws.region}\nIMAGE=${image}`,
        },
        env: { AWS_REGION: aws.region },
        runnerTemp: work,
      });
      if (rendered.exitCode !== 0) throw new Error(`render-taskdef failed: ${rendered.errors.join('; ')}`);
      const path = rendered.outputs['task-definition']!;
      if (options.extraEnvironment) {
        const definition = JSON.parse(readFileSync(path, 'utf8'));
        for (const container of definition.containerDefinitions) {
          for (const [name, value] of Object.entries(options.extraEnvironment))
            container.environment.push({ name, value });
        }
        writeFileSync(path, JSON.stringify(definition, null, 2));
      }
      return path;
    };
    log(`Rendering the previous release's task definitions and starting its containers (2 tasks per environment)...`);
    for (const environment of environments) {
      const definition = aws.seedTaskDefinition(
        JSON.parse(readFileSync(await renderTaskDefinition(environment, previousImage), 'utf8')),
      );
      const group = aws.seedTargetGroup({
        name: demoTargetGroup(environment),
        port: SAMPLE_CONTAINER_PORT,
        loadBalancerName: `demo-${environment}`,
      });
      aws.seedService({
        cluster: demoCluster(environment),
        name: SAMPLE_SERVICE,
        taskDefinition: definition.arn,
        desiredCount: 2,
        targetGroup: group.arn,
      });
    }
    await aws.tasksSettled(180_000);
    const listeners: Record<string, string> = {};
    for (const environment of environments)
      listeners[environment] = await aws.listenerUrl(demoTargetGroup(environment));

    /**
     * What the staged failure changes in dev's deploy: the template or the vars, never the image. The failures staged
     * for the service's own start skip the migration, which would otherwise meet them first and stop the deploy.
     */
    const devRequest = (): { template?: string; varsFile?: string; migrateCommand?: undefined } => {
      if (options.scenario === 'tasks-keep-stopping') {
        const template = JSON.parse(readFileSync(TEMPLATE, 'utf8'));
        for (const container of template.containerDefinitions) {
          container.secrets = container.secrets.filter((secret: { name: string }) => secret.name !== 'DATABASE_URL');
        }
        const path = join(work, 'taskdef.no-database-url.json');
        writeFileSync(path, JSON.stringify(template, null, 2));
        return { template: path, migrateCommand: undefined };
      }
      if (options.scenario === 'circuit-breaker-rollback' || options.scenario === 'migration-fails') {
        const typo = [...aws.state.secrets.values()].find((secret) => secret.name.endsWith('database-url-typo'))!;
        const path = join(work, 'dev.typo.env');
        writeFileSync(
          path,
          readFileSync(varsFile('dev'), 'utf8').replace(
            /^DATABASE_URL_SECRET_ARN=.*$/m,
            `DATABASE_URL_SECRET_ARN=${typo.arn}`,
          ),
        );
        return options.scenario === 'migration-fails'
          ? { varsFile: path }
          : { varsFile: path, migrateCommand: undefined };
      }
      return {};
    };

    return {
      aws,
      slack,
      listeners,
      previousImage,
      renderTaskDefinition,
      build: async () => {
        // The real action, as the pipeline's build job runs it: ECR here is the loopback's, backed by the registry.
        const started = Date.now();
        const buildArgs = [`NODE_IMAGE=${options.nodeImage ?? ''}`];
        // smoke-fails: an image whose baked-in GIT_SHA is not the commit the pipeline deploys.
        if (options.scenario === 'smoke-fails') buildArgs.push(`GIT_SHA=${options.previousVersion}`);
        const built = await runBundle('build-push-digest', {
          inputs: {
            repository: SAMPLE_REPOSITORY,
            context: '.',
            dockerfile: 'sample-service/Dockerfile',
            tags: options.version.slice(0, 7),
            network: 'host',
            'build-args': options.nodeImage ? buildArgs.join('\n') : buildArgs.slice(1).join('\n'),
            cache: 'none',
          },
          env: {
            AWS_ENDPOINT_URL: aws.url,
            AWS_REGION: aws.region,
            AWS_ACCESS_KEY_ID: 'AKIDREHEARSAL',
            AWS_SECRET_ACCESS_KEY: 'rehearsal-secret',
            AWS_EC2_METADATA_DISABLED: 'true',
            GITHUB_SHA: options.version,
            GITHUB_REPOSITORY: 'org/ecs-actions',
            GITHUB_SERVER_URL: 'https://github.com',
          },
          runnerTemp: work,
          timeoutMs: 15 * 60_000,
          onLine: (line) => {
            const readable = readableLine(line);
            if (readable !== undefined) log(`   ${readable}`);
          },
        });
        const digest = built.outputs.digest;
        if (built.exitCode !== 0 || !digest) {
          throw new Error(`build-push-digest failed (exit ${built.exitCode}): ${built.errors.join('; ')}`);
        }
        return { image: built.outputs.image!, digest, durationMs: Date.now() - started };
      },
      runPipeline: (image) =>
        promote(
          aws,
          options.scenario === 'tasks-keep-stopping' ? 'tasks-keep-stopping' : undefined,
          log,
          (environment) => ({
            target: {
              awsUrl: aws.url,
              accountId: aws.accountId,
              region: aws.region,
              slackApiUrl: slack.url,
              serviceUrl: listeners[environment]!,
              corsOrigin: readVars(varsFile(environment)).CORS_ORIGIN,
              cluster: demoCluster as (environment: string) => string,
              service: SAMPLE_SERVICE,
              verifyTimeoutSeconds: 90,
              smokeTimeoutSeconds: 60,
            },
            request: {
              environment,
              image,
              version: options.version,
              // The real migration, in a one-off task of the rendered revision, against the environment's database.
              migrateCommand: MIGRATE_COMMAND,
              ...(environment === 'dev' ? devRequest() : {}),
            },
          }),
        ),
      servedVersion: async (environment) => {
        const answer = await get(`${listeners[environment]}/version`);
        if (answer.status !== 200) return `HTTP ${answer.status}`;
        return (JSON.parse(answer.text) as { gitSha: string }).gitSha;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
