import { liftExpiredControls } from "@/lib/controls/change-control";
import { pool } from "@/lib/db/client";
import { runCleanup, runMonitorTick, runParse, runPromote } from "./run-workers";

/** Everything the scheduler runs each tick, in pipeline order; the monitor last, so it sees this tick's work. */
export function workerTicks() {
  return [
    { name: "controls-expiry", run: () => liftExpiredControls(pool()) },
    { name: "parse", run: runParse },
    { name: "promote", run: runPromote },
    { name: "cleanup", run: runCleanup },
    { name: "monitor", run: runMonitorTick },
  ];
}
