import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { CONFIG } from '../tokens.js';

/** Write routes need `Authorization: Bearer <API_TOKEN>`. */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly expectedDigest: Buffer;

  constructor(@Inject(CONFIG) config: Config) {
    this.expectedDigest = digest(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const header = http.getRequest<FastifyRequest>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Compare digests in constant time, so response timing does not reveal how much of a guess was right.
    if (match && timingSafeEqual(digest(match[1]), this.expectedDigest)) return true;
    http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer');
    throw new UnauthorizedException(
      header === '' ? 'Missing Authorization header; expected "Bearer <API_TOKEN>"' : 'Invalid bearer token',
    );
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
