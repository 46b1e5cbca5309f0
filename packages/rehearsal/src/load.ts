/**
 * A bounded load generator for the zero-downtime measurement: a fixed rate of GETs through a listener on loopback,
 * over a pool of keep-alive connections, stopped by a count, a duration or a signal, whichever comes first.
 */
import { Agent, request } from 'node:http';

export type Outcome = '2xx' | 'non-2xx' | 'connection-error';

export interface Sample {
  /** When the request was sent, in epoch ms. */
  sentAt: number;
  latencyMs: number;
  outcome: Outcome;
  /** The HTTP status, or the socket error code. */
  detail: string;
}

export interface LoadOptions {
  /** Loopback only: http://127.x.y.z:port/path. */
  url: string;
  ratePerSecond: number;
  connections: number;
  maxRequests: number;
  maxDurationMs: number;
  signal?: AbortSignal;
}

export function assertLoopback(url: string): void {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:' || !/^127\.\d+\.\d+\.\d+$/.test(hostname)) {
    throw new Error(`The load generator only sends to http://127.0.0.0/8; got ${url}`);
  }
}

function send(url: string, agent: Agent): Promise<Sample> {
  const sentAt = Date.now();
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (outcome: Outcome, detail: string) =>
      resolve({ sentAt, latencyMs: performance.now() - started, outcome, detail });
    const outgoing = request(url, { agent, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        done(status >= 200 && status < 300 ? '2xx' : 'non-2xx', String(status));
      });
      response.on('error', (error: NodeJS.ErrnoException) => done('connection-error', error.code ?? error.message));
    });
    outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    outgoing.on('error', (error: NodeJS.ErrnoException) => done('connection-error', error.code ?? error.message));
    outgoing.end();
  });
}

/** Sends `ratePerSecond` requests a second until a bound is reached; resolves with every sample, in send order. */
export async function generateLoad(options: LoadOptions): Promise<Sample[]> {
  assertLoopback(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const started = Date.now();
  const interval = 1000 / options.ratePerSecond;
  const inFlight: Array<Promise<Sample>> = [];
  try {
    for (let index = 0; index < options.maxRequests; index++) {
      if (options.signal?.aborted || Date.now() - started >= options.maxDurationMs) break;
      inFlight.push(send(options.url, agent));
      // Open loop: the next request leaves on schedule, whether or not the last one has been answered.
      const wait = started + (index + 1) * interval - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
}

export interface LoadSummary {
  sent: number;
  ok: number;
  non2xx: number;
  connectionErrors: number;
  p50Ms: number;
  p99Ms: number;
  /** Each failure's detail (status or error code) and how often. */
  failures: Record<string, number>;
}

function percentileOf(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = (sorted.length - 1) * fraction;
  const low = sorted[Math.floor(rank)]!;
  const high = sorted[Math.ceil(rank)]!;
  return low + (high - low) * (rank - Math.floor(rank));
}

export function summarizeLoad(samples: Sample[]): LoadSummary {
  const latencies = samples.map((sample) => sample.latencyMs).sort((a, b) => a - b);
  const failures: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.outcome !== '2xx')
      failures[`${sample.outcome} ${sample.detail}`] = (failures[`${sample.outcome} ${sample.detail}`] ?? 0) + 1;
  }
  return {
    sent: samples.length,
    ok: samples.filter((sample) => sample.outcome === '2xx').length,
    non2xx: samples.filter((sample) => sample.outcome === 'non-2xx').length,
    connectionErrors: samples.filter((sample) => sample.outcome === 'connection-error').length,
    p50Ms: percentileOf(latencies, 0.5),
    p99Ms: percentileOf(latencies, 0.99),
    failures,
  };
}

export interface Bucket {
  /** Seconds from the start of the measurement. */
  second: number;
  counts: Record<Outcome, number>;
}

/** Requests per second by outcome, from `startMs`, every second up to the last sample. */
export function perSecond(samples: Sample[], startMs: number): Bucket[] {
  const last = Math.max(0, ...samples.map((sample) => Math.floor((sample.sentAt - startMs) / 1000)));
  const buckets: Bucket[] = Array.from({ length: last + 1 }, (_, second) => ({
    second,
    counts: { '2xx': 0, 'non-2xx': 0, 'connection-error': 0 },
  }));
  for (const sample of samples) {
    const second = Math.floor((sample.sentAt - startMs) / 1000);
    if (second >= 0) buckets[second]!.counts[sample.outcome]++;
  }
  return buckets;
}
