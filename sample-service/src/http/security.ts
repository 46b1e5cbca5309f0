import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/** Security headers, CORS and rate limiting, registered before Nest adds its routes so that they cover all of them. */
export async function registerSecurity(app: NestFastifyApplication, config: Config): Promise<void> {
  redirectPlainHttp(app.getHttpAdapter().getInstance(), config);
  await app.register(fastifyHelmet);
  await app.register(fastifyCors, {
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins.length > 0 ? config.corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
  // Counted per client address in each task: with N tasks the service as a whole allows N times this.
  await app.register(fastifyRateLimit, {
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(`Rate limit exceeded: at most ${context.max} requests per ${context.after}; retry later`),
        {
          statusCode: 429,
        },
      ),
  });
}

/**
 * The load balancer terminates TLS and says how the client came in with X-Forwarded-Proto. With FORCE_HTTPS a
 * client that used plain http is sent to the https URL; requests without the header (the load balancer's own
 * health checks) are answered as they are.
 */
function redirectPlainHttp(fastify: FastifyInstance, config: Config): void {
  if (!config.forceHttps) return;
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-forwarded-proto'] !== 'http') return;
    const host = request.headers.host ?? '';
    // Only a plain host name: the Location header must not become an open redirect to whatever the client sent.
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host))
      return reply
        .code(400)
        .send({ statusCode: 400, error: 'Bad Request', message: 'Invalid Host header', requestId: request.id });
    const status = request.method === 'GET' || request.method === 'HEAD' ? 301 : 308;
    return reply.redirect(`https://${host.replace(/:\d+$/, '')}${request.url}`, status);
  });
}
