import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Database } from './database/database.js';
import type { Logger } from './logger.js';

/**
 * ECS sends SIGTERM, waits stopTimeout (30 s by default), then SIGKILL. On SIGTERM: stop accepting connections,
 * let in-flight requests finish, close the database, exit 0. A second signal (Ctrl-C twice) exits at once.
 */
export function closeGracefullyOnSignals(
  app: NestFastifyApplication,
  database: Database,
  logger: Logger,
  timeoutMs: number,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down: refusing new connections, finishing in-flight requests');
    setTimeout(() => {
      logger.error(`requests still running ${timeoutMs} ms after ${signal}: exiting before ECS kills the task`);
      process.exit(1);
    }, timeoutMs).unref();
    void (async () => {
      try {
        await app.close();
        await database.close();
        logger.info('shutdown complete');
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
