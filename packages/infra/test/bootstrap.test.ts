import { afterEach, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { bootstrapHealthCheckCommand, bootstrapServerCommand } from '../src/bootstrap.js';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** One GET without keep-alive, so that no socket outlives the test. */
function request(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function waitForServer(url: string, deadline = Date.now() + 10_000): Promise<{ status: number; body: string }> {
  for (;;) {
    try {
      return await request(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const started: ChildProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

// The first revision's container must pass the load balancer's health check, or the circuit breaker rolls the
// creation of the service back. Run its exact command with the Node of this machine (the image is node:24-alpine).
describe('the bootstrap revision', () => {
  it('answers 200 on the health path, 404 elsewhere, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const [command, ...args] = bootstrapServerCommand(port, '/health');
    const child = spawn(command === 'node' ? process.execPath : command, args, { stdio: 'ignore' });
    started.push(child);

    const health = await waitForServer(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toBe('ok');
    expect((await request(`http://127.0.0.1:${port}/`)).status).toBe(404);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('passes its own container health check, which asks the same path', async () => {
    const port = await freePort();
    const [, ...serverArgs] = bootstrapServerCommand(port, '/ready');
    const server = spawn(process.execPath, serverArgs, { stdio: 'ignore' });
    started.push(server);
    await waitForServer(`http://127.0.0.1:${port}/ready`);

    const [, , ...checkArgs] = bootstrapHealthCheckCommand(port, '/ready');
    const check = spawn(process.execPath, checkArgs, { stdio: 'ignore' });
    const [code] = (await once(check, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
