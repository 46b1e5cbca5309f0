import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetHealthState } from '../tasks/runtime.js';
import type { ServiceRecord, TargetGroupRecord, TaskRecord, World } from '../world.js';

/**
 * The real half of Elastic Load Balancing: health checks that are HTTP requests to each target's health path, and
 * a listener on 127.0.0.1 that forwards each request to one healthy target (never a draining one). The target states themselves stay in
 * the world (what DescribeTargetHealth answers); this module only measures and forwards.
 */

export interface HealthCheckSettings {
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive successes that make a target healthy (HealthyThresholdCount). */
  healthyThreshold: number;
  /** Consecutive failures that make it unhealthy (UnhealthyThresholdCount). */
  unhealthyThreshold: number;
  /** A new target is not called unhealthy before this long (ECS's health check grace period). */
  graceMs: number;
  /** Called when a target's verdict changes, so that ECS acts on it. */
  onChange?: (service: ServiceRecord) => void;
}

interface TargetRecordState {
  health: TargetHealthState;
  successes: number;
  failures: number;
  registeredAt: number;
}

/** A target is a task's address and the bound container port. */
export interface Target {
  service: ServiceRecord;
  task: TaskRecord;
  group: TargetGroupRecord;
  port: number;
}

export function targetsOf(world: World, group?: TargetGroupRecord): Target[] {
  const targets: Target[] = [];
  for (const service of world.services.values()) {
    for (const binding of service.loadBalancers) {
      const bound = world.targetGroups.get(binding.targetGroupArn);
      if (!bound || (group && bound.arn !== group.arn)) continue;
      for (const task of service.tasks) {
        if (task.targetState !== undefined) targets.push({ service, task, group: bound, port: binding.containerPort });
      }
    }
  }
  return targets;
}

/** One GET with a fresh connection, as the load balancer's health checker makes it; undefined on HTTP 200, else why not. */
function check(url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = httpRequest(url, {
      agent: false,
      timeout: timeoutMs,
      headers: { 'user-agent': 'ELB-HealthChecker/2.0' },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? undefined : `HTTP ${response.statusCode}`);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end();
  });
}

export class HealthChecker {
  private readonly states = new Map<string, TargetRecordState>();
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly world: World,
    private readonly settings: HealthCheckSettings,
  ) {
    this.timer = setInterval(() => void this.round(), settings.intervalMs);
    this.timer.unref();
  }

  private key(task: TaskRecord, port: number): string {
    return `${task.id}:${port}`;
  }

  /** The verdict so far on this task's targets: the worst of its bindings. */
  health(service: ServiceRecord, task: TaskRecord): TargetHealthState {
    const verdicts = service.loadBalancers.map(
      (binding) => this.states.get(this.key(task, binding.containerPort))?.health ?? 'initial',
    );
    if (verdicts.includes('unhealthy')) return 'unhealthy';
    if (verdicts.includes('initial')) return 'initial';
    return 'healthy';
  }

  private async round(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // Draining targets are no longer checked: the load balancer only waits for their connections to end.
      const targets = targetsOf(this.world).filter((target) => target.task.targetState !== 'draining');
      const seen = new Set(targets.map((target) => this.key(target.task, target.port)));
      for (const key of this.states.keys()) if (!seen.has(key)) this.states.delete(key);
      await Promise.all(targets.map((target) => this.checkOne(target)));
    } finally {
      this.running = false;
    }
  }

  private async checkOne({ service, task, group, port }: Target): Promise<void> {
    const key = this.key(task, port);
    const now = Date.now();
    let state = this.states.get(key);
    if (!state) {
      state = { health: 'initial', successes: 0, failures: 0, registeredAt: now };
      this.states.set(key, state);
    }
    const before = state.health;
    const failure = await check(`http://${task.ip}:${port}${group.healthCheckPath}`, this.settings.timeoutMs);
    if (failure === undefined) {
      state.failures = 0;
      if (++state.successes >= this.settings.healthyThreshold) state.health = 'healthy';
    } else {
      state.successes = 0;
      const failures = ++state.failures;
      const inGrace = state.health === 'initial' && now - state.registeredAt < this.settings.graceMs;
      if (failures >= this.settings.unhealthyThreshold && !inGrace) state.health = 'unhealthy';
    }
    if (state.health !== before) {
      if (state.health === 'unhealthy') {
        this.world.log(`target ${task.ip}:${port} in ${group.name} is unhealthy: ${group.healthCheckPath} ${failure}`);
      }
      this.settings.onChange?.(service);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/**
 * The load balancer's listener: a reverse proxy on 127.0.0.1 that sends each request to the next healthy target of
 * its group (round robin) and never to a target that is initial, unhealthy or draining. It stands for the HTTPS
 * listener that terminates TLS, so it forwards with X-Forwarded-Proto: https, as the ALB does.
 */
export class Listener {
  private next = 0;
  private readonly agent = new Agent({ keepAlive: true, timeout: 30_000 });
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(world: World, group: TargetGroupRecord): Promise<Listener> {
    const server = createServer();
    // The ALB's idle timeout; the service's keep-alive timeout is longer, so the ALB closes idle connections first.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const listener = new Listener(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request, response) => listener.forward(world, group, request, response));
    return listener;
  }

  private forward(
    world: World,
    group: TargetGroupRecord,
    request: IncomingMessage,
    response: import('node:http').ServerResponse,
  ): void {
    const registered = targetsOf(world, group).filter((target) => target.task.targetState !== 'draining');
    let healthy = registered.filter((target) => target.task.targetState === 'healthy');
    // With no healthy target the ALB fails open: it routes to every registered target rather than to none.
    if (healthy.length === 0) healthy = registered;
    if (healthy.length === 0) {
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('503 Service Temporarily Unavailable: no healthy targets\n');
      return;
    }
    const target = healthy[this.next++ % healthy.length]!;
    const client = request.socket.remoteAddress ?? '127.0.0.1';
    const forwardedFor = request.headers['x-forwarded-for'];
    const upstream = httpRequest({
      host: target.task.ip,
      port: target.port,
      method: request.method,
      path: request.url,
      agent: this.agent,
      headers: {
        ...request.headers,
        'x-forwarded-for': forwardedFor ? `${String(forwardedFor)}, ${client}` : client,
        'x-forwarded-proto': 'https',
        'x-forwarded-port': '443',
      },
    });
    upstream.on('response', (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => {
      // The ALB answers 502 when the target refuses or resets the connection.
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end('502 Bad Gateway\n');
      } else {
        response.destroy();
      }
    });
    request.pipe(upstream);
  }

  close(): Promise<void> {
    this.agent.destroy();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
