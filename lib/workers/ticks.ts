import { liftExpiredControls } from "@/lib/controls/change-control";
import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { runCleanup, runMonitorTick, runParse, runPromote } from "./run-workers";

const monitor = globalThis as unknown as { __monitorTick?: { running: boolean; lastStartedAt: number } };

/**
 * The monitor every MONITOR_INTERVAL_MS, in the background: a slow webhook or a long evaluation never
 * delays the workers' next tick, and two monitor runs never overlap in one process.
 */
function monitorInBackground() {
  const state = (monitor.__monitorTick ??= { running: false, lastStartedAt: 0 });
  if (state.running || Date.now() - state.lastStartedAt < env().MONITOR_INTERVAL_MS) return;
  state.running = true;
  state.lastStartedAt = Date.now();
  runMonitorTick()
    .catch((error) => log.error("scheduler.tick_failed", { worker: "monitor", error: String(error) }))
    .finally(() => {
      state.running = false;
    });
}

/** Everything the scheduler runs each tick, in pipeline order. */
export function workerTicks() {
  return [
    { name: "controls-expiry", run: () => liftExpiredControls(pool()) },
    { name: "parse", run: runParse },
    { name: "promote", run: runPromote },
    { name: "cleanup", run: runCleanup },
    { name: "monitor", run: async () => monitorInBackground() },
  ];
}
