import { Controller, Get, Inject, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { DATABASE, type Database } from '../database/database.js';
import type { Logger } from '../logger.js';
import { LOGGER } from '../tokens.js';

// Shorter than the load balancer's health check timeout, so a hung database reads as "not ready", not as a timeout.
const READINESS_TIMEOUT_MS = 2000;

/** Health checks are exempt from rate limiting: the load balancer calls them from several nodes, all the time. */
@Controller()
export class HealthController {
  private databaseReachable: boolean | undefined;

  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Liveness: the process answers. Never touches the database, so a database outage does not get tasks killed. */
  @Get('health')
  @RouteConfig({ rateLimit: false })
  health() {
    return { status: 'ok', uptime: Math.round(process.uptime()) };
  }

  /** Readiness: the service can do its work, which needs the database. */
  @Get('ready')
  @RouteConfig({ rateLimit: false })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      await withTimeout(this.database.query('SELECT 1'), READINESS_TIMEOUT_MS);
      this.recordReachability(true);
      return { status: 'ready', database: 'connected' };
    } catch (error) {
      this.recordReachability(false, error);
      reply.status(503);
      return { status: 'unavailable', database: 'disconnected' };
    }
  }

  // One log line when the state changes, not one per health check.
  private recordReachability(reachable: boolean, error?: unknown): void {
    if (reachable === this.databaseReachable) return;
    this.databaseReachable = reachable;
    if (reachable) this.logger.info('readiness: database reachable');
    else
      this.logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'readiness: database unreachable',
      );
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
