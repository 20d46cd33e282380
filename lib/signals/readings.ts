/**
 * Readings of the production data shared by the monitor's signals and /api/metrics, so that the
 * console, the alerts and the monitoring provider see the same numbers. `now` is injectable.
 */
import type pg from "pg";
import type { Queryable } from "@/lib/db/sql";
import { stagingBloat } from "@/lib/uploads/staging-rows";

const ms = (d: Date) => d.getTime();

export type ErrorRateReading = { total: number; failed: number; rate: number; byCode: Record<string, number> };

/** D8 §3.2: failed ÷ all uploads created in the window ending at `now`. */
export async function readErrorRate(db: Queryable, now: Date, windowMinutes: number): Promise<ErrorRateReading> {
  const { rows } = await db.query<{ code: string | null; total: string; failed: string }>(
    `SELECT CASE WHEN status = 'failed' THEN coalesce(error_code, 'UNKNOWN') END AS code, count(*) AS total, count(*) FILTER (WHERE status = 'failed') AS failed
       FROM uploads
      WHERE created_at > $1::timestamptz - $2::float8 * interval '1 minute' AND created_at <= $1::timestamptz
      GROUP BY 1`,
    [now, windowMinutes],
  );
  let total = 0;
  let failed = 0;
  const byCode: Record<string, number> = {};
  for (const r of rows) {
    total += Number(r.total);
    failed += Number(r.failed);
    if (r.code) byCode[r.code] = Number(r.failed);
  }
  return { total, failed, rate: total ? failed / total : 0, byCode };
}

export type StuckUpload = {
  id: string;
  workspaceId: string;
  workspace: string;
  status: string;
  fileName: string;
  since: Date;
  minutes: number;
  parsedRecords: number;
  attempts: number;
  lockedBy: string | null;
};

/**
 * D10-10: uploads that have been in one non-terminal state longer than `minutes`. A workspace paused
 * by an operator holds its uploads on purpose, so they are not "stuck".
 */
export async function readStuckUploads(db: Queryable, now: Date, minutes: number, limit = 200): Promise<{ count: number; uploads: StuckUpload[] }> {
  const { rows } = await db.query<{
    id: string;
    workspace_id: string;
    slug: string;
    status: string;
    file_name: string;
    since: Date;
    parsed_records: number;
    attempts: number;
    locked_by: string | null;
    total: string;
  }>(
    `WITH s AS (
       SELECT u.id, u.workspace_id, w.slug, u.status::text AS status, u.file_name, u.parsed_records, u.attempts, u.locked_by,
              CASE u.status WHEN 'pending' THEN u.created_at
                            WHEN 'processing' THEN coalesce(u.started_at, u.created_at)
                            WHEN 'staged' THEN coalesce(u.staged_at, u.created_at)
                            ELSE coalesce(u.promoting_at, u.created_at) END AS since
         FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
        WHERE u.status IN ('pending', 'processing', 'staged', 'promoting')
          AND NOT (w.paused AND (w.pause_expires_at IS NULL OR w.pause_expires_at > $1::timestamptz)))
     SELECT s.*, count(*) OVER () AS total FROM s
      WHERE since < $1::timestamptz - $2::float8 * interval '1 minute'
      ORDER BY since LIMIT $3`,
    [now, minutes, limit],
  );
  return {
    count: Number(rows[0]?.total ?? 0),
    uploads: rows.map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      workspace: r.slug,
      status: r.status,
      fileName: r.file_name,
      since: r.since,
      minutes: Math.floor((ms(now) - ms(r.since)) / 60_000),
      parsedRecords: r.parsed_records,
      attempts: r.attempts,
      lockedBy: r.locked_by,
    })),
  };
}

export type QueueReading = { depth: number; maxLatencySeconds: number; slowest: { id: string; status: string; seconds: number } | null };

