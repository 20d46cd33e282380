import type { Queryable } from "@/lib/db/sql";

/**
 * A database in the middle of a bad hour, for the runbook command tests: one of every situation a
 * runbook is written for, at known times relative to now. The ids are fixed so that a runbook's
 * expected output can name them.
 *
 * - `acme` (meta): an upload completed 2 h ago that wrote spend 100 → 250 on two days (a > 30 % delta),
 *   and an upload stuck 45 min in processing, its lease held by a dead worker;
 * - `acme` (tiktok): a partial upload (3 of 5 records promoted, 2 invalid), its staging rows 8 days old;
 * - `acme` (google): an upload failed with DATA_LOSS (10 lines, 9 counted);
 * - `globex` (google): two uploads failed with INVALID_FILE in the last hour;
 * - the parse breaker OPEN, parse runs doing nothing while work waits, an unacknowledged page alert,
 *   a refused kill-switch change without an incident ID, and a worker transition after a halt.
 */
export const WORLD = {
  incident: "INC-42",
  acme: "00000000-0000-4000-8000-00000000a0c1",
  globex: "00000000-0000-4000-8000-00000000910b",
  completed: "00000000-0000-4000-8000-0000000000d1",
  stuck: "00000000-0000-4000-8000-0000000000e1",
  partial: "00000000-0000-4000-8000-0000000000f1",
  dataLoss: "00000000-0000-4000-8000-0000000000a1",
  failed1: "00000000-0000-4000-8000-0000000000b1",
  failed2: "00000000-0000-4000-8000-0000000000b2",
  alert: "00000000-0000-4000-8000-00000000a1e1",
} as const;

