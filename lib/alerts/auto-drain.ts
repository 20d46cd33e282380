import type pg from "pg";
import { recordAudit } from "@/lib/audit/record-audit";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { PAGING } from "@/lib/signals/catalog";
import type { SignalConfig } from "@/lib/signals/config";

/** One workspace's uploads in the error-rate window, and its part of all the failures in it. */
export type WorkspaceFailures = { workspaceId: string; slug: string; paused: boolean; failed: number; total: number; shareOfFailures: number };

export type AutoDrain =
  | { drained: true; scope: "global"; alertId: string; reason: string; figures: WorkspaceFailures[] }
  | { drained: true; scope: "workspace"; alertId: string; reason: string; workspaces: string[]; figures: WorkspaceFailures[] }
  | { drained: false; why: string; figures?: WorkspaceFailures[] };

/** "Most" of the failures: more than half of them come from one workspace. */
const MOST = 0.5;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

async function failuresByWorkspace(db: Queryable, now: Date, windowMinutes: number): Promise<WorkspaceFailures[]> {
  const { rows } = await db.query<{ id: string; slug: string; paused: boolean; failed: number; total: number }>(
    `SELECT w.id, w.slug, w.paused, count(*) FILTER (WHERE u.status = 'failed')::int AS failed, count(*)::int AS total
       FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
      WHERE u.created_at > $1::timestamptz - $2::float8 * interval '1 minute' AND u.created_at <= $1::timestamptz
      GROUP BY w.id ORDER BY failed DESC, total DESC, w.slug`,
    [now, windowMinutes],
  );
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  return rows.map((r) => ({
    workspaceId: r.id,
    slug: r.slug,
    paused: r.paused,
    failed: r.failed,
    total: r.total,
    shareOfFailures: failed ? r.failed / failed : 0,
  }));
}

/**
 * The workspaces to pause instead of draining everyone: when one workspace explains most of the
 * failures, it and any other needed to bring the rest of the traffic below page level. When that
 * would take every workspace that has failures (more than one), it is not one tenant's problem.
 */
export function pickCulprits(figures: WorkspaceFailures[], pageRate: number): WorkspaceFailures[] | null {
  const failing = figures.filter((f) => f.failed > 0);
  if (!failing.length || failing[0].shareOfFailures <= MOST) return null;
  let restFailed = figures.reduce((n, f) => n + f.failed, 0);
  let restTotal = figures.reduce((n, f) => n + f.total, 0);
  const culprits: WorkspaceFailures[] = [];
  for (const f of failing) {
    if (restTotal === 0 || restFailed / restTotal < pageRate) break;
    culprits.push(f);
    restFailed -= f.failed;
    restTotal -= f.total;
  }
  return culprits.length === failing.length && failing.length > 1 ? null : culprits;
}

const describeFigures = (figures: WorkspaceFailures[]) =>
  figures.map((f) => `${f.slug} ${f.failed}/${f.total} failed (${pct(f.shareOfFailures)} of failures)`).join(", ");

/**
 * D10-06 hard stop: when the error rate is at page level and higher than when it paged, while a
 * page-severity alert has stayed unacknowledged, the system acts itself. When one workspace explains
 * most of the failures it pauses that workspace (and any other needed to bring the rest below page
 * level) with the per-workspace pause; otherwise it drains ingestion: a compare-and-set on the mode
 * control that only moves it from "running" (an operator's drain or halt always stands). Either is
 * audited as done by the system, with the alert as its incident reference and every workspace's
 * failed/total in the window and share of the failures in its reason.
 */
