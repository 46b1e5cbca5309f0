/** What the follower knows when it picks the next poll's delay. */
export interface PaceState {
  /** The deployment looks close to its end (old tasks gone, clean-up, or a terminal status). */
  near: boolean;
  /** Getting there: every new task runs and the old ones drain (rolling). Optional: far unless set. */
  approaching?: boolean;
  /**
   * How congested the account's bucket looks: one up for each poll throttled (or 5xx), one down for each answered.
   * It decays instead of resetting, so that many deploys in one account settle at a rate the bucket sustains.
   */
  throttled: number;
  /** Jitter source in [0, 1). */
  random: () => number;
}

/** While the end is near: completion is seen within 2 s (1.5 s ± 20%). */
export const NEAR_INTERVAL_MS = 1500;
/** While the old tasks drain (deregistration delay): the end is a few polls away. */
export const APPROACHING_INTERVAL_MS = 3000;
/** While it is not: ECS's DescribeServiceDeployments budget (20/s per account) is shared by every deploy. */
export const FAR_INTERVAL_MS = 6000;
/** Throttled polls back off up to this. */
export const MAX_BACKOFF_MS = 8000;

/**
 * The delay before the next poll: fast only while completion is near, with ±20% jitter so parallel deploys do not
 * poll in step; while the bucket is congested, the delay doubles per congestion level (up to 8 s) with ±50%
 * jitter, and comes back down one level per answered poll. Throttling never ends the wait.
 */
export function budgetInterval(_elapsedMs: number, state: PaceState): number {
  const base = state.near ? NEAR_INTERVAL_MS : state.approaching ? APPROACHING_INTERVAL_MS : FAR_INTERVAL_MS;
  if (state.throttled > 0) {
    const backedOff = Math.min(MAX_BACKOFF_MS, base * 2 ** state.throttled);
    return Math.round(backedOff * (0.5 + state.random()));
  }
  return Math.round(base * (0.8 + 0.4 * state.random()));
}
