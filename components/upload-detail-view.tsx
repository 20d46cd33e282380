"use client";

import Link from "next/link";
import type { UploadDetail } from "@/lib/uploads/upload-detail";
import { ActionForm, type Permission } from "./action-form";
import { useAction, useLive } from "./api";
import { ErrorBox, Freshness, StatusBadge, utc } from "./ui";

const TERMINAL = ["completed", "partial", "failed"];

export function UploadDetailView({ initial, canForceFail, canResume }: { initial: UploadDetail; canForceFail: Permission; canResume: Permission }) {
  const { data, error, dataUpdatedAt } = useLive<UploadDetail>(["upload", initial.id], `/api/console/uploads/${initial.id}`, initial);
  const u = data ?? initial;
  const forceFail = useAction<{ expectedStatus: string; reason: string; incidentId: string }>(`/api/console/uploads/${u.id}/force-fail`);
  const resume = useAction<{ expectedStatus: string; expectedLockedBy: string | null; reason: string; incidentId: string }, { resumesFromRecord: number }>(
    `/api/console/uploads/${u.id}/resume`,
  );
  // The action is refused when nothing is to be done, and the button says why (e.g. no lease to release).
  const resumePermission: Permission = !canResume.allowed
    ? canResume
    : u.plans.resume.will === "skip"
      ? { allowed: false, reason: u.plans.resume.effect }
      : canResume;
  const finished = TERMINAL.includes(u.status);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <Link href="/uploads" className="text-sm text-blue-700 underline">
            ← Uploads
          </Link>
          <h1 className="mt-1 text-2xl font-semibold">
            {u.fileName} <StatusBadge status={u.status} />
          </h1>
          <p className="text-sm text-slate-600">
            {u.workspace} · {u.platform} · {u.source} · {(u.sizeBytes / 1024).toFixed(1)} KB · policy {u.rowPolicy} · attempts {u.attempts} ·{" "}
            <span className="font-mono">{u.id}</span>
          </p>
        </div>
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </div>
      <ErrorBox error={error} />
      {u.errorCode && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-900">
          <strong>{u.errorCode}</strong>: {u.errorText}
        </p>
      )}
      {u.rerunBlocked && (
        <p className="rounded border border-amber-400 bg-amber-50 p-3 text-amber-900">
          Partial promotion: {u.ledger.promoted} {u.ledger.promoted === 1 ? "row" : "rows"} promoted, {u.ledger.invalid}{" "}
          {u.ledger.invalid === 1 ? "record" : "records"} invalid. Staging rows are kept and automatic re-runs are blocked (D10-02); the Support Lead follows up
          with the client.
        </p>
      )}

      <section aria-label="Actions" className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-2 font-semibold">Actions</h2>
        {finished ? (
          <p className="text-sm text-slate-600">This upload is {u.status}; nothing to act on. There is no force-promote (D10-10).</p>
        ) : (
          <>
            <p className="mb-2 text-sm text-slate-700" data-testid="lease">
              {u.lockedBy ? (
                <>
                  Lease held by <span className="font-mono">{u.lockedBy}</span> until {utc(u.leaseExpiresAt)}
                </>
              ) : (
                "No worker holds a lease."
              )}{" "}
              · checkpoint: record {u.parsedRecords.toLocaleString("en-US")} · attempt {u.attempts} · last change {utc(u.updatedAt)}
            </p>
            <p className="mb-3 max-w-3xl text-sm text-slate-600">
              Stuck (D10-10)? Decide: <strong>resume</strong> releases the lease so the next worker takes it at once and continues from the checkpoint, or{" "}
              <strong>abort</strong> (force-fail). Uploads are never pushed to completed by hand.
            </p>
            <div className="flex flex-wrap items-start gap-3">
              <ActionForm
                label="Resume"
                tone="primary"
                permission={resumePermission}
                pending={resume.isPending}
                error={resume.error}
                description={<Plan plan={u.plans.resume} />}
                onSubmit={({ reason, incidentId }) => resume.mutateAsync({ expectedStatus: u.status, expectedLockedBy: u.lockedBy, reason, incidentId })}
              />
              <ActionForm
                label="Force-fail"
                tone="danger"
                permission={canForceFail}
                pending={forceFail.isPending}
                error={forceFail.error}
                description={<Plan plan={u.plans.forceFail} />}
                onSubmit={({ reason, incidentId }) => forceFail.mutateAsync({ expectedStatus: u.status, reason, incidentId })}
              />
            </div>
          </>
        )}
        {resume.isSuccess && (
          <p className="mt-2 text-sm font-semibold text-emerald-700" role="status">
            Lease released; the next worker resumes from record {resume.data.resumesFromRecord.toLocaleString("en-US")}. Recorded in the audit log.
          </p>
        )}
        {forceFail.isSuccess && <p className="mt-2 text-sm font-semibold text-emerald-700">Force-failed; recorded in the audit log.</p>}
      </section>

      <section aria-label="Row ledger" className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="font-semibold">Row ledger</h2>
        <p className={`mt-1 font-mono text-lg ${u.ledger.balanced ? "" : "text-red-700"}`} data-testid="ledger">
          total {u.ledger.total} = valid {u.ledger.valid} + invalid {u.ledger.invalid} + ignored {u.ledger.ignored}{" "}
          {u.ledger.balanced ? "✓" : "✗ DOES NOT ADD UP"}
        </p>
        <p className="text-sm text-slate-700">
          promoted {u.ledger.promoted} · staging rows held {u.ledger.staged} ·{" "}
          <span data-testid="dates">{u.dates ? `dates ${u.dates.first} → ${u.dates.last}` : "no valid rows staged yet"}</span>
        </p>
      </section>

      <div className="grid gap-4 xl:grid-cols-2">
        <IssueGroups title="Invalid records by rule" groups={u.invalid} empty="No invalid records." />
        <IssueGroups title="Ignored records by reason" groups={u.ignored} empty="No ignored records." />
      </div>

      <section aria-label="Timeline" className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="font-semibold">State timeline</h2>
        <ol className="mt-2 space-y-1 text-sm">
          {u.timeline.map((e, i) => (
            <li key={i} className="flex flex-wrap gap-2">
              <span className="font-mono text-slate-500">{utc(e.at)}</span>
              <span>
                {e.from ?? "∅"} → <strong>{e.to}</strong>
              </span>
              <span className="text-slate-700">by {e.actor}</span>
              {e.incidentId && <span className="font-mono">{e.incidentId}</span>}
              {e.reason && <span className="text-slate-600">— {e.reason}</span>}
            </li>
          ))}
        </ol>
      </section>

      <section aria-label="Lineage" className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="font-semibold">Lineage: production rows this upload last wrote ({u.lineage.count})</h2>
        {u.lineage.count === 0 ? (
          <p className="text-sm text-slate-600">None (not promoted yet, or every row already had these values).</p>
        ) : (
          <table className="mt-2 text-sm">
            <thead>
              <tr className="text-left text-slate-600">
                <th className="pr-4">Date</th>
                <th className="pr-4">Campaign</th>
                <th className="pr-4">Spend</th>
                <th className="pr-4">Impr.</th>
                <th>Clicks</th>
              </tr>
            </thead>
            <tbody>
              {u.lineage.sample.map((m, i) => (
                <tr key={i}>
                  <td className="pr-4 font-mono">{m.date}</td>
                  <td className="pr-4">
                    {m.campaign_id} · {m.campaign_name}
                  </td>
                  <td className="pr-4 font-mono">{m.spend}</td>
                  <td className="pr-4 font-mono">{m.impressions}</td>
                  <td className="font-mono">{m.clicks}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function Plan({ plan }: { plan: UploadDetail["plans"]["resume"] }) {
  return (
    <div data-testid="plan">
      <p>{plan.effect}</p>
      {plan.warnings.map((w) => (
        <p key={w} className="mt-1 text-amber-800">
          ⚠ {w}
        </p>
      ))}
    </div>
  );
}

function IssueGroups({ title, groups, empty }: { title: string; groups: UploadDetail["invalid"]; empty: string }) {
  return (
    <section aria-label={title} className="rounded-lg border border-slate-200 bg-white p-3">
      <h2 className="font-semibold">{title}</h2>
      {groups.length === 0 ? (
        <p className="text-sm text-slate-600">{empty}</p>
      ) : (
        groups.map((g) => (
          <details key={g.rule} className="mt-2" open={groups.length <= 3}>
            <summary className="cursor-pointer">
              <strong>{g.rule}</strong> — {g.count}
            </summary>
            <ul className="ml-4 mt-1 space-y-1 text-sm">
              {g.samples.map((s) => (
                <li key={s.lineNo}>
                  <span className="font-mono text-slate-500">line {s.lineNo}</span> {s.message}
                  {/* Rendered as text: a cell like =HYPERLINK(...) is shown, never evaluated. */}
                  {s.raw && <pre className="mt-0.5 overflow-x-auto whitespace-pre-wrap rounded bg-slate-50 p-1 text-xs">{s.raw}</pre>}
                </li>
              ))}
            </ul>
          </details>
        ))
      )}
    </section>
  );
}
