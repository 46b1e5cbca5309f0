import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedCodeDeployService, type CodeDeploySeed } from './codedeploy/seed.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, seedDefaultWorld } from './defaults.js';
import { registryImageStore } from './ecr-images.js';
import type { Fault } from './errors.js';
import type { OneOffFate } from './one-off.js';
import { advance } from './rollout.js';
import { ROLLING, scenarioNamed, type CircuitBreaker, type ScenarioName } from './scenarios.js';
import {
  applySettings,
  seedCluster,
  seedImage,
  seedRepository,
  seedService,
  seedTargetGroup,
  seedTaskDefinition,
  type ImageSeed,
  type ServiceSeed,
  type TargetGroupSeed,
} from './seed.js';
import { seedParameter, seedSecret, type ParameterSeed, type SecretSeed } from './secrets.js';
import { requestListener, type PendingFault, type RecordedRequest, type ServerContext } from './server.js';
import type { TaskRuntimeFactory } from './tasks/runtime.js';
import { ECS_BUCKETS, TokenBuckets } from './throttle.js';
import {
  World,
  type ClusterRecord,
  type ImageRecord,
  type ParameterRecord,
  type RepositoryRecord,
  type SecretRecord,
  type ServiceRecord,
  type TargetGroupRecord,
  type TaskDefinitionRecord,
} from './world.js';

export interface LoopbackAwsOptions {
  /** 0 (any free port) unless set. The server binds 127.0.0.1 only. */
  port?: number;
  /** How the next rollout of a new task definition goes; `completes` unless set. */
  scenario?: ScenarioName;
  /** Milliseconds per rollout step (start a task, pass a health check, drain one...); 300 unless set. */
  stepMs?: number;
  accountId?: string;
  region?: string;
  /** Receives one line per service event, new deployment and injected fault. */
  log?: (line: string) => void;
  /** Seed the demo world (clusters demo-dev/staging/prod, sample-service, its image); true unless set. */
  seed?: boolean;
  /** The seeded services' circuit breaker; the scenario's, else rollback on, unless set. */
  circuitBreaker?: CircuitBreaker;
  /** The clock the rollouts follow; Date.now unless set. */
  now?: () => number;
  /** What runs the tasks: simulated unless set; `containerTasks()` runs real containers behind a real listener. */
  tasks?: TaskRuntimeFactory;
  /** The seeded services' task definition in each demo environment; `sampleTaskDefinition` on the seeded image unless set. */
  demoTaskDefinition?: (environment: string) => Record<string, unknown>;
  /** Secrets and parameters to hold before the seeded tasks start (their containers resolve them). */
  secrets?: SecretSeed[];
  parameters?: ParameterSeed[];
  /** Milliseconds a "minute" of bake time, traffic step or hook timeout lasts; 10 steps unless set. */
  minuteMs?: number;
  /** Enforce ECS's request rates per account and region (ThrottlingException, see ECS_BUCKETS); true unless set. */
  throttle?: boolean;
  /**
   * `host:port` of a real OCI registry (HTTP API v2, plain HTTP on 127.0.0.0/8) that backs ECR: repository URIs
   * name it, DescribeImages and BatchGetImage read it, and docker pushes go straight to it. ECR keeps its images in
   * memory (made-up manifests, seedImage) unless set.
   */
  registry?: string;
}

export interface LoopbackAws {
  /** `http://127.0.0.1:<port>`: give it to the SDK as AWS_ENDPOINT_URL or `endpoint`. */
  url: string;
  port: number;
  accountId: string;
  region: string;
  /** The simulated account, for assertions; rollouts are moved up to now by `advance()` and by every request. */
  state: World;
  readonly scenario: ScenarioName;
  /** Chooses how the next new task definition's rollout goes (see SCENARIOS). */
  setScenario(name: ScenarioName): void;
  /** Every request answered, in order. */
  requests: RecordedRequest[];
  /** Answers the next `times` (1) requests for `operation` (e.g. DescribeServices) with this error instead. */
  failNext(operation: string, fault: Fault): void;
  /** How the next one-off tasks (RunTask) end, whatever the scenario says; undefined gives the choice back. */
  setOneOffFate(fate: OneOffFate | undefined): void;
  /**
   * From now on (or once a request for `after` was answered), requests for `operations` (all when unset) are read
   * and never answered: the connection stays open, as with a half-open connection. `answerAgain()` ends it.
   */
  stopAnswering(options?: { operations?: string[]; after?: string }): void;
  answerAgain(): void;
  /** Moves every rollout up to now. */
  advance(): void;
  seedCluster(name: string): ClusterRecord;
  seedTaskDefinition(input: Record<string, unknown>): TaskDefinitionRecord;
  seedTargetGroup(seed: TargetGroupSeed): TargetGroupRecord;
  seedService(seed: ServiceSeed): ServiceRecord;
  seedRepository(name: string): RepositoryRecord;
  seedImage(seed: ImageSeed): ImageRecord;
  seedSecret(seed: SecretSeed): SecretRecord;
  seedParameter(seed: ParameterSeed): ParameterRecord;
  /** Makes a service CODE_DEPLOY-controlled with application AppECS-<cluster>-<service> and group DgpECS-<cluster>-<service>. */
  seedCodeDeployService(cluster: string, service: string, seed?: CodeDeploySeed): void;
  /** Resolves once every task started so far runs and its targets are healthy (at once with simulated tasks). */
  tasksSettled(timeoutMs?: number): Promise<void>;
  /** The URL of the listener in front of a target group (name or ARN); container tasks only. */
  listenerUrl(targetGroup: string): Promise<string>;
  /** Stops the rollouts, removes every container started, and closes the server. */
  close(): Promise<void>;
}

