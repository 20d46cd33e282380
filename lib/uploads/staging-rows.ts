import pg from "pg";
import { WORKER_ALLOWED_SQL } from "@/lib/controls/controls";
import { withTransaction, type Queryable } from "@/lib/db/sql";

export const BLOAT_ROWS = 500_000;
export const BLOAT_AGE_DAYS = 7;

export type StagingBloat = { rows: number; oldestAt: Date | null; bloated: boolean; reasons: string[] };

/**
 * The staging partition that holds an upload's rows: the UTC day it arrived on (the SQL function
 * staging_day(uploads.created_at); docs/architecture.md, "Staging layout").
 */
export const stagingDay = (createdAt: Date) => createdAt.toISOString().slice(0, 10);

/** The table of one day's staging partition (created by staging_partition_ensure). */
export function stagingPartitionName(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new TypeError(`not a YYYY-MM-DD day: ${day}`);
  return `staging_rows_p${day.replaceAll("-", "")}`;
}

/** D10-08: staging held in total, and the age of the oldest held rows. Read from counters, never count(*). */
export async function stagingBloat(pool: pg.Pool): Promise<StagingBloat> {
  const { rows } = await pool.query<{ rows: string | null; oldest: Date | null }>(
    `SELECT sum(staged_rows) AS rows, min(created_at) AS oldest FROM uploads WHERE staged_rows > 0`,
  );
  const total = Number(rows[0].rows ?? 0);
  const oldestAt = rows[0].oldest;
  const reasons: string[] = [];
  if (total > BLOAT_ROWS) reasons.push(`${total} staging rows (> ${BLOAT_ROWS})`);
  if (oldestAt && Date.now() - oldestAt.getTime() > BLOAT_AGE_DAYS * 86_400_000)
    reasons.push(`oldest staging rows from ${oldestAt.toISOString()} (> ${BLOAT_AGE_DAYS} days)`);
  return { rows: total, oldestAt, bloated: reasons.length > 0, reasons };
}

/**
 * Deletes up to `limit` staging rows of one upload, guarded by its expected status and the kill switch.
 * Only the upload's partition and the BRIN ranges holding its rows are read; rows are picked by their
 * physical address (there is no per-row key). The dead rows go with the partition when it is dropped.
 */
export async function deleteStagingBatch(db: pg.Pool | pg.PoolClient, uploadId: string, statuses: string[], limit: number): Promise<number> {
  const run = async (client: pg.PoolClient) => {
    await client.query(STAGING_PLANS);
    const { rows } = await client.query<{ deleted: string }>(DELETE_STAGING_BATCH_SQL, [uploadId, statuses, limit]);
    return Number(rows[0]?.deleted ?? 0);
  };
  return db instanceof pg.Pool ? withTransaction(db, run) : run(db);
}

/**
 * Run first in a transaction that reads or deletes one upload's staging rows. The planner prices a
 * BRIN scan by the column's physical correlation, which a random UUID does not have even though each
 * upload's rows are contiguous: left alone, it reads whole partitions (the backlog) instead.
 */
export const STAGING_PLANS = `SET LOCAL enable_seqscan = off`;

/** $1 upload, $2 statuses it may be in, $3 the most rows to delete. */
export const DELETE_STAGING_BATCH_SQL = `
  WITH target AS (
    SELECT id, staging_day(created_at) AS day FROM uploads
     WHERE id = $1 AND status = ANY($2::"UploadStatus"[]) AND ${WORKER_ALLOWED_SQL("'cleanup'")} FOR UPDATE),
  -- Planned apart from the LIMIT (which would pick a sequential scan hoping to stop early), and read lazily.
  held AS MATERIALIZED (SELECT s.ctid FROM staging_rows s WHERE s.upload_id = $1 AND s.arrived_on = (SELECT day FROM target)),
  gone AS (
    DELETE FROM staging_rows s
     WHERE s.upload_id = $1 AND s.arrived_on = (SELECT day FROM target) AND s.ctid = ANY (ARRAY(SELECT ctid FROM held LIMIT $3))
     RETURNING 1),
  counted AS (SELECT count(*) AS deleted FROM gone)
  UPDATE uploads u SET staged_rows = u.staged_rows - counted.deleted FROM counted, target WHERE u.id = target.id
  RETURNING counted.deleted`;

/** Makes sure the partition of `day` exists (creating it is cheap and does not block COPY or reads). */
export async function ensureStagingPartition(db: Queryable, day: string): Promise<void> {
  await db.query(`SELECT staging_partition_ensure($1::date)`, [day]);
}

/**
 * Summarizes the BRIN ranges written since the last summary, in every partition: until then a range
 * matches every upload, so a read of one upload would also read the rows being staged at the end of
 * each partition. Costs the unsummarized pages only (the upload just staged, and any in progress).
 * `day`: only that day's partition. Safe while rows are being copied into it (BRIN summarizes
 * concurrently with inserts), and locks out only another summary or vacuum of that partition.
 */
export async function summarizeStaging(db: Queryable, day?: string): Promise<void> {
  await db.query(
    `SELECT brin_summarize_new_values(i.inhrelid) FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid
      WHERE i.inhparent = 'staging_rows_upload_id_idx'::regclass AND ($1::text IS NULL OR x.indrelid = to_regclass($1::text))`,
    [day === undefined ? null : stagingPartitionName(day)],
  );
}

export type StagingPartition = { day: string; rows: number; bytes: number };

/** The staging partitions, oldest first, with their estimated rows and size on disk. */
export async function stagingPartitions(db: Queryable): Promise<StagingPartition[]> {
  const { rows } = await db.query<{ day: string; rows: string; bytes: string }>(
    `SELECT to_char(to_date(substr(c.relname, 15), 'YYYYMMDD'), 'YYYY-MM-DD') AS day, greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'staging_rows'::regclass ORDER BY c.relname`,
  );
  return rows.map((r) => ({ day: r.day, rows: Number(r.rows), bytes: Number(r.bytes) }));
}

/**
 * Partition maintenance, safe with any number of instances: creates today's and tomorrow's
 * partitions ahead, and drops every partition whose uploads are all finished and keep no staging rows
 * they must (staging_partition_drop locks them and zeroes their counters with the drop). Answers the
 * days dropped and the staged rows they released.
 */
export async function maintainStagingPartitions(pool: pg.Pool, retentionHours: number): Promise<{ created: number; dropped: string[]; released: number }> {
  const { rows: ahead } = await pool.query<{ created: boolean }>(
    `SELECT staging_partition_ensure(staging_day(now()) + d) AS created FROM generate_series(0, 1) d`,
  );
  const dropped: string[] = [];
  let released = 0;
  const today = new Date().toISOString().slice(0, 10);
  for (const p of await stagingPartitions(pool)) {
    if (p.day >= today) break;
    const { rows } = await pool.query<{ released: string | null }>(
      `SELECT staging_partition_drop($1::date, make_interval(secs => $2 * 3600)) AS released WHERE ${WORKER_ALLOWED_SQL("'cleanup'")}`,
      [p.day, retentionHours],
    );
    if (rows[0]?.released == null) continue;
    dropped.push(p.day);
    released += Number(rows[0].released);
  }
  return { created: ahead.filter((r) => r.created).length, dropped, released };
}
