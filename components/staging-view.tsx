"use client";

import { useState } from "react";
import type { StagingOverview } from "@/lib/uploads/staging";
import { ActionForm, type Permission } from "./action-form";
import { useAction, useLive } from "./api";
import { Empty, ErrorBox, Freshness, PageHeader, RelativeTime, StatusBadge, Tile, timeAgo, useNow, utc } from "./ui";

type Preview = { uploads: { id: string; fileName: string; stagedRows: number; status: string; workspace: string }[]; rows: number };

export function StagingView({ initial, me, canRequest, canApprove }: { initial: StagingOverview; me: string; canRequest: Permission; canApprove: Permission }) {
  const { data, error, dataUpdatedAt } = useLive<StagingOverview>(["staging"], "/api/console/staging", initial);
  const s = data ?? initial;
  const [selected, setSelected] = useState<string[]>([]);
  const now = useNow();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const request = useAction<{ uploadIds: string[]; reason: string; incidentId: string }>("/api/console/cleanup");
  const approve = useAction<{ id: string; reason: string; incidentId: string }>((b) => `/api/console/cleanup/${b.id}/approve`);
  const level = s.bloat.bloated ? "critical" : s.bloat.rows > 10_000 ? "warn" : "ok";

  async function loadPreview(ids: string[]) {
    setSelected(ids);
    setPreview(null);
    setPreviewError(null);
    if (!ids.length) return;
    const response = await fetch(`/api/console/cleanup?uploads=${ids.join(",")}`);
    const body = await response.json();
    if (response.ok) setPreview(body);
    else setPreviewError(body.error?.message ?? "Preview failed");
  }

  return (
    <div className="space-y-5">
      <PageHeader title="Staging">
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </PageHeader>
      <ErrorBox error={error} />
      <div className="grid max-w-3xl grid-cols-1 gap-3 sm:grid-cols-2">
        <Tile
          title="Staging rows held"
          level={level}
          value={s.bloat.rows.toLocaleString("en-US")}
          detail={
            s.bloat.reasons.length
              ? `Bloat (D10-08): ${s.bloat.reasons.join("; ")}. Find why cleanup is not keeping up before deleting.`
              : "Warn above 10 000, critical above 500 000."
          }
        />
        <Tile
          title="Oldest staging rows"
          level={s.bloat.oldestAt && now !== null && now - new Date(s.bloat.oldestAt).getTime() > 7 * 86_400_000 ? "critical" : "ok"}
          value={s.bloat.oldestAt ? (now === null ? utc(s.bloat.oldestAt) : timeAgo(s.bloat.oldestAt, now)) : "—"}
          detail="Critical when older than 7 days."
        />
      </div>

      <section aria-label="Backlog by upload">
        <h2 className="text-lg font-semibold">Backlog by upload</h2>
        <p className="text-sm text-slate-600">
          Completed uploads are cleaned automatically after the retention. Partial and failed uploads keep their rows for diagnosis until a cleanup is requested
          and approved by a second person.
        </p>
        {s.uploads.length === 0 ? (
          <Empty>No staging rows are held.</Empty>
        ) : (
          <table className="mt-2 w-full border-collapse bg-white text-sm">
            <thead>
              <tr className="border-b text-left text-slate-600">
                <th className="p-2">Select</th>
                <th className="p-2">Upload</th>
                <th className="p-2">Workspace</th>
                <th className="p-2">Status</th>
                <th className="p-2">Rows held</th>
                <th className="p-2">Age</th>
              </tr>
            </thead>
            <tbody>
              {s.uploads.map((u) => (
                <tr key={u.id} className="border-b">
                  <td className="p-2">
                    <input
                      type="checkbox"
                      aria-label={`Select ${u.fileName}`}
                      checked={selected.includes(u.id)}
                      onChange={(e) => loadPreview(e.target.checked ? [...selected, u.id] : selected.filter((x) => x !== u.id))}
                    />
                  </td>
                  <td className="p-2">
                    <a className="text-blue-700 underline" href={`/uploads/${u.id}`}>
                      {u.fileName}
                    </a>
                  </td>
                  <td className="p-2">{u.workspace}</td>
                  <td className="p-2">
                    <StatusBadge status={u.status} />
                  </td>
                  <td className="p-2 font-mono">{u.stagedRows.toLocaleString("en-US")}</td>
                  <td className={`p-2 ${u.ageHours > 24 * 7 ? "font-semibold text-red-700" : ""}`}>
                    {u.ageHours < 48 ? `${u.ageHours.toFixed(1)} h` : `${(u.ageHours / 24).toFixed(1)} days`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {previewError && <ErrorBox error={new Error(previewError)} />}
        {preview && (
          <div className="mt-3 rounded-lg border border-amber-400 bg-amber-50 p-3" aria-label="Dry-run preview">
            <p className="font-semibold" data-testid="cleanup-preview">
              Dry run: {preview.rows.toLocaleString("en-US")} staging rows of {preview.uploads.length} upload(s) would be deleted.
            </p>
            <ul className="ml-4 list-disc text-sm">
              {preview.uploads.map((u) => (
                <li key={u.id}>
                  {u.fileName} ({u.workspace}, {u.status}): {u.stagedRows} rows
                </li>
              ))}
            </ul>
            <div className="mt-2">
              <ActionForm
                label="Request cleanup"
                tone="danger"
                permission={canRequest}
                incidentIdFormat={s.incidentIdFormat}
                pending={request.isPending}
                error={request.error}
                description="A different person with the approval permission must approve before anything is deleted."
                onSubmit={async (f) => {
                  await request.mutateAsync({ uploadIds: selected, reason: f.reason, incidentId: f.incidentId });
                  setSelected([]);
                  setPreview(null);
                }}
              />
            </div>
          </div>
        )}
      </section>

      <section aria-label="Cleanup requests">
        <h2 className="text-lg font-semibold">Cleanup requests</h2>
        {approve.error && <ErrorBox error={approve.error} />}
        {s.requests.length === 0 ? (
          <Empty>No cleanup has been requested.</Empty>
        ) : (
          <ul className="mt-2 space-y-2">
            {s.requests.map((r) => (
              <li key={r.id} className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid={`cleanup-${r.id}`}>
                <p>
                  <strong className="uppercase">{r.status}</strong> · {r.previewRows.toLocaleString("en-US")} rows of{" "}
                  {r.preview.map((p) => p.fileName).join(", ")} · requested by {r.requestedBy} <RelativeTime value={r.requestedAt} /> · {r.incidentId} · “
                  {r.reason}”{r.decidedBy && ` · approved by ${r.decidedBy}, ${r.deletedRows} rows deleted`}
                </p>
                {r.status === "requested" && (
                  <div className="mt-2">
                    <ActionForm
                      label="Approve cleanup"
                      tone="danger"
                      permission={r.requestedBy === me ? { allowed: false, reason: "you requested it; a different person must approve" } : canApprove}
                      incidentIdFormat={s.incidentIdFormat}
                      pending={approve.isPending}
                      error={approve.error}
                      onSubmit={(f) => approve.mutateAsync({ id: r.id, reason: f.reason, incidentId: f.incidentId })}
                    />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
