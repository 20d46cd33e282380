"use client";

import { useRouter } from "next/navigation";
import { useId } from "react";
import type { Execution } from "@/lib/runbooks/runbook-executions";
import type { Permission } from "./action-form";
import { useAction } from "./api";
import { ErrorBox } from "./ui";

/** Starts an execution of a runbook for an alert or an incident, then opens it. */
export function RunbookStartForm({ runbook, permission, alertId }: { runbook: string; permission: Permission; alertId: string | null }) {
  const router = useRouter();
  const id = useId();
  const start = useAction<{ runbook: string; alertId: string | null; incidentId: string }, Execution>("/api/console/runbooks/executions");
  const denied = !permission.allowed ? permission.reason : null;
  return (
    <form
      aria-label="Start runbook"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-300 bg-white p-3 text-sm"
      onSubmit={async (event) => {
        event.preventDefault();
        const f = new FormData(event.currentTarget);
        const started = await start
          .mutateAsync({ runbook, alertId: String(f.get("alertId") ?? "").trim() || null, incidentId: String(f.get("incidentId") ?? "") })
          .catch(() => null);
        if (started) router.push(`/runbooks/executions/${started.id}`);
      }}
    >
      <fieldset disabled={Boolean(denied)} className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col font-medium">
          Incident ID
          <input name="incidentId" placeholder="INC-1234" className="rounded border border-slate-300 px-2 py-1 font-mono" />
        </label>
        <label className="flex flex-col font-medium">
          Alert ID (optional)
          <input name="alertId" defaultValue={alertId ?? ""} className="w-80 rounded border border-slate-300 px-2 py-1 font-mono" />
        </label>
      </fieldset>
      <span className="inline-flex flex-col">
        <button
          type="submit"
          disabled={Boolean(denied) || start.isPending}
          aria-describedby={denied ? `${id}-denied` : undefined}
          title={denied ? `Not allowed: ${denied}` : undefined}
          className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:cursor-not-allowed disabled:opacity-40"
        >
          {start.isPending ? "Starting…" : "Start runbook"}
        </button>
        {denied && (
          <span id={`${id}-denied`} className="mt-0.5 text-xs text-slate-500">
            {denied}
          </span>
        )}
      </span>
      <p className="w-full text-xs text-slate-600">Name the incident, the alert, or both (an alert alone records the incident as alert:&lt;id&gt;). Everything you record is audited.</p>
      <div className="w-full">
        <ErrorBox error={start.error} />
      </div>
    </form>
  );
}
