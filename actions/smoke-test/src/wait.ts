import { type Clock, formatBytes, formatDuration, poll } from '@ecs-actions/action-kit';
import { BodyTooLargeError, NoAnswerError, type Send, endpoint } from './http.js';
import { describeVersion, matchesExpectedVersion, readVersion } from './versions.js';

export interface WaitOptions {
  baseUrl: URL;
  healthPath: string;
  versionPath: string;
  /** When set, also wait until the version endpoint reports it: old tasks may still answer during a rollout. */
  expectedVersion?: string;
  timeoutMs: number;
  intervalMs: number;
  requestTimeoutMs: number;
  clock: Clock;
  send: Send;
  log: (line: string) => void;
  /** Cancel or deadline: the wait ends at once (the poll rejects with its reason). */
  signal?: AbortSignal;
}

export type WaitResult =
  | { ready: true; elapsedMs: number }
  /** `answered`: the service gave some HTTP answer, so the checks can still say what is wrong. */
  | { ready: false; answered: boolean; elapsedMs: number; lastState: string };

/** Polls the health path (and the version) until the service is up, logging each change of state once. */
export async function waitForService(options: WaitOptions): Promise<WaitResult> {
  const { baseUrl, clock, send } = options;
  const started = clock.now();
  let answered = false;
  let lastState = '';
  const observe = (state: string): undefined => {
    if (state !== lastState) options.log(`${formatDuration(clock.now() - started)}: ${state}`);
    lastState = state;
    return undefined;
  };

  const result = await poll({
    clock,
    interval: options.intervalMs,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    attempt: async () => {
      const remaining = options.timeoutMs - (clock.now() - started);
      const timeoutMs = Math.max(1000, Math.min(options.requestTimeoutMs, remaining));
      try {
        const health = await send(endpoint(baseUrl, options.healthPath), { timeoutMs });
        answered = true;
        if (health.status !== 200) return observe(`${options.healthPath} answered ${health.status}`);
        if (!options.expectedVersion) return true;
        const version = await send(endpoint(baseUrl, options.versionPath), { timeoutMs });
        const reported = version.status === 200 ? readVersion(version.body) : undefined;
        if (reported && matchesExpectedVersion(reported, options.expectedVersion)) return true;
        const found = reported ? `reports ${describeVersion(reported)}` : `answered ${version.status}`;
        return observe(`healthy, but ${options.versionPath} ${found}; waiting for ${options.expectedVersion}`);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          // It answered, so the checks run and say which one got the oversized body.
          answered = true;
          return observe(`answered a body over the ${formatBytes(error.limitBytes)} limit`);
        }
        if (!(error instanceof NoAnswerError)) throw error;
        return observe(`no answer: ${error.reason}`);
      }
    },
  });
  if (result.done) return { ready: true, elapsedMs: result.elapsedMs };
  return { ready: false, answered, elapsedMs: result.elapsedMs, lastState };
}
