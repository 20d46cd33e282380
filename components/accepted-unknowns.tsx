"use client";

import { useState } from "react";
import type { AcceptedUnknown } from "@/lib/incidents/accepted-unknowns";
import { useAction, useLive } from "./api";
import type { Permission } from "./guarded-button";
import { Empty, ErrorBox, utc } from "./ui";

/** D10-04 for the PM: record an alert rule's silence as an ACCEPTED UNKNOWN, and read the ones recorded. */
export function AcceptedUnknowns({ initial, canRecord, incidentId }: { initial: AcceptedUnknown[]; canRecord: Permission; incidentId: string }) {
  const { data } = useLive<{ acceptedUnknowns: AcceptedUnknown[] }>(["accepted-unknowns"], "/api/console/incidents/accepted-unknowns", {
    acceptedUnknowns: initial,
  });
  const record = useAction<Record<string, string>>("/api/console/incidents/accepted-unknowns");
  const [form, setForm] = useState({ incidentId, title: "", from: "", to: "", impact: "" });
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setForm({ ...form, [k]: e.target.value });
  const denied = canRecord.allowed ? null : canRecord.reason;
  const list = data?.acceptedUnknowns ?? initial;
  return (
    <section aria-label="Accepted unknowns" className="space-y-2">
      <h2 className="text-lg font-semibold">Accepted unknowns (D10-04)</h2>
      <p className="text-sm text-slate-600">
        When alerts stayed silent through an abnormal period, the PM records it here: the period, what it hid and its impact. Non-blocking, no runtime change.
      </p>
      {list.length === 0 ? (
        <Empty>No accepted unknown recorded.</Empty>
      ) : (
        <ul className="space-y-1 text-sm">
          {list.map((u) => (
            <li key={u.id} className="rounded border border-slate-200 bg-white p-2">
              <strong>{u.title}</strong> {u.incidentId && <span className="font-mono">({u.incidentId})</span>} — {utc(u.from)} → {utc(u.to)}
              <p className="whitespace-pre-wrap">{u.impact}</p>
              <p className="text-xs text-slate-600">
                recorded by {u.recordedBy} {utc(u.recordedAt)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <form
        aria-label="Record an accepted unknown"
        className="grid gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm md:grid-cols-4"
        onSubmit={(e) => {
          e.preventDefault();
          record.mutate(form, { onSuccess: () => setForm({ ...form, title: "", impact: "" }) });
        }}
      >
        <label className="flex flex-col">
          Incident ID (optional)
          <input
            value={form.incidentId}
            onChange={set("incidentId")}
            disabled={Boolean(denied)}
            className="rounded border border-slate-300 px-2 py-1 font-mono"
          />
        </label>
        <label className="flex flex-col md:col-span-3">
          What stayed silent
          <input
            value={form.title}
            onChange={set("title")}
            required
            disabled={Boolean(denied)}
            placeholder="IngestionHighErrorRate did not fire"
            className="rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col">
          From (UTC)
          <input
            type="datetime-local"
            value={form.from}
            onChange={set("from")}
            required
            disabled={Boolean(denied)}
            className="rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col">
          To (UTC)
          <input
            type="datetime-local"
            value={form.to}
            onChange={set("to")}
            required
            disabled={Boolean(denied)}
            className="rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col md:col-span-4">
          Impact
          <textarea value={form.impact} onChange={set("impact")} required disabled={Boolean(denied)} className="h-20 rounded border border-slate-300 p-1" />
        </label>
        <div className="md:col-span-4">
          <button
            disabled={Boolean(denied) || record.isPending}
            title={denied ? `Not allowed: ${denied}` : undefined}
            className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:opacity-40"
          >
            Record as accepted unknown
          </button>
          {denied && <span className="ml-2 text-xs text-slate-500">Not allowed: {denied}</span>}
        </div>
        <div className="md:col-span-4">
          <ErrorBox error={record.error} />
        </div>
      </form>
    </section>
  );
}
