import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { memoryImageStore, type EcrImageStore } from './ecr-images.js';
import { AwsError } from './errors.js';
import type { CodeDeployState } from './codedeploy/records.js';
import type { LogGroups } from './logs.js';
import type { OneOffFate, OneOffTaskRecord } from './one-off.js';
import type { ServiceRevisionRecord } from './service-revisions.js';
import { SCENARIOS, type CircuitBreaker, type DeploymentSettings, type Fate, type Scenario } from './scenarios.js';
import { simulatedTasks, type TaskRuntime, type TaskRuntimeFactory } from './tasks/runtime.js';

/** The state of the simulated account: everything the handlers answer from and the rollouts change. */

export interface Tag {
  key: string;
  value: string;
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  /** The RegisterTaskDefinition input, with ECS's defaults filled in; tags are kept apart as ECS does. */
  definition: Record<string, unknown>;
  tags: Tag[];
  registeredAt: number;
  /** Decided on the first deployment of this revision (see Fate). */
  fate?: Fate;
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface DeploymentRecord {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  fate: Fate;
  /** The service deployment (service-deployments API) this deployment carries out, a rollback included. */
  serviceDeploymentArn?: string;
  /** The service revision this deployment runs (`service-revision/<cluster>/<service>/<id>`). */
  serviceRevisionArn: string;
}

export type ServiceDeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

export interface LifecycleHookRecord {
  hookId: string;
  targetType: 'AWS_LAMBDA' | 'PAUSE';
  targetArn?: string;
  /** The stage it holds the deployment at. */
  stage: string;
  status: 'IN_PROGRESS' | 'AWAITING_ACTION' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  expiresAt?: number;
  timeoutAction: 'CONTINUE' | 'ROLLBACK';
}

/** One record of the service-deployments API: what ListServiceDeployments and DescribeServiceDeployments report. */
export interface ServiceDeploymentRecord {
  arn: string;
  /** The deployment (`ecs-svc/…`) that carries it out; a rollback runs in another deployment of the same record. */
  deploymentId: string;
  strategy: DeploymentSettings['strategy'];
  settings: DeploymentSettings;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  /** Blue/green, linear and canary only; an open string (hooks also name PRE_PRODUCTION_TRAFFIC_SHIFT). */
  lifecycleStage?: string;
  /** When the current stage (or bake, or traffic step) may end. */
  stageEndsAt?: number;
  targetRevisionArn: string;
  sourceRevisionArns: string[];
  /** Production and test traffic weights of the target revision, in percent. */
  productionWeight: number;
  testWeight: number;
  /** Index into the production traffic steps while shifting. */
  trafficStep: number;
  hooks: LifecycleHookRecord[];
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  failureCount: number;
  circuitBreakerStatus: 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED';
  alarmStatus: 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED';
  triggeredAlarmNames: string[];
  /** Every change of status, stage or production weight, oldest first: `STATUS STAGE WEIGHT` (for assertions). */
  history: string[];
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface TaskRecord {
  id: string;
  arn: string;
  deploymentId: string;
  taskDefinitionArn: string;
  /** PROVISIONING -> RUNNING -> DEACTIVATING (target draining) -> STOPPED */
  lastStatus: 'PROVISIONING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  ip: string;
  availabilityZone: string;
  /** Per container name: the digest the task reports running. */
  imageDigests: Record<string, string>;
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  /** When ECS asked the containers to stop: after the deregistration delay, if the task had targets. */
  stopRequestedAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  exitCode?: number;
  /** Health of this task's targets in the service's target groups; undefined when not registered. */
  targetState?: TargetState;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface LoadBalancerBinding {
  targetGroupArn: string;
  /** Blue/green, linear and canary: the green revision's target group and the listener rules ECS switches. */
  advancedConfiguration?: {
    alternateTargetGroupArn: string;
    productionListenerRule: string;
    testListenerRule?: string;
    roleArn: string;
  };
  containerName: string;
  containerPort: number;
}

export interface ServiceRecord {
  name: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  status: 'ACTIVE';
  desiredCount: number;
  /** PRIMARY first, then the ACTIVE ones, newest first. */
  deployments: DeploymentRecord[];
  tasks: TaskRecord[];
  /** Newest first, at most 100 as DescribeServices returns them. */
  events: ServiceEvent[];
  circuitBreaker: CircuitBreaker;
  /** Strategy, bake time, hooks, alarms: how the next deployment goes (DeploymentConfiguration). */
  settings: DeploymentSettings;
  /** Every service deployment, newest first (the service-deployments API's history). */
  serviceDeployments: ServiceDeploymentRecord[];
  loadBalancers: LoadBalancerBinding[];
  /**
   * ECS (rolling and ECS's own blue/green) or CODE_DEPLOY: CodeDeploy moves the service from one task set to the
   * next (codedeploy/), and `deployments` then hold its task sets, PRIMARY (serving production traffic) first.
   */
  deploymentController: 'ECS' | 'CODE_DEPLOY';
  subnets: string[];
  securityGroups: string[];
  createdAt: number;
  /** The deployment the circuit breaker rolls back to. */
  lastCompleted?: { id: string; taskDefinitionArn: string; serviceRevisionArn?: string };
  /** When the rollout advances next; undefined while nothing moves. */
  nextStepAt?: number;
  /** True once the steady-state event for the last change was sent. */
  steady: boolean;
}

export interface ClusterRecord {
  name: string;
  arn: string;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  healthCheckPath: string;
  vpcId: string;
  loadBalancerArns: string[];
}

export interface ImageRecord {
  digest: string;
  tags: string[];
  manifest: string;
  mediaType: string;
  sizeInBytes: number;
  pushedAt: number;
}

export interface RepositoryRecord {
  name: string;
  arn: string;
  uri: string;
  createdAt: number;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  lifecyclePolicyText?: string;
  tags: Tag[];
  images: ImageRecord[];
}

export interface WorldOptions {
  accountId: string;
  region: string;
  stepMs: number;
  /** How long a "minute" of bake time, hook timeout or traffic step lasts here; 10 steps unless set. */
  minuteMs?: number;
  scenario: Scenario;
  now?: () => number;
  log?: (line: string) => void;
  /** Where ECR's images live; in memory (made-up manifests) unless set. */
  images?: EcrImageStore;
  /** What runs the tasks; simulated unless set. */
  tasks?: TaskRuntimeFactory;
}

export interface SecretRecord {
  arn: string;
  name: string;
  value: string;
  createdAt: number;
}

export interface ParameterRecord {
  name: string;
  value: string;
  type: 'String' | 'SecureString';
  version: number;
  lastModifiedAt: number;
}

export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

/** Every request is answered as if made by the deploy role that GitHub Actions assumed through OIDC. */
export const CALLER_ROLE = 'ecs-actions-deploy';
export const CALLER_SESSION = 'GitHubActions';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A small image manifest whose digest is the sha256 of its text, as in a real registry. */
export function imageManifest(label: string): { manifest: string; digest: string; sizeInBytes: number } {
  const layers = [0, 1, 2].map((i) => ({
    mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    size: 1_000_000 * (i + 1) + label.length,
    digest: `sha256:${sha256(`${label} layer ${i}`)}`,
  }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST_MEDIA_TYPE,
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1500,
      digest: `sha256:${sha256(`${label} config`)}`,
    },
    layers,
  });
  return {
    manifest,
    digest: `sha256:${sha256(manifest)}`,
    sizeInBytes: layers.reduce((sum, layer) => sum + layer.size, 0),
  };
}

/** The image the seeded world runs and the demo deploys, and another one the `wrong-digest` scenario reports. */
export const SAMPLE_IMAGE = imageManifest('sample-service 1.0.0');
export const OTHER_IMAGE = imageManifest('sample-service 0.9.0');

export class World {
  readonly accountId: string;
  readonly region: string;
  readonly stepMs: number;
  readonly minuteMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  scenario: Scenario;
  readonly clusters = new Map<string, ClusterRecord>();
  /** Keyed by `<cluster>/<service>`. */
  readonly services = new Map<string, ServiceRecord>();
  /** Revisions of each family, in order: revision N is at index N-1. */
  readonly taskDefinitions = new Map<string, TaskDefinitionRecord[]>();
  readonly targetGroups = new Map<string, TargetGroupRecord>();
  readonly repositories = new Map<string, RepositoryRecord>();
  /** Service revisions by ARN (DescribeServiceRevisions), kept after their deployments are gone. */
  readonly serviceRevisions = new Map<string, ServiceRevisionRecord>();
  /** Tasks started by RunTask, not by a service. */
  readonly oneOffTasks: OneOffTaskRecord[] = [];
  /** How the next one-off tasks end; the scenario's (else exits-0) unless set. */
  oneOffFate: OneOffFate | undefined;
  /** CodeDeploy's applications, deployment groups and deployments (ECS blue/green, CODE_DEPLOY services). */
  readonly codeDeploy: CodeDeployState = { applications: new Map(), deploymentGroups: new Map(), deployments: [] };
  /** Secrets Manager secrets by ARN. */
  readonly secrets = new Map<string, SecretRecord>();
  /** SSM parameters by name (`/sample-service/dev/api-token`). */
  readonly parameters = new Map<string, ParameterRecord>();
  readonly tasks: TaskRuntime;
  /** CloudWatch Logs: the awslogs streams of the tasks' containers. */
  readonly logGroups: LogGroups = new Map();
  /** ECR's images: in memory, or read from a real registry (chosen at start-up). */
  readonly images: EcrImageStore;
  private taskCounter = 0;

