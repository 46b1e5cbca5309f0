import { Controller, Get, Inject } from '@nestjs/common';
import type { Config } from '../config.js';
import { SERVICE_NAME, SERVICE_VERSION } from '../package-info.js';
import { CONFIG } from '../tokens.js';

/** Which build is running: the smoke test compares gitSha with the commit that was deployed. */
@Controller()
export class VersionController {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  @Get('version')
  version() {
    return {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      gitSha: this.config.gitSha,
      buildTime: this.config.buildTime,
    };
  }
}
