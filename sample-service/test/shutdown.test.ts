import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from '@jest/globals';
import { startSampleService, TEST_API_TOKEN } from './support/start-service.js';

/**
 * A raw HTTP client in a process of its own: inside jest, nock's interceptor holds a socket's request until it is
 * complete, and this test needs a request that is half sent. Commands on stdin, one event per stdout line.
 */
const SLOW_CLIENT = `
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
const [port, head, rest] = process.argv.slice(1);
const say = (event) => process.stdout.write(JSON.stringify(event) + '\\n');
const socket = connect(Number(port), '127.0.0.1', () => { socket.write(head); say({ event: 'sent-head' }); });
let response = '';
socket.setEncoding('utf8').on('data', (chunk) => (response += chunk));
socket.on('end', () => { say({ event: 'response', response }); process.exit(0); });
for await (const command of createInterface({ input: process.stdin })) {
  if (command === 'wait-until-refused') {
    // The listener closes a few event-loop turns after the signal: probe until refused, for at most 5 s.
    const deadline = Date.now() + 5000;
    const probe = () => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        if (Date.now() > deadline) say({ event: 'new-connection', result: 'still accepted after 5 s' });
        else setTimeout(probe, 20);
      });
      socket.on('error', (error) => say({ event: 'new-connection', result: error.code }));
    };
    probe();
  }
  if (command === 'send-rest') socket.end(rest);
}
`;

describe('graceful shutdown on SIGTERM', () => {
  it('stops accepting connections, finishes the in-flight request, then exits 0', async () => {
    const service = await startSampleService({ env: { LOG_LEVEL: 'debug' } });
    const body = JSON.stringify({ title: 'written during shutdown' });
    const head = [
      'POST /api/projects HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${TEST_API_TOKEN}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'X-Request-Id: in-flight-1',
      '',
      body.slice(0, 10),
    ].join('\r\n');
    const client = spawn(
      process.execPath,
      ['--input-type=module', '-e', SLOW_CLIENT, String(service.port), head, body.slice(10)],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const events = createInterface({ input: client.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await events.next()).value as string) as Record<string, string>;
    try {
      expect(await next()).toEqual({ event: 'sent-head' });
      // The service has the request (headers and half of the body) and is waiting for the rest.
      await service.waitForLog((line) => line.msg === 'request received' && line.requestId === 'in-flight-1');

      service.process.kill('SIGTERM');
      await service.waitForLog((line) => line.msg.startsWith('shutting down'));
      client.stdin.write('wait-until-refused\n');
      // Not accepted: refused once the listener is closed, or reset when it arrived in the closing listener's backlog.
      expect(await next()).toEqual({
        event: 'new-connection',
        result: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET)$/),
      });

      client.stdin.write('send-rest\n');
      const { response } = await next();
      expect(response).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
      expect(response).toContain('"title":"written during shutdown"');

      expect(await service.exited).toEqual({ code: 0, signal: null });
      const messages = service.logs.map((line) => line.msg);
      expect(messages.indexOf('shutdown complete')).toBeGreaterThan(messages.indexOf('request completed'));
    } finally {
      client.kill();
      await service.stop('SIGKILL');
    }
  }, 90_000);
});
