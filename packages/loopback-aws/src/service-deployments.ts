import type {
  ContinueServiceDeploymentRequest,
  DescribeServiceDeploymentsRequest,
  ListServiceDeploymentsRequest,
  StopServiceDeploymentRequest,
} from '@aws-sdk/client-ecs';
import { AwsError } from './errors.js';
import { paginate } from './paging.js';
import { wake } from './rollout.js';
import type {
  DeploymentRecord,
  ServiceDeploymentRecord,
  ServiceDeploymentStatus,
  ServiceRecord,
  World,
} from './world.js';

/**
 * The service-deployments API (ListServiceDeployments, DescribeServiceDeployments, StopServiceDeployment,
 * ContinueServiceDeployment) over the records the rollouts keep. Timestamps are epoch seconds, as in ECS's JSON.
 */

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Statuses of a deployment that is still moving: StopServiceDeployment accepts these. */
const IN_FLIGHT = new Set<ServiceDeploymentStatus>([
  'PENDING',
  'IN_PROGRESS',
  'STOP_REQUESTED',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
]);

export function isInFlight(record: ServiceDeploymentRecord): boolean {
  return IN_FLIGHT.has(record.status);
}

/** Opens the record of a new deployment; an earlier one still in flight is STOPPED, as a newer UpdateService does. */
export function openServiceDeployment(
  world: World,
  service: ServiceRecord,
  deployment: DeploymentRecord,
  at: number,
): ServiceDeploymentRecord {
  for (const earlier of service.serviceDeployments.filter(isInFlight)) {
    setStatus(world, service, earlier, 'STOPPED', at, 'Service deployment was superseded by a newer deployment.');
  }
  const settings = service.settings;
  const record: ServiceDeploymentRecord = {
    arn: world.serviceChildArn('service-deployment', service),
    deploymentId: deployment.id,
    strategy: settings.strategy,
    settings,
    createdAt: at,
    startedAt: at,
    updatedAt: at,
    status: 'IN_PROGRESS',
    statusReason: 'Service deployment in progress.',
    lifecycleStage: settings.strategy === 'ROLLING' ? undefined : 'PRE_SCALE_UP',
    targetRevisionArn: deployment.serviceRevisionArn,
    sourceRevisionArns: service.deployments
      .filter((entry) => entry !== deployment)
      .map((entry) => entry.serviceRevisionArn),
    productionWeight: 0,
    testWeight: 0,
    trafficStep: 0,
    hooks: [],
    failureCount: 0,
    circuitBreakerStatus: service.circuitBreaker.enable ? 'MONITORING' : 'DISABLED',
    alarmStatus: settings.alarms?.enable ? 'MONITORING' : 'DISABLED',
    triggeredAlarmNames: [],
    history: [],
  };
  remember(record);
  deployment.serviceDeploymentArn = record.arn;
  service.serviceDeployments.unshift(record);
  world.log(
    `${service.clusterName}/${service.name}: service deployment ${shortId(record.arn)} ${settings.strategy} IN_PROGRESS`,
  );
  return record;
}

export function serviceDeploymentOf(
  service: ServiceRecord,
  deployment: DeploymentRecord | undefined,
): ServiceDeploymentRecord | undefined {
  return deployment && service.serviceDeployments.find((record) => record.arn === deployment.serviceDeploymentArn);
}

export function setStatus(
  world: World,
  service: ServiceRecord,
  record: ServiceDeploymentRecord,
  status: ServiceDeploymentStatus,
  at: number,
  reason?: string,
): void {
  record.status = status;
  record.statusReason = reason ?? record.statusReason;
  record.updatedAt = at;
  remember(record);
  if (!IN_FLIGHT.has(status)) {
    record.finishedAt = at;
    if (status === 'STOPPED') record.stoppedAt = at;
    if (record.circuitBreakerStatus === 'MONITORING') record.circuitBreakerStatus = 'MONITORING_COMPLETE';
    if (record.alarmStatus === 'MONITORING') record.alarmStatus = 'MONITORING_COMPLETE';
  }
  world.log(
    `${service.clusterName}/${service.name}: service deployment ${shortId(record.arn)} ${status}${reason ? `: ${reason}` : ''}`,
  );
}

/** Moves the record to another lifecycle stage (blue/green, linear, canary). */
export function enterStage(
  world: World,
  service: ServiceRecord,
  record: ServiceDeploymentRecord,
  stage: string,
  at: number,
): void {
  record.lifecycleStage = stage;
  record.updatedAt = at;
  remember(record);
  world.log(`${service.clusterName}/${service.name}: service deployment ${shortId(record.arn)} stage ${stage}`);
}

