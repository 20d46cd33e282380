import { getBreaker } from "@/lib/breakers/registry";
import type { CircuitBreaker } from "@/lib/breakers/circuit-breaker";
import type { Queryable } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { onCallAt, productManagers, type Person, type Shift } from "@/lib/roster/roster";
import { SLACK_USER_ID } from "@/lib/roster/roster.schema";
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

/** A person by name, with a Slack mention when their member ID is set (validated, so never markup from user text). */
export function mention(person: Person): string {
  const name = slackText(person.name?.trim() || person.email);
  return person.slackUserId && SLACK_USER_ID.test(person.slackUserId) ? `<@${person.slackUserId}> (${name})` : name;
}

function escalationHead(alert: Alert, now: Date) {
  const minutes = Math.floor((now.getTime() - alert.openedAt.getTime()) / 60_000);
  return `unacknowledged for ${minutes} min · [${alert.severity.toUpperCase()}] ${alert.scenario} · ${slackText(alert.title)}`;
}

/** D10-06 "Escalate to Secondary": the secondary on-call of the roster, by name. */
export function secondaryMessage(alert: Alert, now: Date, shift: Shift | null, baseUrl = ""): string {
  const links = `Owner: ${alert.ownerRole} · Runbook: ${link(baseUrl, alert.runbookUrl)} · Alert: ${link(baseUrl, `/alerts?id=${alert.id}`)}`;
  const who = shift
    ? `${mention(shift.secondary)}, you are the secondary on-call: the primary, ${mention(shift.primary)}, has not acknowledged. Acknowledge it in the console to stop the escalation.`
    : `Nobody is on the on-call roster for ${now.toISOString().slice(0, 16).replace("T", " ")} UTC: SRE lead, take it and fill the roster (${link(baseUrl, "/oncall")}).`;
  return [`⏫ ESCALATED (D10-06) — ${escalationHead(alert, now)}`, who, links].join("\n");
}

/** D10-06 "Notify PM": awareness, not action. */
export function pmMessage(alert: Alert, now: Date, pm: Person, baseUrl = ""): string {
  return [
    `ℹ️ PM informed (D10-06) — ${escalationHead(alert, now)}`,
    `${mention(pm)}: for your awareness; the secondary on-call has been paged. No action is needed from you unless the incident needs a product decision.`,
    `Alert: ${link(baseUrl, `/alerts?id=${alert.id}`)}`,
  ].join("\n");
}

/** What the webhook answered, carried by the error when it was an HTTP status. */
export class WebhookError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null,
  ) {
    super(message);
  }
}

/** POSTs a Slack-compatible `{ text }` through the webhook breaker; answers the HTTP status. A slow or failing receiver counts against the breaker. */
export async function postWebhook(url: string, text: string, options: { timeoutMs: number; breaker?: CircuitBreaker }): Promise<number> {
  const breaker = options.breaker ?? getBreaker("webhook");
  return breaker.run(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    if (!response.ok) throw new WebhookError(`webhook answered HTTP ${response.status}`, response.status);
    return response.status;
  });
}

export type DeliveryOptions = { now: Date; webhookUrl?: string | null; timeoutMs: number; baseUrl?: string; limit?: number };
export type DeliveryResult = { sent: number; failed: number; deferred?: number; skipped?: string };

type Kind = { column: "open_notified_at" | "escalation_notified_at"; where: string };
/** One message about an alert to one recipient (or to the channel), as recorded on the alert's timeline. */
type Message = { kind: AlertNotification["kind"]; recipient: Person | null; text: string };
type Job = { alert: Alert; kind: Kind; messages: Message[] };

/** A notification of an alert with its delivery result (the alert's timeline). */
export type AlertNotification = {
  id: number;
  kind: "opened" | "escalation_secondary" | "escalation_pm";
  recipientEmail: string | null;
  recipientName: string | null;
  message: string;
  result: "sent" | "failed";
  httpStatus: number | null;
  error: string | null;
  at: Date;
};

/** Every notification of an alert, oldest first. */
export async function listAlertNotifications(db: Queryable, alertId: string): Promise<AlertNotification[]> {
  const { rows } = await db.query(`SELECT * FROM alert_notifications WHERE alert_id = $1 ORDER BY id`, [alertId]);
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    recipientEmail: r.recipient_email,
    recipientName: r.recipient_name,
    message: r.message,
    result: r.result,
    httpStatus: r.http_status,
    error: r.error,
    at: r.at,
  }));
}

