import { closeDb, pool, prisma } from "@/lib/db/client";

/** Empties every table the tests write, keeping the migrated schema and the initial controls. */
export async function resetDatabase() {
  await pool().query(`
    TRUNCATE audit_log, uploads, upload_events, staging_rows, row_issues, metrics, worker_runs, rate_limit_buckets, api_keys, users, workspaces,
      alerts, alert_notes, partial_reviews, circuit_breakers, circuit_breaker_events, readiness_samples,
      ga_signatures, ga_signoffs, runbook_step_records, runbook_executions, postmortems, oncall_shifts, alert_notifications, accepted_unknowns CASCADE;
    UPDATE ingestion_controls SET value = CASE WHEN key = 'mode' THEN '{"mode":"running"}'::jsonb
      WHEN key = 'rollout' THEN '{"phase":"P4","allowlist":[]}'::jsonb ELSE '{"frozen":false}'::jsonb END,
      version = 1, set_by = 'test', expires_at = NULL;
  `);
}

export async function createWorkspace(slug = "acme", data: Partial<{ rowPolicy: "lenient" | "strict"; defaultCurrency: string }> = {}) {
  return prisma().workspace.create({ data: { slug, name: slug, ...data } });
}

/** The staging rows an upload holds, counted (staging_rows has no primary key, so no Prisma model). */
export async function countStagingRows(uploadId: string): Promise<number> {
  const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM staging_rows WHERE upload_id = $1`, [uploadId]);
  return rows[0].n;
}

export { closeDb, pool, prisma };
