import { randomUUID } from "node:crypto";
import type pg from "pg";
import { WORKER_ALLOWED_SQL } from "@/lib/controls/controls";
import { withTransaction } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { INSTANCE_ID } from "@/lib/instance";
import { claimUpload, MAX_ATTEMPTS, releaseWithBackoff, type ClaimedUpload } from "./claim-upload";
import { STAGING_PLANS, stagingDay } from "@/lib/uploads/staging-rows";
import { transitionUpload } from "@/lib/uploads/transition";

export type PromoteOutcome = {
  uploadId: string;
  result: "completed" | "partial" | "failed" | "lost_lease" | "retry";
  promoted: number;
  written: number;
  /** D10-01: days whose total spend moved more than ±30 % against the day before. */
  deltas?: DeltaSignal[];
};

export type DeltaSignal = { date: string; previous: number; current: number; change: number };

/** Every staging row of the upload into the production table; each row names the upload (lineage, D10-01). */
const INSERT_SQL = `
  INSERT INTO metrics AS m (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id, updated_at)
  SELECT $2, $3::"Platform", s.date, s.campaign_id, s.campaign_name, s.spend, s.impressions, s.clicks, s.conversions, s.currency, s.upload_id, now()
    FROM staging_rows s WHERE s.upload_id = $1 AND s.arrived_on = $4::date`;

/**
 * The set-based promotion in one statement: a row whose values did not change is not written, so
 * re-promoting identical data writes nothing.
 */
export const PROMOTE_SQL = `${INSERT_SQL}
  ON CONFLICT (workspace_id, platform, date, campaign_id) DO UPDATE
     SET campaign_name = EXCLUDED.campaign_name, spend = EXCLUDED.spend, impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks,
         conversions = EXCLUDED.conversions, currency = EXCLUDED.currency, upload_id = EXCLUDED.upload_id, updated_at = EXCLUDED.updated_at
   WHERE (m.campaign_name, m.spend, m.impressions, m.clicks, m.conversions, m.currency)
         IS DISTINCT FROM (EXCLUDED.campaign_name, EXCLUDED.spend, EXCLUDED.impressions, EXCLUDED.clicks, EXCLUDED.conversions, EXCLUDED.currency)`;

/**
 * Writes the upload's rows into metrics; answers the number of rows written. Promotions of one
 * workspace and platform take turns (a transaction-level advisory lock), so when no metric exists
 * yet in the upload's date span, as for a first upload or a backfill of new days, a plain insert
 * cannot conflict and skips the per-row conflict handling; otherwise, or when the span is not
 * known, the upsert decides per row.
 */
