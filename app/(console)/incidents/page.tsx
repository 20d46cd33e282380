import Link from "next/link";
import { AcceptedUnknowns } from "@/components/accepted-unknowns";
import { IncidentReportView } from "@/components/incident-report-view";
import { Empty, PageHeader } from "@/components/ui";
import { decide } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { listAcceptedUnknowns } from "@/lib/incidents/accepted-unknowns";
import { timelineQuerySchema } from "@/lib/incidents/incident.schema";
import { loadIncidentReport, type IncidentReport } from "@/lib/incidents/incident-report";
import { getPostmortem, listPostmortems, recentIncidents } from "@/lib/incidents/postmortems";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

const PADDING_MS = 30 * 60_000;
/** The value of a UTC `datetime-local` field. */
const local = (iso: string) => iso.slice(0, 16);
/** (components/ui's utc() is a client function; server components format here.) */
const utc = (iso: string) => `${iso.replace("T", " ").slice(0, 19)} UTC`;
const link = (incident: string, from: string, to: string) => `/incidents?${new URLSearchParams({ incident, from: local(from), to: local(to) })}`;

export default consolePage({ permission: "console.view" }, async ({ user, searchParams: sp }) => {
  const str = (k: string) => (typeof sp[k] === "string" ? (sp[k] as string).trim() : "");
  const [recent, saved, unknowns] = await Promise.all([recentIncidents(pool()), listPostmortems(pool()), listAcceptedUnknowns(pool())]);

  const incident = str("incident");
  let from = str("from");
  let to = str("to");
  // Only the incident ID given: take the saved postmortem's window, or the span of its entries with 30 minutes either side.
  if (incident && (!from || !to)) {
    const pm = await getPostmortem(pool(), incident);
    const seen = recent.find((r) => r.incidentId === incident);
    if (pm) [from, to] = [local(pm.from), local(pm.to)];
    else if (seen)
      [from, to] = [local(new Date(Date.parse(seen.first) - PADDING_MS).toISOString()), local(new Date(Date.parse(seen.last) + PADDING_MS).toISOString())];
  }

  let report: IncidentReport | null = null;
  let problem: string | null = null;
  let query = "";
  if (incident) {
    const parsed = timelineQuerySchema.safeParse({ incident, from, to });
    if (!parsed.success)
      problem = `Give the incident ID and both times (UTC): ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
    else {
      query = `?${new URLSearchParams({ incident, from: parsed.data.from.toISOString(), to: parsed.data.to.toISOString() })}`;
      report = await loadIncidentReport(pool(), { incidentId: parsed.data.incident, from: parsed.data.from, to: parsed.data.to }).catch((error) => {
        if (error instanceof AppError) {
          problem = error.message;
          return null;
        }
        throw error;
      });
    }
  }

  return (
    <div className="space-y-5">
      <PageHeader title="Incidents and postmortems" />
      <form aria-label="Gather the timeline" className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm">
        <label className="flex flex-col font-medium">
          Incident ID
          <input name="incident" required defaultValue={incident} placeholder="INC-1234" className="rounded border border-slate-300 px-2 py-1 font-mono" />
        </label>
        <label className="flex flex-col font-medium">
          From (UTC)
          <input name="from" type="datetime-local" defaultValue={from} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col font-medium">
          To (UTC)
          <input name="to" type="datetime-local" defaultValue={to} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <button className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white">Gather timeline</button>
        <p className="w-full text-xs text-slate-600">
          Gathers alerts, control changes, runbook executions, force-failed uploads, breaker changes and audit entries between the two times, plus anything done
          under the incident ID. With only the incident ID, the window is taken from its saved postmortem or its entries.
        </p>
      </form>
      {problem && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          {problem}
        </p>
      )}
      {report && <IncidentReportView report={JSON.parse(JSON.stringify(report))} query={query} canWrite={decide(user, "postmortem.write")} />}

      <AcceptedUnknowns initial={JSON.parse(JSON.stringify(unknowns))} canRecord={decide(user, "incident.accept_unknown")} incidentId={incident} />

      <div className="grid gap-4 xl:grid-cols-2">
        <section aria-label="Recent incident IDs">
          <h2 className="text-lg font-semibold">Recent incident IDs (30 days)</h2>
          {recent.length === 0 ? (
            <Empty>No action was recorded under an incident ID in the last 30 days.</Empty>
          ) : (
            <ul className="mt-2 space-y-1 text-sm">
              {recent.map((r) => (
                <li key={r.incidentId}>
                  <Link
                    className="font-mono text-blue-700 underline"
                    href={link(r.incidentId, new Date(Date.parse(r.first) - PADDING_MS).toISOString(), new Date(Date.parse(r.last) + PADDING_MS).toISOString())}
                  >
                    {r.incidentId}
                  </Link>{" "}
                  — {r.entries} entries, {utc(r.first)} → {utc(r.last)}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-label="Saved postmortems">
          <h2 className="text-lg font-semibold">Saved postmortems</h2>
          {saved.length === 0 ? (
            <Empty>No postmortem saved yet.</Empty>
          ) : (
            <ul className="mt-2 space-y-1 text-sm">
              {saved.map((p) => (
                <li key={p.incidentId}>
                  <Link className="text-blue-700 underline" href={link(p.incidentId, p.from, p.to)}>
                    {p.title}
                  </Link>{" "}
                  <span className="font-mono">({p.incidentId})</span> — saved by {p.updatedBy} {utc(p.updatedAt)}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
});
