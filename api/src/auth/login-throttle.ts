/**
 * Login back-off (pure): a name or an address may fail a few times freely; after that each attempt
 * must wait twice as long after the last failure as the one before, up to a ceiling. A back-off
 * rather than a lock-out, so someone guessing cannot shut a real user out for long, and the count
 * is forgotten an hour after the last failure.
 */

export interface LoginThrottlePolicy {
  /** Failures allowed without any wait. */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones, seconds; it doubles with each further failure. */
  baseDelayS: number;
  /** The longest wait, seconds. */
  maxDelayS: number;
  /** A count whose last failure is this old starts again from nothing, seconds. */
  forgetAfterS: number;
}

export interface ThrottleState {
  failures: number;
  lastFailureAt: Date | null;
}

/** The wait after the last failure that `failures` failures impose, seconds (0 while they are free). */
export function delayAfterFailures(failures: number, policy: LoginThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelayS, policy.baseDelayS * 2 ** (failures - policy.freeFailures));
}

/** The failures that still count at `now` (none once the last is older than forgetAfterS). */
export function countingFailures(state: ThrottleState, now: Date, policy: LoginThrottlePolicy): number {
  if (!state.lastFailureAt) return 0;
  return (now.getTime() - state.lastFailureAt.getTime()) / 1000 >= policy.forgetAfterS ? 0 : state.failures;
}

/** Whole seconds to wait before the next attempt may be made; 0: it may be made now. */
export function secondsUntilNextAttempt(state: ThrottleState, now: Date, policy: LoginThrottlePolicy): number {
  const failures = countingFailures(state, now, policy);
  if (failures === 0 || !state.lastFailureAt) return 0;
  const waited = (now.getTime() - state.lastFailureAt.getTime()) / 1000;
  return Math.max(0, Math.ceil(delayAfterFailures(failures, policy) - waited));
}
