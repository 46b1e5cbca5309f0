import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendContainerLogLines, containerLogStream } from '../logs.js';
import { stopOneOffTask, type OneOffTaskRecord } from '../one-off.js';
import { wake } from '../rollout.js';
import { resolveSecret } from '../secrets.js';
import type {
  ContainerHealth,
  OneOffRuntime,
  TaskRunState,
  TaskRuntime,
  TaskRuntimeFactory,
} from '../tasks/runtime.js';
import type { ServiceRecord, TaskRecord, World } from '../world.js';
import { AddressPool } from './addresses.js';
import { docker } from './docker-cli.js';
import { HealthChecker, Listener, type HealthCheckSettings } from './load-balancer.js';

/**
 * ECS tasks as real containers: `docker run --network host` with the task definition's image, environment,
 * secrets (resolved from the loopback's Secrets Manager and Parameter Store), command and healthCheck; each task on
 * an address of its own (HOST), stopped with `docker stop -t <stopTimeout>`; their targets checked over HTTP and
 * served by a real listener. What each container prints on stdout and stderr goes to its awslogs stream in the
 * loopback's CloudWatch Logs, line by line, as the awslogs driver ships it. One-off tasks (RunTask) run the same way,
 * with their command overrides, until their essential container exits or StopTask stops them.
 */

/** Every container carries it, with this loopback's run id, so that a sweep can find and remove them all. */
export const CONTAINER_LABEL = 'ecs-actions.loopback';

export interface ContainerTasksOptions {
  /** The value of the CONTAINER_LABEL label on every container; random unless set. */
  label?: string;
  /** Real seconds per ECS second for the containers' healthCheck interval and startPeriod; 0.1 unless set. */
  timeScale?: number;
  /** ECS waits this long between deregistering a task's targets and stopping it; 1500 ms unless set (300 s in AWS). */
  deregistrationDelayMs?: number;
  /** The load balancer's health checks; every 1 s, 5 s timeout, 2 to turn healthy, 3 to turn unhealthy unless set. */
  healthCheck?: Partial<HealthCheckSettings>;
}

interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  entryPoint?: string[];
  environment?: Array<{ name: string; value: string }>;
  secrets?: Array<{ name: string; valueFrom: string }>;
  portMappings?: Array<{ containerPort?: number }>;
  healthCheck?: { command: string[]; interval?: number; timeout?: number; retries?: number; startPeriod?: number };
  stopTimeout?: number;
  user?: string;
  workingDirectory?: string;
  dockerLabels?: Record<string, string>;
}

interface ContainerRun {
  definition: ContainerDefinition;
  id?: string;
  exitCode?: number;
  exited: boolean;
  health: ContainerHealth;
  /** Settles once `docker logs --follow` ended: every line the container printed is in its stream. */
  shipped?: Promise<void>;
  /** Settles once the launch followed the container's logs or gave up on it (a quick exit must not outrun it). */
  followed: Promise<void>;
  markFollowed: () => void;
}

function containerRun(definition: ContainerDefinition): ContainerRun {
  let markFollowed = () => {};
  const followed = new Promise<void>((resolve) => (markFollowed = resolve));
  return { definition, exited: false, health: 'UNKNOWN', followed, markFollowed };
}

/** What the runtime needs of a service's task or a one-off task. */
type RunnableTask = Pick<TaskRecord, 'id' | 'arn' | 'ip' | 'taskDefinitionArn'>;

