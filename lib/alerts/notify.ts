import { getBreaker } from "@/lib/breakers/registry";
import type { CircuitBreaker } from "@/lib/breakers/circuit-breaker";
import type { Queryable } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { slackText } from "@/lib/text/user-text";
import { toAlert, type Alert } from "./alert-record";

const ICON: Record<string, string> = { info: "ℹ️", warning: "🟠", page: "🔴", critical: "🚨" };

function link(baseUrl: string, path: string) {
  return baseUrl ? `${baseUrl.replace(/\/$/, "")}${path}` : path;
}

// Alert titles and details carry user text (file names, reasons, error text): escaped, never markup.
export function openedMessage(alert: Alert, baseUrl = ""): string {
  return [
    `${ICON[alert.severity] ?? ""} [${alert.severity.toUpperCase()}] ${alert.scenario} · ${slackText(alert.title)}`,
    slackText(alert.detail),
    `Owner: ${alert.ownerRole} · Runbook: ${link(baseUrl, alert.runbookUrl)} · Alert: ${link(baseUrl, `/alerts?id=${alert.id}`)}`,
  ].join("\n");
}

export function escalatedMessage(alert: Alert, now: Date, baseUrl = ""): string {
  const minutes = Math.floor((now.getTime() - alert.openedAt.getTime()) / 60_000);
  return [
    `⏫ ESCALATED (D10-06) — unacknowledged for ${minutes} min · [${alert.severity.toUpperCase()}] ${alert.scenario} · ${slackText(alert.title)}`,
    `Escalating to the secondary on-call and the ingestion owner; PM informed. Acknowledge it in the console to stop the escalation.`,
    `Owner: ${alert.ownerRole} · Runbook: ${link(baseUrl, alert.runbookUrl)} · Alert: ${link(baseUrl, `/alerts?id=${alert.id}`)}`,
  ].join("\n");
}

/** POSTs a Slack-compatible `{ text }` through the webhook breaker; a slow or failing receiver counts against it. */
export async function postWebhook(url: string, text: string, options: { timeoutMs: number; breaker?: CircuitBreaker }): Promise<void> {
  const breaker = options.breaker ?? getBreaker("webhook");
  await breaker.run(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
  });
}

export type DeliveryOptions = { now: Date; webhookUrl?: string | null; timeoutMs: number; baseUrl?: string; limit?: number };
export type DeliveryResult = { sent: number; failed: number; deferred?: number; skipped?: string };

type Kind = { column: "open_notified_at" | "escalation_notified_at"; where: string; message: (a: Alert) => string };

/**
 * The notification outbox: a message is claimed (compare-and-set on its "notified at" column, so two
 * monitors never both send it), posted, and released for a later run if the post failed. Messages go
 * out for openings and escalations only, each with a timeout; a dead receiver costs the monitor one
 * timeout per run and never fails it.
 */
export async function deliverNotifications(db: Queryable, options: DeliveryOptions): Promise<DeliveryResult> {
  if (!options.webhookUrl) return { sent: 0, failed: 0, skipped: "ALERT_WEBHOOK_URL is not set" };
  const breaker = getBreaker("webhook");
  const gate = await breaker.isRefusing();
  if (gate.refusing) return { sent: 0, failed: 0, skipped: `webhook circuit breaker is ${gate.snapshot.state}` };
  const kinds: Kind[] = [
    { column: "open_notified_at", where: "open_notified_at IS NULL", message: (a) => openedMessage(a, options.baseUrl) },
    { column: "escalation_notified_at", where: "escalated AND escalation_notified_at IS NULL", message: (a) => escalatedMessage(a, options.now, options.baseUrl) },
  ];
  const claimed: { alert: Alert; kind: Kind }[] = [];
  for (const kind of kinds) {
    const { rows } = await db.query(
      `UPDATE alerts SET ${kind.column} = $1
        WHERE id IN (SELECT id FROM alerts WHERE active_fingerprint IS NOT NULL AND ${kind.where} ORDER BY opened_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *, (SELECT slug FROM workspaces w WHERE w.id = alerts.workspace_id) AS workspace_slug`,
      [options.now, options.limit ?? 20],
    );
    for (const row of rows) claimed.push({ alert: toAlert(row), kind });
  }
  claimed.sort((a, b) => a.alert.openedAt.getTime() - b.alert.openedAt.getTime());
  // Give a message back so that a later run sends it once the receiver is back.
  const release = ({ alert, kind }: (typeof claimed)[number]) =>
    db.query(`UPDATE alerts SET ${kind.column} = NULL WHERE id = $1 AND ${kind.column} = $2`, [alert.id, options.now]).then(
      () => undefined,
      () => undefined,
    );
  const send = (job: (typeof claimed)[number]) =>
    postWebhook(options.webhookUrl!, job.kind.message(job.alert), { timeoutMs: options.timeoutMs, breaker }).then(
      () => true,
      async (error) => {
        log.warn("alert.notify_failed", { alertId: job.alert.id, kind: job.kind.column, error: error instanceof Error ? error.message : String(error) });
        await release(job);
        return false;
      },
    );
  if (!claimed.length) return { sent: 0, failed: 0 };
  // The first message goes alone (it is the breaker's probe when half-open): if the receiver is down,
  // the run costs one timeout and the rest wait for the next run untouched.
  const [first, ...rest] = claimed;
  if (!(await send(first))) {
    await Promise.all(rest.map(release));
    return { sent: 0, failed: 1, deferred: rest.length };
  }
  const results = [true, ...(await Promise.all(rest.map(send)))];
  return { sent: results.filter(Boolean).length, failed: results.filter((ok) => !ok).length };
}
