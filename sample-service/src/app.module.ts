import { Module, type DynamicModule } from '@nestjs/common';
import type { Config } from './config.js';
import { DATABASE, type Database } from './database/database.js';
import { HealthController } from './health/health.controller.js';
import { VersionController } from './health/version.controller.js';
import { BearerTokenGuard } from './http/bearer-token.guard.js';
import type { Logger } from './logger.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { Metrics } from './metrics/metrics.js';
import { ProjectsController } from './projects/projects.controller.js';
import { ProjectsRepository } from './projects/projects.repository.js';
import { CONFIG, LOGGER } from './tokens.js';

export interface AppDependencies {
  config: Config;
  database: Database;
  logger: Logger;
  metrics: Metrics;
}

/** main.ts opens the database and builds the logger first, so start-up fails clearly before Nest wires anything. */
@Module({})
export class AppModule {
  static register({ config, database, logger, metrics }: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, VersionController, MetricsController, ProjectsController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: DATABASE, useValue: database },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: metrics },
        BearerTokenGuard,
        ProjectsRepository,
      ],
    };
  }
}