interface TaskRun {
  task: RunnableTask;
  containers: Map<string, ContainerRun>;
  started: boolean;
  /** The launch ended: every container that will ever run has its id. */
  launched: boolean;
  /** StopTask came: no further container starts. */
  stopRequested: boolean;
  failed?: string;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const duration = (seconds: number) => `${Math.max(1, Math.round(seconds * 1000))}ms`;

/** docker run's --health-* flags for an ECS healthCheck (CMD is quoted for the shell docker's flag runs). */
function healthFlags(check: ContainerDefinition['healthCheck'], scale: number): string[] {
  if (!check || check.command.length === 0) return ['--no-healthcheck'];
  const [kind, ...rest] = check.command;
  const command = kind === 'CMD-SHELL' ? rest.join(' ') : (kind === 'CMD' ? rest : check.command).map(quote).join(' ');
  return [
    '--health-cmd',
    command,
    '--health-interval',
    duration((check.interval ?? 30) * scale),
    // The timeout stays in real seconds: a Node health check on a busy machine needs them.
    '--health-timeout',
    duration(check.timeout ?? 5),
    '--health-retries',
    String(check.retries ?? 3),
    '--health-start-period',
    duration((check.startPeriod ?? 0) * scale),
  ];
}

function aggregateHealth(containers: ContainerRun[]): ContainerHealth {
  const checked = containers.filter((container) => container.definition.healthCheck);
  if (checked.length === 0) return 'UNKNOWN';
  if (checked.some((container) => container.health === 'UNHEALTHY')) return 'UNHEALTHY';
  if (checked.every((container) => container.health === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}

/** `2026-12-01T22:35:22.123456789Z message` (docker logs --timestamps) as a log event; epoch ms, nanoseconds cut. */
export function parseTimestamped(line: string): { timestamp?: number; message: string } {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/s.exec(line.replace(/\r$/, ''));
  if (!match) return { message: line };
  const time = Date.parse(match[1]!.replace(/(\.\d{3})\d+Z$/, '$1Z'));
  return { timestamp: Number.isNaN(time) ? undefined : time, message: match[2]! };
}

export function containerTasks(options: ContainerTasksOptions = {}): TaskRuntimeFactory {
  return (world) => new ContainerTasks(world, options);
}

class ContainerTasks implements TaskRuntime {
  readonly description: string;
  readonly deregistrationDelayMs: number;
  private readonly label: string;
  private readonly scale: number;
  private readonly runs = new Map<string, TaskRun>();
  private readonly pool = new AddressPool();
  private readonly checker: HealthChecker;
  private readonly listeners = new Map<string, Promise<Listener>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly events: ChildProcess;
  private readonly shippers = new Set<ChildProcess>();
  private closed = false;
  readonly oneOff: OneOffRuntime = {
    describe: () => 'its containers on the local Docker engine',
    start: (world, task) =>
      this.startRun(world, task, task.clusterArn, new Map(task.containers.map((entry) => [entry.name, entry.command]))),
    advance: (world, task) => this.advanceOneOff(world, task),
    stop: (_world, task) => {
      const run = this.runs.get(task.id);
      if (!run) return;
      run.stopRequested = true;
      this.stopContainers(run);
    },
  };

  constructor(
    private readonly world: World,
    options: ContainerTasksOptions,
  ) {
    this.label = options.label ?? `run-${randomBytes(4).toString('hex')}`;
    this.scale = options.timeScale ?? 0.1;
    this.deregistrationDelayMs = options.deregistrationDelayMs ?? 1500;
    this.description = `containers on the local Docker engine (label ${CONTAINER_LABEL}=${this.label})`;
    this.checker = new HealthChecker(world, {
      intervalMs: 1_000,
      // The ALB's default timeout: a busy 2-core machine (a vfs engine removing a container) can stall a check.
      timeoutMs: 5_000,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      graceMs: 30_000,
      ...options.healthCheck,
      onChange: (service) => wake(world, service, world.now()),
    });
    this.events = this.watchEvents();
  }

  /** One `docker events` stream for every container of this loopback: exits and health changes. */
  private watchEvents(): ChildProcess {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const child = spawn(
      'docker',
      [
        'events',
        '--since',
        since,
        '--filter',
        'type=container',
        '--filter',
        `label=${CONTAINER_LABEL}=${this.label}`,
        '--format',
        '{{json .}}',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) this.onEvent(JSON.parse(line));
    });
    child.on('error', () => {});
    return child;
  }

  private onEvent(event: { Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } }): void {
    const attributes = event.Actor?.Attributes ?? {};
    const run = this.runs.get(attributes['ecs-actions.task-id'] ?? '');
    const container = run?.containers.get(attributes['com.amazonaws.ecs.container-name'] ?? '');
    if (!run || !container) return;
    container.id ??= event.Actor?.ID;
    const action = event.Action ?? '';
    // ECS notices at once: the service's scheduler runs its next step.
    const owner = [...this.world.services.values()].find((service) => service.tasks.some((task) => task === run.task));
    if (owner) wake(this.world, owner, this.world.now());
    if (action === 'die') {
      const exitCode = Number(attributes.exitCode);
      // As the ECS agent, the task stops only once the log driver has shipped the container's last lines.
      void container.followed
        .then(() => this.drained(container))
        .then(() => {
          container.exited = true;
          container.exitCode = exitCode;
          if (owner) wake(this.world, owner, this.world.now());
          return this.afterExit(run, container);
        });
    } else if (action.startsWith('health_status')) {
      const status = action.split(':')[1]?.trim();
      container.health = status === 'healthy' ? 'HEALTHY' : status === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
    }
  }

  /**
   * The exit goes to the log, then the container is removed. Its own lines are in its awslogs stream (shipLogs),
   * where deploy-ecs reads them as on ECS; they are not copied here, where a line such as `::add-mask::` would
   * reach a CI runner's log unescaped.
   */
  private async afterExit(run: TaskRun, container: ContainerRun): Promise<void> {
    if (!container.id) return;
    const id = container.id;
    const who = `container ${container.definition.name} of task ${run.task.id.slice(0, 12)}`;
    const stream = containerLogStream(this.world, run.task, container.definition.name);
    const where = stream ? `; its lines are in ${stream.group} ${stream.stream}` : '';
    this.world.log(`${who} exited with code ${container.exitCode}${where}`);
    // Another essential container's exit stops the task: ECS stops the rest of its containers.
    if (container.definition.essential !== false) this.stopContainers(run);
    await docker(['rm', '-f', id], { timeoutMs: 30_000 });
    if ([...run.containers.values()].every((entry) => entry.exited || !entry.id)) this.pool.release(run.task.ip);
  }

  /**
   * Follows a started container's output into its awslogs stream: `docker logs --follow --timestamps` gives each
   * stdout and stderr line with the time the engine received it, which becomes the event's timestamp.
   */
  private shipLogs(run: TaskRun, container: ContainerRun, id: string): void {
    const child = spawn('docker', ['logs', '--follow', '--timestamps', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.shippers.add(child);
    const ship = (stream: NodeJS.ReadableStream) => {
      let pending = '';
      const flush = (lines: string[]) => {
        const events = lines.filter((line) => line !== '').map(parseTimestamped);
        for (const event of events) {
          appendContainerLogLines(this.world, run.task, container.definition.name, [event.message], event.timestamp);
        }
      };
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        flush(lines);
      });
      stream.on('end', () => flush([pending]));
    };
    ship(child.stdout!);
    ship(child.stderr!);
    container.shipped = new Promise<void>((resolve) => {
      child.on('close', () => resolve());
      child.on('error', () => resolve());
    }).finally(() => this.shippers.delete(child));
  }

  /** Waits for the container's lines to be shipped, for at most 5 s (a stuck engine must not hold the task). */
  private async drained(container: ContainerRun): Promise<void> {
    if (!container.shipped) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([container.shipped, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
  }

  address(world: World) {
    const zone = this.runs.size % 3;
    return { ip: this.pool.pick(), availabilityZone: `${world.region}${'abc'[zone]}` };
  }

  start(world: World, service: ServiceRecord, task: TaskRecord): void {
    this.startRun(world, task, service.clusterArn);
  }

  /** Starts a task's containers; `commands` overrides a container's command (RunTask's containerOverrides). */
  private startRun(
    world: World,
    task: RunnableTask,
    clusterArn: string,
    commands = new Map<string, string[] | undefined>(),
  ): void {
    const taskDefinition = world.taskDefinition(task.taskDefinitionArn)!;
    const definitions = (taskDefinition.definition.containerDefinitions as ContainerDefinition[]).map((definition) => ({
      ...definition,
      command: commands.get(definition.name) ?? definition.command,
    }));
    const run: TaskRun = {
      task,
      started: false,
      launched: false,
      stopRequested: false,
      containers: new Map(definitions.map((definition) => [definition.name, containerRun(definition)])),
    };
    this.runs.set(task.id, run);
    const starting = this.launch(world, clusterArn, run, taskDefinition.family, taskDefinition.revision)
      .catch((error: unknown) => {
        run.failed = `CannotStartContainerError: ${error instanceof Error ? error.message : String(error)}`;
      })
      .finally(() => {
        run.launched = true;
        for (const container of run.containers.values()) container.markFollowed();
      });
    this.pending.add(starting);
    void starting.finally(() => this.pending.delete(starting));
  }

  /**
   * A one-off task's record follows its containers: RUNNING once all started, STOPPED once every started one has
   * exited (an essential container's exit stops the others), each with its own exit code.
   */
  private advanceOneOff(world: World, task: OneOffTaskRecord): void {
    const run = this.runs.get(task.id);
    if (!run) return;
    if (task.lastStatus === 'PROVISIONING') task.lastStatus = 'PENDING';
    if (run.started && task.lastStatus === 'PENDING' && !run.failed) {
      task.lastStatus = 'RUNNING';
      task.startedAt = world.now();
      for (const container of task.containers) container.lastStatus = 'RUNNING';
    }
    const containers = [...run.containers.values()];
    if (!run.launched || containers.some((container) => container.id && !container.exited)) return;
    if (!run.failed && !run.stopRequested && !containers.some((container) => container.exited)) return;
    stopOneOffTask(task, world.now(), (record) => {
      const container = run.containers.get(record.name);
      if (container?.exited) return { exitCode: container.exitCode };
      return { reason: run.failed ?? 'Task stopped before it ran' };
    });
    if (run.failed) {
      task.stopCode = 'TaskFailedToStart';
      task.stoppedReason = run.failed;
    } else if (task.stopRequestedAt === undefined) {
      task.stopCode = 'EssentialContainerExited';
      task.stoppedReason = 'Essential container in task exited';
    }
    this.runs.delete(task.id);
  }

  private async launch(world: World, clusterArn: string, run: TaskRun, family: string, revision: number) {
    const { task } = run;
    const definitions = [...run.containers.values()].map((container) => container.definition);
    const ports = definitions.flatMap((definition) =>
      (definition.portMappings ?? []).flatMap((mapping) => (mapping.containerPort ? [mapping.containerPort] : [])),
    );
    task.ip = await this.pool.free(task.ip, ports);
    // ECS resolves every secret before it starts any container: one missing secret and the task fails to start.
    const environments = new Map<string, string[]>();
    for (const definition of definitions) {
      const lines = (definition.environment ?? []).map((entry) => `${entry.name}=${entry.value}`);
      for (const secret of definition.secrets ?? []) {
        const resolved = resolveSecret(world, secret.valueFrom);
        if ('error' in resolved) {
          run.failed = resolved.error;
          return;
        }
        lines.push(`${secret.name}=${resolved.value}`);
      }
      // The task's ENI: the service binds its own address, on its containerPort, as in awsvpc.
      lines.push(`HOST=${task.ip}`);
      const port = definition.portMappings?.[0]?.containerPort;
      if (port && !(definition.environment ?? []).some((entry) => entry.name === 'PORT')) lines.push(`PORT=${port}`);
      if (lines.some((line) => line.includes('\n'))) {
        run.failed = `CannotStartContainerError: an environment value or secret of container ${definition.name} has a line break`;
        return;
      }
      environments.set(definition.name, lines);
    }
    const work = mkdtempSync(join(tmpdir(), 'loopback-task-'));
    try {
      for (const definition of definitions) {
        if (this.closed || run.stopRequested) return;
        // Secrets travel in a file only docker reads (mode 0600), never on a command line.
        const envFile = join(work, `${definition.name}.env`);
        writeFileSync(envFile, `${environments.get(definition.name)!.join('\n')}\n`, { mode: 0o600 });
        const labels = {
          ...definition.dockerLabels,
          [CONTAINER_LABEL]: this.label,
          'ecs-actions.task-id': task.id,
          'com.amazonaws.ecs.cluster': clusterArn,
          'com.amazonaws.ecs.container-name': definition.name,
          'com.amazonaws.ecs.task-arn': task.arn,
          'com.amazonaws.ecs.task-definition-family': family,
          'com.amazonaws.ecs.task-definition-version': String(revision),
        };
        const [entryPoint, ...entryArgs] = definition.entryPoint ?? [];
        const args = [
          'run',
          '--detach',
          '--network',
          'host',
          '--name',
          `ecs-${this.label}-${task.id.slice(0, 12)}-${definition.name}`,
          ...Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
          '--env-file',
          envFile,
          '--stop-timeout',
          String(definition.stopTimeout ?? 30),
          ...healthFlags(definition.healthCheck, this.scale),
          ...(definition.user ? ['--user', definition.user] : []),
          ...(definition.workingDirectory ? ['--workdir', definition.workingDirectory] : []),
          ...(entryPoint ? ['--entrypoint', entryPoint] : []),
          definition.image,
          ...entryArgs,
          ...(definition.command ?? []),
        ];
        const result = await docker(args, { timeoutMs: 5 * 60_000 });
        const container = run.containers.get(definition.name)!;
        if (result.code !== 0) {
          const why = result.stderr.trim().split('\n').at(-1) ?? `docker run exited ${result.code}`;
          run.failed = /pull|manifest|not found|unauthorized|repository/i.test(why)
            ? `CannotPullContainerError: pull image manifest has been retried 1 time(s): ${why}`
            : `CannotStartContainerError: ${why}`;
          this.stopContainers(run);
          return;
        }
        container.id = result.stdout.trim();
        this.shipLogs(run, container, container.id);
        container.markFollowed();
        // StopTask while `docker run` was starting it.
        if (run.stopRequested) this.stopContainers(run);
        if (this.closed) await docker(['rm', '-f', container.id]);
      }
      run.started = true;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  state(_world: World, _service: ServiceRecord, task: TaskRecord): TaskRunState {
    const run = this.runs.get(task.id);
    if (!run) return { status: 'pending' };
    if (run.failed) return { status: 'failed', stopCode: 'TaskFailedToStart', reason: run.failed };
    const containers = [...run.containers.values()];
    const healthStatus = aggregateHealth(containers);
    const exited = containers.find((container) => container.exited && container.definition.essential !== false);
    if (exited) return { status: 'exited', exitCode: exited.exitCode, healthStatus, container: exited.definition.name };
    if (!run.started) return { status: 'pending' };
    return { status: 'running', healthStatus };
  }

  targetHealth(_world: World, service: ServiceRecord, task: TaskRecord) {
    return this.checker.health(service, task);
  }

  /** ECS's order: an old task stops only once a new one runs with every target healthy. */
  replacesOld(task: TaskRecord): boolean {
    return task.lastStatus === 'RUNNING' && (task.targetState === undefined || task.targetState === 'healthy');
  }

  stop(_world: World, _service: ServiceRecord, task: TaskRecord): void {
    const run = this.runs.get(task.id);
    if (run) this.stopContainers(run);
  }

  private stopContainers(run: TaskRun): void {
    for (const container of run.containers.values()) {
      if (!container.id || container.exited) continue;
      void docker(['stop', '--time', String(container.definition.stopTimeout ?? 30), container.id]);
    }
  }

  async settled(world: World, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting: string[] = [];
      for (const service of world.services.values()) {
        for (const task of service.tasks.filter((entry) => entry.lastStatus !== 'STOPPED')) {
          const state = this.state(world, service, task);
          const name = `${service.clusterName}/${service.name} task ${task.id.slice(0, 12)}`;
          if (state.status === 'failed') throw new Error(`${name} failed to start: ${state.reason}`);
          if (state.status === 'exited')
            throw new Error(`${name}: container ${state.container} exited with code ${state.exitCode}`);
          if (state.status === 'pending') waiting.push(`${name} is starting`);
          else if (service.loadBalancers.length > 0 && this.checker.health(service, task) !== 'healthy') {
            waiting.push(`${name}'s target is not healthy yet`);
          }
        }
      }
      if (waiting.length === 0) return;
      if (Date.now() > deadline) throw new Error(`Tasks not ready after ${timeoutMs} ms: ${waiting.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  listener(world: World, group: import('../world.js').TargetGroupRecord): Promise<string> {
    let listener = this.listeners.get(group.arn);
    if (!listener) {
      listener = Listener.start(world, group);
      this.listeners.set(group.arn, listener);
    }
    return listener.then((started) => started.url);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.checker.close();
    await Promise.allSettled([...this.listeners.values()].map(async (listener) => (await listener).close()));
    await Promise.allSettled([...this.pending]);
    this.events.kill();
    for (const shipper of this.shippers) shipper.kill();
    // Everything with this loopback's label goes, whatever state it is in; a removal already in progress (the vfs
    // driver deletes a whole copy of the image) is waited for, so that nothing is left when close() resolves.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const left = await docker(['ps', '--all', '--quiet', '--filter', `label=${CONTAINER_LABEL}=${this.label}`]);
      const ids = left.stdout.split('\n').filter(Boolean);
      if (ids.length === 0 || Date.now() > deadline) return;
      await docker(['rm', '--force', ...ids], { timeoutMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