/** D10-07: uploads waiting for or in parsing, and the longest created → staged time (still waiting, or staged recently). */
export async function readQueue(db: Queryable, now: Date, lookbackMinutes: number): Promise<QueueReading> {
  const { rows } = await db.query<{ depth: string; id: string | null; status: string | null; seconds: number | null }>(
    `WITH waiting AS (SELECT count(*) AS depth FROM uploads WHERE status IN ('pending', 'processing')),
     latency AS (
       SELECT id, status::text AS status, extract(epoch FROM coalesce(staged_at, $1::timestamptz) - created_at)::float8 AS seconds
         FROM uploads
        WHERE (status IN ('pending', 'processing') AND created_at <= $1::timestamptz)
           OR (staged_at > $1::timestamptz - $2::float8 * interval '1 minute' AND staged_at <= $1::timestamptz)
        ORDER BY seconds DESC LIMIT 1)
     SELECT waiting.depth, latency.id, latency.status, latency.seconds FROM waiting LEFT JOIN latency ON true`,
    [now, lookbackMinutes],
  );
  const r = rows[0];
  return {
    depth: Number(r.depth),
    maxLatencySeconds: Math.max(0, r.seconds ?? 0),
    slowest: r.id ? { id: r.id, status: r.status!, seconds: Math.max(0, r.seconds ?? 0) } : null,
  };
}

export type FreshnessReading = {
  workspaceId: string;
  workspace: string;
  platform: string;
  newestDate: string;
  expectedLagDays: number;
  skipWeekends: boolean;
  /** Days after the newest date up to today, weekends not counted when the workspace says so. */
  behindDays: number;
  /** Seconds since the end of the newest day of data. */
  lagSeconds: number;
  stale: boolean;
};

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Days in (newest, today], optionally without Saturdays and Sundays. */
export function daysBehind(newest: string, today: string, skipWeekends: boolean): number {
  const from = Date.parse(`${newest}T00:00:00Z`);
  const to = Date.parse(`${today}T00:00:00Z`);
  const total = Math.round((to - from) / DAY);
  if (total <= 0 || !skipWeekends) return Math.max(0, total);
  const weeks = Math.floor(total / 7);
  let count = weeks * 5;
  for (let t = from + weeks * 7 * DAY + DAY; t <= to; t += DAY) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

/**
 * WT-06: the newest metric date per workspace × platform (for pairs that have any data) against the
 * workspace's expected report lag for that platform. Read from the production table itself.
 */
export async function readFreshness(db: Queryable, now: Date): Promise<FreshnessReading[]> {
  const { rows } = await db.query<{
    id: string;
    slug: string;
    expected_lag_days: Record<string, unknown>;
    skip_weekends: boolean;
    platform: string;
    newest: string;
  }>(
    `SELECT w.id, w.slug, w.expected_lag_days, w.skip_weekends, p.platform::text AS platform, to_char(n.newest, 'YYYY-MM-DD') AS newest
       FROM workspaces w
      CROSS JOIN unnest(enum_range(NULL::"Platform")) AS p(platform)
      CROSS JOIN LATERAL (SELECT max(m.date) AS newest FROM metrics m WHERE m.workspace_id = w.id AND m.platform = p.platform) n
      WHERE n.newest IS NOT NULL
      ORDER BY w.slug, p.platform`,
  );
  const today = isoDay(ms(now));
  return rows.map((r) => {
    const configured = Number(r.expected_lag_days?.[r.platform]);
    const expectedLagDays = Number.isFinite(configured) && configured >= 0 ? configured : 1;
    const behindDays = daysBehind(r.newest, today, r.skip_weekends);
    return {
      workspaceId: r.id,
      workspace: r.slug,
      platform: r.platform,
      newestDate: r.newest,
      expectedLagDays,
      skipWeekends: r.skip_weekends,
      behindDays,
      lagSeconds: Math.max(0, Math.round((ms(now) - (Date.parse(`${r.newest}T00:00:00Z`) + DAY)) / 1000)),
      stale: behindDays > expectedLagDays,
    };
  });
}

export type StagingReading = { rows: number; oldestAt: Date | null; oldestAgeSeconds: number };

/** D10-08: staging rows held (the uploads' counters, via the cleanup worker's own reading) and the oldest holder's age. */
export async function readStaging(pool: pg.Pool, now: Date): Promise<StagingReading> {
  const { rows, oldestAt } = await stagingBloat(pool);
  return { rows, oldestAt, oldestAgeSeconds: oldestAt ? Math.max(0, Math.round((ms(now) - ms(oldestAt)) / 1000)) : 0 };
}
