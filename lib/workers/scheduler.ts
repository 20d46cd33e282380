import { env } from "@/lib/env";
import { log } from "@/lib/log";

const holder = globalThis as unknown as { __ingestionScheduler?: NodeJS.Timeout };

/**
 * The embedded default's scheduler: runs every worker every few seconds so uploads flow with no
 * setup. In production a cron service calls /api/cron/* instead. A tick never overlaps the previous.
 */
export function startScheduler() {
  if (holder.__ingestionScheduler) return;
  let running = false;
  holder.__ingestionScheduler = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const { workerTicks } = await import("./ticks");
      for (const tick of workerTicks()) {
        await tick.run().catch((error) => log.error("scheduler.tick_failed", { worker: tick.name, error: String(error) }));
      }
    } finally {
      running = false;
    }
  }, env().SCHEDULER_INTERVAL_MS);
  log.info("scheduler.started", { intervalMs: env().SCHEDULER_INTERVAL_MS });
}