async function writeMetrics(client: pg.PoolClient, upload: ClaimedUpload): Promise<{ written: number; overlap: boolean }> {
  const params = [upload.id, upload.workspace_id, upload.platform, stagingDay(upload.created_at)];
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text, 0))`, [upload.workspace_id, upload.platform]);
  const { rows } = await client.query<{ overlap: boolean }>(
    `SELECT u.first_date IS NULL OR EXISTS (
              SELECT 1 FROM metrics m WHERE m.workspace_id = $2 AND m.platform = $3::"Platform" AND m.date BETWEEN u.first_date AND u.last_date) AS overlap
       FROM uploads u WHERE u.id = $1`,
    params.slice(0, 3),
  );
  const { overlap } = rows[0];
  return { written: (await client.query(overlap ? PROMOTE_SQL : INSERT_SQL, params)).rowCount ?? 0, overlap };
}

/**
 * Records `daily` (date, total, written by this upload) as the promotion's day totals, and answers
 * the days whose total moved more than ±30 % against the day before.
 */
const DELTAS_OF = (daily: string) => `
  WITH daily AS (${daily}),
  recorded AS (
    INSERT INTO promotion_day_totals AS t (upload_id, date, total, written) SELECT $1, date, total, written FROM daily
    ON CONFLICT (upload_id, date) DO UPDATE SET total = EXCLUDED.total, written = EXCLUDED.written
    RETURNING date, total, written),
  compared AS (SELECT d.date, d.total AS current, p.total AS previous FROM recorded d JOIN recorded p ON p.date = d.date - 1 WHERE d.written)
  SELECT to_char(date, 'YYYY-MM-DD') AS date, previous, current FROM compared
   WHERE previous > 0 AND abs(current - previous) / previous > 0.3
   ORDER BY date LIMIT 100`;

/**
 * Day-over-day change of total spend for the days this upload wrote (D10-01 signal). Into days that
 * held no metric (a first upload, a backfill), each day's total is the upload's own, which the parser
 * summed while staging: only the day before the upload's span is read from metrics. Otherwise one scan
 * of the workspace's metrics over the span and the day before; a day whose rows the upload left as
 * they were (identical data) is not its change, so not listed. Staging is not read at all. The day
 * totals are kept (promotion_day_totals), so that the monitor need not read them again.
 */
async function spendDeltas(client: pg.PoolClient, upload: ClaimedUpload, overlap: boolean): Promise<DeltaSignal[]> {
  const daily = overlap
    ? `SELECT m.date, sum(m.spend) AS total, bool_or(m.upload_id = $1::uuid) AS written FROM metrics m, uploads u
        WHERE u.id = $1 AND m.workspace_id = $2 AND m.platform = $3::"Platform" AND m.date BETWEEN u.first_date - 1 AND u.last_date
        GROUP BY m.date`
    : `SELECT date, spend AS total, true AS written FROM upload_day_totals WHERE upload_id = $1
       UNION ALL
       -- the day before as an index lookup of that one day (joined, it was planned as a read of every
       -- metric of the workspace, the rows just written among them, filtered by date)
       SELECT u.first_date - 1, b.total, false FROM uploads u, LATERAL (
           SELECT sum(m.spend) AS total FROM metrics m WHERE m.workspace_id = $2 AND m.platform = $3::"Platform" AND m.date = u.first_date - 1) b
        WHERE u.id = $1 AND b.total IS NOT NULL`;
  const { rows } = await client.query<{ date: string; previous: string; current: string }>(DELTAS_OF(daily), [upload.id, upload.workspace_id, upload.platform]);
  return rows.map((r) => ({ date: r.date, previous: Number(r.previous), current: Number(r.current), change: Number(r.current) / Number(r.previous) - 1 }));
}

export async function promoteUpload(pool: pg.Pool, upload: ClaimedUpload, workerId: string): Promise<PromoteOutcome> {
  const actor = `worker:promote:${workerId}`;
  const worker = { id: workerId, kind: "promote" as const };
  const lost: PromoteOutcome = { uploadId: upload.id, result: "lost_lease", promoted: 0, written: 0 };
  if (upload.attempts > MAX_ATTEMPTS) {
    const text = `Promotion gave up after ${MAX_ATTEMPTS} attempts; staging rows are preserved.`;
    const prev = await transitionUpload(pool, {
      uploadId: upload.id,
      from: ["staged", "promoting"],
      to: "failed",
      actor,
      reason: text,
      worker,
      release: true,
      set: { error_code: "MAX_ATTEMPTS", error_text: text },
    });
    return prev ? { ...lost, result: "failed" } : lost;
  }
  if (upload.status === "staged") {
    if (!(await transitionUpload(pool, { uploadId: upload.id, from: "staged", to: "promoting", actor, worker }))) return lost;
  }
  try {
    return await withTransaction(pool, async (client) => {
      await client.query(STAGING_PLANS);
      const locked = await client.query(
        `SELECT 1 FROM uploads WHERE id = $1 AND status = 'promoting' AND locked_by = $2 AND lease_expires_at > now() AND ${WORKER_ALLOWED_SQL("'promote'")} FOR UPDATE`,
        [upload.id, workerId],
      );
      if (!locked.rowCount) return lost;
      const { written, overlap } = await writeMetrics(client, upload);
      const promoted = upload.valid_rows;
      const partial = upload.invalid_rows > 0;
      const deltas = await spendDeltas(client, upload, overlap);
      const to = partial ? "partial" : "completed";
      const prev = await transitionUpload(client, {
        uploadId: upload.id,
        from: "promoting",
        to,
        actor,
        reason: `${promoted} rows promoted (${written} written), ${upload.invalid_rows} invalid`,
        worker,
        release: true,
        set: { promoted_rows: promoted, rerun_blocked: partial },
      });
      // Returning from here commits nothing when the guard failed: the caller's transaction rolls back.
      if (!prev) throw new LostLease();
      const durationMs = Date.now() - upload.created_at.getTime();
      log.info("ingestion.completed", { uploadId: upload.id, status: to, duration_ms: durationMs, promoted, written, invalid: upload.invalid_rows });
      if (deltas.length) log.warn("ingestion.metric_delta", { uploadId: upload.id, deltas });
      return { uploadId: upload.id, result: to, promoted, written, deltas };
    });
  } catch (error) {
    if (error instanceof LostLease) return lost;
    log.warn("ingestion.promote_retry", { uploadId: upload.id, attempts: upload.attempts, error: String(error) });
    await releaseWithBackoff(pool, upload.id, workerId, upload.attempts);
    return { ...lost, result: "retry" };
  }
}

class LostLease extends Error {}

/** One call of the promotion worker: a bounded number of uploads. */
export async function runPromoteWorker(pool: pg.Pool, options: { maxUploads?: number; budgetMs?: number; signal?: AbortSignal } = {}) {
  const workerId = `${INSTANCE_ID}:${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const outcomes: PromoteOutcome[] = [];
  while (outcomes.length < (options.maxUploads ?? 10) && Date.now() - started < (options.budgetMs ?? 20_000) && !options.signal?.aborted) {
    const upload = await claimUpload(pool, { worker: "promote", workerId, ready: "staged", inFlight: "promoting" });
    if (!upload) break;
    outcomes.push(await promoteUpload(pool, upload, workerId));
  }
  return { items: outcomes.reduce((n, o) => n + o.promoted, 0), uploads: outcomes };
}