/** Asks for ECS's rollback of a deployment in flight (StopServiceDeployment, circuit breaker or alarm). */
export function requestRollback(
  world: World,
  service: ServiceRecord,
  record: ServiceDeploymentRecord,
  reason: string,
  at: number,
): void {
  if (record.status === 'ROLLBACK_REQUESTED' || record.status === 'ROLLBACK_IN_PROGRESS') return;
  const source = record.sourceRevisionArns[0] ?? record.targetRevisionArn;
  record.rollback = { reason, startedAt: at, serviceRevisionArn: source };
  setStatus(world, service, record, 'ROLLBACK_REQUESTED', at, reason);
  wake(world, service, at);
}

/** Appends the record's state to its history when it changed. */
export function remember(record: ServiceDeploymentRecord): void {
  const line = `${record.status} ${record.lifecycleStage ?? '-'} ${record.productionWeight}`;
  if (record.history.at(-1) !== line) record.history.push(line);
}

function shortId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function revisionSummary(service: ServiceRecord, revisionArn: string, production: number, test: number) {
  const deployment = service.deployments.find((entry) => entry.serviceRevisionArn === revisionArn);
  const tasks = deployment ? service.tasks.filter((task) => task.deploymentId === deployment.id) : [];
  return {
    arn: revisionArn,
    requestedTaskCount: deployment?.desiredCount ?? 0,
    runningTaskCount: tasks.filter((task) => task.lastStatus === 'RUNNING').length,
    pendingTaskCount: tasks.filter((task) => task.lastStatus === 'PROVISIONING').length,
    requestedProductionTrafficWeight: production,
    requestedTestTrafficWeight: test,
  };
}

function deploymentConfiguration(service: ServiceRecord, record: ServiceDeploymentRecord) {
  const settings = record.settings;
  return {
    deploymentCircuitBreaker: service.circuitBreaker,
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    strategy: settings.strategy,
    ...(settings.bakeTimeInMinutes !== undefined ? { bakeTimeInMinutes: settings.bakeTimeInMinutes } : {}),
    ...(settings.linearConfiguration ? { linearConfiguration: settings.linearConfiguration } : {}),
    ...(settings.canaryConfiguration ? { canaryConfiguration: settings.canaryConfiguration } : {}),
    ...(settings.lifecycleHooks ? { lifecycleHooks: settings.lifecycleHooks } : {}),
    ...(settings.alarms ? { alarms: settings.alarms } : {}),
  };
}

export function serviceDeploymentShape(service: ServiceRecord, record: ServiceDeploymentRecord) {
  const rolling = record.strategy === 'ROLLING';
  // A rolling deployment sends all traffic to whatever runs; the weights belong to the traffic-shifting strategies.
  const production = rolling ? 100 : record.productionWeight;
  const test = rolling ? 100 : record.testWeight;
  return {
    serviceDeploymentArn: record.arn,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    createdAt: seconds(record.createdAt),
    startedAt: seconds(record.startedAt),
    finishedAt: seconds(record.finishedAt),
    stoppedAt: seconds(record.stoppedAt),
    updatedAt: seconds(record.updatedAt),
    sourceServiceRevisions: record.sourceRevisionArns.map((arn) =>
      revisionSummary(service, arn, rolling ? 0 : 100 - production, rolling ? 0 : 100 - test),
    ),
    targetServiceRevision: revisionSummary(service, record.targetRevisionArn, production, test),
    status: record.status,
    statusReason: record.statusReason,
    lifecycleStage: record.lifecycleStage,
    lifecycleHookDetails: record.hooks.map((hook) => ({
      hookId: hook.hookId,
      targetType: hook.targetType,
      targetArn: hook.targetArn,
      status: hook.status,
      expiresAt: seconds(hook.expiresAt),
      timeoutAction: hook.timeoutAction,
    })),
    deploymentConfiguration: deploymentConfiguration(service, record),
    rollback: record.rollback && {
      reason: record.rollback.reason,
      startedAt: seconds(record.rollback.startedAt),
      serviceRevisionArn: record.rollback.serviceRevisionArn,
    },
    deploymentCircuitBreaker: {
      status: record.circuitBreakerStatus,
      failureCount: record.failureCount,
      threshold: Math.min(200, Math.max(3, Math.ceil(service.desiredCount / 2))),
    },
    alarms: {
      status: record.alarmStatus,
      alarmNames: record.settings.alarms?.alarmNames ?? [],
      triggeredAlarmNames: record.triggeredAlarmNames,
    },
  };
}