export async function startLoopbackAws(options: LoopbackAwsOptions = {}): Promise<LoopbackAws> {
  const scenario = scenarioNamed(options.scenario ?? 'completes');
  const world = new World({
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    region: options.region ?? DEFAULT_REGION,
    stepMs: options.stepMs ?? 300,
    minuteMs: options.minuteMs,
    scenario,
    now: options.now,
    log: options.log,
    tasks: options.tasks,
    images: options.registry
      ? registryImageStore({ registry: options.registry, now: options.now ?? Date.now })
      : undefined,
  });
  for (const secret of options.secrets ?? []) seedSecret(world, secret);
  for (const parameter of options.parameters ?? []) seedParameter(world, parameter);
  if (options.seed ?? true) {
    seedDefaultWorld(
      world,
      options.circuitBreaker ?? scenario.circuitBreaker ?? { enable: true, rollback: true },
      options.demoTaskDefinition,
    );
    for (const service of world.services.values()) {
      applySettings(world, service, scenario.settings ?? ROLLING);
      if (scenario.codeDeploy) seedCodeDeployService(world, service, scenario.codeDeploy);
    }
  }
  const requests: RecordedRequest[] = [];
  const faults: PendingFault[] = [];
  const throttle = options.throttle === false ? undefined : new TokenBuckets(ECS_BUCKETS, world.now);
  const context: ServerContext = { world, requests, faults, throttle };
  const server = createServer(requestListener(context));
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Rollouts also move between requests, so that the log and `state` follow real time.
  const ticker = setInterval(() => advance(world), world.stepMs);
  ticker.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accountId: world.accountId,
    region: world.region,
    state: world,
    get scenario() {
      return world.scenario.name;
    },
    setScenario(name) {
      advance(world);
      world.scenario = scenarioNamed(name);
      const breaker = world.scenario.circuitBreaker;
      for (const service of world.services.values()) {
        if (breaker) service.circuitBreaker = { ...breaker };
        applySettings(world, service, world.scenario.settings ?? ROLLING);
        // A service stays CODE_DEPLOY once it is (ECS cannot change a service's deployment controller).
        if (world.scenario.codeDeploy) seedCodeDeployService(world, service, world.scenario.codeDeploy);
      }
      world.log(`scenario: ${name} (${world.scenario.description})`);
    },
    requests,
    setOneOffFate(fate) {
      world.oneOffFate = fate;
    },
    failNext(operation, fault) {
      faults.push({ ...fault, operation, remaining: fault.times ?? 1 });
    },
    stopAnswering(stop = {}) {
      context.silence = {
        operations: stop.operations && new Set(stop.operations),
        after: stop.after,
        armed: stop.after === undefined,
      };
    },
    answerAgain() {
      context.silence = undefined;
    },
    advance: () => advance(world),
    seedCluster: (name) => seedCluster(world, name),
    seedTaskDefinition: (input) => seedTaskDefinition(world, input),
    seedTargetGroup: (seed) => seedTargetGroup(world, seed),
    seedService: (seed) => seedService(world, seed),
    seedRepository: (name) => seedRepository(world, name),
    seedImage: (seed) => seedImage(world, seed),
    seedSecret: (seed) => seedSecret(world, seed),
    seedParameter: (seed) => seedParameter(world, seed),
    seedCodeDeployService: (cluster, service, seed) => {
      const record = world.services.get(`${cluster}/${service}`);
      if (!record) throw new Error(`No service ${cluster}/${service} in the loopback AWS`);
      seedCodeDeployService(world, record, seed);
    },
    tasksSettled: (timeoutMs = 120_000) => world.tasks.settled(world, timeoutMs),
    listenerUrl: (reference) => {
      const group =
        world.targetGroups.get(reference) ?? [...world.targetGroups.values()].find((entry) => entry.name === reference);
      if (!group) return Promise.reject(new Error(`No target group ${reference} in the loopback AWS`));
      return world.tasks.listener(world, group);
    },
    close: async () => {
      clearInterval(ticker);
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await world.tasks.close();
      await closed;
    },
  };
}
