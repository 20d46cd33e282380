"use client";

import Link from "next/link";
import { useState } from "react";
import type { PartialUpload } from "@/lib/alerts/partials";
import { useAction } from "./api";
import type { Permission } from "./guarded-button";
import { ErrorBox, utc } from "./ui";

const rule = (r: string) => r.replaceAll("_", " ");

/** One partial promotion for the Support Lead (D10-02): what was not loaded, per campaign, and the review. */
export function PartialReview({ p, canAck, canRunbook }: { p: PartialUpload; canAck: Permission; canRunbook: Permission }) {
  const ack = useAction<{ id: string; note: string; ticket?: string }>((b) => `/api/console/partials/${b.id}/acknowledge`);
  const [note, setNote] = useState("");
  const [ticket, setTicket] = useState("");
  const denied = canAck.allowed ? null : canAck.reason;
  return (
    <li className="rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm" data-testid={`partial-${p.uploadId}`}>
      <p className="font-semibold">
        {p.workspace.slug} · {p.fileName} — {p.promotedRows} of {p.validRows + p.invalidRows} rows loaded, {p.invalidRows} not loaded · re-run blocked
      </p>
      <p className="text-slate-700">
        Loaded {p.campaignCount} campaign{p.campaignCount === 1 ? "" : "s"}
        {p.dates.first ? ` from ${p.dates.first} to ${p.dates.last}` : ""}.{" "}
        <Link href={`/uploads/${p.uploadId}`} className="text-blue-700 underline">
          Upload
        </Link>
        {" · "}
        {canRunbook.allowed ? (
          <Link href={`/runbooks/d10-02-partial-promotion${p.alert ? `?alert=${p.alert.id}` : ""}`} className="font-semibold text-blue-700 underline">
            Run the D10-02 runbook →
          </Link>
        ) : (
          <span className="text-slate-500">D10-02 runbook: {canRunbook.reason}</span>
        )}
      </p>
      <h3 className="mt-2 font-semibold">Campaigns not fully loaded ({p.notFullyPromoted.length})</h3>
      {p.campaignsProblem && <p className="text-red-800">Campaigns could not be read from the rows: {p.campaignsProblem}.</p>}
      <table className="mt-1 w-full border-collapse bg-white text-xs" aria-label="Campaigns not fully loaded">
        <thead>
          <tr className="border-b text-left text-slate-600">
            <th className="p-1">Campaign</th>
            <th className="p-1">Rows lost / in file</th>
            <th className="p-1">Why (rule × rows, sample lines)</th>
            <th className="p-1">Dates affected</th>
          </tr>
        </thead>
        <tbody>
          {p.notFullyPromoted.map((c) => (
            <tr key={`${c.campaignId}/${c.campaignName}`} className="border-b align-top">
              <td className="p-1">
                <strong>{c.campaignName ?? "—"}</strong>
                <div className="font-mono text-slate-600">{c.campaignId ?? "campaign ID unreadable"}</div>
              </td>
              <td className="p-1">
                {c.rowsLost} / {c.campaignId ? c.rowsLoaded + c.rowsLost : "?"}
              </td>
              <td className="p-1">
                <ul>
                  {c.byRule.map((r) => (
                    <li key={r.rule}>
                      <strong>{rule(r.rule)}</strong> × {r.rows}
                      {r.samples.map((s) => (
                        <div key={s.lineNo} className="text-slate-700">
                          line {s.lineNo}: {s.message} <code className="break-all text-slate-500">{s.raw}</code>
                        </div>
                      ))}
                    </li>
                  ))}
                </ul>
              </td>
              <td className="p-1">
                {c.dates.join(", ") || "—"}
                {c.moreDates ? ` +${c.moreDates} more` : ""}
                {c.unreadableDates ? <div className="text-slate-600">{c.unreadableDates} with an unreadable date</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.unattributedRows > 0 && <p className="text-slate-700">and {p.unattributedRows} more invalid rows not broken down by campaign.</p>}
      <details className="mt-2">
        <summary className="cursor-pointer">Client-ready summary</summary>
        <textarea readOnly value={p.summary} aria-label="Client-ready summary" className="mt-1 h-48 w-full rounded border p-2 font-mono text-xs" />
        <button type="button" className="mt-1 rounded border px-2 py-1" onClick={() => navigator.clipboard?.writeText(p.summary)}>
          Copy summary
        </button>
      </details>
      {p.review ? (
        <p className="mt-2 rounded border border-emerald-300 bg-white p-2" data-testid="partial-review">
          Reviewed by {p.review.acknowledgedBy} at {utc(p.review.acknowledgedAt)}
          {p.review.ticket ? ` · ticket ${p.review.ticket}` : ""}: {p.review.note}
        </p>
      ) : (
        <form
          aria-label="Acknowledge partial"
          className="mt-2 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            ack.mutate({ id: p.uploadId, note, ...(ticket.trim() ? { ticket } : {}) });
          }}
        >
          <label className="flex flex-col">
            Ticket
            <input
              value={ticket}
              onChange={(e) => setTicket(e.target.value)}
              placeholder="SUP-123"
              disabled={Boolean(denied)}
              className="w-32 rounded border border-slate-300 px-2 py-1"
            />
          </label>
          <label className="flex flex-1 flex-col">
            What you told the client (required)
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              required
              disabled={Boolean(denied)}
              className="rounded border border-slate-300 px-2 py-1"
            />
          </label>
          <button
            disabled={Boolean(denied) || !note.trim() || ack.isPending}
            title={denied ? `Not allowed: ${denied}` : undefined}
            className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:opacity-40"
          >
            Acknowledge partial
          </button>
          {denied && <span className="w-full text-xs text-slate-500">Not allowed: {denied}</span>}
        </form>
      )}
      <ErrorBox error={ack.error} />
      {p.notes.length > 0 && (
        <ul className="mt-2 space-y-1 text-xs" aria-label="Notes">
          {p.notes.map((n) => (
            <li key={n.id}>
              {utc(n.createdAt)} · {n.author}: {n.body}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
