"use client";

import type { ControlsView } from "@/lib/console/controls-view";
import { ActionForm, type Permission } from "./action-form";
import { useAction, useLive } from "./api";
import { ErrorBox, Freshness, PageHeader, RelativeTime, utc } from "./ui";

type Change = { reason: string; incidentId: string; expiresAt: string | null; severity: string | null };
const WORKERS = ["parse", "promote", "cleanup"] as const;
const PHASES = ["P0", "P1", "P2", "P3", "P4"];

/** Allowed if either permission allows; otherwise the first one's reason (the general privilege). */
function either(a: Permission, b: Permission): Permission {
  return a.allowed || !b.allowed ? a : b;
}

/** Allowed only if both allow; otherwise the first refusal. */
function both(a: Permission, b: Permission): Permission {
  return a.allowed ? b : a;
}

function SetBy({
  entry,
}: {
  entry: { setBy: string; setAt: string | Date; reason: string | null; incidentId: string | null; expiresAt: string | Date | null };
}) {
  return (
    <p className="text-xs text-slate-600">
      Set by <strong>{entry.setBy}</strong> <RelativeTime value={entry.setAt} /> ({utc(entry.setAt)}){entry.incidentId ? ` · ${entry.incidentId}` : ""}
      {entry.reason ? ` · “${entry.reason}”` : ""}
      {entry.expiresAt ? ` · resumes automatically at ${utc(entry.expiresAt)}` : ""}
    </p>
  );
}

