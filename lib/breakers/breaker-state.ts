import { z } from "zod";

export const BREAKER_STATES = ["CLOSED", "OPEN", "HALF_OPEN"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export const breakerConfigSchema = z.object({
  /** Failures within `windowMs` that open a closed breaker. */
  failureThreshold: z.number().int().min(1).default(5),
  windowMs: z.number().int().min(1).default(60_000),
  /** How long an open breaker refuses calls before letting a single probe through (HALF_OPEN). */
  coolDownMs: z.number().int().min(1).default(30_000),
  /** A probe that never reports back (its process died) may be taken over after this long. */
  probeTimeoutMs: z.number().int().min(1).default(60_000),
});
export type BreakerConfig = z.infer<typeof breakerConfigSchema>;

export type BreakerSnapshot = {
  name: string;
  state: BreakerState;
  failureCount: number;
  windowStartedAt: Date | null;
  lastError: string | null;
  lastFailureAt: Date | null;
  openedAt: Date | null;
  nextAttemptAt: Date | null;
  probeStartedAt: Date | null;
  updatedAt: Date;
  version: number;
};

export type BreakerTransition = { from: BreakerState; to: BreakerState; reason: string; failureCount: number; at: Date };

/** What one event does to a breaker: the next snapshot (null when nothing changes) and the transition, if any. */
export type Step<T = undefined> = { next: BreakerSnapshot | null; transition?: BreakerTransition; result: T };

export type Admission = { allowed: true; probe: boolean } | { allowed: false; retryAt: Date | null };

export function closedSnapshot(name: string, now = new Date(0)): BreakerSnapshot {
  return {
    name,
    state: "CLOSED",
    failureCount: 0,
    windowStartedAt: null,
    lastError: null,
    lastFailureAt: null,
    openedAt: null,
    nextAttemptAt: null,
    probeStartedAt: null,
    updatedAt: now,
    version: 0,
  };
}

function move(s: BreakerSnapshot, to: BreakerState, reason: string, now: Date, patch: Partial<BreakerSnapshot>): Step<undefined> {
  const next = { ...s, ...patch, state: to, updatedAt: now };
  return { next, transition: { from: s.state, to, reason, failureCount: next.failureCount, at: now }, result: undefined };
}

/** May a call go through now? An open breaker past its cool-down lets exactly one probe through. */
export function admit(s: BreakerSnapshot, config: BreakerConfig, now: Date): Step<Admission> {
  if (s.state === "CLOSED") return { next: null, result: { allowed: true, probe: false } };
  if (s.state === "OPEN") {
    if (s.nextAttemptAt && now < s.nextAttemptAt) return { next: null, result: { allowed: false, retryAt: s.nextAttemptAt } };
    const step = move(s, "HALF_OPEN", "cool-down over: one probe allowed", now, { probeStartedAt: now });
    return { ...step, result: { allowed: true, probe: true } };
  }
  // HALF_OPEN: a probe is in flight; take it over only if it never reported back.
  if (s.probeStartedAt && now.getTime() - s.probeStartedAt.getTime() < config.probeTimeoutMs) {
    return { next: null, result: { allowed: false, retryAt: new Date(s.probeStartedAt.getTime() + config.probeTimeoutMs) } };
  }
  return { next: { ...s, probeStartedAt: now, updatedAt: now }, result: { allowed: true, probe: true } };
}

/** A successful call: a half-open breaker closes; otherwise nothing changes (failures age out of the window). */
export function succeed(s: BreakerSnapshot, _config: BreakerConfig, now: Date): Step {
  if (s.state !== "HALF_OPEN") return { next: null, result: undefined };
  return move(s, "CLOSED", "probe succeeded", now, { failureCount: 0, windowStartedAt: null, openedAt: null, nextAttemptAt: null, probeStartedAt: null });
}

/** A failed call: counted in the window; the threshold opens a closed breaker, any failure re-opens a half-open one. */
export function fail(s: BreakerSnapshot, config: BreakerConfig, now: Date, error: string): Step {
  const inWindow = s.windowStartedAt !== null && now.getTime() - s.windowStartedAt.getTime() < config.windowMs;
  const counted = {
    failureCount: inWindow ? s.failureCount + 1 : 1,
    windowStartedAt: inWindow ? s.windowStartedAt : now,
    lastError: error.slice(0, 2000),
    lastFailureAt: now,
  };
  const open = { ...counted, openedAt: now, nextAttemptAt: new Date(now.getTime() + config.coolDownMs), probeStartedAt: null };
  if (s.state === "HALF_OPEN") return move(s, "OPEN", `probe failed: ${counted.lastError}`, now, open);
  if (s.state === "CLOSED" && counted.failureCount >= config.failureThreshold) {
    return move(s, "OPEN", `${counted.failureCount} failures within ${config.windowMs} ms: ${counted.lastError}`, now, open);
  }
  return { next: { ...s, ...counted, updatedAt: now }, result: undefined };
}

/** 0 closed, 1 half-open, 2 open: the value of ingestion_circuit_breaker_state. */
export const STATE_VALUE: Record<BreakerState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };
