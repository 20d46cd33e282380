import type pg from "pg";
import { checkReadiness, type Readiness } from "@/lib/db/readiness";
import { INSTANCE_ID } from "@/lib/instance";

export type ReadinessSample = { minute: Date; ok: boolean; failedCheck: string | null; detail: string | null; checkedAt: Date };

// Samples taken while the database could not store them; written on the next successful sample.
const holder = globalThis as unknown as { __readinessBacklog?: ReadinessSample[] };
const MAX_BACKLOG = 24 * 60;

const minuteOf = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000);

/**
 * One readiness sample per minute (the GA report's availability): the same checks as /ready. A minute
 * counts as ready only if every sample taken in it was. Never throws: a sample the database cannot take
 * (because it is down) is kept in memory and written once it is back.
 */
export async function sampleReadiness(pool: pg.Pool, now = new Date()): Promise<ReadinessSample & { stored: boolean }> {
  const readiness = await checkReadiness(pool).catch((error): Readiness => ({
    ready: false,
    checks: [{ name: "database" as const, ok: false, detail: String(error) }],
  }));
  const failed = readiness.checks.find((c) => !c.ok);
  const sample: ReadinessSample = {
    minute: minuteOf(now),
    ok: readiness.ready,
    failedCheck: failed?.name ?? null,
    detail: failed?.error ?? failed?.detail ?? null,
    checkedAt: now,
  };
  const backlog = (holder.__readinessBacklog ??= []);
  backlog.push(sample);
  try {
    for (const s of backlog) {
      await pool.query(
        `INSERT INTO readiness_samples (minute, ok, failed_check, detail, instance, checked_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (minute) DO UPDATE
            SET ok = readiness_samples.ok AND EXCLUDED.ok,
                failed_check = coalesce(readiness_samples.failed_check, EXCLUDED.failed_check),
                detail = coalesce(readiness_samples.detail, EXCLUDED.detail)`,
        [s.minute, s.ok, s.failedCheck, s.detail, INSTANCE_ID, s.checkedAt],
      );
    }
    backlog.length = 0;
    return { ...sample, stored: true };
  } catch {
    backlog.splice(0, Math.max(0, backlog.length - MAX_BACKLOG));
    return { ...sample, stored: false };
  }
}
