import type pg from "pg";
import type { Pingable } from "@/lib/db/readiness";
import { launchStatus } from "./launch-status";
import { hourlyHealth, shiftHandoff } from "./shift-report";

/** Everything the Launch page shows, in one read. */
export async function launchPage(pool: pg.Pool, store: Pingable) {
  const [status, health, handoff] = await Promise.all([launchStatus(pool, store), hourlyHealth(pool), shiftHandoff(pool)]);
  return { status, health, handoff };
}

export type LaunchPage = Awaited<ReturnType<typeof launchPage>>;