export async function seedIncidentWorld(db: Queryable) {
  const w = WORLD;
  await db.query(`INSERT INTO workspaces (id, slug, name) VALUES ($1, 'acme', 'Acme'), ($2, 'globex', 'Globex')`, [w.acme, w.globex]);
  await db.query(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status,
                          total_rows, valid_rows, invalid_rows, ignored_rows, promoted_rows, staged_rows, parsed_records,
                          first_date, last_date, error_code, error_text, attempts, locked_by, lease_expires_at, rerun_blocked,
                          created_at, started_at, completed_at, failed_at, updated_at)
     VALUES
      ($1, $6, 'meta', 'api', 'acme-meta.csv', 1000, 'sha-completed', 'k1', 'completed', 4, 2, 0, 2, 2, 0, 2,
       current_date - 3, current_date - 2, NULL, NULL, 1, NULL, NULL, false,
       now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours', NULL, now() - interval '2 hours'),
      ($2, $6, 'meta', 'api', 'runbook-stuck.csv', 100, 'sha-stuck', 'k2', 'processing', 0, 0, 0, 0, 0, 0, 0,
       NULL, NULL, NULL, NULL, 1, 'dead-worker', now() + interval '1 hour', false,
       now() - interval '50 minutes', now() - interval '45 minutes', NULL, NULL, now() - interval '45 minutes'),
      ($3, $6, 'tiktok', 'api', 'acme-tiktok.csv', 500, 'sha-partial', 'k3', 'partial', 5, 3, 2, 0, 3, 3, 5,
       current_date - 9, current_date - 8, NULL, NULL, 1, NULL, NULL, true,
       now() - interval '8 days', now() - interval '8 days', now() - interval '8 days', NULL, now() - interval '8 days'),
      ($4, $6, 'google', 'api', 'acme-google.csv', 800, 'sha-loss', 'k4', 'failed', 10, 7, 1, 1, 0, 0, 9,
       NULL, NULL, 'DATA_LOSS', 'total 10 ≠ valid 7 + invalid 1 + ignored 1', 1, NULL, NULL, false,
       now() - interval '40 minutes', now() - interval '40 minutes', NULL, now() - interval '39 minutes', now() - interval '39 minutes'),
      ($5, $7, 'google', 'api', 'globex-1.csv', 10, 'sha-f1', 'k5', 'failed', 0, 0, 0, 0, 0, 0, 0,
       NULL, NULL, 'INVALID_FILE', 'no header row', 1, NULL, NULL, false,
       now() - interval '30 minutes', now() - interval '30 minutes', NULL, now() - interval '30 minutes', now() - interval '30 minutes')`,
    [w.completed, w.stuck, w.partial, w.dataLoss, w.failed1, w.acme, w.globex],
  );
  await db.query(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, error_code, error_text, attempts,
                          created_at, failed_at, updated_at)
     VALUES ($1, $2, 'google', 'api', 'globex-2.csv', 10, 'sha-f2', 'k6', 'failed', 'INVALID_FILE', 'no header row', 1,
             now() - interval '20 minutes', now() - interval '20 minutes', now() - interval '20 minutes')`,
    [w.failed2, w.globex],
  );
  await db.query(
    `INSERT INTO metrics (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id, updated_at) VALUES
      ($1, 'meta', current_date - 3, 'c-1', 'Spring', 100, 1000, 10, 1, 'USD', $2, now() - interval '2 hours'),
      ($1, 'meta', current_date - 2, 'c-1', 'Spring', 250, 2500, 25, 2, 'USD', $2, now() - interval '2 hours'),
      ($1, 'tiktok', current_date - 9, 'c-9', 'Promo', 10, 100, 1, 0, 'USD', $3, now() - interval '8 days'),
      ($1, 'tiktok', current_date - 8, 'c-9', 'Promo', 12, 120, 1, 0, 'USD', $3, now() - interval '8 days'),
      ($1, 'tiktok', current_date - 8, 'c-10', 'Promo 2', 5, 50, 1, 0, 'USD', $3, now() - interval '8 days')`,
    [w.acme, w.completed, w.partial],
  );
  await db.query(`SELECT staging_partition_ensure(staging_day(created_at)) FROM uploads WHERE id = $1`, [w.partial]);
  await db.query(
    `INSERT INTO staging_rows (upload_id, arrived_on, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency)
     SELECT $1, (SELECT staging_day(created_at) FROM uploads WHERE id = $1), v.* FROM (VALUES
      (2, current_date - 9, 'c-9', 'Promo', 10, 100, 1, 0, 'USD'),
      (3, current_date - 8, 'c-9', 'Promo', 12, 120, 1, 0, 'USD'),
      (4, current_date - 8, 'c-10', 'Promo 2', 5, 50, 1, 0, 'USD')) v`,
    [w.partial],
  );
  await db.query(
    `INSERT INTO row_issues (upload_id, line_no, kind, rule, message, raw) VALUES
      ($1, 5, 'invalid', 'spend_not_a_number', 'spend "n/a" is not a number', '2026-11-20,c-11,Promo 3,n/a,10,1,0'),
      ($1, 6, 'invalid', 'spend_not_a_number', 'spend "-" is not a number', '2026-11-20,c-12,Promo 4,-,10,1,0'),
      ($2, 1, 'ignored', 'preamble', 'report title', 'Acme Google report'),
      ($2, 9, 'invalid', 'date_invalid', 'date "32/13" is not a date', '32/13,c-1,x,1,1,1,0')`,
    [w.partial, w.dataLoss],
  );
  await db.query(
    `INSERT INTO upload_events (upload_id, from_status, to_status, actor, created_at) VALUES
      ($1, 'pending', 'processing', 'worker:parse:dead-worker', now() - interval '45 minutes'),
      ($2, 'promoting', 'partial', 'worker:promote:web-1', now() - interval '8 days'),
      ($3, 'processing', 'failed', 'worker:parse:web-2', now() - interval '39 minutes')`,
    [w.stuck, w.partial, w.dataLoss],
  );
  await db.query(
    `INSERT INTO worker_runs (worker, instance, started_at, finished_at, duration_ms, items, backlog, outcome, summary) VALUES
      ('parse', 'web-1', now() - interval '10 minutes', now() - interval '10 minutes', 900, 1, 3, 'ok', '{"uploads":1}'),
      ('parse', 'web-1', now() - interval '5 minutes', now() - interval '5 minutes', 800, 1, 2, 'ok', '{"uploads":1}'),
      ('parse', 'web-1', now() - interval '1 minute', now() - interval '1 minute', 12, 0, 2, 'ok', '{"uploads":0}'),
      ('promote', 'web-1', now() - interval '3 minutes', now() - interval '3 minutes', 40, 0, 0, 'ok', '{"uploads":0}'),
      ('cleanup', 'web-1', now() - interval '2 hours', now() - interval '2 hours', 30, 0, 0, 'ok', '{"deleted":0}')`,
  );
  await db.query(
    `INSERT INTO circuit_breakers (name, state, failure_count, last_error, last_failure_at, opened_at, next_attempt_at, updated_at)
     VALUES ('worker.parse', 'OPEN', 5, 'connect ECONNREFUSED 10.0.0.5:5432', now() - interval '4 minutes', now() - interval '4 minutes', now() + interval '1 minute', now() - interval '4 minutes')`,
  );
  await db.query(
    `INSERT INTO circuit_breaker_events (breaker, from_state, to_state, reason, failure_count, at)
     VALUES ('worker.parse', 'CLOSED', 'OPEN', 'connect ECONNREFUSED 10.0.0.5:5432', 5, now() - interval '4 minutes')`,
  );
  await db.query(
    `INSERT INTO alerts (id, signal, fingerprint, active_fingerprint, scenario, severity, owner_role, runbook, title, detail, upload_id, workspace_id,
                         status, escalated, escalated_at, opened_at, last_seen_at)
     VALUES ($1, 'stuck_upload', $2, $2, 'D10-10', 'page', 'oncall', 'd8-stuck-upload', 'Upload runbook-stuck.csv stuck 45 min in processing',
             'processing since 45 min', $3, $4, 'open', true, now() - interval '1 minute', now() - interval '16 minutes', now())`,
    [w.alert, `stuck:${w.stuck}`, w.stuck, w.acme],
  );
  await db.query(
    `INSERT INTO audit_log (at, actor_email, actor_roles, action, target_type, target_id, reason, incident_id, before, after, outcome, refused_code, refused_reason) VALUES
      (now() - interval '1 hour', 'intern@example.com', ARRAY['oncall'], 'controls.drain', 'controls', 'mode', 'testing', NULL,
       '{"mode":"running"}', '{"mode":"draining"}', 'refused', 'INCIDENT_ID_REQUIRED', 'An incident ID is required.')`,
  );
  await db.query(
    `INSERT INTO readiness_samples (minute, ok, failed_check, detail, instance, checked_at)
     SELECT date_trunc('minute', now()) - make_interval(mins => n), n <> 3, CASE WHEN n = 3 THEN 'database' END, NULL, 'web-1', now() - make_interval(mins => n)
       FROM generate_series(0, 9) AS n`,
  );
}
