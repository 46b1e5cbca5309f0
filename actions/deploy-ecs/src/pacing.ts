/** What the follower knows when it picks the next poll's delay. */
export interface PaceState {
  /** The deployment looks close to its end (all new tasks running, clean-up, or a terminal status). */
  near: boolean;
  /** Polls in a row that failed with throttling or a 5xx. */
  throttled: number;
  /** Jitter source in [0, 1). */
  random: () => number;
}

/** While the end is near: completion is seen within 2 s (1.5 s ± 20%). */
export const NEAR_INTERVAL_MS = 1500;
/** While it is not: ECS's DescribeServiceDeployments budget (20/s per account) is shared by every deploy. */
export const FAR_INTERVAL_MS = 6000;
/** Throttled polls back off up to this. */
export const MAX_BACKOFF_MS = 8000;

/**
 * The delay before the next poll: fast only while completion is near, with ±20% jitter so parallel deploys do not
 * poll in step, and exponential back-off (full jitter) after throttling, which never ends the wait.
 */
export function budgetInterval(_elapsedMs: number, state: PaceState): number {
  const base = state.near ? NEAR_INTERVAL_MS : FAR_INTERVAL_MS;
  if (state.throttled > 0) {
    const ceiling = Math.min(MAX_BACKOFF_MS, base * 2 ** state.throttled);
    return Math.round(base / 2 + state.random() * (ceiling - base / 2));
  }
  return Math.round(base * (0.8 + 0.4 * state.random()));
}
