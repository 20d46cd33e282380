"use client";

import Link from "next/link";
import { useLive } from "./api";
import { Empty, ErrorBox, Freshness, PageHeader, utc } from "./ui";

type Row = {
  id: number;
  at: string;
  actor: string;
  roles: string[];
  action: string;
  target: string;
  reason: string | null;
  incidentId: string | null;
  before: unknown;
  after: unknown;
  outcome: string;
  refusedReason: string | null;
};

export function AuditView({ query, initial }: { query: string; initial: Row[] }) {
  const { data, error, dataUpdatedAt } = useLive<Row[]>(["audit", query], `/api/console/audit${query}`, initial);
  const rows = data ?? initial;
  const params = new URLSearchParams(query);
  return (
    <div>
      <PageHeader title="Audit log">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <p className="mb-2 text-sm text-slate-600">Append-only: every operator action and every refused attempt, in UTC. Nobody can edit or delete an entry.</p>
      <form className="mb-3 flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm" aria-label="Filter audit log">
        {(["actor", "action", "incident"] as const).map((name) => (
          <label key={name} className="flex flex-col capitalize">
            {name}
            <input name={name} defaultValue={params.get(name) ?? ""} className="rounded border border-slate-300 px-2 py-1" />
          </label>
        ))}
        <label className="flex flex-col">
          Outcome
          <select name="outcome" defaultValue={params.get("outcome") ?? ""} className="rounded border border-slate-300 px-2 py-1">
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="refused">refused</option>
          </select>
        </label>
        <button className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white">Apply</button>
        <Link href="/audit" className="px-2 py-1.5 underline">
          Clear
        </Link>
      </form>
      <ErrorBox error={error} />
      {rows.length === 0 ? (
        <Empty>No audit entries match.</Empty>
      ) : (
        <table className="w-full border-collapse bg-white text-sm">
          <thead>
            <tr className="border-b text-left text-slate-600">
              <th className="p-2">Time (UTC)</th>
              <th className="p-2">Actor</th>
              <th className="p-2">Action</th>
              <th className="p-2">Target</th>
              <th className="p-2">Reason</th>
              <th className="p-2">Incident</th>
              <th className="p-2">Before → after</th>
              <th className="p-2">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className={`border-b align-top ${r.outcome === "refused" ? "bg-red-50" : ""}`}>
                <td className="p-2 whitespace-nowrap font-mono text-xs">{utc(r.at)}</td>
                <td className="p-2">
                  {r.actor}
                  <div className="text-xs text-slate-500">{r.roles.join(", ")}</div>
                </td>
                <td className="p-2 font-mono">{r.action}</td>
                <td className="p-2 font-mono text-xs">{r.target}</td>
                <td className="p-2">{r.reason}</td>
                <td className="p-2 font-mono">{r.incidentId}</td>
                <td className="p-2 font-mono text-xs">
                  {r.before ? JSON.stringify(r.before) : "—"} → {r.after ? JSON.stringify(r.after) : "—"}
                </td>
                <td className={`p-2 font-semibold ${r.outcome === "refused" ? "text-red-700" : "text-emerald-700"}`}>
                  {r.outcome}
                  {r.refusedReason && <div className="text-xs font-normal">{r.refusedReason}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
