"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { IncidentReport } from "@/lib/incidents/incident-report";
import type { TimelineSource } from "@/lib/incidents/incident-timeline";
import type { Postmortem } from "@/lib/incidents/postmortems";
import type { Permission } from "./action-form";
import { useAction } from "./api";
import { Empty, ErrorBox, utc } from "./ui";

const SOURCE_STYLE: Record<TimelineSource, string> = {
  alert: "bg-red-100 text-red-800",
  control: "bg-violet-100 text-violet-800",
  runbook: "bg-blue-100 text-blue-800",
  upload: "bg-amber-100 text-amber-900",
  breaker: "bg-orange-100 text-orange-900",
  audit: "bg-slate-200 text-slate-800",
};

/** The gathered timeline, the written part of the postmortem, and its Markdown export. */
export function IncidentReportView({ report, query, canWrite }: { report: IncidentReport; query: string; canWrite: Permission }) {
  const router = useRouter();
  const t = report.timeline;
  const pm = report.postmortem;
  const save = useAction<Record<string, unknown>, Postmortem>("/api/console/incidents/postmortem");
  const [saved, setSaved] = useState(false);
  const denied = !canWrite.allowed ? canWrite.reason : null;

  return (
    <div className="space-y-5">
      <section aria-label="Facts" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-lg font-semibold">
          {t.incidentId}: {utc(t.from)} → {utc(t.to)}
        </h2>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-sm">
          {t.facts.map((f, i) => (
            <li key={i}>{f}</li>
          ))}
        </ul>
        {t.truncated.length > 0 && (
          <p className="mt-2 text-sm text-amber-800">Only the first 500 entries of {t.truncated.join(", ")} are shown: narrow the window.</p>
        )}
      </section>

      <section aria-label="Postmortem draft" className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-lg font-semibold">Postmortem draft</h2>
          <a href={`/api/console/incidents/markdown${query}`} download className="rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-semibold">
            Export Markdown
          </a>
        </div>
        <p className="text-sm text-slate-600">
          {pm ? `Saved by ${pm.updatedBy} ${utc(pm.updatedAt)} (version ${pm.version}).` : "Not saved yet."} The timeline and facts are gathered from the data
          each time.
        </p>
        <form
          key={pm?.version ?? 0}
          aria-label="Postmortem"
          className="mt-2 space-y-2 text-sm"
          onSubmit={async (event) => {
            event.preventDefault();
            const f = new FormData(event.currentTarget);
            setSaved(false);
            const ok = await save
              .mutateAsync({
                incidentId: t.incidentId,
                from: t.from,
                to: t.to,
                title: String(f.get("title") ?? ""),
                whatHappened: String(f.get("whatHappened") ?? ""),
                why: String(f.get("why") ?? ""),
                whatChanged: String(f.get("whatChanged") ?? ""),
                expectedVersion: pm?.version ?? 0,
              })
              .then(
                () => true,
                () => false,
              );
            if (ok) {
              setSaved(true);
              router.refresh();
            }
          }}
        >
          <fieldset disabled={Boolean(denied)} className="space-y-2">
            <label className="flex flex-col font-medium">
              Title
              <input name="title" required minLength={3} defaultValue={pm?.title ?? ""} className="rounded border border-slate-300 px-2 py-1 font-normal" />
            </label>
            <label className="flex flex-col font-medium">
              What happened
              <textarea
                name="whatHappened"
                rows={4}
                defaultValue={pm?.whatHappened ?? ""}
                placeholder="The impact, who noticed, how it unfolded."
                className="rounded border border-slate-300 px-2 py-1 font-normal"
              />
            </label>
            <label className="flex flex-col font-medium">
              Why
              <textarea
                name="why"
                rows={3}
                defaultValue={pm?.why ?? ""}
                placeholder="The root cause and the contributing factors."
                className="rounded border border-slate-300 px-2 py-1 font-normal"
              />
            </label>
            <label className="flex flex-col font-medium">
              What we changed
              <textarea
                name="whatChanged"
                rows={3}
                defaultValue={pm?.whatChanged ?? ""}
                placeholder="Fixes, follow-ups with owners and dates, runbook updates."
                className="rounded border border-slate-300 px-2 py-1 font-normal"
              />
            </label>
          </fieldset>
          <div className="flex items-center gap-2">
            <button
              type="submit"
              disabled={Boolean(denied) || save.isPending}
              title={denied ? `Not allowed: ${denied}` : undefined}
              className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:cursor-not-allowed disabled:opacity-40"
            >
              Save draft
            </button>
            {denied && <span className="text-xs text-slate-500">{denied}</span>}
            {saved && !save.error && (
              <span role="status" className="text-emerald-700">
                Draft saved.
              </span>
            )}
          </div>
          <ErrorBox error={save.error} />
        </form>
      </section>

      <section aria-label="Timeline">
        <h2 className="text-lg font-semibold">Timeline (UTC), {t.entries.length} entries</h2>
        <p className="text-sm text-slate-600">
          {Object.entries(t.counts)
            .map(([s, n]) => `${s} ${n}`)
            .join(" · ")}
        </p>
        {t.entries.length === 0 ? (
          <Empty>Nothing happened in this window and nothing was done under this incident ID.</Empty>
        ) : (
          <table className="mt-2 w-full border-collapse bg-white text-sm">
            <thead>
              <tr className="border-b text-left text-slate-600">
                <th className="p-2">Time</th>
                <th className="p-2">Source</th>
                <th className="p-2">Event</th>
                <th className="p-2">Who</th>
                <th className="p-2">Incident</th>
                <th className="p-2">Detail</th>
              </tr>
            </thead>
            <tbody>
              {t.entries.map((e, i) => (
                <tr key={i} className={`border-b align-top ${e.refused ? "bg-red-50" : e.incidentId === t.incidentId ? "bg-blue-50/40" : ""}`}>
                  <td className="p-2 font-mono text-xs whitespace-nowrap">{utc(e.at)}</td>
                  <td className="p-2">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${SOURCE_STYLE[e.source]}`}>{e.source}</span>
                  </td>
                  <td className="p-2">
                    {e.href ? (
                      <a className="text-blue-700 underline" href={e.href}>
                        {e.title}
                      </a>
                    ) : (
                      e.title
                    )}
                  </td>
                  <td className="p-2">{e.actor ?? "—"}</td>
                  <td className="p-2 font-mono text-xs">{e.incidentId ?? ""}</td>
                  <td className="p-2 text-xs text-slate-700">{e.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <details className="rounded-lg border border-slate-200 bg-white p-3">
        <summary className="cursor-pointer font-semibold">Markdown preview</summary>
        <pre className="mt-2 overflow-x-auto whitespace-pre-wrap text-xs" data-testid="postmortem-markdown">
          {report.markdown}
        </pre>
      </details>
    </div>
  );
}
