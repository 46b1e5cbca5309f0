import { createServer } from 'node:net';

/**
 * Each task's "ENI" is an address of its own on 127.0.0.0/8 (the engine has no bridge: containers share the host
 * network), so that every task listens on its containerPort as it would in awsvpc. Addresses are drawn at random in
 * 127.42.0.0/16, and probed before a container binds them, so that loopbacks running side by side do not collide.
 */

export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class AddressPool {
  private readonly taken = new Set<string>();

  /** An address no task of this pool holds. */
  pick(): string {
    for (;;) {
      const ip = `127.42.${1 + Math.floor(Math.random() * 254)}.${2 + Math.floor(Math.random() * 252)}`;
      if (this.taken.has(ip)) continue;
      this.taken.add(ip);
      return ip;
    }
  }

  /** `ip` if every port can be bound on it now, else another address that passes the same probe. */
  async free(ip: string, ports: number[]): Promise<string> {
    let candidate = ip;
    for (let attempt = 0; attempt < 50; attempt++) {
      const free = await Promise.all(ports.map((port) => canBind(candidate, port)));
      if (free.every(Boolean)) return candidate;
      this.release(candidate);
      candidate = this.pick();
    }
    throw new Error('No free loopback address found in 127.42.0.0/16');
  }

  release(ip: string): void {
    this.taken.delete(ip);
  }
}
