import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { AppModule } from './app.module.js';
import type { Config } from './config.js';
import type { Database } from './database/database.js';
import { JsonErrorFilter } from './http/error.filter.js';
import { registerSecurity } from './http/security.js';
import { createValidationPipe } from './http/validation.js';
import { NestJsonLogger, type Logger } from './logger.js';
import { Metrics } from './metrics/metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// The ALB keeps idle connections for 60 s by default; the service must keep them longer, or the ALB answers 502
// when it reuses a connection the service has just closed.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Builds the application, ready to listen: routes, security, validation, errors, logs and metrics. */
export async function createApp(config: Config, database: Database, logger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // Trust only the load balancer's hop(s): X-Forwarded-For entries before them were written by the client.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    genReqId: requestIdOf,
    // One line per request, written below, instead of fastify's two.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    bodyLimit: 100 * 1024,
  });
  const metrics = new Metrics();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, database, logger, metrics }),
    adapter,
    { logger: new NestJsonLogger(logger) },
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    request.log.debug({ method: request.method, url: request.url }, 'request received');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const level = route === '/health' || route === '/ready' || route === '/metrics' ? 'debug' : 'info';
    request.log[level](
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });
  metrics.instrument(fastify);
  await registerSecurity(app, config);
  app.useGlobalFilters(new JsonErrorFilter());
  app.useGlobalPipes(createValidationPipe());
  return app;
}

/** Keeps a caller's X-Request-Id (so one id follows a request across services) when it is safe to log. */
function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
