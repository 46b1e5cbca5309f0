import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runBundle } from '@ecs-actions/rehearsal';
import { unmeantCommands } from './harness.js';

/*
 * Issue 18, time bounds: smoke-test ends by its overall deadline (timeout-seconds for the wait, then
 * checks-timeout-seconds for the checks) even when the service misbehaves: one endpoint accepts and never
 * answers, one dribbles its body a byte at a time, and the health path answers each latency sample just within
 * the 10 s request timeout, which would hold the latency check's 20 sequential samples for minutes.
 */

let server: Server;
let baseUrl: string;
const open = new Set<ServerResponse>();
let healthAnswers = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    if (request.url === '/health') {
      // The wait sees a healthy service at once; every latency sample then takes 9 s.
      const delay = healthAnswers++ === 0 ? 0 : 9_000;
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'), delay);
    } else if (request.url === '/dribble') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => response.write('a'), 200);
      response.on('close', () => clearInterval(timer));
    }
    // Anything else (/hang) is read and never answered.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of open) response.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const CHECKS = `checks:
  - { name: hangs, path: /hang }
  - { name: dribbles, path: /dribble, expect: { body: { matches: '^(a+)+$' } } }
`;

describe('smoke-test against a service that misbehaves', () => {
  it('ends by checks-timeout-seconds, failing the checks still running, with one error line', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hostile-deadline-'));
    writeFileSync(join(workspace, 'checks.yml'), CHECKS);
    let checksStarted: number | undefined;
    try {
      const run = await runBundle('smoke-test', {
        fromSource: true,
        cwd: workspace,
        inputs: {
          'base-url': baseUrl,
          'builtin-checks': 'latency',
          checks: 'checks.yml',
          'timeout-seconds': '5',
          'checks-timeout-seconds': '3',
        },
        onLine: (line) => {
          if (line.startsWith('::group::Running 3 checks')) checksStarted ??= Date.now();
        },
        timeoutMs: 120_000,
      });
      const checksMs = Date.now() - checksStarted!;
      expect(run.exitCode).toBe(1);
      // Without the deadline the latency check alone would take 20 × 9 s (3 minutes). The errors below show that the
      // deadline (3 s), not a request's own timeout, ended the checks; the time bound only has to tell minutes from
      // seconds, with room for a loaded CI machine (9 s was seen at a load average of 20 on 2 cores).
      expect(checksMs).toBeLessThan(30_000);
      // One annotation per failed check, then the step's one failure line.
      const cut = 'not run: expected the check to run, got The deadline passed: checks-timeout-seconds (3 s)';
      expect(run.errors).toEqual([
        `FAIL latency: ${cut}`,
        `FAIL hangs: ${cut}`,
        `FAIL dribbles: ${cut}`,
        '3 of 3 smoke checks failed: latency, hangs, dribbles (see the lines above)',
      ]);
      expect(unmeantCommands(run)).toEqual([]);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
