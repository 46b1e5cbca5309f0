import { request as forward } from 'node:http';
import type { Certificate, LocalServer } from './servers.js';
import { startServer } from './servers.js';

/**
 * A reverse proxy on 127.0.0.1 that does what the load balancer does in front of the service: terminates TLS
 * (with a certificate), keeps the client's Host header and tells the service how the client came in
 * with X-Forwarded-Proto.
 */
export function startProxy(target: URL, certificate?: Certificate): Promise<LocalServer> {
  return startServer(
    (incoming, outgoing) =>
      new Promise<void>((resolve, reject) => {
        const upstream = forward(
          {
            host: target.hostname,
            port: target.port,
            method: incoming.method,
            path: incoming.url,
            headers: {
              ...incoming.headers,
              'x-forwarded-proto': certificate ? 'https' : 'http',
              'x-forwarded-for': incoming.socket.remoteAddress ?? '127.0.0.1',
            },
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing).on('finish', resolve);
          },
        );
        upstream.on('error', reject);
        upstream.end(incoming.body);
      }),
    certificate,
  );
}
