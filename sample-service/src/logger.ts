import type { LoggerService } from '@nestjs/common';
import { pino, stdTimeFunctions, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * One JSON object per line on stdout, which awslogs ships to CloudWatch as is: level as a word, ISO time,
 * and the request id on every line written while a request is handled (fastify's child logger adds it).
 */
export function createLogger(level: LogLevel, service: string): Logger {
  return pino({
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Defence in depth: the request serializer logs no headers, but a future one must not leak the token.
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  });
}

/** Routes Nest's own messages (start-up, module wiring, uncaught errors) into the same JSON stream. */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  // Nest's "log" level is chatty wiring detail (one line per route at start): keep it at debug.
  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    const stack = context === undefined ? undefined : stackOrContext;
    this.logger.error({ context: context ?? stackOrContext, stack }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }

  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}
