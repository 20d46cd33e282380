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

/**
 * Everything the scheduler runs each tick, in pipeline order. A tick whose `chains` worker made
 * progress is followed by the next at once: a parse that yielded resumes, a promotion that finished
 * lets the next staged upload in, without waiting for the interval.
 */
export function workerTicks(): { name: string; run: () => Promise<unknown>; chains?: boolean }[] {
  return [
    { name: "controls-expiry", run: () => liftExpiredControls(pool()) },
    { name: "parse", run: runParse, chains: true },
    { name: "promote", run: runPromote, chains: true },
    { name: "cleanup", run: runCleanup },
    { name: "monitor", run: async () => monitorInBackground() },
  ];
}
