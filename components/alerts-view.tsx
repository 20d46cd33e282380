"use client";

import Link from "next/link";
import type { AlertList } from "@/lib/alerts/list-alerts";
import type { PartialUpload } from "@/lib/alerts/partials";
import type { Permission } from "./action-form";
import { AlertTimeline } from "./alert-timeline";
import { useAction, useLive } from "./api";
import { PartialReview } from "./partial-review";
import { Empty, ErrorBox, FilterSelect, Freshness, PageHeader, RelativeTime } from "./ui";

const SEVERITY_STYLE: Record<string, string> = {
  critical: "bg-red-700 text-white",
  page: "bg-red-100 text-red-800",
  warning: "bg-amber-100 text-amber-900",
  info: "bg-slate-100 text-slate-700",
};

export function AlertsView(props: {
  query: string;
  initial: AlertList;
  partials: PartialUpload[];
  canAck: Permission;
  canAckPartial: Permission;
  canRunPartialRunbook: Permission;
}) {
  const { data, error, dataUpdatedAt } = useLive<AlertList>(["alerts", props.query], `/api/console/alerts${props.query}`, props.initial);
  const partials = useLive<{ partials: PartialUpload[] }>(["partials"], "/api/console/partials?review=all", { partials: props.partials });
  const ack = useAction<{ id: string }>((b) => `/api/console/alerts/${b.id}/acknowledge`);
  const outcome = useAction<{ id: string; outcome: string; expectedVersion: number }>((b) => `/api/console/alerts/${b.id}/outcome`);
  const list = data ?? props.initial;
  const params = new URLSearchParams(props.query);
  const denied = (p: Permission) => (p.allowed ? undefined : `Not allowed: ${p.reason}`);

  return (
    <div className="space-y-5">
      <PageHeader title="Alerts">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <p className="text-sm text-slate-600">
        Opened and resolved by the monitor from the data itself. Where a monitoring provider pages on monitoring/alerts.yml, this is the triage log beside it.
        Unacknowledged pages escalate after 15 minutes.
      </p>
      <form aria-label="Filter alerts" className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm">
        <FilterSelect name="status" label="Status" value={params.get("status")} options={["active", "open", "acknowledged", "resolved"]} />
        <FilterSelect name="ownerRole" label="Owner role" value={params.get("ownerRole")} options={["oncall", "sre_lead", "ingestion_owner", "support_lead"]} />
        <FilterSelect
          name="scenario"
          label="Scenario"
          value={params.get("scenario")}
          options={["D8", "D10-01", "D10-02", "D10-03", "D10-05", "D10-06", "D10-07", "D10-08", "D10-09", "D10-10", "WT-06"]}
        />
        <label className="flex flex-col">
          Workspace
          <input name="workspace" defaultValue={params.get("workspace") ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <button className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white">Apply</button>
        <Link href="/alerts" className="px-2 py-1.5 underline">
          Clear
        </Link>
        <span className="ml-auto text-slate-600">
          open {list.counts.open} · acknowledged {list.counts.acknowledged} · resolved {list.counts.resolved}
        </span>
      </form>
      <ErrorBox error={error ?? ack.error ?? outcome.error} />
      {list.alerts.length === 0 ? (
        <Empty>No alerts match. Nothing the monitor watches is firing.</Empty>
      ) : (
        <ul className="space-y-2">
          {list.alerts.map((a) => (
            <li
              key={a.id}
              className={`rounded-lg border bg-white p-3 ${a.status === "open" && (a.severity === "critical" || a.severity === "page") ? "border-red-600" : "border-slate-200"}`}
            >
              <div className="flex flex-wrap items-center gap-2">
                <span className={`rounded px-2 py-0.5 text-xs font-bold uppercase ${SEVERITY_STYLE[a.severity]}`}>{a.severity}</span>
                <strong>{a.title}</strong>
                <span className="text-xs text-slate-600">
                  {a.scenario} · owner {a.ownerRole} · {a.status}
                  {a.escalated ? " · ESCALATED" : ""} · opened <RelativeTime value={a.openedAt} />
                  {a.workspace ? ` · ${a.workspace}` : ""}
                </span>
              </div>
              <p className="mt-1 text-sm text-slate-700">{a.detail}</p>
              <div className="mt-2 flex flex-wrap items-center gap-3 text-sm">
                <Link href={`${a.runbookUrl}?alert=${a.id}`} className="font-semibold text-blue-700 underline">
                  Runbook →
                </Link>
                {a.uploadId && (
                  <Link href={`/uploads/${a.uploadId}`} className="text-blue-700 underline">
                    Upload
                  </Link>
                )}
                {a.status === "open" && (
                  <button
                    type="button"
                    disabled={!props.canAck.allowed || ack.isPending}
                    title={denied(props.canAck)}
                    onClick={() => ack.mutate({ id: a.id })}
                    className="rounded bg-slate-900 px-2 py-1 font-semibold text-white disabled:opacity-40"
                  >
                    Acknowledge
                  </button>
                )}
                {a.acknowledgedBy && <span className="text-slate-600">acknowledged by {a.acknowledgedBy}</span>}
                {a.status !== "open" && !a.outcome && (
                  <span className="flex gap-1">
                    {(["fixed", "expected", "false_positive"] as const).map((o) => (
                      <button
                        key={o}
                        type="button"
                        disabled={!props.canAck.allowed}
                        title={denied(props.canAck)}
                        onClick={() => outcome.mutate({ id: a.id, outcome: o, expectedVersion: a.version })}
                        className="rounded border border-slate-300 px-2 py-1 disabled:opacity-40"
                      >
                        Mark {o.replace("_", " ")}
                      </button>
                    ))}
                  </span>
                )}
                {a.outcome && <span className="text-slate-600">outcome: {a.outcome}</span>}
              </div>
              <AlertTimeline alertId={a.id} notes={a.notes} canNote={props.canAck} />
            </li>
          ))}
        </ul>
      )}

      <section aria-label="Partial promotions">
        <h2 className="text-lg font-semibold">Partial promotions (D10-02) — for the Support Lead</h2>
        {(partials.data?.partials ?? []).length === 0 ? (
          <Empty>No partial uploads: every upload was loaded in full.</Empty>
        ) : (
          <ul className="mt-2 space-y-3">
            {(partials.data?.partials ?? []).map((p) => (
              <PartialReview key={p.uploadId} p={p} canAck={props.canAckPartial} canRunbook={props.canRunPartialRunbook} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
