"use client";

import type { UserSummary } from "@/lib/auth/users";
import { AccessStatus, AdminReasonForm } from "./admin-reason-form";
import { useLive } from "./api";
import { ColumnHeads, Empty, ErrorBox, Freshness, RelativeTime, utc } from "./ui";

/** Users with roles, disabled state and last sign-in; disable / enable / sign out everywhere per row. */
export function AdminUsers({ initial, currentUserId }: { initial: UserSummary[]; currentUserId: string }) {
  const { data, error, dataUpdatedAt } = useLive<UserSummary[]>(["admin-users"], "/api/console/admin/users", initial);
  const users = data ?? initial;
  return (
    <section aria-labelledby="admin-users" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="admin-users" className="text-lg font-semibold">
          Users
        </h2>
        <Freshness updatedAt={dataUpdatedAt} error={error} />
      </div>
      <p className="text-sm text-slate-700">
        Disabling a user refuses their very next request, in every browser they are signed in with. &ldquo;Sign out everywhere&rdquo; ends their sessions but
        lets them sign in again. Both are audited with your reason. Add users with <code>npm run cli -- user add</code>.
      </p>
      <ErrorBox error={error} />
      {users.length === 0 ? (
        <Empty>No users yet. Add one with npm run cli -- user add --email E --role R.</Empty>
      ) : (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Users</caption>
            <ColumnHeads columns={["User", "Roles", "Last sign-in", "Status", "Actions"]} />
            <tbody>
              {users.map((u) => {
                const self = u.id === currentUserId;
                return (
                  <tr
                    key={u.id}
                    data-testid={`user-${u.email}`}
                    className={`border-b border-slate-100 align-top ${u.disabledAt ? "bg-slate-50 text-slate-500" : ""}`}
                  >
                    <th scope="row" className="py-2 pr-3 font-medium">
                      {u.email}
                      {self && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                      {u.name && <div className="text-xs font-normal text-slate-500">{u.name}</div>}
                    </th>
                    <td className="py-2 pr-3">{u.roles.join(", ")}</td>
                    <td className="py-2 pr-3" title={utc(u.lastSignInAt)}>
                      {u.lastSignInAt ? <RelativeTime value={u.lastSignInAt} /> : "never"}
                    </td>
                    <td className="py-2 pr-3" data-testid="user-status">
                      <AccessStatus label="Disabled" withdrawn={u.disabledAt ? { at: u.disabledAt, by: u.disabledBy, reason: u.disabledReason } : null} />
                    </td>
                    <td className="py-2">
                      <div className="flex flex-wrap items-start gap-2">
                        {u.disabledAt ? (
                          <AdminReasonForm label="Enable" target={u.email} path={`/api/console/admin/users/${u.id}/enable`} />
                        ) : (
                          <>
                            <AdminReasonForm
                              label="Disable"
                              target={u.email}
                              tone="danger"
                              permission={self ? { allowed: false, reason: "you cannot disable your own account" } : { allowed: true }}
                              description="Their next request is refused, in every browser; API keys are not affected."
                              path={`/api/console/admin/users/${u.id}/disable`}
                            />
                            <AdminReasonForm
                              label="Sign out everywhere"
                              target={u.email}
                              description={self ? "Ends every session of yours, this one included." : "Ends every session; they can sign in again."}
                              path={`/api/console/admin/users/${u.id}/sign-out-everywhere`}
                            />
                          </>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
