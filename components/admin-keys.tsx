"use client";

import type { ApiKeysView } from "@/lib/auth/api-keys";
import { AccessStatus, AdminReasonForm } from "./admin-reason-form";
import { useLive } from "./api";
import { ColumnHeads, Empty, ErrorBox, Freshness, RelativeTime, utc } from "./ui";

/** Workspace API keys, per workspace: prefix, name, created, last used, revoked; revoke per row. */
export function AdminKeys({ initial, workspace }: { initial: ApiKeysView; workspace: string | null }) {
  const query = workspace ? `?workspace=${encodeURIComponent(workspace)}` : "";
  const { data, error, dataUpdatedAt } = useLive<ApiKeysView>(["admin-keys", workspace], `/api/console/admin/api-keys${query}`, initial);
  const view = data ?? initial;
  return (
    <section aria-labelledby="admin-keys" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="admin-keys" className="text-lg font-semibold">
          API keys
        </h2>
        <div className="flex items-center gap-3">
          <form method="get" className="flex items-end gap-2 text-sm">
            <label className="flex flex-col">
              Workspace
              <select name="workspace" defaultValue={workspace ?? ""} className="rounded border border-slate-300 px-2 py-1">
                <option value="">all</option>
                {view.workspaces.map((w) => (
                  <option key={w.id} value={w.slug}>
                    {w.slug}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="rounded border border-slate-400 px-2.5 py-1 font-semibold">
              Show
            </button>
          </form>
          <Freshness updatedAt={dataUpdatedAt} error={error} />
        </div>
      </div>
      <p className="text-sm text-slate-700">
        A revoked key gets 401 on its next request. Keys are shown by prefix only; create one with{" "}
        <code>npm run cli -- apikey create --workspace &lt;slug&gt;</code>.
      </p>
      <ErrorBox error={error} />
      {view.groups.length === 0 && <Empty>No workspaces yet.</Empty>}
      {view.groups.map(({ workspace: w, keys }) => (
        <div key={w.id} className="mt-4" data-testid={`keys-${w.slug}`}>
          <h3 className="font-semibold">
            {w.name} <span className="font-mono text-sm font-normal text-slate-500">{w.slug}</span>
          </h3>
          {keys.length === 0 ? (
            <Empty>No API keys for {w.slug}.</Empty>
          ) : (
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">API keys of {w.slug}</caption>
                <ColumnHeads columns={["Prefix", "Name", "Created", "Last used", "Status", "Actions"]} />
                <tbody>
                  {keys.map((k) => (
                    <tr
                      key={k.id}
                      data-testid={`key-${k.prefix}`}
                      className={`border-b border-slate-100 align-top ${k.revokedAt ? "bg-slate-50 text-slate-500" : ""}`}
                    >
                      <th scope="row" className="py-2 pr-3 font-mono font-medium">
                        {k.prefix}…
                      </th>
                      <td className="py-2 pr-3">{k.name}</td>
                      <td className="py-2 pr-3" title={utc(k.createdAt)}>
                        <RelativeTime value={k.createdAt} />
                      </td>
                      <td className="py-2 pr-3" title={utc(k.lastUsedAt)}>
                        {k.lastUsedAt ? <RelativeTime value={k.lastUsedAt} /> : "never"}
                      </td>
                      <td className="py-2 pr-3" data-testid="key-status">
                        <AccessStatus label="Revoked" withdrawn={k.revokedAt ? { at: k.revokedAt, by: k.revokedBy, reason: k.revokeReason } : null} />
                      </td>
                      <td className="py-2">
                        {!k.revokedAt && (
                          <AdminReasonForm
                            label="Revoke"
                            target={`key ${k.prefix}`}
                            tone="danger"
                            description={`Clients using ${k.prefix}… (${k.name}) get 401 from their next request. This cannot be undone.`}
                            path={`/api/console/admin/api-keys/${k.id}/revoke`}
                          />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ))}
    </section>
  );
}
