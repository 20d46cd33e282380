import type pg from "pg";
import { autoDrainIfNeeded } from "@/lib/alerts/auto-drain";
import { escalateAlerts } from "@/lib/alerts/escalate-alerts";
import { deliverNotifications } from "@/lib/alerts/notify";
import { syncAlerts } from "@/lib/alerts/sync-alerts";
import { env } from "@/lib/env";
import type { SignalConfigInput } from "@/lib/signals/config";
import { resolveSignalConfig } from "@/lib/signals/resolve-config";
import { evaluateSignals } from "@/lib/signals/evaluate-signals";

export type MonitorOptions = {
  /** The monitor's clock (tests move it: "stuck 31 minutes", "unacknowledged 16 minutes"). */
  now?: Date;
  config?: SignalConfigInput;
  /** Defaults to ALERT_WEBHOOK_URL. */
  webhookUrl?: string | null;
  concurrencyLimit?: number;
};

/**
 * The monitor worker: evaluates every signal from the data, opens / refreshes / resolves alerts,
 * escalates unacknowledged ones, drains ingestion when D10-06's hard stop applies, and sends the
 * notifications. A failing signal or webhook is reported in the summary, never stops the rest.
 */
export async function runMonitor(pool: pg.Pool, options: MonitorOptions = {}): Promise<MonitorRun> {
  // One monitor at a time across instances: two evaluating at once could resolve and re-open the same alert.
  const lock = await pool.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('ingestion.monitor')) AS ok`);
    if (!rows[0].ok) return skipped("another instance is running the monitor");
    try {
      return await monitorOnce(pool, options);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext('ingestion.monitor'))`);
    }
  } finally {
    lock.release();
  }
}

export type MonitorRun = Awaited<ReturnType<typeof monitorOnce>>;

function skipped(reason: string): MonitorRun {
  return {
    items: 0,
    outcome: "skipped",
    reason,
    firing: [],
    opened: [],
    resolved: [],
    refreshed: 0,
    escalated: [],
    drain: { drained: false, why: reason },
    notifications: { sent: 0, failed: 0, skipped: reason },
    errors: [],
  };
}

async function monitorOnce(pool: pg.Pool, options: MonitorOptions) {
  const now = options.now ?? new Date();
  const config = resolveSignalConfig(options.config);
  const evaluation = await evaluateSignals({ pool, now, config, concurrencyLimit: options.concurrencyLimit ?? env().INGESTION_CONCURRENCY_LIMIT });
  const sync = await syncAlerts(pool, evaluation);
  const escalated = await escalateAlerts(pool, { now, afterMinutes: config.escalation.afterMinutes, severities: config.escalation.severities });
  const drain = await autoDrainIfNeeded(pool, { now, config });
  const notifications = await deliverNotifications(pool, {
    now,
    webhookUrl: options.webhookUrl === undefined ? env().ALERT_WEBHOOK_URL : options.webhookUrl,
    timeoutMs: env().ALERT_WEBHOOK_TIMEOUT_MS,
    baseUrl: env().NEXTAUTH_URL,
  });
  return {
    items: evaluation.firings.length,
    outcome: (evaluation.errors.length ? "error" : "ok") as "ok" | "error" | "skipped",
    reason: evaluation.errors.length ? `${evaluation.errors.length} signal(s) failed to evaluate` : undefined,
    firing: evaluation.firings.map((f) => ({ signal: f.signal, fingerprint: f.fingerprint, severity: f.severity })),
    opened: sync.opened.map((a) => a.id),
    resolved: sync.resolved.map((a) => a.id),
    refreshed: sync.refreshed,
    escalated: escalated.map((a) => a.id),
    drain,
    notifications,
    errors: evaluation.errors,
  };
}
