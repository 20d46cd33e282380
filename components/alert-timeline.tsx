"use client";

import { useState } from "react";
import type { Alert, AlertNote } from "@/lib/alerts/alert-record";
import type { AlertNotification } from "@/lib/alerts/notify";
import { useAction, useLive } from "./api";
import type { Permission } from "./guarded-button";
import { ErrorBox, utc } from "./ui";

type Detail = { alert: Alert; notes: AlertNote[]; notifications: AlertNotification[] };
type Entry = { at: string; kind: "note" | "notification"; key: string; who: string; text: string; result?: string };

const KIND_LABEL: Record<AlertNotification["kind"], string> = {
  opened: "Opened — posted to the channel",
  escalation_secondary: "Escalated to the secondary on-call",
  escalation_pm: "PM informed",
};

function entries(d: Detail): Entry[] {
  const list: Entry[] = [
    ...d.notes.map((n) => ({ at: String(n.createdAt), kind: "note" as const, key: `n${n.id}`, who: n.author, text: n.body })),
    ...d.notifications.map((n) => ({
      at: String(n.at),
      kind: "notification" as const,
      key: `w${n.id}`,
      who:
        KIND_LABEL[n.kind] +
        (n.recipientEmail
          ? ` → ${n.recipientName ? `${n.recipientName} (${n.recipientEmail})` : n.recipientEmail}`
          : n.kind === "escalation_secondary"
            ? " → nobody on the roster"
            : ""),
      text: n.message,
      result: n.result === "sent" ? `delivered (HTTP ${n.httpStatus})` : `NOT delivered: ${n.error ?? "unknown error"}`,
    })),
  ];
  return list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** An alert's timeline — triage notes and every notification with its delivery result — and a note form. */
export function AlertTimeline({ alertId, notes, canNote }: { alertId: string; notes: number; canNote: Permission }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="mt-2 text-sm" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary className="cursor-pointer text-blue-700 underline">
        Timeline and notes ({notes} note{notes === 1 ? "" : "s"})
      </summary>
      {open && <TimelineBody alertId={alertId} canNote={canNote} />}
    </details>
  );
}

function TimelineBody({ alertId, canNote }: { alertId: string; canNote: Permission }) {
  const { data, error } = useLive<Detail>(["alert", alertId], `/api/console/alerts/${alertId}`);
  const add = useAction<{ body: string }>(`/api/console/alerts/${alertId}/notes`);
  const [body, setBody] = useState("");
  const denied = canNote.allowed ? null : canNote.reason;
  return (
    <div className="mt-2 space-y-2 rounded border border-slate-200 bg-slate-50 p-2">
      <ErrorBox error={error} />
      {!data ? (
        <p className="text-slate-500">Loading…</p>
      ) : entries(data).length === 0 ? (
        <p className="text-slate-500">Nothing yet: no notes, and no notification sent (is ALERT_WEBHOOK_URL set?).</p>
      ) : (
        <ol className="space-y-1" aria-label="Alert timeline">
          {entries(data).map((e) => (
            <li key={e.key} className={`rounded border bg-white p-2 ${e.result?.startsWith("NOT") ? "border-red-400" : "border-slate-200"}`}>
              <div className="text-xs text-slate-600">
                {utc(e.at)} · {e.kind === "note" ? `note by ${e.who}` : e.who}
                {e.result && <strong className={`ml-2 ${e.result.startsWith("NOT") ? "text-red-700" : "text-emerald-700"}`}>{e.result}</strong>}
              </div>
              <p className="whitespace-pre-wrap">{e.text}</p>
            </li>
          ))}
        </ol>
      )}
      <form
        aria-label="Add a note"
        className="flex items-start gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ body }, { onSuccess: () => setBody("") });
        }}
      >
        <textarea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          aria-label="Note"
          placeholder="What you saw, what you did, who you told"
          disabled={Boolean(denied)}
          className="h-16 flex-1 rounded border border-slate-300 p-1"
        />
        <button
          disabled={Boolean(denied) || !body.trim() || add.isPending}
          title={denied ? `Not allowed: ${denied}` : undefined}
          className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:opacity-40"
        >
          Add note
        </button>
      </form>
      {denied && <p className="text-xs text-slate-500">Not allowed to add notes: {denied}</p>}
      <ErrorBox error={add.error} />
    </div>
  );
}
