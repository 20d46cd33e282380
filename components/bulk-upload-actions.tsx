"use client";

import { useState } from "react";
import type { BulkAction, BulkOutcome, BulkPreview } from "@/lib/uploads/bulk-actions";
import type { UploadFilters } from "@/lib/uploads/list-uploads";
import { useAction, type ApiError } from "./api";
import type { Permission } from "./guarded-button";
import { GuardedButton } from "./guarded-button";
import { StatusBadge, utc } from "./ui";

const LABEL: Record<BulkAction, string> = { force_fail: "Force-fail", resume: "Resume", acknowledge_partial: "Acknowledge partials" };
const ROUTE: Record<BulkAction, string> = { force_fail: "force-fail", resume: "resume", acknowledge_partial: "acknowledge" };
const OUTCOME_STYLE: Record<BulkOutcome["outcome"], string> = { done: "text-emerald-700", changed: "text-amber-800", skipped: "text-slate-600" };

export type Selection = { ids: string[] } | { filter: Partial<UploadFilters> };

/**
 * Bulk operator actions on the uploads list: preview what the action will do to each selected upload
 * (computed on the server), then confirm with one reason and incident ID (a note for partials). Each
 * upload is changed on its own compare-and-set; those that changed meanwhile are listed, not overwritten.
 */
export function BulkUploadActions({ selection, count, permissions }: { selection: Selection; count: string; permissions: Record<BulkAction, Permission> }) {
  const [action, setAction] = useState<BulkAction | null>(null);
  const preview = useAction<{ action: BulkAction } & Selection, BulkPreview>("/api/console/uploads/bulk/preview");
  const apply = useAction<Record<string, unknown> & { action: BulkAction }, { results: BulkOutcome[] }>(
    (body) => `/api/console/uploads/bulk/${ROUTE[body.action]}`,
  );
  const plan = action && preview.data?.action === action ? preview.data : null;
  const results = apply.data?.results;

  const start = (a: BulkAction) => {
    setAction(a);
    apply.reset();
    preview.mutate({ action: a, ...selection });
  };

  return (
    <section aria-label="Bulk actions" className="mb-3 rounded-lg border border-blue-300 bg-blue-50/60 p-3 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <strong data-testid="bulk-count">{count}</strong>
        {(Object.keys(LABEL) as BulkAction[]).map((a) => (
          <GuardedButton
            key={a}
            label={`Preview: ${LABEL[a]}`}
            permission={permissions[a]}
            onClick={() => start(a)}
            className="border border-slate-400 bg-white text-slate-900 hover:bg-slate-100"
          />
        ))}
      </div>
      {preview.isPending && <p className="mt-2">Computing the preview…</p>}
      <ErrorLine error={preview.error} />
      {plan && !results && (
        <div className="mt-3">
          <p className="font-semibold" data-testid="bulk-summary">
            {LABEL[plan.action]}: {plan.apply} of {plan.items.length} will change; {plan.skip} will be left as they are.
          </p>
          <PreviewTable plan={plan} />
          {plan.apply > 0 ? (
            <ConfirmForm
              action={plan.action}
              count={plan.apply}
              pending={apply.isPending}
              error={apply.error}
              onSubmit={(fields) =>
                apply.mutateAsync({ action: plan.action, ...fields, items: plan.items.filter((i) => i.will === "apply").map((i) => i.expected) })
              }
            />
          ) : (
            <p className="mt-2 text-slate-700">Nothing to do: every selected upload would be left as it is.</p>
          )}
        </div>
      )}
      {results && plan && (
        <div className="mt-3" data-testid="bulk-results">
          <p className="font-semibold">
            {LABEL[plan.action]}: {results.filter((r) => r.outcome === "done").length} done, {results.filter((r) => r.outcome === "changed").length} changed
            meanwhile (left untouched), {results.filter((r) => r.outcome === "skipped").length} refused.
          </p>
          <table className="mt-2 w-full border-collapse bg-white">
            <tbody>
              {results.map((r) => (
                <tr key={r.id} className="border-b" data-testid={`bulk-result-${r.id}`}>
                  <td className="p-1.5">{plan.items.find((i) => i.id === r.id)?.fileName}</td>
                  <td className={`p-1.5 font-semibold ${OUTCOME_STYLE[r.outcome]}`}>{r.outcome}</td>
                  <td className="p-1.5">{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function PreviewTable({ plan }: { plan: BulkPreview }) {
  return (
    <table className="mt-2 w-full border-collapse bg-white" data-testid="bulk-preview">
      <thead>
        <tr className="border-b text-left text-slate-600">
          <th className="p-1.5">File</th>
          <th className="p-1.5">Workspace</th>
          <th className="p-1.5">Status</th>
          <th className="p-1.5">Lease</th>
          <th className="p-1.5">What it will do</th>
        </tr>
      </thead>
      <tbody>
        {plan.items.map((i) => (
          <tr key={i.id} className={`border-b ${i.will === "skip" ? "text-slate-500" : ""}`} data-testid={`bulk-plan-${i.id}`}>
            <td className="p-1.5">{i.fileName}</td>
            <td className="p-1.5">{i.workspace}</td>
            <td className="p-1.5">
              <StatusBadge status={i.status} />
            </td>
            <td className="p-1.5 font-mono text-xs">{i.lockedBy ? `${i.lockedBy} until ${utc(i.leaseExpiresAt)}` : "—"}</td>
            <td className="p-1.5">
              <strong>{i.will === "apply" ? "Will change" : "Left as is"}:</strong> {i.effect}
              {i.warnings.map((w) => (
                <span key={w} className="block text-amber-800">
                  ⚠ {w}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ConfirmForm(props: {
  action: BulkAction;
  count: number;
  pending: boolean;
  error: ApiError | null;
  onSubmit: (fields: Record<string, string>) => Promise<unknown>;
}) {
  const label = `Confirm: ${LABEL[props.action]} ${props.count} upload${props.count === 1 ? "" : "s"}`;
  return (
    <form
      aria-label="Confirm bulk action"
      className="mt-3 flex max-w-xl flex-col gap-2 rounded border border-slate-300 bg-white p-3"
      onSubmit={async (event) => {
        event.preventDefault();
        const fields = Object.fromEntries([...new FormData(event.currentTarget).entries()].map(([k, v]) => [k, String(v)]));
        await props.onSubmit(fields).catch(() => {});
      }}
    >
      {props.action === "acknowledge_partial" ? (
        <label className="font-medium">
          Ticket / note (kept on each alert)
          <input name="note" required minLength={3} className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
        </label>
      ) : (
        <>
          <label className="font-medium">
            Reason
            <input name="reason" required minLength={3} className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
          </label>
          <label className="font-medium">
            Incident ID
            <input name="incidentId" required placeholder="INC-1234" className="mt-1 w-full rounded border border-slate-300 px-2 py-1 font-mono" />
          </label>
        </>
      )}
      <ErrorLine error={props.error} />
      <button
        type="submit"
        disabled={props.pending}
        className={`self-start rounded px-3 py-1.5 font-semibold text-white ${props.action === "force_fail" ? "bg-red-700" : "bg-slate-900"}`}
      >
        {props.pending ? "Working…" : label}
      </button>
    </form>
  );
}

function ErrorLine({ error }: { error: ApiError | null }) {
  return error ? (
    <p role="alert" className="mt-2 rounded bg-red-50 px-2 py-1 text-red-800">
      {error.message}
    </p>
  ) : null;
}
