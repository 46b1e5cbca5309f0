import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderChart } from '../src/chart.js';
import { assertLoopback, generateLoad, perSecond, summarizeLoad, type Sample } from '../src/load.js';

const sample = (sentAt: number, outcome: Sample['outcome'], latencyMs = 10, detail = '200'): Sample => ({
  sentAt,
  outcome,
  latencyMs,
  detail,
});

describe('summarizeLoad', () => {
  it('counts 2xx, non-2xx and connection errors, with p50 and p99 latency and each failure named', () => {
    const samples = [
      ...Array.from({ length: 97 }, (_, index) => sample(index, '2xx', index + 1)),
      sample(97, 'non-2xx', 200, '502'),
      sample(98, 'non-2xx', 300, '502'),
      sample(99, 'connection-error', 400, 'ECONNRESET'),
    ];
    expect(summarizeLoad(samples)).toEqual({
      sent: 100,
      ok: 97,
      non2xx: 2,
      connectionErrors: 1,
      p50Ms: 50.5,
      p99Ms: expect.closeTo(301, 0),
      failures: { 'non-2xx 502': 2, 'connection-error ECONNRESET': 1 },
    });
  });
});

describe('perSecond', () => {
  it('buckets each request by the second it was sent in, empty seconds included', () => {
    const buckets = perSecond(
      [sample(1_000, '2xx'), sample(1_500, 'non-2xx'), sample(3_999, 'connection-error')],
      1_000,
    );
    expect(buckets.map((bucket) => bucket.counts)).toEqual([
      { '2xx': 1, 'non-2xx': 1, 'connection-error': 0 },
      { '2xx': 0, 'non-2xx': 0, 'connection-error': 0 },
      { '2xx': 0, 'non-2xx': 0, 'connection-error': 1 },
    ]);
  });
});

describe('renderChart', () => {
  it('draws a bar per outcome and second, and a labelled line per phase, escaping text', () => {
    const svg = renderChart({
      title: 'deploy <1>',
      subtitle: 'a & b',
      buckets: perSecond([sample(0, '2xx'), sample(10, '2xx'), sample(1_100, 'connection-error')], 0),
      phases: [{ label: 'old targets draining', atSecond: 0.5 }],
    });
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('deploy &lt;1&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('<title>0s: 2 2xx</title>');
    expect(svg).toContain('<title>1s: 1 connection-error</title>');
    expect(svg).toContain('>old targets draining</text>');
  });
});

describe('generateLoad', () => {
  let server: Server;
  let url = '';
  let answered = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      answered++;
      response.writeHead(request.url === '/fail' ? 503 : 200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends at most maxRequests at the given rate and records each outcome', async () => {
    const started = Date.now();
    const samples = await generateLoad({
      url: `${url}/`,
      ratePerSecond: 100,
      connections: 4,
      maxRequests: 20,
      maxDurationMs: 5_000,
    });
    expect(samples).toHaveLength(20);
    expect(samples.every((entry) => entry.outcome === '2xx')).toBe(true);
    // 20 requests at 100/s leave over about 0.2 s, not all at once.
    expect(samples.at(-1)!.sentAt - samples[0]!.sentAt).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(answered).toBeGreaterThanOrEqual(20);
  });

  it('counts non-2xx answers and refused connections apart', async () => {
    const failing = await generateLoad({
      url: `${url}/fail`,
      ratePerSecond: 50,
      connections: 2,
      maxRequests: 3,
      maxDurationMs: 5_000,
    });
    expect(failing.map((entry) => [entry.outcome, entry.detail])).toEqual(Array(3).fill(['non-2xx', '503']));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await generateLoad({
      url: `http://127.0.0.1:${port}/`,
      ratePerSecond: 50,
      connections: 2,
      maxRequests: 2,
      maxDurationMs: 5_000,
    });
    expect(refused.map((entry) => [entry.outcome, entry.detail])).toEqual(
      Array(2).fill(['connection-error', 'ECONNREFUSED']),
    );
  });

  it('refuses to send anywhere but loopback', () => {
    expect(() => assertLoopback('http://example.com/')).toThrow('only sends to http://127.0.0.0/8');
    expect(() => assertLoopback('https://127.0.0.1/')).toThrow('only sends to http://127.0.0.0/8');
  });
});
