/**
 * The first task-definition revision, registered by the stack so that the service can be created before the
 * pipeline has built anything. It must pass the load balancer's health check, or the circuit breaker rolls the
 * stack's creation back; the pipeline replaces it on its first deploy and the stack never declares a revision again.
 */

/**
 * node:24-alpine, the service image's own base (sample-service/Dockerfile), from ECR Public: pulled through the
 * NAT without Docker Hub's rate limit, and no build of the service is needed before the stack exists.
 */
export const DEFAULT_BOOTSTRAP_IMAGE = 'public.ecr.aws/docker/library/node:24-alpine';

/** A dependency-free HTTP server: 200 on the health path, 404 elsewhere, exits on SIGTERM like the service. */
export function bootstrapServerCommand(port: number, healthCheckPath: string): string[] {
  const script = [
    "require('node:http').createServer((request, response) => {",
    `const healthy = request.url === ${JSON.stringify(healthCheckPath)};`,
    "response.writeHead(healthy ? 200 : 404, { 'content-type': 'text/plain' });",
    "response.end(healthy ? 'ok' : 'bootstrap revision: deploy the service with the pipeline');",
    `}).listen(${port}, '0.0.0.0');`,
    "process.on('SIGTERM', () => process.exit(0));",
  ].join(' ');
  return ['node', '-e', script];
}

/** The container health check, the same form as sample-service/deploy/taskdef.template.json's. */
export function bootstrapHealthCheckCommand(port: number, healthCheckPath: string): string[] {
  const url = `http://127.0.0.1:${port}${healthCheckPath}`;
  return ['CMD', 'node', '-e', `fetch('${url}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`];
}
