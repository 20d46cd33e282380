import { liftExpiredControls } from "@/lib/controls/change-control";
import { pool } from "@/lib/db/client";

/** Everything the scheduler runs each tick, in pipeline order. */
export function workerTicks() {
  return [{ name: "controls-expiry", run: () => liftExpiredControls(pool()) }];
}