function findRecord(world: World, arn: string | undefined): [ServiceRecord, ServiceDeploymentRecord] | undefined {
  for (const service of world.services.values()) {
    const record = service.serviceDeployments.find((entry) => entry.arn === arn);
    if (record) return [service, record];
  }
  return undefined;
}

function ListServiceDeployments(world: World, input: ListServiceDeploymentsRequest) {
  const cluster = world.cluster(input.cluster);
  if (!input.service) throw new AwsError('InvalidParameterException', 'Service name or ARN must be specified.');
  const service = world.service(cluster, input.service);
  if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 100)) {
    throw new AwsError('InvalidParameterException', 'maxResults must be between 1 and 100.');
  }
  // The SDK sends createdAt.after/before as epoch seconds.
  const after = (input.createdAt?.after as unknown as number | undefined) ?? undefined;
  const before = (input.createdAt?.before as unknown as number | undefined) ?? undefined;
  const records = service.serviceDeployments
    .filter((record) => !input.status?.length || input.status.includes(record.status))
    .filter((record) => after === undefined || record.createdAt >= after * 1000)
    .filter((record) => before === undefined || record.createdAt <= before * 1000);
  const { page, nextToken } = paginate(records, input.maxResults, input.nextToken);
  return {
    serviceDeployments: page.map((record) => ({
      serviceDeploymentArn: record.arn,
      serviceArn: service.arn,
      clusterArn: service.clusterArn,
      createdAt: seconds(record.createdAt),
      startedAt: seconds(record.startedAt),
      finishedAt: seconds(record.finishedAt),
      targetServiceRevisionArn: record.targetRevisionArn,
      status: record.status,
      statusReason: record.statusReason,
    })),
    nextToken,
  };
}

function DescribeServiceDeployments(world: World, input: DescribeServiceDeploymentsRequest) {
  const arns = input.serviceDeploymentArns ?? [];
  if (arns.length === 0 || arns.length > 20) {
    throw new AwsError('InvalidParameterException', 'serviceDeploymentArns must contain between 1 and 20 ARNs.');
  }
  const found = arns.map((arn) => [arn, findRecord(world, arn)] as const);
  return {
    serviceDeployments: found.flatMap(([, hit]) => (hit ? [serviceDeploymentShape(hit[0], hit[1])] : [])),
    failures: found.filter(([, hit]) => !hit).map(([arn]) => ({ arn, reason: 'MISSING' })),
  };
}

function StopServiceDeployment(world: World, input: StopServiceDeploymentRequest) {
  const hit = findRecord(world, input.serviceDeploymentArn);
  if (!hit) throw new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
  const [service, record] = hit;
  if ((input.stopType ?? 'ROLLBACK') !== 'ROLLBACK') {
    throw new AwsError('InvalidParameterException', `stopType ${input.stopType} is not supported; use ROLLBACK.`);
  }
  if (!isInFlight(record)) {
    throw new AwsError(
      'ConflictException',
      `The service deployment is ${record.status}; only one in progress can be stopped.`,
    );
  }
  requestRollback(world, service, record, 'Rollback requested with StopServiceDeployment.', world.now());
  return { serviceDeploymentArn: record.arn };
}

function ContinueServiceDeployment(world: World, input: ContinueServiceDeploymentRequest) {
  const hit = findRecord(world, input.serviceDeploymentArn);
  if (!hit) throw new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
  const [service, record] = hit;
  const hook = record.hooks.find((entry) => entry.hookId === input.hookId);
  if (!hook) throw new AwsError('InvalidParameterException', `No lifecycle hook ${input.hookId} in this deployment.`);
  if (hook.status !== 'AWAITING_ACTION') {
    throw new AwsError('ConflictException', `The lifecycle hook is ${hook.status}, not AWAITING_ACTION.`);
  }
  const at = world.now();
  if ((input.action ?? 'CONTINUE') === 'ROLLBACK') {
    hook.status = 'FAILED';
    requestRollback(world, service, record, `Lifecycle hook ${hook.hookId} asked for a rollback.`, at);
  } else {
    hook.status = 'SUCCEEDED';
    world.log(`${service.clusterName}/${service.name}: lifecycle hook ${hook.hookId} continued`);
    wake(world, service, at);
  }
  return { serviceDeploymentArn: record.arn };
}

export const SERVICE_DEPLOYMENT_OPERATIONS = {
  ListServiceDeployments,
  DescribeServiceDeployments,
  StopServiceDeployment,
  ContinueServiceDeployment,
};