  constructor(options: WorldOptions) {
    this.accountId = options.accountId;
    this.region = options.region;
    this.stepMs = options.stepMs;
    this.minuteMs = options.minuteMs ?? options.stepMs * 10;
    this.scenario = options.scenario ?? SCENARIOS.completes;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.images = options.images ?? memoryImageStore(`${this.accountId}.dkr.ecr.${this.region}.amazonaws.com`);
    this.tasks = (options.tasks ?? simulatedTasks)(this);
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.accountId}:${resource}`;
  }

  get callerArn(): string {
    return `arn:aws:sts::${this.accountId}:assumed-role/${CALLER_ROLE}/${CALLER_SESSION}`;
  }

  /** `<account>.dkr.ecr.<region>.amazonaws.com`, or the real registry's `host:port` when one backs ECR. */
  get registryUri(): string {
    return this.images.registryHost;
  }

  /** A cluster by name or ARN; ECS uses `default` when none is given. */
  cluster(reference: string | undefined): ClusterRecord {
    const name = (reference || 'default').replace(/^arn:aws:ecs:[^:]+:\d+:cluster\//, '');
    const cluster = this.clusters.get(name);
    if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  /** A service by name or ARN (`.../service/<cluster>/<name>`). */
  service(cluster: ClusterRecord, reference: string): ServiceRecord | undefined {
    const name = reference.split('/').pop() ?? reference;
    return this.services.get(`${cluster.name}/${name}`);
  }

  servicesOf(cluster: ClusterRecord): ServiceRecord[] {
    return [...this.services.values()].filter((service) => service.clusterName === cluster.name);
  }

  /** `family` (latest ACTIVE revision), `family:revision` or the full ARN. */
  taskDefinition(reference: string): TaskDefinitionRecord | undefined {
    const match = /^(?:arn:aws:ecs:[^:]+:\d+:task-definition\/)?([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(reference);
    if (!match) return undefined;
    const revisions = this.taskDefinitions.get(match[1]) ?? [];
    if (match[2] !== undefined) return revisions[Number(match[2]) - 1];
    return revisions.filter((revision) => revision.status === 'ACTIVE').at(-1);
  }

  /** Where a simulated task's ENI lands: data only, nothing ever connects to it. */
  nextTaskAddress(): { ip: string; availabilityZone: string } {
    const n = this.taskCounter++;
    const zone = n % 3;
    const slot = Math.floor(n / 3);
    return {
      ip: `10.0.${zone * 64 + 1 + (Math.floor(slot / 240) % 63)}.${10 + (slot % 240)}`,
      availabilityZone: `${this.region}${'abc'[zone]}`,
    };
  }

  newTaskId(): string {
    return randomBytes(16).toString('hex');
  }

  /** `<prefix>/<cluster>/<service>/<id>`, as ECS names service deployments and service revisions. */
  serviceChildArn(kind: 'service-deployment' | 'service-revision', service: ServiceRecord): string {
    const id =
      kind === 'service-revision'
        ? (BigInt(`0x${randomBytes(8).toString('hex')}`) % 10n ** 19n).toString().padStart(19, '4')
        : randomBytes(15).toString('base64url');
    return this.arn('ecs', `${kind}/${service.clusterName}/${service.name}/${id}`);
  }

  newDeploymentId(): string {
    // ECS deployment ids are `ecs-svc/` and 19 digits.
    const digits = BigInt(`0x${randomBytes(8).toString('hex')}`) % 10n ** 19n;
    return `ecs-svc/${digits.toString().padStart(19, '1')}`;
  }

  /** Adds a service event, as ECS words them: `(service <name>) <message>`; `log: false` for seeded history. */
  addEvent(service: ServiceRecord, message: string, at: number, options: { log?: boolean } = {}): void {
    service.events.unshift({ id: randomUUID(), createdAt: at, message: `(service ${service.name}) ${message}` });
    service.events.length = Math.min(service.events.length, 100);
    if (options.log ?? true) this.log(`${service.clusterName}/${service.name}: ${service.events[0].message}`);
  }

  /** The digest an image reference resolves to: pinned, else the tag in the simulated ECR, else a stable made-up one. */
  digestOf(image: string): string {
    const pinned = /@(sha256:[0-9a-f]{64})$/.exec(image);
    if (pinned) return pinned[1];
    const local = image.startsWith(`${this.registryUri}/`) ? image.slice(this.registryUri.length + 1) : image;
    const tagged = /^(?:[^/]+\.amazonaws\.com\/)?([^:@]+):([^:@/]+)$/.exec(local);
    if (tagged) {
      const found = this.repositories.get(tagged[1])?.images.find((entry) => entry.tags.includes(tagged[2]));
      if (found) return found.digest;
    }
    return `sha256:${sha256(image)}`;
  }
}
