import type pg from "pg";
import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { breakerConfigSchema, type BreakerConfig } from "./breaker-state";
import { CircuitBreaker } from "./circuit-breaker";

/** Every breaker the application uses; the console and /api/metrics list these even before their first call. */
export const BREAKER_NAMES = ["worker.parse", "worker.promote", "worker.cleanup", "file-store", "webhook"] as const;
export type BreakerName = (typeof BREAKER_NAMES)[number];

export const workerBreakerName = (worker: "parse" | "promote" | "cleanup"): BreakerName => `worker.${worker}`;

export function breakerConfigFromEnv(): BreakerConfig {
  const e = env();
  return breakerConfigSchema.parse({ failureThreshold: e.BREAKER_FAILURE_THRESHOLD, windowMs: e.BREAKER_WINDOW_MS, coolDownMs: e.BREAKER_COOLDOWN_MS });
}

// One instance per breaker per process, so its in-memory fallback survives between calls.
const holder = globalThis as unknown as { __breakers?: Map<string, CircuitBreaker> };

export type BreakerOptions = { config?: Partial<BreakerConfig>; now?: () => Date; db?: () => pg.Pool };

/** The process's breaker called `name`; options apply when it is first created (tests create it with theirs). */
export function getBreaker(name: BreakerName, options: BreakerOptions = {}): CircuitBreaker {
  holder.__breakers ??= new Map();
  let breaker = holder.__breakers.get(name);
  if (!breaker) {
    const config = breakerConfigSchema.parse({ ...breakerConfigFromEnv(), ...options.config });
    breaker = new CircuitBreaker(name, config, options.db ?? pool, options.now);
    holder.__breakers.set(name, breaker);
  }
  return breaker;
}

/** Forgets every in-process breaker (tests; the persisted state is untouched). */
export function resetBreakers() {
  holder.__breakers?.clear();
}
