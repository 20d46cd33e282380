import type pg from "pg";
import { summarizeStaging } from "@/lib/uploads/staging-rows";

/**
 * Console-scale data for benchmarks: `uploads` uploads over the last 30 days (mostly completed, some
 * partial, failed and in flight), `stagingRows` staging rows held by recent uploads (with their
 * counters kept consistent), events, metrics and worker runs. Generated set-based in PostgreSQL.
 */
export async function seedScale(pool: pg.Pool, options: { uploads: number; stagingRows: number; metricsRows: number }) {
  const ws = await pool.query<{ id: string }>(
    `INSERT INTO workspaces (id, slug, name) VALUES (gen_random_uuid(), 'scale', 'Scale test') ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
  );
  const workspaceId = ws.rows[0].id;
  await pool.query(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, total_rows, valid_rows, invalid_rows,
                          ignored_rows, promoted_rows, created_at, started_at, completed_at, failed_at, updated_at, error_code)
     SELECT gen_random_uuid(), $1, (ARRAY['meta','google','tiktok'])[1 + g % 3]::"Platform", (ARRAY['api','manual','scheduled'])[1 + g % 3]::"UploadSource",
            'scale-' || g || '.csv', 100000, md5('scale' || g), 'scale/none',
            s.status::"UploadStatus", 1000, 990, CASE WHEN s.status = 'partial' THEN 10 ELSE 0 END, 10,
            CASE WHEN s.status IN ('completed', 'partial') THEN 990 ELSE 0 END,
            c.at, c.at + interval '2 seconds',
            CASE WHEN s.status IN ('completed', 'partial') THEN c.at + interval '40 seconds' END,
            CASE WHEN s.status = 'failed' THEN c.at + interval '30 seconds' END,
            c.at + interval '40 seconds',
            CASE WHEN s.status = 'failed' THEN 'MISSING_COLUMN' END
       FROM generate_series(1, $2::int) g
       CROSS JOIN LATERAL (SELECT now() - (g::float8 / $2::float8) * interval '30 days' AS at) c
       CROSS JOIN LATERAL (SELECT CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 20 = 0 THEN 'partial' WHEN g % 997 = 0 THEN 'processing' ELSE 'completed' END AS status) s
     ON CONFLICT (workspace_id, sha256) DO NOTHING`,
    [workspaceId, options.uploads],
  );
  await pool.query(
    `INSERT INTO upload_events (upload_id, from_status, to_status, actor, created_at)
     SELECT id, NULL::"UploadStatus", 'pending'::"UploadStatus", 'seed', created_at FROM uploads WHERE workspace_id = $1
     UNION ALL SELECT id, 'pending', 'processing', 'seed', started_at FROM uploads WHERE workspace_id = $1
     UNION ALL SELECT id, 'processing', status, 'seed', updated_at FROM uploads WHERE workspace_id = $1 AND status <> 'processing'`,
    [workspaceId],
  );
  // Staging held by the most recent partial/failed/completed uploads, spread evenly.
  const holders = await pool.query<{ id: string }>(
    `SELECT id FROM uploads WHERE workspace_id = $1 AND status IN ('completed', 'partial', 'failed') ORDER BY created_at DESC LIMIT 2000`,
    [workspaceId],
  );
  const perUpload = Math.ceil(options.stagingRows / holders.rows.length);
  // Each upload's rows in its arrival day's partition, contiguous, as the parse worker writes them.
  await pool.query(`SELECT DISTINCT staging_partition_ensure(staging_day(created_at)) FROM uploads WHERE id = ANY($1::uuid[])`, [
    holders.rows.map((r) => r.id),
  ]);
  await pool.query(
    `INSERT INTO staging_rows (upload_id, arrived_on, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency)
     SELECT h.id, staging_day(h.created_at), n, date '2024-01-01' + (n % 365), 'c' || (n / 365), 'Campaign ' || (n / 365), (n % 997) * 0.37, n % 100000, n % 1000, 0, 'USD'
       FROM uploads h CROSS JOIN generate_series(2, $2::int + 1) n WHERE h.id = ANY($1::uuid[])
      ORDER BY h.created_at, h.id, n`,
    [holders.rows.map((r) => r.id), perUpload],
  );
  await summarizeStaging(pool);
  await pool.query(`UPDATE uploads SET staged_rows = $2 WHERE id = ANY($1::uuid[])`, [holders.rows.map((r) => r.id), perUpload]);
  const anyUpload = holders.rows[0].id;
  await pool.query(
    `INSERT INTO metrics (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id)
     SELECT $1, (ARRAY['meta','google','tiktok'])[1 + n % 3]::"Platform", current_date - 1 - (n / 3 % 700), 'c' || (n / 2100), 'Campaign', 1.5, 100, 3, 0, 'USD', $2
       FROM generate_series(0, $3::int - 1) n ON CONFLICT DO NOTHING`,
    [workspaceId, anyUpload, options.metricsRows],
  );
  await pool.query(
    `INSERT INTO worker_runs (worker, instance, started_at, finished_at, duration_ms, items, backlog, outcome, summary)
     SELECT w, 'seed', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '2 seconds', 2000, 100, 1, 'ok',
            jsonb_build_object('bloat', jsonb_build_object('rows', $1::bigint))
       FROM generate_series(1, 1440) g CROSS JOIN unnest(ARRAY['parse', 'promote', 'cleanup']) w`,
    [holders.rows.length * perUpload],
  );
  await pool.query(`ANALYZE`);
  return { workspaceId, uploads: options.uploads, stagingRows: holders.rows.length * perUpload };
}