export async function autoDrainIfNeeded(pool: pg.Pool, input: { now: Date; config: SignalConfig }): Promise<AutoDrain> {
  const { autoDrain, errorRate } = input.config;
  if (!autoDrain.enabled) return { drained: false, why: "auto-drain disabled" };
  const rate = await pool.query<{ id: string; value: number; opened_value: number }>(
    `SELECT id, value, opened_value FROM alerts WHERE active_fingerprint = 'error_rate'`,
  );
  const current = rate.rows[0];
  if (!current || current.value < errorRate.page) return { drained: false, why: "error rate below page level" };
  if (!(current.value > current.opened_value)) return { drained: false, why: "error rate not rising" };
  const unacked = await pool.query<{ id: string; title: string; opened_at: Date }>(
    `SELECT id, title, opened_at FROM alerts
      WHERE status = 'open' AND severity = ANY($1::"AlertSeverity"[]) AND opened_at <= $2::timestamptz - $3::float8 * interval '1 minute'
      ORDER BY opened_at LIMIT 1`,
    [PAGING, input.now, autoDrain.unacknowledgedMinutes],
  );
  const page = unacked.rows[0];
  if (!page) return { drained: false, why: "no page left unacknowledged" };
  const minutes = Math.floor((input.now.getTime() - page.opened_at.getTime()) / 60_000);
  const why =
    `error rate rose from ${pct(current.opened_value)} to ${pct(current.value)} ` +
    `while page alert ${page.id} "${page.title}" stayed unacknowledged for ${minutes} min`;
  const figures = await failuresByWorkspace(pool, input.now, errorRate.windowMinutes);
  const byWorkspace = `By workspace over the last ${errorRate.windowMinutes} min: ${describeFigures(figures)}.`;
  const incidentId = `alert:${page.id}`;
  const alertIds = [...new Set([page.id, current.id])];

  const culprits = pickCulprits(figures, errorRate.page);
  if (culprits) {
    const toPause = culprits.filter((f) => !f.paused);
    if (!toPause.length)
      return { drained: false, why: `the workspace(s) driving the failures are already paused (${culprits.map((c) => c.slug).join(", ")})`, figures };
    return withTransaction(pool, async (client) => {
      // While an operator has ingestion drained or halted, their word stands and the system adds nothing.
      const mode = await client.query<{ mode: string }>(`SELECT value->>'mode' AS mode FROM ingestion_controls WHERE key = 'mode' FOR SHARE`);
      if (mode.rows[0]?.mode !== "running") return { drained: false, why: "ingestion is not running (an operator's mode stands)", figures } as const;
      const paused: string[] = [];
      const reasons: string[] = [];
      for (const f of toPause) {
        const reason =
          `Automatic workspace pause (D10-06): workspace ${f.slug} had ${f.failed} of ${f.total} uploads fail, ` +
          `${pct(f.shareOfFailures)} of the failures, as the ${why}. ${byWorkspace}`;
        // The same compare-and-set as an operator's pause (lib/controls), by the system: it has no role
        // to check and its incident reference is the alert. A pause an operator set meanwhile stands.
        const { rows } = await client.query<{ slug: string }>(
          `UPDATE workspaces SET paused = true, paused_by = $2, paused_at = now(), pause_reason = $3, pause_incident_id = $4, pause_expires_at = NULL
            WHERE id = $1 AND NOT paused RETURNING slug`,
          [f.workspaceId, SYSTEM_ACTOR.email, reason, incidentId],
        );
        if (!rows[0]) continue;
        await recordAudit(client, {
          actor: SYSTEM_ACTOR,
          action: "controls.workspace_pause",
          targetType: "workspace",
          targetId: rows[0].slug,
          reason,
          incidentId,
          before: { paused: false },
          after: { paused: true, expiresAt: null },
          outcome: "ok",
        });
        paused.push(f.slug);
        reasons.push(reason);
      }
      if (!paused.length) return { drained: false, why: "the workspace(s) driving the failures were paused meanwhile", figures } as const;
      const reason = reasons.join("\n");
      await addNotes(client, alertIds, reason);
      log.error("controls.auto_drain", { scope: "workspace", alertId: page.id, errorRateAlertId: current.id, workspaces: paused, figures, reason });
      return { drained: true, scope: "workspace", alertId: page.id, reason, workspaces: paused, figures } as const;
    });
  }

  const reason = `Automatic drain (D10-06): ${why}. No single workspace explains most of the failures. ${byWorkspace}`;
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ old_value: unknown; value: unknown }>(
      `WITH old AS (SELECT key, value, version FROM ingestion_controls WHERE key = 'mode' FOR UPDATE)
       UPDATE ingestion_controls c
          SET value = '{"mode":"draining"}'::jsonb, version = c.version + 1, set_by = $1, set_at = now(), reason = $2, incident_id = $3, expires_at = NULL
         FROM old
        WHERE c.key = old.key AND old.value->>'mode' = 'running'
       RETURNING old.value AS old_value, c.value`,
      [SYSTEM_ACTOR.email, reason, incidentId],
    );
    if (!rows[0]) return { drained: false, why: "ingestion is not running (an operator's mode stands)", figures } as const;
    await recordAudit(client, {
      actor: SYSTEM_ACTOR,
      action: "controls.drain",
      targetType: "control",
      targetId: "mode",
      reason,
      incidentId,
      before: rows[0].old_value,
      after: rows[0].value,
      outcome: "ok",
    });
    await addNotes(client, alertIds, reason);
    log.error("controls.auto_drain", { scope: "global", alertId: page.id, errorRateAlertId: current.id, figures, reason });
    return { drained: true, scope: "global", alertId: page.id, reason, figures } as const;
  });
}

async function addNotes(db: Queryable, alertIds: string[], body: string) {
  for (const id of alertIds) await db.query(`INSERT INTO alert_notes (alert_id, author, body) VALUES ($1, $2, $3)`, [id, SYSTEM_ACTOR.email, body]);
}
