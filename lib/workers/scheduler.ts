import { checkReadiness } from "@/lib/db/readiness";
import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { fileStore } from "@/lib/storage";
import { shutdownSignal } from "./shutdown";

type Scheduler = { stopped: Promise<void> };
const holder = globalThis as unknown as { __ingestionScheduler?: Scheduler };

/** Waits `ms`, or less if the signal aborts first. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/**
 * Until /ready would answer green (database reachable, migrations applied, controls readable, store
 * reachable): a worker started before the migrations ran would only log errors. Says once what it waits for.
 */
async function untilReady(signal: AbortSignal) {
  let said = false;
  for (let delay = 250; !signal.aborted; delay = Math.min(delay * 2, 5000)) {
    const readiness = await checkReadiness(pool(), fileStore()).catch((error) => ({ ready: false, checks: [{ name: "database", ok: false, detail: String(error) }] }));
    if (readiness.ready) {
      if (said) log.info("scheduler.ready");
      return;
    }
    if (!said) log.info("scheduler.waiting_for_ready", { failing: readiness.checks.filter((c) => !c.ok) });
    said = true;
    await sleep(delay, signal);
  }
}

/**
 * The in-process scheduler (SCHEDULER_ENABLED): runs every worker every SCHEDULER_INTERVAL_MS, on any
 * number of instances at once (claims and leases keep them apart). A tick never overlaps the previous;
 * it stops with the process's shutdown signal, after the tick in hand.
 */
export function startScheduler() {
  if (holder.__ingestionScheduler) return;
  const signal = shutdownSignal();
  const loop = async () => {
    await untilReady(signal);
    if (!signal.aborted) log.info("scheduler.started", { intervalMs: env().SCHEDULER_INTERVAL_MS });
    const { workerTicks } = await import("./ticks");
    while (!signal.aborted) {
      const started = Date.now();
      for (const tick of workerTicks()) {
        if (signal.aborted) break;
        await tick.run().catch((error) => log.error("scheduler.tick_failed", { worker: tick.name, error: String(error) }));
      }
      await sleep(Math.max(0, env().SCHEDULER_INTERVAL_MS - (Date.now() - started)), signal);
    }
  };
  holder.__ingestionScheduler = { stopped: loop() };
}

/** Resolves once the scheduler (if started) has finished its last tick. */
export const schedulerStopped = () => holder.__ingestionScheduler?.stopped ?? Promise.resolve();
