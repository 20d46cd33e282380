"use client";

import Link from "next/link";
import type { Execution } from "@/lib/runbooks/runbook-executions";
import { EXECUTION_STATUSES, STEP_RESULTS, type ExecutionFilters } from "@/lib/runbooks/runbook.schema";
import { ExecutionStatusBadge, ResultBadge } from "./runbook-steps";
import { Empty, PageHeader, utc } from "./ui";

/** The execution log: filters (as a GET form, so a filtered view is a link), CSV export of the same filter, every step with its result. */
export function RunbookLogView({ executions, filters, query, slugs }: { executions: Execution[]; filters: ExecutionFilters; query: string; slugs: string[] }) {
  return (
    <div className="space-y-4">
      <PageHeader title="Runbook execution log">
        <a
          href={`/api/console/runbooks/executions/export${query}`}
          className="rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-semibold"
          download
        >
          Export CSV
        </a>
      </PageHeader>
      <form aria-label="Filter executions" className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm">
        <label className="flex flex-col">
          Runbook
          <select name="runbook" defaultValue={filters.runbook ?? ""} className="rounded border border-slate-300 px-2 py-1">
            <option value="">any</option>
            {slugs.map((slug) => (
              <option key={slug} value={slug}>
                {slug}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Status
          <select name="status" defaultValue={filters.status ?? ""} className="rounded border border-slate-300 px-2 py-1">
            <option value="">any</option>
            {EXECUTION_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Step result
          <select name="result" defaultValue={filters.result ?? ""} className="rounded border border-slate-300 px-2 py-1">
            <option value="">any</option>
            {STEP_RESULTS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Person
          <input name="person" defaultValue={filters.person ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col">
          Incident
          <input name="incident" defaultValue={filters.incident ?? ""} className="rounded border border-slate-300 px-2 py-1 font-mono" />
        </label>
        <label className="flex flex-col">
          From
          <input type="date" name="from" defaultValue={filters.from ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col">
          To
          <input type="date" name="to" defaultValue={filters.to ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <button className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white">Apply</button>
        <Link href="/runbooks/executions" className="px-2 py-1.5 underline">
          Clear
        </Link>
      </form>
      {executions.length === 0 ? (
        <Empty>No runbook execution matches.</Empty>
      ) : (
        <ul className="space-y-3">
          {executions.map((e) => (
            <li key={e.id} className="rounded-lg border border-slate-200 bg-white p-3" data-testid={`execution-${e.id}`}>
              <div className="flex flex-wrap items-center gap-2">
                <Link href={`/runbooks/executions/${e.id}`} className="font-semibold text-blue-700 underline">
                  {e.runbookTitle}
                </Link>
                <ExecutionStatusBadge status={e.status} />
                <span className="font-mono text-sm">{e.incidentId}</span>
                <span className="text-sm text-slate-600">
                  started by {e.startedBy} {utc(e.startedAt)}
                  {e.closedAt ? ` · closed by ${e.closedBy} ${utc(e.closedAt)}` : ""}
                </span>
              </div>
              {e.closingNote && <p className="text-sm text-slate-700">Outcome note: {e.closingNote}</p>}
              {e.records.length === 0 ? (
                <p className="text-sm text-slate-500">No step recorded.</p>
              ) : (
                <table className="mt-2 w-full border-collapse text-sm">
                  <thead>
                    <tr className="border-b text-left text-slate-600">
                      <th className="p-1">Time (UTC)</th>
                      <th className="p-1">Step</th>
                      <th className="p-1">Result</th>
                      <th className="p-1">Note</th>
                      <th className="p-1">By</th>
                    </tr>
                  </thead>
                  <tbody>
                    {e.records.map((r) => (
                      <tr key={r.id} className="border-b align-top" data-testid={`log-step-${r.stepId}`}>
                        <td className="p-1 font-mono text-xs whitespace-nowrap">{utc(r.recordedAt)}</td>
                        <td className="p-1">
                          {r.stepId} {r.title}
                        </td>
                        <td className="p-1">
                          <ResultBadge result={r.result} />
                        </td>
                        <td className="p-1">{r.note}</td>
                        <td className="p-1">{r.recordedBy}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