export function ControlsPanel({ initial }: { initial: ControlsView }) {
  const { data, error, dataUpdatedAt } = useLive<ControlsView>(["controls"], "/api/console/controls", initial);
  const v = data ?? initial;
  const c = v.controls;
  const p = v.permissions as Record<string, Permission>;
  const mode = useAction<Change & { mode: string; expectedVersion: number }>("/api/console/controls/mode");
  const freeze = useAction<Change & { worker: string; frozen: boolean; expectedVersion: number }>("/api/console/controls/freeze");
  const pause = useAction<Change & { id: string; paused: boolean }>((b) => `/api/console/workspaces/${b.id}/pause`);
  const rollout = useAction<Change & { phase: string; allowlist: string[]; expectedVersion: number }>("/api/console/controls/rollout");
  const suspend = useAction<Change & { id: string; suspended: boolean }>((b) => `/api/console/users/${b.id}/kill-switch`);
  const current = c.mode.value.mode;
  const haltPermission = either(p["controls.halt"], p["controls.halt_p1"]);
  // Changing a halt needs what setting it needed: on-call cannot lift an SRE lead's or ingestion owner's halt.
  const halted = current === "halted";
  const liftNeedsP1 = halted && v.liftHalt.allowed && v.liftHalt.needsP1;
  const changeMode = (permission: Permission) => (halted ? both(permission, v.liftHalt) : permission);
  const incident = v.incidentIdFormat;
  const setMode = (target: string) => (f: Change) => mode.mutateAsync({ ...f, mode: target, expectedVersion: c.mode.version });

  return (
    <div className="space-y-5">
      <PageHeader title="Controls">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <ErrorBox error={error} />

      <section
        aria-label="Global mode"
        className={`rounded-lg border p-4 ${c.effectiveMode === "halted" ? "border-red-600 bg-red-50" : c.effectiveMode === "draining" ? "border-amber-400 bg-amber-50" : "border-slate-200 bg-white"}`}
      >
        <h2 className="text-lg font-semibold">
          Ingestion is <span data-testid="mode">{c.effectiveMode.toUpperCase()}</span>
        </h2>
        {c.mode.value.mode === "halted" && (
          <p className="mt-1 text-sm font-semibold text-red-800" data-testid="halt-authority">
            {c.mode.value.severity ? `Declared ${c.mode.value.severity}. ` : ""}
            {c.mode.value.authority === "controls.halt_p1"
              ? "Set by on-call during a P1: on-call (declaring the P1), an SRE lead or the ingestion owner may lift it."
              : "Set with the halt privilege: only an SRE lead, the ingestion owner or an admin may lift it."}
          </p>
        )}
        {c.envHalt ? (
          <p role="alert" className="mt-1 font-semibold text-red-800">
            INGESTION_ENABLED=false in the server environment forces a halt. The console cannot lift it: change the environment and restart.
          </p>
        ) : (
          <SetBy entry={c.mode} />
        )}
        <p className="mt-1 text-sm text-slate-700">
          Pause (drain) rejects new uploads and lets in-flight ones finish (D8 §4.1). Halt stops every worker transition at once (D10-09). Every change needs a
          reason and an incident ID and is audited.
        </p>
        {mode.error && <ErrorBox error={mode.error} />}
        <div className="mt-3 flex flex-wrap items-start gap-3">
          {current !== "draining" && (
            <ActionForm
              label="Pause ingestion"
              tone="neutral"
              withExpiry
              withSeverity={liftNeedsP1}
              permission={changeMode(p["controls.drain"])}
              incidentIdFormat={incident}
              pending={mode.isPending}
              error={mode.error}
              onSubmit={setMode("draining")}
            />
          )}
          {current !== "halted" && (
            <ActionForm
              label="Halt ingestion"
              tone="danger"
              withExpiry
              withSeverity={!p["controls.halt"].allowed}
              permission={haltPermission}
              incidentIdFormat={incident}
              pending={mode.isPending}
              error={mode.error}
              description={!p["controls.halt"].allowed ? "On-call may halt only during a declared P1." : undefined}
              onSubmit={setMode("halted")}
            />
          )}
          {current !== "running" && (
            <ActionForm
              label="Resume ingestion"
              withSeverity={liftNeedsP1}
              permission={changeMode(p["controls.resume"])}
              incidentIdFormat={incident}
              pending={mode.isPending}
              error={mode.error}
              onSubmit={setMode("running")}
            />
          )}
        </div>
      </section>

      <section aria-label="Worker freezes" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-lg font-semibold">Per-worker freeze</h2>
        <p className="text-sm text-slate-700">A frozen worker claims nothing and makes no transition; the others keep going (e.g. freeze promotion only).</p>
        {freeze.error && <ErrorBox error={freeze.error} />}
        <ul className="mt-2 space-y-3">
          {WORKERS.map((w) => {
            const entry = c.freezes[w];
            const frozen = entry.value.frozen;
            return (
              <li key={w} className="flex flex-wrap items-start gap-3" data-testid={`worker-${w}`}>
                <span className="w-24 font-mono">{w}</span>
                <span className={`w-20 font-semibold ${frozen ? "text-red-700" : "text-emerald-700"}`}>{frozen ? "FROZEN" : "running"}</span>
                <ActionForm
                  label={`${frozen ? "Unfreeze" : "Freeze"} ${w} worker`}
                  tone={frozen ? "primary" : "neutral"}
                  withExpiry={!frozen}
                  permission={p["controls.freeze_worker"]}
                  incidentIdFormat={incident}
                  pending={freeze.isPending}
                  error={freeze.error}
                  onSubmit={(f) => freeze.mutateAsync({ ...f, worker: w, frozen: !frozen, expectedVersion: entry.version })}
                />
                {entry.setBy !== "migration" && <SetBy entry={entry} />}
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-label="Workspaces" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-lg font-semibold">Workspaces</h2>
        {pause.error && <ErrorBox error={pause.error} />}
        <ul className="mt-2 space-y-3">
          {v.workspaces.map((w) => (
            <li key={w.id} className="flex flex-wrap items-start gap-3" data-testid={`workspace-${w.slug}`}>
              <span className="w-24 font-semibold">{w.slug}</span>
              <span className={`w-20 font-semibold ${w.paused ? "text-red-700" : "text-emerald-700"}`}>{w.paused ? "PAUSED" : "running"}</span>
              <ActionForm
                label={w.paused ? "Resume workspace" : "Pause workspace"}
                tone={w.paused ? "primary" : "neutral"}
                withExpiry={!w.paused}
                permission={p["controls.workspace_pause"]}
                incidentIdFormat={incident}
                pending={pause.isPending}
                error={pause.error}
                onSubmit={(f) => pause.mutateAsync({ ...f, id: w.id, paused: !w.paused })}
              />
              {w.pausedBy && (
                <SetBy entry={{ setBy: w.pausedBy, setAt: w.pausedAt!, reason: w.pauseReason, incidentId: w.pauseIncidentId, expiresAt: w.pauseExpiresAt }} />
              )}
            </li>
          ))}
        </ul>
      </section>

      <section aria-label="Rollout" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-lg font-semibold">Rollout flag ingestion_v2_enabled</h2>
        <p className="text-sm">
          Phase <strong data-testid="phase">{c.rollout.value.phase}</strong>
          {c.rollout.value.phase === "P4" ? " — generally available: every workspace." : ` — allowlist: ${c.rollout.value.allowlist.join(", ") || "(empty)"}`}
        </p>
        <SetBy entry={c.rollout} />
        {rollout.error && <ErrorBox error={rollout.error} />}
        <form
          aria-label="Change rollout"
          className="mt-2 flex flex-wrap items-end gap-2 text-sm"
          onSubmit={async (event) => {
            event.preventDefault();
            const f = new FormData(event.currentTarget);
            await rollout
              .mutateAsync({
                phase: String(f.get("phase")),
                allowlist: String(f.get("allowlist"))
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean),
                reason: String(f.get("reason")),
                incidentId: String(f.get("incidentId")),
                expiresAt: f.get("expiresAt") ? new Date(String(f.get("expiresAt"))).toISOString() : null,
                severity: null,
                expectedVersion: c.rollout.version,
              })
              .catch(() => {});
          }}
        >
          <label className="flex flex-col">
            Phase
            <select name="phase" defaultValue={c.rollout.value.phase} className="rounded border px-2 py-1">
              {PHASES.map((ph) => (
                <option key={ph}>{ph}</option>
              ))}
            </select>
          </label>
          <label className="flex flex-col">
            Allowlist (workspace slugs)
            <input name="allowlist" defaultValue={c.rollout.value.allowlist.join(", ")} className="rounded border px-2 py-1" />
          </label>
          <label className="flex flex-col">
            Reason
            <input name="reason" required className="rounded border px-2 py-1" />
          </label>
          <label className="flex flex-col">
            Incident ID
            <input
              name="incidentId"
              required
              placeholder={incident.example ?? ""}
              aria-describedby="rollout-incident-hint"
              className="rounded border px-2 py-1 font-mono"
            />
          </label>
          <label className="flex flex-col">
            Revert automatically at (optional)
            <input name="expiresAt" type="datetime-local" className="rounded border px-2 py-1" />
          </label>
          <button
            type="submit"
            disabled={!p["controls.rollout"].allowed}
            title={p["controls.rollout"].allowed ? undefined : `Not allowed: ${(p["controls.rollout"] as { reason: string }).reason}`}
            className="rounded bg-slate-900 px-3 py-1.5 font-semibold text-white disabled:opacity-40"
          >
            Set rollout
          </button>
          {!p["controls.rollout"].allowed && <span className="text-xs text-slate-500">{(p["controls.rollout"] as { reason: string }).reason}</span>}
          <p id="rollout-incident-hint" className="w-full text-xs text-slate-600">
            Incident ID: an ID {incident.hint}. A change with a revert time returns to the phase and allowlist in force before it.
          </p>
        </form>
      </section>

      <section aria-label="Kill-switch privileges" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-lg font-semibold">Kill-switch privileges (D10-05)</h2>
        {suspend.error && <ErrorBox error={suspend.error} />}
        <table className="mt-2 text-sm">
          <tbody>
            {v.users
              .filter((u) => u.roles.some((r) => ["oncall", "sre_lead", "ingestion_owner", "admin", "eng_lead"].includes(r)))
              .map((u) => (
                <tr key={u.id} className="border-b">
                  <td className="p-2">{u.email}</td>
                  <td className="p-2 text-slate-600">{u.roles.join(", ")}</td>
                  <td className={`p-2 font-semibold ${u.killSwitchSuspended ? "text-red-700" : "text-emerald-700"}`}>
                    {u.killSwitchSuspended ? "suspended" : "active"}
                  </td>
                  <td className="p-2">
                    <ActionForm
                      label={u.killSwitchSuspended ? `Restore privileges of ${u.email}` : `Suspend privileges of ${u.email}`}
                      tone="neutral"
                      permission={u.isMe ? { allowed: false, reason: "you cannot change your own kill-switch privileges" } : p["controls.suspend_kill_switch"]}
                      incidentIdFormat={incident}
                      pending={suspend.isPending}
                      error={suspend.error}
                      onSubmit={(f) => suspend.mutateAsync({ ...f, id: u.id, suspended: !u.killSwitchSuspended })}
                    />
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