async function messagesFor(db: Queryable, alert: Alert, kind: Kind, options: DeliveryOptions): Promise<Message[]> {
  if (kind.column === "open_notified_at") return [{ kind: "opened", recipient: null, text: openedMessage(alert, options.baseUrl) }];
  const [shift, pms] = await Promise.all([onCallAt(db, options.now), productManagers(db)]);
  const messages: Message[] = [
    { kind: "escalation_secondary", recipient: shift?.secondary ?? null, text: secondaryMessage(alert, options.now, shift, options.baseUrl) },
  ];
  for (const pm of pms) messages.push({ kind: "escalation_pm", recipient: pm, text: pmMessage(alert, options.now, pm, options.baseUrl) });
  // A retry after a partial failure sends only what did not go out.
  const { rows } = await db.query<{ kind: string; recipient_email: string | null }>(
    `SELECT kind, recipient_email FROM alert_notifications WHERE alert_id = $1 AND result = 'sent' AND kind LIKE 'escalation_%'`,
    [alert.id],
  );
  const sent = new Set(rows.map((r) => `${r.kind}/${r.recipient_email ?? ""}`));
  return messages.filter((m) => !sent.has(`${m.kind}/${m.recipient?.email ?? ""}`));
}

/**
 * The notification outbox: an alert's opening or escalation is claimed (compare-and-set on its
 * "notified at" column, so two monitors never both send it), then its messages are posted — an
 * escalation names the roster's secondary on-call and informs each PM (D10-06) — each attempt is
 * recorded on the alert's timeline with the webhook's answer, and the claim is released for a later
 * run when a post failed. Each post has a timeout; a dead receiver costs the monitor one timeout per
 * run and never fails it.
 */
export async function deliverNotifications(db: Queryable, options: DeliveryOptions): Promise<DeliveryResult> {
  if (!options.webhookUrl) return { sent: 0, failed: 0, skipped: "ALERT_WEBHOOK_URL is not set" };
  const breaker = getBreaker("webhook");
  const gate = await breaker.isRefusing();
  if (gate.refusing) return { sent: 0, failed: 0, skipped: `webhook circuit breaker is ${gate.snapshot.state}` };
  const kinds: Kind[] = [
    { column: "open_notified_at", where: "open_notified_at IS NULL" },
    { column: "escalation_notified_at", where: "escalated AND escalation_notified_at IS NULL" },
  ];
  const jobs: Job[] = [];
  for (const kind of kinds) {
    const { rows } = await db.query(
      `UPDATE alerts SET ${kind.column} = $1
        WHERE id IN (SELECT id FROM alerts WHERE active_fingerprint IS NOT NULL AND ${kind.where} ORDER BY opened_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *, (SELECT slug FROM workspaces w WHERE w.id = alerts.workspace_id) AS workspace_slug`,
      [options.now, options.limit ?? 20],
    );
    for (const row of rows) {
      const alert = toAlert(row);
      jobs.push({ alert, kind, messages: await messagesFor(db, alert, kind, options) });
    }
  }
  jobs.sort((a, b) => a.alert.openedAt.getTime() - b.alert.openedAt.getTime());
  // Give a claim back so that a later run sends what did not go out once the receiver is back.
  const release = ({ alert, kind }: Job) =>
    db.query(`UPDATE alerts SET ${kind.column} = NULL WHERE id = $1 AND ${kind.column} = $2`, [alert.id, options.now]).then(
      () => undefined,
      () => undefined,
    );
  const record = (alert: Alert, m: Message, result: { httpStatus: number | null; error: string | null }) =>
    db
      .query(
        `INSERT INTO alert_notifications (alert_id, kind, recipient_email, recipient_name, message, result, http_status, error, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          alert.id,
          m.kind,
          m.recipient?.email ?? null,
          m.recipient?.name ?? null,
          m.text,
          result.error ? "failed" : "sent",
          result.httpStatus,
          result.error,
          options.now,
        ],
      )
      .then(
        () => undefined,
        (error) => log.warn("alert.notification_record_failed", { alertId: alert.id, error: String(error) }),
      );
  let sent = 0;
  let failed = 0;
  /** Posts the job's messages in turn; false (and the claim released) when one failed. */
  const send = async (job: Job): Promise<boolean> => {
    for (const m of job.messages) {
      try {
        const status = await postWebhook(options.webhookUrl!, m.text, { timeoutMs: options.timeoutMs, breaker });
        await record(job.alert, m, { httpStatus: status, error: null });
        sent++;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.warn("alert.notify_failed", { alertId: job.alert.id, kind: m.kind, recipient: m.recipient?.email ?? null, error: message });
        await record(job.alert, m, { httpStatus: error instanceof WebhookError ? error.httpStatus : null, error: message });
        failed++;
        await release(job);
        return false;
      }
    }
    return true;
  };
  if (!jobs.length) return { sent: 0, failed: 0 };
  // The first job goes alone (its first message is the breaker's probe when half-open): if the
  // receiver is down, the run costs one timeout and the rest wait for the next run untouched.
  const [first, ...rest] = jobs;
  if (!(await send(first))) {
    await Promise.all(rest.map(release));
    return { sent, failed, deferred: rest.length };
  }
  await Promise.all(rest.map(send));
  return { sent, failed };
}
