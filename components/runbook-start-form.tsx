"use client";

import { useRouter } from "next/navigation";
import type { Execution } from "@/lib/runbooks/runbook-executions";
import { GuardedButton, type Permission } from "./guarded-button";
import { useAction } from "./api";
import { ErrorBox } from "./ui";

/** Starts an execution of a runbook for an alert or an incident, then opens it. */
export function RunbookStartForm({ runbook, permission, alertId }: { runbook: string; permission: Permission; alertId: string | null }) {
  const router = useRouter();
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
      <GuardedButton
        type="submit"
        label="Start runbook"
        pendingLabel={start.isPending && "Starting…"}
        permission={permission}
        className="bg-slate-900 text-white"
      />
      <p className="w-full text-xs text-slate-600">
        Name the incident, the alert, or both (an alert alone records the incident as alert:&lt;id&gt;). Everything you record is audited.
      </p>
      <div className="w-full">
        <ErrorBox error={start.error} />
      </div>
    </form>
  );
}
